import django.db.models

import apps.school.models
import apps.school.setup_triggers
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("school", "0005_school_language_and_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="school",
            name="setup_version",
            field=django.db.models.BigIntegerField(default=apps.school.models.new_setup_version, editable=False),
        ),
        # Codes and periods change their school's setup_version (apps/school/setup_triggers.py).
        apps.school.setup_triggers.operations("school_attendancecode", "school_period"),
    ]
