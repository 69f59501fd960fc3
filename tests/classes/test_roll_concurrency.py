"""Two people saving the same student at the same moment, for real: two threads, two
connections (PostgreSQL only; SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.classes.models import ClassMark
from tests import factories as f


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_taps_leave_one_mark_and_two_audit_entries(world, teacher, admin):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite takes one writer at a time")
    day = f.last_weekday(world.school, 1)
    student = world.students[0]
    url = reverse("classes:roll_student", args=[world.english.pk, day.isoformat(), 1, student.pk])
    codes = {"teacher": f.code(world.school, 0).pk, "admin": f.code(world.school, 2).pk}
    users = {"teacher": teacher, "admin": admin}
    start = threading.Barrier(2)
    answers = {}

    def tap(role):
        client = Client()
        client.force_login(users[role])
        try:
            start.wait()
            answers[role] = client.post(url, {"code": codes[role]}, HTTP_HX_REQUEST="true")
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(role,)) for role in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {role: answer.status_code for role, answer in answers.items()} == {"teacher": 200, "admin": 200}
    assert all("errorlist" not in answer.content.decode() for answer in answers.values())
    mark = ClassMark.objects.get(student=student, date=day)
    entries = list(
        AuditEntry.objects.filter(key__student_id=student.pk).order_by("pk")
    )  # audit rows are written after the upsert's lock
    assert len(entries) == 2
    assert mark.code_id == entries[-1].after["code_id"]  # the last write wins
    # The second writer waited for the first and logged what it replaced.
    assert entries[0].before is None
    assert entries[1].before == entries[0].after
