from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "loket.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # The engine calls these through its ports; it never imports documents (no cycle).
        from loket.cases import ports
        from loket.documents import issuing, services

        ports.provide(
            check_upload=services.check_upload,
            write_checked=services.write_checked_all,
            record_stored=services.record_stored,
            discard_written=services.discard_written,
            store_upload=services.store_upload,
            issue_certificate=services.issue_certificate,
            request_issue=issuing.request_issue,
            verification_url=services.verification_url,
        )
