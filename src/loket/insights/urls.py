from django.urls import path

from loket.insights import views

app_name = "insights"

urlpatterns = [
    path("kinerja/<slug:agency_code>/", views.public_performance, name="public"),
]
