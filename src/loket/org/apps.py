from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "loket.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Connects the revision bumps and drops the per-process caches on edits.
        from loket.org import signals  # noqa: F401
