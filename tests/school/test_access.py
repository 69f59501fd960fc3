"""Which schools a person belongs to: every role counts, nobody gets another school, and the
question stays cheap however big the school is."""

from apps.school.access import schools_for
from apps.school.models import Administrator


def test_schools_for_counts_every_role_and_no_other_school(world, admin, teacher, parent, other_school_admin):
    assert list(schools_for(admin)) == [world.school]
    assert list(schools_for(teacher)) == [world.school]
    assert list(schools_for(parent)) == [world.school]
    assert list(schools_for(other_school_admin)) == [world.other_school]


def test_a_person_with_roles_in_two_schools_gets_each_once(world, teacher):
    Administrator.objects.create(school=world.other_school, user=teacher)
    assert sorted(s.pk for s in schools_for(teacher)) == sorted([world.school.pk, world.other_school.pk])


def test_schools_for_never_joins_the_role_tables(world, teacher):
    """Joined, the four role tables multiply a school's rows (administrators x teachers x
    parents x students: 352 million rows at 2,000 students) before DISTINCT; the benchmark's
    Today page took 16 s. Each role is its own `id IN (…)`."""
    sql = str(schools_for(teacher).query).upper()
    assert " JOIN " not in sql
    assert "DISTINCT" not in sql
    assert sql.count(" IN (SELECT") == 4
