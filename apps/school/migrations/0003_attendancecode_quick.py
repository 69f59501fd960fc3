from django.db import migrations, models

QUICK_BY_DEFAULT = [-1, 0, 2]  # Present, Absent, Late (apps/school/models.py)


def quick_by_default(apps, schema_editor):
    AttendanceCode = apps.get_model("school", "AttendanceCode")
    AttendanceCode.objects.filter(mb_status__in=QUICK_BY_DEFAULT).update(quick=True)


class Migration(migrations.Migration):
    dependencies = [("school", "0002_date_range")]

    operations = [
        migrations.AddField(
            model_name="attendancecode",
            name="quick",
            field=models.BooleanField(
                default=False, help_text="Shown as its own button on every roll row; the others are under “More”."
            ),
        ),
        migrations.RunPython(quick_by_default, migrations.RunPython.noop),
    ]
