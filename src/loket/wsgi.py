import os
import sys

from django.core.wsgi import get_wsgi_application

# A worker thread that waits for the database gets the GIL back only when the thread
# running Python gives it up, after at most the switch interval (5 ms by default): a
# convoy that held the tracking GET to the same requests/s at 100 users whatever its own
# cost (docs/decisions/0028). Half a millisecond lets a finished read go on at once.
sys.setswitchinterval(float(os.environ.get("LOKET_GIL_SWITCH_MS", "0.5")) / 1000)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
application = get_wsgi_application()
