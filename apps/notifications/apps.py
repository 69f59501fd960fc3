from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


def start_reminders_after_migrate(*, using, apps=None, **kwargs) -> None:
    """Every ``migrate`` (each deploy, ``make demo``, ``make serve``) makes sure the automatic
    reminders' chain runs on the worker (apps/notifications/tasks.py), when EMAIL_URL is
    configured; a database migrated back before the chain's table is left alone."""
    from django_tasks_db.models import DBTaskResult

    from apps.notifications.absences import email_configured
    from apps.notifications.tasks import start_reminders

    if using != DEFAULT_DB_ALIAS or not email_configured():
        return
    try:
        (apps or global_apps).get_model("notifications", "ReminderChain")
        (apps or global_apps).get_model(DBTaskResult._meta.label)
    except LookupError:
        return
    start_reminders()


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        post_migrate.connect(start_reminders_after_migrate, sender=self)
