"""URLs of the homeroom roll pages."""

from django.urls import path

from apps.homeroom import views

app_name = "homeroom"
urlpatterns = [
    path("homeroom/<int:year_group_id>/<str:date>/", views.homeroom_roll, name="roll"),
]
