from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "loket.calendar"
    label = "loket_calendar"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        # Connects the receivers that keep cached working-day rules fresh.
        from loket.calendar import signals  # noqa: F401
