"""Public verification URLs, included at /verify/ (the QR code on a document points here)."""

from django.urls import path

from loket.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.verify, name="verify"),
    # Fixed names first: they must not be taken for an old document link.
    path("bundle.json", views.proof_bundle, name="proof_bundle"),
    path("ca.pem", views.ca_certificate, name="ca_certificate"),
    path("log-key.pem", views.log_public_key, name="log_public_key"),
    # Links printed on documents issued before verification codes.
    path("<str:document_id>", views.retired_link, name="retired_link"),
    path("<str:document_id>/bundle.json", views.retired_link, name="retired_bundle"),
]
