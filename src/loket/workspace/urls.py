from django.urls import path

from loket.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.verify, name="verify"),
    path("login/setup/", views.enrol, name="enrol"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
