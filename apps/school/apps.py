from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "apps.school"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from apps.school.models import School
        from apps.school.services import seed_attendance_codes

        def seed_codes_for_new_school(sender, instance, created, raw=False, **kwargs):
            if created and not raw:
                seed_attendance_codes(instance)

        # weak=False: the receiver is local to this method and would otherwise be collected.
        post_save.connect(
            seed_codes_for_new_school, sender=School, dispatch_uid="seed_codes_for_new_school", weak=False
        )

        from apps.school.memo import forget_on_change
        from apps.school.models import Administrator, Advisor, AttendanceCode, Parent, Period, Teacher

        forget_on_change(Administrator, Teacher, Parent, Advisor, AttendanceCode, Period, School)
