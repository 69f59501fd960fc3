from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each dialect registers its own 503 (attendance_site/unavailable.py) as its module loads.
        from apps.api.academic import framework as academic  # noqa: F401
        from apps.api.managebac import framework as managebac  # noqa: F401
        from apps.api.powerschool import framework as powerschool  # noqa: F401
        from apps.api.sections import framework as sections  # noqa: F401
