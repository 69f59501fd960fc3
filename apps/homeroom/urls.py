"""URLs of the homeroom pages."""

from django.urls import path

from apps.homeroom import views

app_name = "homeroom"
urlpatterns = [
    path("homeroom/", views.homeroom_index, name="homeroom_index"),
]
