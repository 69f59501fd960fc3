from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    """The attendance engine: the one way a mark is written (no models of its own)."""

    name = "apps.attendance"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from apps.attendance import term_counts
        from apps.school.models import Term

        # A term added or its days changed (the admin, any save of one row): its counts follow.
        # Bulk saves send no signal; the roster import calls term_changed itself.
        post_save.connect(term_counts.term_saved, sender=Term, dispatch_uid="term_counts")
