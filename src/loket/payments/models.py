"""Bills (tagihan) for retribusi and pajak, the payments that settle them, and every
callback a provider sent, accepted or not.

Models hold data and single-row invariants; the workflow is in ``services.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentKind(models.TextChoices):
    RETRIBUSI = "retribusi", _("Regional charge (retribusi)")
    PAJAK = "pajak", _("Regional tax (pajak)")


class BillStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for payment")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired unpaid")
    CANCELLED = "cancelled", _("Cancelled")


class Bill(models.Model):
    """What the applicant owes at a payment step of a case, under a billing code."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="bills")
    step_id = models.CharField(max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=PaymentKind.choices)
    amount = models.PositiveBigIntegerField(_("amount (rupiah)"))
    # The number the applicant quotes at the bank (kode bayar); digits with a check digit.
    billing_code = models.CharField(_("billing code"), max_length=24, unique=True)
    # The assessment decree that fixes a tax (e.g. the SKPD number), when the step has one.
    assessment_number = models.CharField(_("assessment number"), max_length=120, blank=True)
    assessment_type = models.CharField(_("assessment document"), max_length=200, blank=True)
    # Who fixed the amount: the holder of the position whose approval of the step
    # named by `assessment.assessed_in` led to the bill.
    assessed_by = models.ForeignKey(
        "org.Officer",
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_position = models.CharField(_("assessing position"), max_length=80, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=BillStatus.choices,
        default=BillStatus.WAITING,
        db_index=True,
    )
    issued_at = models.DateTimeField(_("issued at"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    settled_at = models.DateTimeField(_("paid, expired or cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-issued_at"]
        constraints = [
            # A case waits for at most one bill at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="waiting"),
                name="payments_one_waiting_bill_per_case",
            )
        ]

    def __str__(self) -> str:
        return self.billing_code


class Payment(models.Model):
    """A provider's confirmed transaction that settled a bill (one per bill)."""

    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="payment")
    provider = models.CharField(_("provider"), max_length=40)
    transaction_id = models.CharField(_("provider's transaction id"), max_length=100)
    amount = models.PositiveBigIntegerField(_("amount paid (rupiah)"))
    paid_at = models.DateTimeField(_("paid at (provider's time)"))
    recorded_at = models.DateTimeField(_("recorded at"))
    channel = models.CharField(_("channel"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "transaction_id"], name="payments_one_payment_per_transaction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.transaction_id}"


class CallbackOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    BAD_SIGNATURE = "bad_signature", _("Refused: bad signature")
    MALFORMED = "malformed", _("Refused: malformed")
    UNKNOWN_BILL = "unknown_bill", _("Refused: unknown billing code")
    WRONG_AMOUNT = "wrong_amount", _("Refused: wrong amount")
    REPLAYED = "replayed", _("Refused: transaction already recorded")
    NOT_PAYABLE = "not_payable", _("Refused: bill not payable")


class Callback(models.Model):
    """Every callback received, kept whatever its outcome so nothing a provider says is lost.

    The body holds no personal data (a billing code, an amount, the provider's ids).
    """

    provider = models.CharField(_("provider"), max_length=40)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    body = models.TextField(_("raw body"))
    signature = models.CharField(_("signature header"), max_length=200, blank=True)
    transaction_id = models.CharField(max_length=100, blank=True, db_index=True)
    billing_code = models.CharField(max_length=24, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallbackOutcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment callback")
        verbose_name_plural = _("payment callbacks")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.provider} {self.received_at:%Y-%m-%d %H:%M} {self.outcome}"


class AssessmentSequence(models.Model):
    """Per service, step and year counter for assessment numbers (never reused)."""

    scope = models.CharField(max_length=160)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "year"], name="payments_assessment_seq")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.last}"
