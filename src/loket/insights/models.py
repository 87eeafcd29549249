"""Targets per unit and service, and the monthly rollup the worker keeps fresh."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    SLA = "sla", _("SLA compliance (%)")
    MEDIAN_DAYS = "median_days", _("Median processing time (working days)")
    P90_DAYS = "p90_days", _("P90 processing time (working days)")
    DECIDED = "decided", _("Applications decided")
    FIRST_TIME_RIGHT = "first_time_right", _("First-time-right (%)")
    IKM = "ikm", _("Satisfaction index (IKM)")
    COMPLAINTS_ON_TIME = "complaints_on_time", _("Complaints resolved on time (%)")


class Polarity(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class LowerFormula(models.TextChoices):
    # Agencies differ and no rule prescribes one: the agency names its choice.
    NONE = "", _("(not applicable)")
    INVERSE = "inverse", _("target ÷ actual × 100 %")
    TWO_MINUS = "two_minus", _("(2 − actual ÷ target) × 100 %")


class Target(models.Model):
    """A target the agency set for one indicator of a unit (or one of its services)."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="targets", verbose_name=_("unit")
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("service"),
        help_text=_("Empty: the target is for the whole unit."),
    )
    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, help_text=_("Empty: a yearly target.")
    )
    value = models.DecimalField(_("target value"), max_digits=12, decimal_places=4)
    # No default: a lower-is-better target read as higher-is-better inverts the capaian.
    polarity = models.CharField(_("polarity"), max_length=8, choices=Polarity.choices)
    lower_formula = models.CharField(
        _("capaian formula (lower is better)"),
        max_length=12,
        choices=LowerFormula.choices,
        blank=True,
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["unit", "year", "month", "indicator"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="target_month_in_year",
            ),
            models.CheckConstraint(
                condition=Q(polarity="higher", lower_formula="")
                | (Q(polarity="lower") & ~Q(lower_formula="")),
                name="target_formula_matches_polarity",
                violation_error_message=_(
                    "A lower-is-better target needs its capaian formula; "
                    "a higher-is-better target takes none."
                ),
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{self.unit} {self.get_indicator_display()} {period}"

    def clean(self) -> None:
        service = self.service
        if service is not None and self.unit_id and service.unit_id != self.unit_id:
            raise ValidationError({"service": _("The service belongs to another unit.")})
        duplicates = Target.objects.filter(
            unit_id=self.unit_id,
            service=service,
            indicator=self.indicator,
            year=self.year,
            month=self.month,
        ).exclude(pk=self.pk)
        if duplicates.exists():
            raise ValidationError(_("There is already a target for this indicator and period."))

    @property
    def higher_is_better(self) -> bool:
        return self.polarity == Polarity.HIGHER


class MonthlyRollup(models.Model):
    """The KPIs of one service (or, with no service, a whole unit) in one month.

    Recomputed by the worker from the events; pages read these rows and never
    recompute from all events. A unit row is computed over the unit's cases, not
    from its services' rows: medians do not add up.
    """

    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, null=True, related_name="rollups"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="rollups")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    submitted = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejected_automatically = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    sla_on_time = models.PositiveIntegerField(default=0)
    sla_total = models.PositiveIntegerField(default=0)
    median_days = models.FloatField(null=True)
    p90_days = models.FloatField(null=True)
    median_days_from_submission = models.FloatField(null=True)
    p90_days_from_submission = models.FloatField(null=True)
    first_time_right = models.PositiveIntegerField(default=0)
    returns_total = models.PositiveIntegerField(default=0)
    acting_decisions = models.PositiveIntegerField(default=0)
    decisions = models.PositiveIntegerField(default=0)
    # K11 over the complaints received in the month: about the service on a service row,
    # handled by the unit on a unit row.
    complaints_received = models.PositiveIntegerField(default=0)
    complaints_to_resolve = models.PositiveIntegerField(default=0)
    complaints_on_time = models.PositiveIntegerField(default=0)
    complaint_median_days = models.FloatField(null=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("monthly figures")
        verbose_name_plural = _("monthly figures")
        ordering = ["service", "month"]
        # Internal supervision (inspektorat): reads every unit's dashboard of its agency,
        # acts on nothing (acting needs a position, which this does not give).
        permissions = [
            ("view_all_dashboards", _("Can read every unit's performance dashboard (inspectorate)"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "month"],
                condition=Q(service__isnull=False),
                name="one_service_rollup_per_month",
            ),
            models.UniqueConstraint(
                fields=["unit", "month"],
                condition=Q(service__isnull=True),
                name="one_unit_rollup_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id or self.unit_id} {self.month:%Y-%m}"

    @property
    def sla_percent(self) -> float | None:
        return None if not self.sla_total else 100 * self.sla_on_time / self.sla_total

    @property
    def first_time_right_percent(self) -> float | None:
        return None if not self.decided else 100 * self.first_time_right / self.decided

    @property
    def complaints_on_time_percent(self) -> float | None:
        if not self.complaints_to_resolve:
            return None
        return 100 * self.complaints_on_time / self.complaints_to_resolve

    @property
    def complaints_per_thousand(self) -> float | None:
        return None if not self.decided else 1000 * self.complaints_received / self.decided

    @property
    def decided(self) -> int:
        return self.approved + self.rejected


class StepRollup(models.Model):
    """Bottlenecks of one step of a unit's services in one month, kept by the worker.

    Read by the dashboard in one query whatever the number of tasks (ADR 0024).
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="step_rollups")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    step_id = models.CharField(_("step"), max_length=80)
    decided = models.PositiveIntegerField(default=0)
    wait_median_hours = models.FloatField(null=True)
    wait_mean_hours = models.FloatField(null=True)
    decide_median_hours = models.FloatField(null=True)
    decide_mean_hours = models.FloatField(null=True)
    returns = models.PositiveIntegerField(default=0)
    # [[reason, count], ...], most frequent first (officers' words, never applicants' data).
    top_reasons = models.JSONField(default=list)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("step bottleneck")
        verbose_name_plural = _("step bottlenecks")
        ordering = ["unit", "month", "step_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "step_id"], name="one_step_rollup_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.step_id}"


class AnomalyRule(models.TextChoices):
    OUTSIDE_OFFICE_HOURS = "outside_office_hours", _("Decision outside office hours")
    MUCH_FASTER_THAN_USUAL = (
        "much_faster_than_usual",
        _("Decision far faster than the step's usual time"),
    )
    OFFICER_CONCENTRATION = (
        "officer_concentration",
        _("One officer decided an unusual share of one applicant's cases"),
    )
    REPEATED_APPLICATIONS = "repeated_applications", _("Repeated applications with the same NIK")


class AnomalyFlag(models.Model):
    """A rule that fired on one case of a unit in one month, kept by the worker.

    A question for the inspectorate, not a finding. Holds no NIK: the repeat rule
    compares the keyed look-up hash and the flag keeps only the tracking number.
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="anomaly_flags")
    month = models.DateField(_("month"))
    rule = models.CharField(_("rule"), max_length=40, choices=AnomalyRule.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=40)
    explanation = models.CharField(_("why"), max_length=300)
    detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("anomaly flag")
        verbose_name_plural = _("anomaly flags")
        ordering = ["unit", "month", "rule", "tracking_number"]
        indexes = [models.Index(fields=["unit", "month", "rule", "tracking_number"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.tracking_number}"


class OfficerRollup(models.Model):
    """The People section of one unit and month (K8, K9 per officer), kept by the worker.

    For the unit's superiors only; read in one query whatever the number of tasks.
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="officer_rollups")
    month = models.DateField(_("month"))
    officer = models.ForeignKey("org.Officer", on_delete=models.CASCADE, related_name="+")
    decided = models.PositiveIntegerField(default=0)
    on_time_percent = models.FloatField(null=True)
    acting_percent = models.FloatField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("officer's monthly figures")
        verbose_name_plural = _("officers' monthly figures")
        ordering = ["unit", "month", "officer"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "officer"], name="one_officer_rollup_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.officer_id}"


class ExportKind(models.TextChoices):
    TABLES = "tables", _("Dashboard tables (XLSX)")
    XES = "xes", _("Event log (XES)")
    SKP_PDF = "skp_pdf", _("SKP evidence (signed PDF)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A long download prepared by the worker; the page shows its progress.

    Only the officer who asked may see it or fetch the file (checked on every request);
    who may ask is checked when it is asked, with the same rules as the page.
    """

    owner = models.ForeignKey("org.Officer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=ExportKind.choices)
    # unit, bulan (YYYY-MM, may be empty for the whole XES log), officer for SKP.
    params = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    # Relative to DATA_DIR/exports; the file, not the database, holds a large log.
    path = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("prepared download")
        verbose_name_plural = _("prepared downloads")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return 0 if not self.total else min(99, 100 * self.done // self.total)

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
