"""Complaint pages, the officers' queue and the Open311 GeoReport v2 endpoint."""

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
    path("workspace/pengaduan/", views.queue, name="queue"),
    path("workspace/pengaduan/<int:complaint_id>/", views.officer_detail, name="officer-detail"),
    path(
        "workspace/pengaduan/<int:complaint_id>/foto/<int:photo_id>/",
        views.photo,
        name="officer-photo",
    ),
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
