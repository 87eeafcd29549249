from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "loket.calendar"
    label = "loket_calendar"
    verbose_name = _("Working-day calendar")
