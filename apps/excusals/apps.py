from django.apps import AppConfig


class ExcusalsConfig(AppConfig):
    name = "apps.excusals"
    default_auto_field = "django.db.models.BigAutoField"
