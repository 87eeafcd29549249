"""Applicant pages, in Indonesian paths (the public addresses printed on receipts and mail)."""

from django.urls import path

from loket.portal import (
    apply_views,
    branding_views,
    payment_views,
    receipts,
    recovery,
    surveys,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "instansi/<slug:code>/lambang-<str:digest>.png", branding_views.crest, name="agency_crest"
    ),
    path("layanan/<slug:code>/", views.service_detail, name="service"),
    path("layanan/<slug:code>/ajukan/", views.apply, name="apply"),
    path("layanan/<slug:code>/ajukan/biaya/", views.fee_preview, name="fee_preview"),
    path("layanan/<slug:code>/ajukan/periksa/", views.review, name="review"),
    # The same form one topic per page ("Langkah X dari Y"), and a lost draft given back.
    path(
        "layanan/<slug:code>/ajukan/langkah/<int:number>/",
        apply_views.apply_step,
        name="apply_step",
    ),
    path("layanan/<slug:code>/ajukan/lanjutkan/", apply_views.resume_request, name="resume"),
    path("referensi/kbli/", apply_views.kbli_options, name="kbli_options"),
    path("layanan/<slug:code>/ajukan/lanjutkan/kode/", apply_views.resume_code, name="resume_code"),
    path("permohonan-saya/", views.my_applications, name="my_applications"),
    path("permohonan/<str:tracking_number>/tanda-terima/", views.receipt, name="receipt"),
    path(
        "permohonan/<str:tracking_number>/bukti-pendaftaran.pdf",
        receipts.receipt_pdf,
        name="receipt_pdf",
    ),
    path("lacak/", views.track_form, name="track_form"),
    path("lacak/lupa-kode/", recovery.recover_code, name="recover_code"),
    # `portal:track` with the tracking number is the link the case engine puts in mail.
    path("lacak/<str:tracking_number>/", views.track, name="track"),
    path("lacak/<str:tracking_number>/status/", views.track_status, name="track_status"),
    path("lacak/<str:tracking_number>/perbaikan/", views.resubmit, name="resubmit"),
    path("lacak/<str:tracking_number>/batal/", views.cancel, name="cancel"),
    path("lacak/<str:tracking_number>/bayar-demo/", payment_views.demo_pay, name="demo_pay"),
    path(
        "lacak/<str:tracking_number>/dokumen/<str:document_id>/",
        views.download,
        name="download",
    ),
    # The satisfaction survey (link from a closed case's message) and the published index.
    path("survei/terima-kasih/", surveys.thanks, name="survey_thanks"),
    path("survei/<str:token>/", surveys.survey, name="survey"),
    path("ikm/<slug:agency>/<slug:unit>/", surveys.public_index, name="ikm"),
    path("ikm/<slug:agency>/<slug:unit>/<slug:service>/", surveys.public_index, name="ikm_service"),
]
