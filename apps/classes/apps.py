from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "apps.classes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.classes.models import TeacherAssignment, TimetableSlot
        from apps.school.memo import forget_on_change

        # Who teaches which class and the timetable are remembered per request (apps/school/memo.py).
        forget_on_change(TeacherAssignment, TimetableSlot)
