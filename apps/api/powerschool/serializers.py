"""PowerSchool bodies as the OpenAPI schema describes them: the attendance write payload, the
write envelope, schema table records, tokens and errors. The views build the bodies as plain
dicts (PowerSchool's values are strings, and a payload's shape is checked by hand to answer
with its own error bodies); these serializers document them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def inline_enum(*values: str) -> type[serializers.ChoiceField]:
    """A choice field whose enum stays inline in the schema (named enums collide across dialects)."""

    @extend_schema_field({"type": "string", "enum": list(values)})
    class Choice(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=list(values), **kwargs)

    return Choice


class PowerSchoolAttendanceFieldsIn(serializers.Serializer):
    studentid = serializers.CharField(help_text="STUDENTS.ID")
    schoolid = serializers.CharField(help_text="SCHOOLS.SCHOOL_NUMBER")
    yearid = serializers.CharField(help_text="The academic year's id")
    att_date = serializers.CharField(help_text="YYYY-MM-DD")
    att_mode_code = inline_enum("ATT_ModeDaily", "ATT_ModeTime", "ATT_ModeMeeting", "ATT_ModeInterval")()
    attendance_codeid = serializers.CharField(help_text="ATTENDANCE_CODE.ID (see /ws/schema/table/attendance_code)")
    att_comment = serializers.CharField(required=False)
    total_minutes = serializers.CharField(required=False, help_text="ATT_ModeTime only")
    dcid = serializers.CharField(required=False, help_text="ATT_ModeTime: the entry to update")
    ccid = serializers.CharField(required=False, help_text="Meeting and interval: CC.ID, the class enrollment")
    periodid = serializers.CharField(required=False, help_text="Meeting and interval: PERIOD.ID")
    att_interval = serializers.CharField(required=False, help_text="ATT_ModeInterval: the interval, from 1")
    start_time = serializers.IntegerField(required=False, help_text="Seconds since midnight, instead of periodid")
    end_time = serializers.IntegerField(required=False, help_text="Seconds since midnight, instead of periodid")
    calendar_dayid = serializers.CharField(required=False, help_text="Accepted and ignored")
    programid = serializers.CharField(required=False, help_text="Accepted and ignored")


class PowerSchoolAttendanceTablesIn(serializers.Serializer):
    attendance = PowerSchoolAttendanceFieldsIn()


class PowerSchoolAttendanceRecordIn(serializers.Serializer):
    name = serializers.CharField(required=False, help_text='"attendance"')
    tables = PowerSchoolAttendanceTablesIn()


class PowerSchoolAttendanceListIn(serializers.Serializer):
    name = serializers.CharField(required=False, help_text='"attendance"')
    record = PowerSchoolAttendanceRecordIn(many=True)


def _text(description: str = "") -> dict:
    return {"type": "string", **({"description": description} if description else {})}


# One record's outcome. Described as a plain schema rather than a serializer because ``result``
# is an object for one record and a list of them for several, which a serializer cannot say.
RECORD_RESULT = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["SUCCESS", "ERROR"]},
        "action": {"type": "string", "enum": ["INSERT", "UPDATE"]},
        "success_message": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "ref": _text("URL of the record")},
            "required": ["id", "ref"],
        },
        "error_message": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": _text("e.g. attendance/attendance_codeid"),
                            "error_code": _text("FIELD_VALIDATION_ERROR, NOT_FOUND or FORBIDDEN"),
                            "error_description": _text(),
                        },
                        "required": ["field", "error_code", "error_description"],
                    },
                }
            },
            "required": ["error"],
        },
    },
    "required": ["status", "action"],
}


@extend_schema_field({"oneOf": [RECORD_RESULT, {"type": "array", "items": RECORD_RESULT}]})
class PowerSchoolResultField(serializers.JSONField):
    """An object for one record, a list of them for several."""


class PowerSchoolResultsOut(serializers.Serializer):
    insert_count = serializers.IntegerField()
    update_count = serializers.IntegerField()
    delete_count = serializers.IntegerField()
    result = PowerSchoolResultField()


class PowerSchoolWriteEnvelopeOut(serializers.Serializer):
    results = PowerSchoolResultsOut()


class PowerSchoolProblemOut(serializers.Serializer):
    resource = serializers.CharField()
    field = serializers.CharField()
    code = serializers.CharField()


class PowerSchoolValidationFailedOut(serializers.Serializer):
    message = serializers.CharField()
    errors = PowerSchoolProblemOut(many=True)


class PowerSchoolTokenOut(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField(help_text="Bearer")
    expires_in = serializers.CharField(help_text="Seconds, as a string")


class PowerSchoolTokenErrorOut(serializers.Serializer):
    error = serializers.CharField(help_text="invalid_client, invalid_request or unsupported_grant_type")


class PowerSchoolTokenRequestIn(serializers.Serializer):
    grant_type = inline_enum("client_credentials")()


class PowerSchoolMetadataFieldsOut(serializers.Serializer):
    plugin_id = serializers.IntegerField()
    powerschool_version = serializers.CharField()
    district_timezone = serializers.CharField()
    schema_table_query_max_page_size = serializers.IntegerField()


class PowerSchoolMetadataOut(serializers.Serializer):
    metadata = PowerSchoolMetadataFieldsOut()


class PowerSchoolTableRecordOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tables = serializers.DictField(help_text="{table: {column: value as a string}}")


class PowerSchoolTableOut(serializers.Serializer):
    name = serializers.CharField()
    record = PowerSchoolTableRecordOut(many=True)


class PowerSchoolCountOut(serializers.Serializer):
    count = serializers.IntegerField()


class PowerSchoolColumnOut(serializers.Serializer):
    name = serializers.CharField(help_text="Upper case, as PowerSchool names columns")
    description = serializers.CharField()
    type = serializers.CharField(help_text="INTEGER, VARCHAR2 or DATE")
    length = serializers.IntegerField()
    required = serializers.BooleanField()
    access = serializers.CharField(help_text="ViewOnly")


class PowerSchoolTableMetadataOut(serializers.Serializer):
    name = serializers.CharField()
    comment = serializers.CharField()
    primaryKey = serializers.CharField()  # noqa: N815 - PowerSchool's name
    schemaType = serializers.CharField()  # noqa: N815
    queries = serializers.DictField()
    columns = PowerSchoolColumnOut(many=True)
