from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "loket.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from loket.cases import ports
        from loket.payments import billing

        # The engine opens and cancels bills through its ports; it never imports payments.
        ports.provide(open_bill=billing.open_bill, cancel_open_bills=billing.cancel_open_bills)
        from loket.notify.events import EventSpec, register_event

        applicant = ("applicant_name", "tracking_number", "service_name", "track_url")
        for spec in (
            EventSpec(
                "bill_issued", "applicant", (*applicant, "amount", "billing_code", "due_date")
            ),
            EventSpec("payment_received", "applicant", (*applicant, "amount", "billing_code")),
            EventSpec("bill_expired", "applicant", (*applicant, "billing_code")),
        ):
            register_event(spec)
