"""URLs of the office's roster uploads, under /office/roster/."""

from django.urls import path

from apps.roster import views

app_name = "roster"
urlpatterns = [
    path("office/roster/", views.roster, name="roster"),
    path("office/roster/photos/", views.photos, name="photos"),
    path("office/roster/<int:upload_id>/", views.upload, name="upload"),
    path("office/roster/<int:upload_id>/apply/", views.upload_apply, name="upload_apply"),
    path("office/roster/<int:upload_id>/cancel/", views.upload_cancel, name="upload_cancel"),
]
