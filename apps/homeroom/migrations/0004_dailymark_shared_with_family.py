from django.db import migrations, models


def existing_notes_shared(apps, schema_editor):
    """Families saw every note before notes could be kept for staff: those stay shared."""
    apps.get_model("homeroom", "DailyMark").objects.exclude(note="").update(shared_with_family=True)


class Migration(migrations.Migration):
    dependencies = [("homeroom", "0003_never_removed_by_a_cascade")]

    operations = [
        migrations.AddField(
            model_name="dailymark", name="shared_with_family", field=models.BooleanField(default=False)
        ),
        migrations.RunPython(existing_notes_shared, migrations.RunPython.noop),
    ]
