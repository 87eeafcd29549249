from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "loket.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from loket.complaints import signals  # noqa: F401
        from loket.notify.events import EventSpec, register_event

        base = ("tracking_number", "category_name", "follow_url")
        for spec in (
            EventSpec("complaint_received", "applicant", base, ("due_date",)),
            EventSpec("complaint_info_requested", "applicant", (*base, "reason")),
            EventSpec("complaint_answered", "applicant", (*base, "answer"), ("due_date",)),
            EventSpec("complaint_closed", "applicant", base, ("reason",)),
        ):
            register_event(spec)
