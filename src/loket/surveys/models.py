"""SKM survey periods, anonymous responses, single-use case links and published results.

A response holds no NIK, no name and no reference to a case: the only tie to a
case is the invitation (one per closed case), which says whether its link was
used and loses the case when the period closes.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.surveys.ikm import ELEMENTS, WeightMode


class SurveyPeriod(models.Model):
    """A survey run of a unit, or of one of its services, over inclusive dates."""

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="survey_periods")
    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_periods",
        help_text=_("Empty: the period covers every service of the unit."),
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    population = models.PositiveIntegerField(
        _("population N (override)"),
        null=True,
        blank=True,
        help_text=_("Empty: the number of cases closed in the period."),
    )
    weight_mode = models.CharField(
        _("weight"),
        max_length=8,
        choices=[(WeightMode.EXACT, "1/9"), (WeightMode.LEGACY, "0,11")],
        default=WeightMode.EXACT,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey period")
        verbose_name_plural = _("survey periods")
        ordering = ["unit_id", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="survey_period_code_per_unit"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="survey_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code}/{self.code}"


class Channel(models.TextChoices):
    ONLINE = "online", _("Online link")
    KIOSK = "kiosk", _("Counter kiosk")
    PAPER = "paper", _("Paper or spreadsheet import")


class Gender(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


class AgeBand(models.TextChoices):
    UNDER_20 = "lt20", _("Under 20")
    FROM_20 = "20-29", "20-29"
    FROM_30 = "30-39", "30-39"
    FROM_40 = "40-49", "40-49"
    FROM_50 = "50-59", "50-59"
    FROM_60 = "60+", _("60 or over")


class Education(models.TextChoices):
    SD = "sd", "SD"
    SMP = "smp", "SMP"
    SMA = "sma", "SMA"
    S1 = "s1", "S1"
    S2 = "s2", "S2"
    S3 = "s3", "S3"


class Occupation(models.TextChoices):
    PNS = "pns", "PNS"
    TNI = "tni", "TNI"
    POLRI = "polri", "POLRI"
    PRIVATE = "swasta", _("Private employee")
    SELF_EMPLOYED = "wirausaha", _("Self-employed")
    OTHER = "lainnya", _("Other")


class SuggestionStatus(models.TextChoices):
    NONE = "", _("No suggestion")
    PENDING = "pending", _("Waiting for review")
    PUBLISHED = "published", _("Shown publicly")
    HIDDEN = "hidden", _("Kept internal")


def _rating_field(code: str) -> models.PositiveSmallIntegerField[Any, Any]:
    return models.PositiveSmallIntegerField(code, null=True, blank=True)


class Response(models.Model):
    """One respondent's answers: a column per element so the index is one aggregate query."""

    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT, related_name="responses")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    u1 = _rating_field("U1")
    u2 = _rating_field("U2")
    u3 = _rating_field("U3")
    u4 = _rating_field("U4")
    u5 = _rating_field("U5")
    u6 = _rating_field("U6")
    u7 = _rating_field("U7")
    u8 = _rating_field("U8")
    u9 = _rating_field("U9")
    gender = models.CharField(_("gender"), max_length=2, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=6, choices=AgeBand.choices, blank=True)
    education = models.CharField(
        _("education"), max_length=4, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("occupation"), max_length=10, choices=Occupation.choices, blank=True
    )
    suggestion = models.TextField(_("suggestion"), blank=True)
    suggestion_status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, blank=True, default=SuggestionStatus.NONE
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{c.lower()}__isnull": True})
                | models.Q(**{f"{c.lower()}__gte": 1, f"{c.lower()}__lte": 4}),
                name=f"survey_response_{c.lower()}_1_to_4",
            )
            for c in ELEMENTS
        ]
        indexes = [models.Index(fields=["period", "suggestion_status"])]

    def __str__(self) -> str:
        return f"{self.period} #{self.pk}"

    def answers(self) -> dict[str, int | None]:
        return {code: getattr(self, code.lower()) for code in ELEMENTS}


class Tally(models.Model):
    """Read model: running sum and count per element of a period's responses.

    Kept in the transaction that stores each response (atomic F() increments), so
    the report is one primary-key read however many responses there are. The rows
    stay the record: publishing recomputes from them and repairs the tally if it drifted.
    """

    period = models.OneToOneField(
        SurveyPeriod, primary_key=True, on_delete=models.CASCADE, related_name="tally"
    )
    respondents = models.PositiveIntegerField(default=0)
    u1_sum = models.PositiveBigIntegerField(default=0)
    u1_n = models.PositiveIntegerField(default=0)
    u2_sum = models.PositiveBigIntegerField(default=0)
    u2_n = models.PositiveIntegerField(default=0)
    u3_sum = models.PositiveBigIntegerField(default=0)
    u3_n = models.PositiveIntegerField(default=0)
    u4_sum = models.PositiveBigIntegerField(default=0)
    u4_n = models.PositiveIntegerField(default=0)
    u5_sum = models.PositiveBigIntegerField(default=0)
    u5_n = models.PositiveIntegerField(default=0)
    u6_sum = models.PositiveBigIntegerField(default=0)
    u6_n = models.PositiveIntegerField(default=0)
    u7_sum = models.PositiveBigIntegerField(default=0)
    u7_n = models.PositiveIntegerField(default=0)
    u8_sum = models.PositiveBigIntegerField(default=0)
    u8_n = models.PositiveIntegerField(default=0)
    u9_sum = models.PositiveBigIntegerField(default=0)
    u9_n = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.period} tally"


class Invitation(models.Model):
    """The single-use survey link sent with a closed case's last message."""

    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT, related_name="invitations")
    # Only to refuse a second link or response for the same case; set to NULL
    # when the period closes.
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")

    def __str__(self) -> str:
        return f"{self.period} link #{self.pk}"


class Result(models.Model):
    """A published IKM: the figures as published and the hash of the responses they came from."""

    period = models.ForeignKey(SurveyPeriod, on_delete=models.PROTECT, related_name="results")
    respondents = models.PositiveIntegerField()
    population = models.PositiveIntegerField()
    sample_required = models.PositiveIntegerField()
    ikm = models.DecimalField(max_digits=5, decimal_places=2)
    grade = models.CharField(max_length=1)
    elements: models.JSONField[Any, Any] = models.JSONField(default=dict)
    weight_mode = models.CharField(max_length=8)
    inputs_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ledger_index = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("published survey result")
        verbose_name_plural = _("published survey results")
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"{self.period} IKM {self.ikm} {self.grade}"

    @property
    def meets_sample(self) -> bool:
        return self.respondents >= self.sample_required
