from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each dialect registers its own 503 (attendance_site/unavailable.py) as its module loads.
        from apps.api.academic import errors as academic_errors
        from apps.api.managebac import errors as managebac_errors
        from apps.api.powerschool import errors as powerschool_errors
        from apps.api.powerschool import oauth
        from apps.api.sections import errors as sections_errors

        del academic_errors, managebac_errors, powerschool_errors, oauth, sections_errors
