"""Services and their immutable published versions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.org.models import Agency, Unit


class Service(models.Model):
    """A public service (layanan). Its rules live in its published versions."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="services")
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("accepting applications"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImmutableError(Exception):
    pass


class ServiceVersion(models.Model):
    """A published service definition. Never edited: a change is a new version."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    source = models.TextField(_("source (YAML)"))
    definition: models.JSONField[Any, Any] = models.JSONField(_("definition"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        ordering = ["service", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("a published service version cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("a published service version cannot be deleted")


class AccessClass(models.TextChoices):
    """Security and access classes of dynamic records (SKKAAD, Perka ANRI 17/2011)."""

    BIASA = "biasa", _("Biasa/Terbuka")
    TERBATAS = "terbatas", _("Terbatas")
    RAHASIA = "rahasia", _("Rahasia")
    SANGAT_RAHASIA = "sangat_rahasia", _("Sangat Rahasia")


class Disposition(models.TextChoices):
    """What happens to a record when its retention ends (nasib akhir in the JRA)."""

    NONE = "", _("Not set")
    MUSNAH = "musnah", _("Musnah (destroy)")
    PERMANEN = "permanen", _("Permanen (transfer to the archival institution)")
    DINILAI_KEMBALI = "dinilai_kembali", _("Dinilai kembali (review)")


class ArchiveClass(models.Model):
    """A code of the agency's archive classification (Permendagri 83/2022 for regions),
    with its JRA row. Retention is the agency's own (Perkada JRA): Loket ships none."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="archive_classes")
    code = models.CharField(_("classification code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    retention_active_years = models.PositiveSmallIntegerField(
        _("active retention (years)"), null=True, blank=True
    )
    retention_inactive_years = models.PositiveSmallIntegerField(
        _("inactive retention (years)"), null=True, blank=True
    )
    disposition = models.CharField(
        _("final disposition"), max_length=16, choices=Disposition.choices, blank=True
    )
    retention_trigger = models.CharField(
        _("retention counted from"),
        max_length=200,
        blank=True,
        help_text=_("E.g. “after the licence expires or is revoked”."),
    )

    class Meta:
        verbose_name = _("archive classification")
        verbose_name_plural = _("archive classifications")
        ordering = ["agency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="archive_code_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{3}(\.[0-9]{1,2}){0,3}$"),
                name="archive_code_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CatalogRevision(models.Model):
    """One row: a fresh random value on every change to what the catalogue shows.

    Publishing, withdrawing (a service no longer accepting applications) and
    renaming an agency or unit bump it in the same transaction; every process
    compares it with the revision of its cached catalogue on each read
    (loket.catalog.cache), so a withdrawn version is never served after the
    withdrawal commits.
    """

    # Random, not a counter: a rolled-back change can never bring back a revision
    # some process already cached other contents under.
    revision = models.CharField(_("revision"), max_length=32)

    class Meta:
        verbose_name = _("catalogue revision")
        verbose_name_plural = _("catalogue revisions")

    def __str__(self) -> str:
        return str(self.revision)
