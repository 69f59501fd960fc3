"""The project's URLs plus the framework's floor: a view that runs exactly one query."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    """The least a request can cost under the same gunicorn, middleware and database: one query.
    The benchmark asks for it signed out, so no session or user is read (a signed-in request
    reads them in one more query, apps/school/sessions.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM school_school ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    return HttpResponse(f"ok {row[0] if row else 0}", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("attendance_site.urls")),
]
