"""URLs of the excusals pages."""

from django.urls import path

from apps.excusals import views

app_name = "excusals"
urlpatterns = [
    path("family/", views.family, name="family"),
]
