from apps.school.models import AttendanceCode


def test_new_school_gets_managebac_codes(school):
    statuses = set(AttendanceCode.objects.filter(school=school).values_list("mb_status", flat=True))
    assert statuses == {-1, 0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16, 17, 18}


def test_world_builds(world):
    assert world.english.enrollments.count() == 3
