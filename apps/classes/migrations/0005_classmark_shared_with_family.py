from django.db import migrations, models


def existing_notes_shared(apps, schema_editor):
    """Families saw every note before notes could be kept for staff: those stay shared."""
    apps.get_model("classes", "ClassMark").objects.exclude(note="").update(shared_with_family=True)


class Migration(migrations.Migration):
    dependencies = [("classes", "0004_cover")]

    operations = [
        migrations.AddField(
            model_name="classmark", name="shared_with_family", field=models.BooleanField(default=False)
        ),
        migrations.RunPython(existing_notes_shared, migrations.RunPython.noop),
    ]
