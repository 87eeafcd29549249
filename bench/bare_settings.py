"""Loket's settings with one extra page, a bare Django view, for bench/web.py.

The web benchmark serves the real site with these settings so that the tracking GET
and a view that does nothing (no database, a four-byte JSON body) run in the same
gunicorn workers, behind the same middleware, in the same run: their ratio is the
"tracking GET per worker / a bare Django view" row of issue 11.
"""

from loket.settings import *  # noqa: F403  (the real site, unchanged)

ROOT_URLCONF = "bare_urls"
