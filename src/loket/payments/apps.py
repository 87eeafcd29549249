from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "loket.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
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
