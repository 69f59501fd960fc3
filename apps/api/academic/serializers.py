"""Course-offering request body (input) and record (output), kept apart; the output serializer
renders every answer and describes it in the OpenAPI schema."""

from __future__ import annotations

from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.api.academic.selectors import STATUSES
from apps.school.dates import DateRange


# Enums inline in the schema: a named enum component "Status" would collide with other dialects'.
@extend_schema_field({"type": "string", "enum": list(STATUSES)})
class AcademicStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=STATUSES, **kwargs)


class TextUUIDField(serializers.UUIDField):
    """A UUID as text. DRF's field also reads a number as the UUID with that integer value, so
    ``7`` or ``true`` would be looked up (and not found) rather than refused as malformed."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class AcademicAttendanceIn(serializers.Serializer):
    course_offering_id = TextUUIDField(help_text="ID of the course offering (class)")
    teacher_assignment_id = TextUUIDField(help_text="ID of a teacher assignment of that course offering")
    course_enrollment_id = TextUUIDField(help_text="ID of the student's enrollment in the course offering")
    student_id = TextUUIDField(help_text="ID of the student")
    attendance_date = serializers.DateField(
        input_formats=["%Y-%m-%d"], validators=[DateRange()], help_text="YYYY-MM-DD, from 1900-01-01 to 2200-12-31"
    )
    status = AcademicStatusField(help_text="present, absent, late or excused")


class AcademicTimestamp(serializers.DateTimeField):
    """``2024-03-15T08:30:00Z``: UTC to the second, as the vendor writes it."""

    def to_representation(self, value):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AcademicAttendanceOut(serializers.Serializer):
    id = serializers.UUIDField(help_text="Stable id of the (course enrollment, date) record")
    school_id = serializers.UUIDField()
    course_offering_id = serializers.UUIDField()
    teacher_assignment_id = serializers.UUIDField(allow_null=True)
    course_enrollment_id = serializers.UUIDField()
    student_id = serializers.UUIDField()
    attendance_date = serializers.DateField()
    status = serializers.CharField(help_text="present, absent, late or excused")
    recorded_at = AcademicTimestamp()


class AcademicDetailOut(serializers.Serializer):
    detail = serializers.CharField()


class AcademicFieldErrorOut(serializers.Serializer):
    loc = serializers.ListField(child=serializers.CharField(), help_text='e.g. ["body", "status"]')
    msg = serializers.CharField()
    type = serializers.CharField()


class AcademicValidationErrorOut(serializers.Serializer):
    detail = AcademicFieldErrorOut(many=True)
