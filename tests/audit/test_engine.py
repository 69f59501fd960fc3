"""The attendance engine's own guards (apps/attendance/engine.py): a batch lives in a
transaction, and saves only the marks it locked."""

import pytest
from django.db import transaction

from apps.attendance.channels import Channel
from apps.attendance.engine import MarkBatch, PendingMark
from apps.audit.models import AuditEntry
from apps.homeroom.models import DailyMark
from tests import factories as f


@pytest.mark.django_db(transaction=True)
def test_a_batch_outside_a_transaction_is_refused(world):
    with pytest.raises(RuntimeError, match="needs a transaction"):
        MarkBatch(model=DailyMark, mark_kind=AuditEntry.MarkKind.DAILY, school=world.school, keys=[])


def test_a_batch_saves_only_the_marks_it_locked(world):
    day = f.last_weekday(world.school, 2)
    locked, other = world.students[:2]
    code = f.code(world.school, 0)
    with pytest.raises(ValueError, match="not a key this batch locked"), transaction.atomic():
        batch = MarkBatch(
            model=DailyMark,
            mark_kind=AuditEntry.MarkKind.DAILY,
            school=world.school,
            keys=[{"student_id": locked.pk, "date": day}],
        )
        batch.save(
            actor=None,
            channel=Channel.IMPORT,
            changes=[
                PendingMark(0, {"student_id": locked.pk, "date": day}, {"code_id": code.pk, "note": ""}),
                PendingMark(1, {"student_id": other.pk, "date": day}, {"code_id": code.pk, "note": ""}),
            ],
        )
    assert not DailyMark.objects.exists()
    assert not AuditEntry.objects.exists()
