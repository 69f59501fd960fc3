from django.urls import path

from apps.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("family/notifications/", views.family_preference, name="family_preference"),
    path("office/remind/", views.remind, name="remind"),
    path("office/notifications/", views.outbox, name="outbox"),
]
