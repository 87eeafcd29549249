from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo agency and its history: the top of the dependency graph (nothing imports it)."""

    name = "loket.demo"
    label = "demo"
    verbose_name = _("Demo")
