from django.apps import AppConfig


class HomeroomConfig(AppConfig):
    name = "apps.homeroom"
    default_auto_field = "django.db.models.BigAutoField"
