"""The unsubscribe link (signed, expiring, no login), the parent's own switch, the office's Remind
and Remind all (at most once per roll in ten minutes), and two workers sending each email once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.notifications.emails import unsubscribe_token
from apps.notifications.models import Notification, ParentPreference
from tests.notifications.conftest import worker
from tests.notifications.test_absence_emails import AT, absent, mark, minutes

pytestmark = pytest.mark.django_db(transaction=True)


def emails_on(parent) -> bool:
    preference = ParentPreference.objects.filter(parent=parent).first()
    return preference is None or preference.emails


def test_the_unsubscribe_link_asks_then_turns_off_only_that_parent(world, client, pinned_clock):
    link = reverse("notifications:unsubscribe", args=[unsubscribe_token(world.parent)])
    assert "Stop the absence emails" in client.get(link).content.decode()
    assert emails_on(world.parent)  # a GET (a mail scanner following the link) changes nothing
    assert "no longer email you" in client.post(link).content.decode()
    assert not emails_on(world.parent) and emails_on(world.other_parent)

    forged = link.replace(str(world.parent.uuid), str(world.other_parent.uuid))
    assert client.post(forged).status_code == 400
    expired = reverse("notifications:unsubscribe", args=[unsubscribe_token(world.other_parent)])
    pinned_clock.move_to(AT + timedelta(days=61))
    response = client.post(expired)
    assert response.status_code == 400 and "not valid or has expired" in response.content.decode()
    assert emails_on(world.other_parent)


def test_the_family_switch_changes_only_the_parents_own(world, client):
    client.force_login(world.parent.user)
    url = reverse("notifications:family_preference")
    client.post(url, {"email": "pat.new@family.example.org"})  # emails unticked: off
    world.parent.refresh_from_db()
    assert (world.parent.email, emails_on(world.parent), emails_on(world.other_parent)) == (
        "pat.new@family.example.org",
        False,
        True,
    )
    client.post(url, {"emails": "on", "email": "not an address"})
    world.parent.refresh_from_db()
    assert (world.parent.email, emails_on(world.parent)) == ("pat.new@family.example.org", False)
    client.force_login(world.teacher.user)
    assert client.post(url, {"emails": "on"}).status_code == 404


@pytest.mark.postgres  # a real worker process: see tests/notifications/test_absence_emails.py
@pytest.mark.time_machine("2026-11-18 10:00 +00:00")
def test_remind_sends_the_teacher_the_roll_link_once_in_ten_minutes(world, smtp, run_worker, client):
    world.teacher.email = "tess@northfield.example.org"
    world.teacher.save()
    client.force_login(world.admin.user)
    url = reverse("notifications:remind")
    client.post(url, {"class": world.english.pk, "period": 1})
    run_worker(minutes(1))
    [message] = smtp.mailbox.messages
    assert message["To"] == "tess@northfield.example.org"
    body = message.get_body(("plain",)).get_content()
    assert f"https://rollbook.example.org/classes/{world.english.pk}/roll/2026-11-18/1/" in body
    client.post(url, {"class": world.english.pk, "period": 1})
    client.post(url, {"all": "1"})  # 8B Science's roll, not English's again
    run_worker(minutes(2))
    assert len(smtp.mailbox.to("tess@northfield.example.org")) == 1
    assert Notification.objects.filter(kind="reminder").count() == 2

    # Forbidden: a teacher cannot remind; another school's admin cannot remind for this school.
    client.force_login(world.other_teacher.user)
    assert client.post(url, {"class": world.english.pk, "period": 1}).status_code == 404
    client.force_login(world.other_school_admin.user)
    client.post(url, {"class": world.english.pk, "period": 1})
    assert Notification.objects.filter(kind="reminder").count() == 2


@pytest.mark.postgres
def test_two_workers_at_once_send_each_email_exactly_once(world, smtp):
    from tests import factories as f

    children = f.make_students(world.school, 12, world.year7, prefix="Twin")
    for n, child in enumerate(children):
        f.make_parent(world.school, f"p{n}", child, first=f"P{n}").__class__.objects.filter(
            guardianships__student=child
        ).update(email=f"p{n}@family.example.org")
        f.Enrollment.objects.create(school=world.school, school_class=world.english, student=child)
        mark(world, child, 1, absent(world.school))
    first, second = worker(smtp.url, minutes(16)), worker(smtp.url, minutes(16))
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert sorted(m["To"] for m in smtp.mailbox.messages) == sorted(f"p{n}@family.example.org" for n in range(12))
    assert Notification.objects.filter(status="sent").count() == 12


def test_the_family_page_has_the_switch_and_the_change_is_audited(world, client):
    from apps.audit.models import AuditEntry

    world.parent.email = "pat@family.example.org"
    world.parent.save()
    client.force_login(world.parent.user)
    html = client.get(reverse("excusals:family")).content.decode()
    assert f'action="{reverse("notifications:family_preference")}"' in html
    assert 'name="emails" id="id_emails" checked' in html and 'value="pat@family.example.org"' in html
    client.post(reverse("notifications:family_preference"), {"email": "pat.new@family.example.org"})
    [entry] = AuditEntry.objects.filter(mark_kind="preference")
    assert (entry.school, entry.mark_id, entry.changed_by, entry.channel) == (
        world.school,
        world.parent.pk,
        world.parent.user,
        "web",
    )
    assert entry.before == {"email": "pat@family.example.org", "emails": True}
    assert entry.after == {"email": "pat.new@family.example.org", "emails": False}
    assert emails_on(world.other_parent)  # only their own
    html = client.get(reverse("excusals:family")).content.decode()
    assert 'id="id_emails">' in html and 'value="pat.new@family.example.org"' in html
