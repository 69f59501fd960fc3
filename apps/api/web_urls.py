"""The office pages of API clients, under /office/api-clients/."""

from django.urls import path

from apps.api import views

app_name = "api_clients"
urlpatterns = [
    path("", views.api_clients, name="list"),
    path("<int:client_id>/revoke/", views.revoke_api_client, name="revoke"),
]
