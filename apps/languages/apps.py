from django.apps import AppConfig


class LanguagesConfig(AppConfig):
    name = "apps.languages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from apps.languages.choice import remember_at_sign_in

        user_logged_in.connect(remember_at_sign_in, dispatch_uid="rollbook_language_at_sign_in")
