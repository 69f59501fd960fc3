"""ManageBac request bodies (input) and response bodies (output), kept apart; the output
serializers describe every answer in the OpenAPI schema and render all but the term summaries,
which selectors.py builds as their bodies (tests/api/managebac/test_term_summaries.py holds
them to ClassTermSummaryOut and HomeroomTermSummaryOut)."""

from __future__ import annotations

from datetime import UTC

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.school.dates import DateRange

# Statuses a client may write (seed 000); -1, the roll's default present, is read-only.
WRITABLE_STATUSES = (0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16, 17, 18)

# ManageBac answers in Rails' words.
RAILS_MESSAGES = {
    "required": "can't be blank",
    "null": "can't be blank",
    "blank": "can't be blank",
}


MAX_ID = 2**63 - 1  # the largest id a database row can have


class MBInteger(serializers.IntegerField):
    default_error_messages = {
        **RAILS_MESSAGES,
        "invalid": "is not a number",
        "min_value": "must be greater than or equal to {min_value}",
        "max_value": "must be less than or equal to {max_value}",
    }


class MBId(MBInteger):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class MBDate(serializers.DateField):
    default_error_messages = {**RAILS_MESSAGES, "invalid": "is not a valid date (yyyy-mm-dd)"}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], validators=[DateRange()], **kwargs)


class MBText(serializers.CharField):
    default_error_messages = {**RAILS_MESSAGES, "invalid": "must be text"}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class MBTimestamp(serializers.DateTimeField):
    """``2024-11-29T10:45:10.000Z``: UTC with milliseconds, as ManageBac writes them."""

    def to_representation(self, value):
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def rails_errors(errors: dict) -> dict[str, list[str]]:
    """DRF's error dict as ManageBac's ``{field: [message]}``."""
    return {
        field: [str(m) for m in (messages if isinstance(messages, list) else [messages])]
        for field, messages in errors.items()
    }


# --- input ---------------------------------------------------------------------------------


class AttendanceItemIn(serializers.Serializer):
    student_id = MBId()
    date = MBDate()
    period = MBInteger(min_value=1, max_value=32767, help_text="Period number on the wire, from 1")
    status = MBInteger(help_text="ManageBac status: 0 Absent, 1 Present, 2 Late, … (not -1)")
    notes = MBText(max_length=2000)


class SetClassAttendanceIn(serializers.Serializer):
    attendances = AttendanceItemIn(many=True)


# Enums inline in the schema: a named enum component "Status" would collide with other dialects'.
@extend_schema_field({"type": "integer", "enum": list(WRITABLE_STATUSES)})
class WritableStatus(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": ["ok", "unprocessable_entity", "not_found"]})
class ItemResultStatus(serializers.ChoiceField):
    pass


class HomeroomAttendanceIn(serializers.Serializer):
    date = MBDate(help_text="Attendance date")
    status = WritableStatus(
        choices=WRITABLE_STATUSES,
        error_messages={**RAILS_MESSAGES, "invalid_choice": "is not included in the list"},
        help_text="0 Absent, 1 Present, 2 Late, 3 Dress Code, 4 Late & Dress Code, 5 Dismissed, 10 Health, "
        "11 Sports, 12 Fieldtrip, 13 Excused, 14 Other, 15–18 Custom 1–4",
    )
    notes = MBText(max_length=2000, help_text="Attendance notes")


class ExcusalCreateFields(serializers.Serializer):
    parent_id = MBId()
    start_date = MBDate()
    end_date = MBDate()
    comment = MBText(max_length=2000)


class ExcusalCreateIn(serializers.Serializer):
    excusal = ExcusalCreateFields()


class ExcusalUpdateFields(serializers.Serializer):
    """Only the end date and the comment of an excusal can change."""

    end_date = MBDate(required=False)
    comment = MBText(max_length=2000)


class ExcusalUpdateIn(serializers.Serializer):
    excusal = ExcusalUpdateFields()


# --- output --------------------------------------------------------------------------------


class ErrorOut(serializers.Serializer):
    error = serializers.CharField()


class ErrorsOut(serializers.Serializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class MetaOut(serializers.Serializer):
    current_page = serializers.IntegerField()
    total_pages = serializers.IntegerField()
    total_count = serializers.IntegerField()
    per_page = serializers.IntegerField()


class PongOut(serializers.Serializer):
    pong = serializers.CharField()


class StatusOkOut(serializers.Serializer):
    status = serializers.CharField()


class PeriodNumberingOut(serializers.Serializer):
    period_starts_count_from = serializers.IntegerField(help_text="0 when the school counts periods from 0")
    period_offset = serializers.IntegerField(help_text="Add to a wire period number to get its label")


class CategoryOut(serializers.Serializer):
    label = serializers.CharField()
    status = serializers.IntegerField()
    value = serializers.IntegerField()


class TermSummaryStudentOut(serializers.Serializer):
    id = serializers.IntegerField()
    attendance = serializers.DictField(child=serializers.IntegerField(), help_text="label → count")
    attendance_categories = CategoryOut(many=True)


class ClassTermSummaryOut(serializers.Serializer):
    students = TermSummaryStudentOut(many=True)
    timetable = PeriodNumberingOut()


class HomeroomTermSummaryOut(serializers.Serializer):
    students = TermSummaryStudentOut(many=True)


class MarkCategoryOut(serializers.Serializer):
    status = serializers.IntegerField(required=False)


class MarkOut(serializers.Serializer):
    status = serializers.CharField(help_text="The code's label")
    note = serializers.CharField(allow_blank=True)
    category = MarkCategoryOut()


class ClassDayStudentOut(serializers.Serializer):
    id = serializers.IntegerField()
    attendance = serializers.DictField(child=MarkOut(), help_text="Sparse: period number → mark")


class ClassDayOut(serializers.Serializer):
    students = ClassDayStudentOut(many=True)
    timetable = PeriodNumberingOut()


class HomeroomDayStudentOut(serializers.Serializer):
    id = serializers.IntegerField()
    attendance = MarkOut(required=False, help_text="Left out when the student has no mark that day")


class HomeroomDayOut(serializers.Serializer):
    students = HomeroomDayStudentOut(many=True)


class SlotOut(serializers.Serializer):
    day = serializers.IntegerField(help_text="ISO weekday, 1 Monday … 7 Sunday")
    period = serializers.IntegerField()
    location = serializers.CharField(allow_blank=True)
    enabled = serializers.BooleanField()


class TimetableYearOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    period_starts_count_from = serializers.IntegerField()
    slots = SlotOut(many=True)


class TimetableYearsOut(serializers.Serializer):
    academic_years = TimetableYearOut(many=True)


class TimetableOut(serializers.Serializer):
    timetable = TimetableYearsOut()


class AdjustmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    adjustment = serializers.IntegerField()


class AdjustmentStudentOut(serializers.Serializer):
    id = serializers.IntegerField()
    attendance_adjustments = AdjustmentOut(many=True)


class AdjustmentsOut(serializers.Serializer):
    students = AdjustmentStudentOut(many=True)


class AttendanceResultOut(serializers.Serializer):
    index = serializers.IntegerField()
    student_id = serializers.IntegerField(required=False)
    status = ItemResultStatus(choices=["ok", "unprocessable_entity", "not_found"])
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class SetClassAttendanceOut(serializers.Serializer):
    attendance = AttendanceResultOut(many=True)


class ExcusalOut(serializers.Serializer):
    id = serializers.IntegerField()
    student_id = serializers.IntegerField()
    parent_id = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    duration = serializers.IntegerField(help_text="Inclusive calendar days")
    comment = serializers.CharField(allow_blank=True)
    created_at = MBTimestamp()
    updated_at = MBTimestamp()


class ExcusalEnvelopeOut(serializers.Serializer):
    excusal = ExcusalOut()


class ExcusalListOut(serializers.Serializer):
    excusals = ExcusalOut(many=True)
    meta = MetaOut()


class TeacherRefOut(serializers.Serializer):
    teacher_id = serializers.IntegerField()


class ClassOut(serializers.Serializer):
    id = serializers.IntegerField()
    uid = serializers.CharField(required=False)
    name = serializers.CharField()
    subject_name = serializers.CharField(required=False)
    grade = serializers.CharField(required=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    start_term_id = serializers.IntegerField(required=False)
    end_term_id = serializers.IntegerField(required=False)
    archived = serializers.BooleanField()
    teachers = TeacherRefOut(many=True)


class ClassListOut(serializers.Serializer):
    classes = ClassOut(many=True)
    meta = MetaOut()


class StudentIdsOut(serializers.Serializer):
    student_ids = serializers.ListField(child=serializers.IntegerField())
    meta = MetaOut()


class StudentOut(serializers.Serializer):
    id = serializers.IntegerField()
    uid = serializers.CharField(required=False)
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField(required=False)
    student_id = serializers.CharField(required=False, help_text="The school's student number")
    year_group_id = serializers.IntegerField(required=False)
    archived = serializers.BooleanField()
    parent_ids = serializers.ListField(child=serializers.IntegerField())


class StudentListOut(serializers.Serializer):
    students = StudentOut(many=True)
    meta = MetaOut()


class StudentEnvelopeOut(serializers.Serializer):
    student = StudentOut()


class YearGroupOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    grade = serializers.CharField(required=False)
    student_ids = serializers.ListField(child=serializers.IntegerField())


class YearGroupListOut(serializers.Serializer):
    year_groups = YearGroupOut(many=True)
    meta = MetaOut()


class AcademicTermOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class AcademicYearOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    academic_terms = AcademicTermOut(many=True)


class ProgramYearsOut(serializers.Serializer):
    academic_years = AcademicYearOut(many=True)


class AcademicYearsOut(serializers.Serializer):
    academic_years = serializers.DictField(child=ProgramYearsOut(), help_text="program → its academic years")


# Schema component names carry the dialect's name, so they never collide with another dialect's.
for _name, _serializer in list(globals().items()):
    if (
        isinstance(_serializer, type)
        and issubclass(_serializer, serializers.Serializer)
        and _serializer.__module__ == __name__
    ):
        extend_schema_serializer(component_name=f"ManageBac{_name}")(_serializer)
