"""Complaint pages and the Open311 GeoReport v2 endpoint (the officers' pages: workspace)."""

from django.urls import path, re_path

from loket.complaints import open311, views

app_name = "complaints"

_FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    path("pengaduan/", views.public_list, name="public-list"),
    path("pengaduan/baru/", views.new_complaint, name="file"),
    path("pengaduan/lacak/", views.follow_form, name="follow-form"),
    path("pengaduan/<str:tracking_number>/", views.public_detail, name="public-detail"),
    path("pengaduan/<str:tracking_number>/tanda-terima/", views.receipt, name="receipt"),
    path("pengaduan/<str:tracking_number>/ikuti/", views.follow, name="follow"),
    path("pengaduan/<str:tracking_number>/keterangan/", views.supply, name="supply"),
    path("pengaduan/<str:tracking_number>/tanggapan/", views.reply, name="reply"),
    re_path(rf"^open311/discovery\.{_FMT}$", open311.discovery, name="open311-discovery"),
    re_path(rf"^open311/v2/services\.{_FMT}$", open311.services_list, name="open311-services"),
    re_path(
        rf"^open311/v2/services/(?P<code>[^/]+)\.{_FMT}$",
        open311.service_definition,
        name="open311-service",
    ),
    re_path(rf"^open311/v2/requests\.{_FMT}$", open311.requests, name="open311-requests"),
    re_path(
        rf"^open311/v2/requests/(?P<request_id>[^/]+)\.{_FMT}$",
        open311.request_detail,
        name="open311-request",
    ),
    re_path(rf"^open311/v2/tokens/(?P<token>[^/]+)\.{_FMT}$", open311.token, name="open311-token"),
]
