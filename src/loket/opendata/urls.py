"""Open data: the CKAN action API, the files, and the catalogue's other encodings."""

from django.urls import path

from loket.opendata import ckan, views

urlpatterns = [
    path("api/3/action/<str:name>", ckan.action_view, name="ckan-action"),
    # CKAN serves the unversioned path too, and ckanapi.RemoteCKAN calls it.
    path("api/action/<str:name>", ckan.action_view, name="ckan-action-unversioned"),
    path("data.json", views.data_json, name="opendata-data-json"),
    path("catalog.jsonld", views.catalog_jsonld, name="opendata-catalog-jsonld"),
    path("catalog.ttl", views.catalog_turtle, name="opendata-catalog-turtle"),
    path("csw", views.catalogue_service, name="opendata-csw"),
    path("data/", views.index, name="opendata-index"),
    path("data/<slug:slug>/", views.dataset_detail, name="opendata-dataset"),
    path("data/<slug:slug>.<str:fmt>", views.download, name="opendata-download"),
]
