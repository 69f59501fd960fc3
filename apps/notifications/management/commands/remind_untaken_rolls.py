"""Start the automatic reminders' chain on the worker, unless it runs already. ``migrate``
does this too (apps/notifications/apps.py); run this after restoring a database without its
task queue, or when EMAIL_URL was set after the last ``migrate``. Running it again is harmless."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Command(BaseCommand):
    help = gettext_lazy("Start the reminders of untaken rolls (a run a minute on the worker) unless they run already.")

    def handle(self, *args, **options):
        from apps.notifications.tasks import start_reminders

        if start_reminders():
            self.stdout.write(_("Started the reminders of untaken rolls: the worker runs them every minute."))
        else:
            self.stdout.write(_("The reminders of untaken rolls already run on the worker."))
