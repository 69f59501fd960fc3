from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "apps.classes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.classes.models import TeacherAssignment, TimetableSlot
        from apps.school.memo import forget_on_change

        forget_on_change(TimetableSlot, TeacherAssignment)
