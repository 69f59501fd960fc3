import apps.school.setup_triggers
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0006_term_counts"),
        ("school", "0006_school_setup_version"),
    ]

    # A timetable slot changes its school's setup_version (apps/school/setup_triggers.py).
    operations = [apps.school.setup_triggers.operations("classes_timetableslot")]
