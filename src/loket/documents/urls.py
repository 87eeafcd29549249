"""Public verification URLs, included at /verify/ (the QR code on a document points here)."""

from django.urls import path

from loket.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.verify_form, name="verify_form"),
    # Fixed names first: they must not be taken for a document id.
    path("ca.pem", views.ca_certificate, name="ca_certificate"),
    path("log-key.pem", views.log_public_key, name="log_public_key"),
    # A str, not a uuid converter: a malformed id gets the "unknown document" page too.
    path("<str:document_id>", views.verify_document, name="verify"),
    path("<str:document_id>/bundle.json", views.proof_bundle, name="proof_bundle"),
]
