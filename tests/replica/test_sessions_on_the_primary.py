"""Sessions live among the school app's models (apps/school/sessions.py) but are never read from
the replica: someone who has just signed in is signed in on a report page too."""

from apps.school.models import AttendanceCode, LoginSession
from attendance_site.replica import REPLICA, PrimaryReplicaRouter, RequestReads, _current


def test_a_report_request_reads_sessions_from_the_primary_and_the_school_from_the_replica():
    token = _current.set(RequestReads(request=None, sticky=False))
    try:
        router = PrimaryReplicaRouter()
        assert router.db_for_read(LoginSession) == "default"
        assert router.db_for_read(AttendanceCode) == REPLICA
    finally:
        _current.reset(token)
