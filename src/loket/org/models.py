"""Agencies, units, positions, officers and appointments: who holds which authority."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loket.core.errors import LoketError
from loket.org.validators import nip_field_validator

# Indonesia's three time zones (Keppres 41/1987), with the names people read them by.
TIME_ZONES = (
    ("Asia/Jakarta", "WIB"),
    ("Asia/Makassar", "WITA"),
    ("Asia/Jayapura", "WIT"),
)
ZONE_ABBREVIATIONS = dict(TIME_ZONES)


class Agency(models.Model):
    """An instansi: a government body that publishes services (e.g. a city government)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    # No national cap on acting appointments exists; agency rules commonly set one
    # (e.g. Plt 3 months + one extension, Plh 3-30 days: Perban BPKP 3/2024 Pasal 10).
    max_plt_days = models.PositiveIntegerField(
        _("longest Plt appointment (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit. With a limit, a Plt designation needs an end date."),
    )
    max_plh_days = models.PositiveIntegerField(
        _("longest Plh appointment (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit. With a limit, a Plh designation needs an end date."),
    )
    acting_warning_days = models.PositiveIntegerField(
        _("warn acting officials this many days before their appointment ends"), default=14
    )
    # Times shown to applicants are in the agency's own zone, labelled WIB/WITA/WIT.
    time_zone = models.CharField(
        _("time zone"), max_length=32, choices=TIME_ZONES, default="Asia/Jakarta"
    )
    # The crest (lambang) on the site header, the receipt and the licence: a PNG,
    # re-encoded on upload (`loket.org.branding.clean_crest`); the digest names its URL.
    crest_png = models.BinaryField(_("crest (PNG)"), blank=True, default=b"", editable=True)
    crest_sha256 = models.CharField(_("crest digest"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit kerja / OPD, arranged as a tree inside an agency."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["agency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A unit's parent is in the same agency and never one of its own descendants."""
        if self.parent_id is None:
            return
        parent = self.parent
        if parent is None:
            return
        if parent.agency_id != self.agency_id:
            raise DjangoValidationError(
                {"parent": _("The parent unit belongs to another agency.")}, code="unit_agency"
            )
        seen: set[int] = set()
        while parent is not None and parent.pk not in seen:
            if self.pk is not None and parent.pk == self.pk:
                raise DjangoValidationError(
                    {"parent": _("A unit cannot be placed under itself or its own sub-unit.")},
                    code="unit_cycle",
                )
            seen.add(parent.pk)
            parent = parent.parent


class Position(models.Model):
    """A jabatan. Tasks belong to positions, not to people."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="positions", verbose_name=_("agency")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="positions", verbose_name=_("unit")
    )
    code = models.SlugField(_("code"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    is_head = models.BooleanField(
        _("head of unit"), default=False, help_text=_("The head of the unit; one per unit.")
    )
    is_single_holder = models.BooleanField(
        _("single holder"),
        default=True,
        help_text=_("Only one definitive holder at a time (structural positions)."),
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["agency", "unit", "-is_head", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code"], name="position_code_unique_in_agency"
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_head=True), name="one_head_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        known = self.unit_id is not None and self.agency_id is not None
        if known and self.unit.agency_id != self.agency_id:
            raise DjangoValidationError(
                {"unit": _("The unit belongs to another agency.")}, code="position_agency"
            )


class Officer(models.Model):
    """An ASN / petugas, identified by an 18-digit NIP and linked to a sign-in account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="officer",
        verbose_name=_("sign-in account"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="officers", verbose_name=_("agency")
    )
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        unique=True,
        validators=[nip_field_validator],
        help_text=_("18 digits: date of birth, appointment month, sex, serial."),
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["name"]
        constraints = [
            # The full NIP rules live in validate_nip; the database at least refuses
            # anything that is not 18 digits.
            models.CheckConstraint(condition=Q(nip__regex=r"^[0-9]{18}$"), name="nip_is_18_digits")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"


class Capacity(models.TextChoices):
    DEFINITIVE = "definitive", _("Definitive")
    PLT = "plt", _("Plt (acting holder, vacant position)")
    PLH = "plh", _("Plh (acting holder, holder temporarily away)")


class Appointment(models.Model):
    """An officer holds a position from `start_date` to `end_date` (inclusive) in a capacity."""

    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("officer")
    )
    position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("position"),
    )
    capacity = models.CharField(
        _("capacity"), max_length=12, choices=Capacity.choices, default=Capacity.DEFINITIVE
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Definitive holders are appointed by an SK; a Plt/Plh is designated by a Surat
    # Perintah (SE BKN 1/SE/I/2021), so the label follows the capacity.
    decree_number = models.CharField(
        _("number of the SK (definitive) or Surat Perintah (Plt/Plh)"),
        max_length=120,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["position", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="appointment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__in=Capacity.values), name="appointment_capacity_known"
            ),
        ]
        indexes = [models.Index(fields=["position", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.officer} → {self.position} ({self.get_capacity_display()})"

    @property
    def instrument(self) -> str:
        """What the appointing document is called: an SK, or a Surat Perintah for Plt/Plh."""
        return str(_("SK") if self.capacity == Capacity.DEFINITIVE else _("Surat Perintah"))

    def clean(self) -> None:
        """Run the appointment rules the service enforces, so admin forms cannot bypass them."""
        # Imported here: the checks query this module's models.
        from loket.org.checks import check_appointment

        if self.officer_id is None or self.position_id is None or self.start_date is None:
            return  # field validation already reports the missing values
        try:
            check_appointment(self)
        except LoketError as error:
            # A form-wide error: a field error would crash a form that leaves the field out.
            raise DjangoValidationError(error.message, code=error.code) from error


class OrgRevision(models.Model):
    """One row: a fresh random value on every change to who may act for what.

    Saving or deleting an appointment, officer, position or agency, or changing
    whether a sign-in account is active, bumps it in the same transaction
    (`loket.org.cache`); each process compares it with the revision its cached
    appointments were read under on every authority check, so an appointment,
    Plt/Plh designation or revocation counts from the moment it commits.
    """

    # Random, not a counter: a rolled-back change can never bring back a revision
    # some process already cached other contents under.
    revision = models.CharField(_("revision"), max_length=32)

    class Meta:
        verbose_name = _("organisation revision")

    def __str__(self) -> str:
        return self.revision
