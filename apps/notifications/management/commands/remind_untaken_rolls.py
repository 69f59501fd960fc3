"""Queue the automatic reminders' task for the worker (run it from cron, e.g. every five
minutes, beside ``db_worker --batch``; a running ``db_worker`` picks it up at once)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue the task that reminds teachers of rolls not taken after the school's minutes."

    def handle(self, *args, **options):
        from apps.notifications.tasks import remind_untaken_rolls

        remind_untaken_rolls.enqueue()
        self.stdout.write("Queued the reminders of untaken rolls.")
