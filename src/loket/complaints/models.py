"""Complaints (pengaduan): categories as code, per-agency limits, complaints and their history.

Models hold data and the invariants of one row; the SP4N-LAPOR! workflow lives in
``loket.complaints.services``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any, Self

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.core.pii import EncryptedTextField


class Tier(models.TextChoices):
    """The four resolution tiers agencies publish in their service standards (SIPPN)."""

    LIGHT = "ringan", _("Light (ringan)")
    NORMATIVE = "normatif", _("Normative (bersifat normatif)")
    NON_SUPERVISORY = "tidak_berkadar", _("Not requiring supervision (tidak berkadar pengawasan)")
    SUPERVISORY = "berkadar", _("Requiring supervision and examination (berkadar pengawasan)")


class ComplaintPolicy(models.Model):
    """One agency's complaint limits in working days, loaded from its categories file.

    The numbers are [secondary] in the shared domain notes (no regulation fixes them),
    so they are configuration with the commonly published values as defaults.
    """

    agency = models.OneToOneField(
        "org.Agency", on_delete=models.CASCADE, related_name="complaint_policy"
    )
    jurisdiction_id = models.CharField(_("Open311 jurisdiction"), max_length=120, unique=True)
    # The position whose holders verify incoming complaints: the complaint administrators.
    admin_position = models.ForeignKey(
        "org.Position", on_delete=models.PROTECT, related_name="+", verbose_name=_("administrators")
    )
    verification_days = models.PositiveSmallIntegerField(default=3)
    light_days = models.PositiveSmallIntegerField(default=2)
    normative_days = models.PositiveSmallIntegerField(default=5)
    non_supervisory_days = models.PositiveSmallIntegerField(default=14)
    supervisory_days = models.PositiveSmallIntegerField(default=60)
    auto_close_days = models.PositiveSmallIntegerField(default=10)
    source_path = models.CharField(max_length=400, blank=True)

    class Meta:
        verbose_name = _("complaint policy")
        verbose_name_plural = _("complaint policies")

    def __str__(self) -> str:
        return self.jurisdiction_id

    def tier_days(self, tier: str) -> int:
        return {
            Tier.LIGHT: self.light_days,
            Tier.NORMATIVE: self.normative_days,
            Tier.NON_SUPERVISORY: self.non_supervisory_days,
            Tier.SUPERVISORY: self.supervisory_days,
        }[Tier(tier)]


class Category(models.Model):
    """A kind of complaint (an Open311 service), mapped to the position that handles it."""

    agency = models.ForeignKey(
        "org.Agency", on_delete=models.CASCADE, related_name="complaint_categories"
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    handler_position = models.ForeignKey("org.Position", on_delete=models.PROTECT, related_name="+")
    # Open311 service-definition attributes: [{code, datatype, required, description, order,
    # values: [{key, name}]}]; validated when the file is loaded.
    attributes: models.JSONField[Any, Any] = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["agency", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="complaint_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    RECEIVED = "diterima", _("Received")
    VERIFIED = "terverifikasi", _("Verified")
    FORWARDED = "diteruskan", _("Forwarded")
    IN_FOLLOW_UP = "ditindaklanjuti", _("Being followed up")
    AWAITING_INFO = "menunggu_informasi", _("Waiting for information from the complainant")
    ANSWERED = "menunggu_tanggapan", _("Answered, waiting for the complainant's reply")
    CLOSED = "selesai", _("Closed")
    REJECTED = "ditolak", _("Rejected")
    ARCHIVED = "arsip", _("Archived")


CLOSED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.ARCHIVED)
# A complaint answered on time counts as "resolved on time" once answered and after.
RESOLVED_STATUSES = (*CLOSED_STATUSES, Status.ANSWERED)
# The states in which the tier clock runs (the verification clock runs in RECEIVED).
HANDLING_STATUSES = (Status.VERIFIED, Status.FORWARDED, Status.IN_FOLLOW_UP)


class Subject(models.TextChoices):
    SERVICE = "service", _("A service")
    UNIT = "unit", _("A unit")
    CASE = "case", _("An application")


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete the complaints and take their shares off the per-unit counters.

        A bulk delete skips `Complaint.delete`, so without this the counters of the
        public list would drift (admin "delete selected" and cleanup scripts use it).
        """
        from loket.complaints import counts

        with transaction.atomic():
            # Locked first, so no transition moves a share between the count and the delete.
            list(self.order_by().select_for_update().values_list("pk", flat=True))
            shares = counts.shares_of(self)
            deleted = super().delete()
            counts.take_off(shares)
        return deleted


class Complaint(models.Model):
    """One complaint; `agency` and `position` say whose queue it is in now."""

    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True)
    access_code_hash = models.CharField(max_length=128)
    # Open311 `token`: lets a client find the request id again.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="complaints")
    origin_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="complaints")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="complaints")
    position = models.ForeignKey("org.Position", on_delete=models.PROTECT, related_name="+")

    subject = models.CharField(max_length=12, choices=Subject.choices, default=Subject.SERVICE)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    about_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )

    description = models.TextField(_("complaint"))
    attributes: models.JSONField[Any, Any] = models.JSONField(default=dict)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    is_confidential = models.BooleanField(_("confidential (rahasia)"), default=False)
    is_anonymous = models.BooleanField(_("anonymous (anonim)"), default=False)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    reporter_name = EncryptedTextField(blank=True)
    reporter_email = EncryptedTextField(blank=True)
    reporter_phone = EncryptedTextField(blank=True)
    language = models.CharField(max_length=8, default="id")
    channel = models.CharField(max_length=12, default="web")

    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    verify_due_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_on_time = models.BooleanField(null=True)
    due_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_on_time = models.BooleanField(null=True)
    close_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    status_notes = models.TextField(blank=True)
    # While the complainant is asked for information the running clock stops.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_status = models.CharField(max_length=24, blank=True)
    remaining_seconds = models.BigIntegerField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # The complaint's own Open311 request fields, pre-rendered by `save` (JSON members and
    # XML elements; public fields only): GET requests joins them instead of rendering
    # a thousand rows per call (loket.complaints.public_rows, ADR 0023).
    public_json = models.TextField(blank=True, editable=False)
    public_xml = models.TextField(blank=True, editable=False)

    # Its `delete` keeps the per-unit counters (a bulk delete skips `Complaint.delete`).
    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["agency", "is_confidential", "-received_at", "-id"],
                name="complaint_agency_public_order",
            ),
            # The public list across agencies, newest first.
            models.Index(
                fields=["is_confidential", "-received_at", "-id"], name="complaint_public_order"
            ),
            models.Index(fields=["position", "status"]),
            # "Overdue" depends on the moment, so it is no counter: it is the open
            # complaints whose running deadline has passed, counted per unit from these
            # (covering) indexes; they also serve the deadline sweep.
            models.Index(fields=["status", "due_at", "unit"], name="complaint_status_due_unit"),
            models.Index(
                fields=["status", "verify_due_at", "unit"], name="complaint_status_verify_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The pre-rendered public row always matches the columns it is made of.
        from loket.complaints import counts, public_rows

        public_rows.refresh(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "public_json", "public_xml"}
        # The counters move in the same transaction as the row they count.
        with transaction.atomic():
            before = None if self._state.adding else counts.stored_share(self)
            super().save(*args, **kwargs)
            after = self.counted_as()
            counts.move(before, after)
            self._counted = after

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        # The counters lose the stored row's share in the same transaction.
        from loket.complaints import counts

        with transaction.atomic():
            before = counts.stored_share(self)
            deleted = super().delete(*args, **kwargs)
            if deleted[0]:
                counts.move(before, None)
            self.__dict__.pop("_counted", None)  # no stored row any more
        return deleted

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kw: Any
    ) -> Self:
        instance = super().from_db(db, field_names, values, **kw)
        # What the stored row adds to the per-unit counters (loket.complaints.counts).
        loaded = instance.__dict__
        if all(name in loaded for name in ("unit_id", "status", "answered_on_time")):
            instance._counted = instance.counted_as()
        return instance

    def counted_as(self) -> tuple[int, bool]:
        """(unit, resolved on time): this complaint's share of the per-unit counters."""
        resolved = self.status in RESOLVED_STATUSES and self.answered_on_time is True
        return self.unit_id, resolved

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def running_due_at(self) -> Any:
        """The deadline of the clock that runs now (None while paused or closed)."""
        if self.status == Status.RECEIVED:
            return self.verify_due_at
        if self.status in HANDLING_STATUSES:
            return self.due_at
        return None

    def is_overdue_at(self, moment: Any) -> bool:
        due = self.running_due_at
        return due is not None and due < moment

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_at(timezone.now())


class UnitCount(models.Model):
    """The per-unit counters of the public list, kept by every save of a complaint.

    `received` counts the complaints the unit handles now (a forwarded complaint moves
    with its unit); `resolved_on_time` those of them answered within the tier deadline.
    Confidential complaints count too: a number says nothing of their content. Overdue
    is not here: it changes when a deadline passes with no event (see the indexes).
    """

    unit = models.OneToOneField(
        "org.Unit", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Plain integers: a drifted counter must not make a transition fail (check/repair).
    received = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("complaint counts of a unit")
        verbose_name_plural = _("complaint counts of units")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.received}/{self.resolved_on_time}"


class AppendOnlyError(Exception):
    pass


class ComplaintEvent(models.Model):
    """One line of a complaint's history: who, in which position and capacity, when, why."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    officer = models.ForeignKey(
        "org.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        "org.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField(max_length=12, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Text written for the public (an answer, a rejection reason) or for the complainant.
    text = models.TextField(blank=True)
    # Public events show on the watchdog page (when the complaint is not confidential).
    is_public = models.BooleanField(default=True)
    payload: models.JSONField[Any, Any] = models.JSONField(default=dict)

    class Meta:
        ordering = ["complaint", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "sequence"], name="complaint_event_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.sequence} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("complaint events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("complaint events are append-only")


class ComplaintPhoto(models.Model):
    """A photo sent with a complaint, checked by the same upload rules as applications."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    stored_file = models.ForeignKey(
        "documents.StoredFile", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["complaint", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.stored_file_id}"
