"""Cases (permohonan), their tasks, their append-only history and their documents.

Models hold data and the invariants of a single row; the workflow lives in
``loket.cases.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.core.pii import EncryptedJSONField, EncryptedTextField, mask


class CaseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_APPLICANT = "awaiting_applicant", _("Waiting for the applicant")
    AWAITING_PAYMENT = "awaiting_payment", _("Waiting for payment")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED_STATUSES = (CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.CANCELLED)


class Outcome(models.TextChoices):
    NONE = "", _("Not decided yet")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled by the applicant")


class Case(models.Model):
    """One application, under the service version it was submitted with."""

    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True)
    # Hashed like a password: shown once on the receipt, never stored in clear.
    access_code_hash = models.CharField(_("access code (hashed)"), max_length=128)
    # No index of its own: the (service, status) index begins with the service and
    # serves every look-up by service (and the foreign key's PROTECT check).
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    service_version = models.ForeignKey(
        "catalog.ServiceVersion", on_delete=models.PROTECT, related_name="cases"
    )
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="cases")

    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    # Names and contacts are personal data: encrypted at rest like NIK (core/pii), and
    # nothing filters or sorts on them in SQL.
    applicant_name = EncryptedTextField(_("applicant name (encrypted)"))
    applicant_nik = EncryptedTextField(_("NIK (encrypted)"))
    applicant_nik_hash = models.CharField(_("NIK look-up hash"), max_length=64, db_index=True)
    applicant_email = EncryptedTextField(_("applicant e-mail (encrypted)"), blank=True)
    applicant_phone = EncryptedTextField(_("applicant phone (encrypted)"), blank=True)
    applicant_phone_hash = models.CharField(
        _("phone look-up hash"), max_length=64, blank=True, db_index=True
    )
    language = models.CharField(_("language"), max_length=8, default="id")

    data: models.Field[Any, Any] = EncryptedJSONField(_("submitted data (encrypted)"))
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=CaseStatus.choices,
        default=CaseStatus.IN_PROGRESS,
        db_index=True,
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)

    # The steps where the case currently stands (several while branches run in parallel).
    current_steps: models.JSONField[Any, Any] = models.JSONField(default=list)
    # Parallel bookkeeping: fork key -> {"expected": n, "arrived": [...], "parent": path}.
    join_state: models.JSONField[Any, Any] = models.JSONField(default=dict)
    # The applicant step the case waits in, if any; "next" is where resubmission goes.
    waiting_step = models.CharField(max_length=80, blank=True)

    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # UU 30/2014 Pasal 53: the service deadline runs from when the application is
    # declared complete (berkas lengkap), not from submission; null until then.
    complete_at = models.DateTimeField(_("declared complete at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    # When the statutory deadline passed undecided and the head of unit was told
    # (fiktif positif exposure); set once.
    statutory_lapse_flagged_at = models.DateTimeField(
        _("statutory deadline lapse flagged at"), null=True, blank=True
    )
    # While the applicant has the case the clock stops: remember how much working
    # time was left and recompute `due_at` from it on resubmission.
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    remaining_seconds = models.BigIntegerField(null=True, blank=True)
    # While the applicant has the case: by when they must answer (the applicant step's
    # deadline); past it the worker closes the case (withdrawn, or as the step says).
    respond_by = models.DateTimeField(_("applicant to respond by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    apologised_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # The sequence number of the case's newest event: the next event takes the next
    # number under the case row's lock, with no SELECT MAX over the history.
    last_event_sequence = models.PositiveIntegerField(default=0)
    # The tracking read model: what the applicant's tracking page shows, written by the
    # engine with the events (loket.cases.tracking, ADR 0023). No personal data.
    tracking: models.JSONField[Any, Any] = models.JSONField(default=dict, editable=False)
    # Whether a complaint was filed about the application (set by the complaints app), so
    # the tracking page asks for complaints only when there are some.
    has_complaints = models.BooleanField(default=False, editable=False)
    # Archive metadata of the case file (berkas): classification code and SKKAAD class,
    # copied from the service definition when the application is received.
    archive_code = models.CharField(_("archive classification code"), max_length=20, blank=True)
    access_class = models.CharField(_("access class (SKKAAD)"), max_length=16, default="terbatas")
    updated_at = models.DateTimeField(auto_now=True)
    # What the applicant's own view shows of the personal data above (masked), sealed as
    # one value so the tracking GET decrypts once (loket.cases.applicant_card). A copy:
    # written with those columns; empty on rows from before it, which are read as before.
    applicant_card: models.Field[Any, Any] = EncryptedJSONField(
        _("applicant card (encrypted)"), blank=True, editable=False
    )

    # Not a column: whether the agency had an active webhook subscription when the
    # operation's locking read took the case row (cases.locks), so that its events skip
    # the subscription look-up when it had none; None (not read) looks them up.
    webhooks_subscribed: bool | None = None

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["service", "status"]),
            # The open work only, whatever the closed history (dashboards' backlog and
            # fiktif-positif counts at 1 M cases): SQLite keeps no skew statistics, so
            # it would scan the history for a status filter (ADR 0024).
            models.Index(
                fields=["service", "due_at"],
                condition=models.Q(closed_at__isnull=True),
                name="case_open_by_service_due",
            ),
            # The worker's monthly figures read one month of submissions and closings.
            models.Index(fields=["service", "submitted_at"], name="case_service_submitted"),
            models.Index(fields=["service", "closed_at"], name="case_service_closed"),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return case_is_overdue(status=self.status, paused_at=self.paused_at, due_at=self.due_at)

    @property
    def masked_nik(self) -> str:
        return mask(self.applicant_nik or "")

    @property
    def masked_phone(self) -> str:
        return mask(self.applicant_phone or "", visible=3)


def case_is_overdue(*, status: str, paused_at: Any, due_at: Any) -> bool:
    """`Case.is_overdue` from the columns alone (the tracking GET reads no instance)."""
    return (
        status not in CLOSED_STATUSES
        and paused_at is None
        and due_at is not None
        and due_at < timezone.now()
    )


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    RETURN = "return", _("Return for revision")


class Task(models.Model):
    """A work item for a position (not a person) with its own due moment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    step_id = models.CharField(_("step"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    # Where this task sits among parallel branches ("" outside any fork).
    branch = models.CharField(max_length=400, blank=True)
    position = models.ForeignKey("org.Position", on_delete=models.PROTECT, related_name="tasks")
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        "org.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "org.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_capacity = models.CharField(max_length=12, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "created_at"]
        indexes = [
            models.Index(fields=["status", "position"]),
            models.Index(fields=["status", "due_at"]),
            # Open tasks only (queue age per position at any history size, ADR 0024).
            models.Index(
                fields=["position", "created_at"],
                condition=models.Q(status="open"),
                name="task_open_by_position",
            ),
            # One month of decisions (bottlenecks, people, flags, K8/K9) without the rest.
            models.Index(fields=["decided_at"], name="task_decided_at"),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_number} / {self.step_id}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == TaskStatus.OPEN
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class AppendOnlyError(Exception):
    pass


class CaseEvent(models.Model):
    """One line of a case's history. Written once, never changed or deleted."""

    # No index of its own: the unique (case, sequence) index begins with the case and
    # serves every look-up by case; a second one cost every event INSERT a page.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    sequence = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    step_id = models.CharField(max_length=80, blank=True)
    # Task, officer, position and actor user have no index: no query looks events up by
    # them (only the PROTECT check when one is deleted, a scan: ADR 0032), and each cost
    # every event INSERT a page.
    task = models.ForeignKey(
        Task,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    officer = models.ForeignKey(
        "org.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    position = models.ForeignKey(
        "org.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    capacity = models.CharField(max_length=12, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    # Shown to the applicant in the timeline (internal events such as claims are not).
    is_public = models.BooleanField(default=True)
    payload: models.JSONField[Any, Any] = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="event_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.sequence} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("case events are append-only")


class CaseDocument(models.Model):
    """A document the applicant sent; a resubmission adds a new revision."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("requirement"), max_length=80)
    revision = models.PositiveIntegerField(default=0)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=400)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["case", "name", "-revision"]

    def __str__(self) -> str:
        return f"{self.name} r{self.revision}"


class AccessLockout(models.Model):
    """A client address locked out of guessing access codes until a moment
    (`cases.throttle`). Kept in the database, not the cache, so the tracking read checks
    it in the statement that reads the case: no query of its own on the right code, and
    every process sees a lock-out at once. Rows exist only while guessing goes on."""

    # ratelimit.key(): a hash, so no address or tracking number is stored in clear.
    key = models.CharField(max_length=100, primary_key=True)
    until = models.FloatField(help_text="seconds since the epoch")

    def __str__(self) -> str:
        return self.key


class IdempotencyKey(models.Model):
    """A submission's Idempotency-Key: the same key and body give the same case."""

    scope = models.CharField(max_length=128)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    # A client that retries after a lost response still needs its receipt's access
    # code; kept encrypted, like other personal data.
    access_code = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → case {self.case_id}"


class TrackingSequence(models.Model):
    """Per prefix and year counter for tracking numbers (gaps allowed, never reuse)."""

    prefix = models.CharField(max_length=12)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="tracking_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class AuditLog(models.Model):
    """Acts that were refused: the only trace a refused act leaves."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    officer = models.ForeignKey(
        "org.Officer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=120)
    outcome = models.CharField(max_length=20, default="refused")
    message = models.TextField()

    class Meta:
        verbose_name = _("audit line")
        verbose_name_plural = _("audit lines")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}: {self.outcome}"


class ReadChannel(models.TextChoices):
    API = "api", _("API case detail")
    WORKSPACE = "workspace", _("Workspace case page")
    DOCUMENT = "document", _("Uploaded document")


class PersonalDataRead(models.Model):
    """One read of an applicant's full personal data: who, which case, when, through what.

    Append-only; the data protection officer reads them (permission
    `cases.view_personaldataread`). The tracking number and the reader's label are
    copied so the line still says what happened if the case or account goes.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    case = models.ForeignKey(Case, null=True, on_delete=models.SET_NULL, related_name="+")
    tracking_number = models.CharField(_("tracking number"), max_length=32, db_index=True)
    officer = models.ForeignKey(
        "org.Officer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    machine_account = models.CharField(_("machine account"), max_length=80, blank=True)
    reader = models.CharField(_("reader"), max_length=250)
    channel = models.CharField(_("channel"), max_length=16, choices=ReadChannel.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("personal data read")
        verbose_name_plural = _("personal data reads")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["officer", "at"], name="cases_pdread_officer_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reader} {self.tracking_number} {self.channel}"


class CaseRevision(models.Model):
    """What one resubmission changed in the data: each changed field's earlier and new
    value, kept encrypted (they are the applicant's data) for the officer's diff."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    # field name -> [before, after], as cleaned JSON values
    changes: models.Field[Any, Any] = EncryptedJSONField(_("changed data (encrypted)"))

    class Meta:
        verbose_name = _("application revision")
        verbose_name_plural = _("application revisions")
        ordering = ["case", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["case", "revision"], name="case_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} r{self.revision}"
