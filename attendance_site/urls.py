"""Root URLs: the web pages beside the four API dialects, all at the server root."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from apps.classes import views as class_views
from apps.school import views as school_views

urlpatterns = [
    path("", school_views.home, name="home"),
    # A student's photo: beside the home page, as families and staff both read it (apps/classes/views.py).
    path("students/<int:student_id>/photo/", class_views.student_photo, name="student_photo"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("django-admin/", admin.site.urls),
    path("", include("apps.classes.urls")),
    path("", include("apps.homeroom.urls")),
    path("", include("apps.excusals.urls")),
    path("", include("apps.reports.urls")),
    path("", include("apps.roster.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.api.urls")),
    path("", include("apps.languages.urls")),
]
