from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "loket.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        # Connects the receivers that move the catalogue revision on (catalog/cache.py).
        from loket.catalog import signals  # noqa: F401
