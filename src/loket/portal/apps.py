from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "loket.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from loket.notify.events import EventSpec, register_event

        # The one-time code that gives a lost application draft back (portal/resume.py).
        register_event(
            EventSpec("draft_resume_code", "applicant", ("code", "service_name", "valid_minutes"))
        )
