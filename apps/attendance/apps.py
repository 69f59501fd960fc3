from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    """The attendance engine: the one way a mark is written (no models of its own)."""

    name = "apps.attendance"
