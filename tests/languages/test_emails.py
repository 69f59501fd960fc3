"""Emails in the recipient's language: the parent's (or teacher's) own choice, else their school's
default; rendered by the real email code, and end to end by a real worker to a real SMTP server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from apps.notifications import emails
from apps.notifications.models import Notification
from apps.school.models import Period, Profile, School
from tests import factories as f
from tests.notifications.test_absence_emails import AT, TODAY, absent, mark, minutes

LINES = [("class:1", "Period 1, 7A English: Absent")]


def absence(world, parent, student) -> Notification:
    return Notification.objects.create(
        school=world.school, kind=Notification.Kind.ABSENCE, date=TODAY, parent=parent, student=student, due_at=AT
    )


def reminder(world) -> Notification:
    return Notification.objects.create(
        school=world.school,
        kind=Notification.Kind.REMINDER,
        date=TODAY,
        teacher=world.teacher,
        school_class=world.english,
        period=Period.objects.get(school=world.school, number=1),
        due_at=AT,
    )


@pytest.mark.django_db
def test_a_parents_email_is_in_the_language_saved_on_their_login(world):
    Profile.objects.create(user=world.parent.user, language="ar")
    email = emails.absence_email(absence(world, world.parent, world.students[0]), LINES)
    assert '<html lang="ar" dir="rtl">' in email.html
    assert "ولي الأمر الكريم Pat،" in email.html and "ولي الأمر الكريم Pat،" in email.text  # Dear Pat,


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("default", "greeting", "tag"),
    [("fr", "Bonjour Olive,", 'lang="fr" dir="ltr"'), ("es", "Estimado/a Olive:", 'lang="es" dir="ltr"')],
)
def test_a_parent_who_never_chose_gets_the_schools_default(world, default, greeting, tag):
    School.objects.filter(pk=world.school.pk).update(default_language=default)
    email = emails.absence_email(absence(world, world.other_parent, world.year8_students[0]), LINES)
    assert f"<html {tag}>" in email.html
    assert greeting in email.text


@pytest.mark.django_db
def test_a_parent_without_a_login_gets_the_schools_default(world):
    School.objects.filter(pk=world.school.pk).update(default_language="fr")
    world.parent.user = None
    world.parent.save()
    email = emails.absence_email(absence(world, world.parent, world.students[0]), LINES)
    assert '<html lang="fr" dir="ltr">' in email.html and "Bonjour Pat," in email.text


@pytest.mark.django_db
def test_the_language_is_the_recipients_not_the_one_active_when_it_is_sent(world):
    """A worker (or a page of someone else's) may be in another language when it renders."""
    from django.utils import translation

    Profile.objects.create(user=world.teacher.user, language="es")
    with translation.override("ar"):
        email = emails.reminder_email(reminder(world))
        assert translation.get_language() == "ar"  # given back as it was
    assert '<html lang="es" dir="ltr">' in email.html and "Estimado/a Tess:" in email.text


@pytest.mark.django_db
def test_english_stays_english(world):
    email = emails.absence_email(absence(world, world.parent, world.students[0]), LINES)
    assert '<html lang="en-gb" dir="ltr">' in email.html and "Dear Pat," in email.text


# ---------------------------------------------------------------- end to end


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres  # a real worker process: see tests/notifications/test_absence_emails.py
def test_a_parent_whose_browser_asks_for_arabic_reads_the_family_page_and_the_email_in_arabic(
    world, client, smtp, run_worker
):
    world.parent.email = "pat@family.example.org"
    world.parent.save()
    child = world.students[0]
    response = client.post(
        reverse("login"), {"username": "parent", "password": f.PASSWORD}, headers={"accept-language": "ar,en;q=0.8"}
    )
    assert response.status_code == 302
    page = client.get(reverse("excusals:family"))
    assert '<html lang="ar" dir="rtl">' in page.content.decode()
    tomorrow = date.fromisoformat(TODAY.isoformat()) + timedelta(days=1)
    sent = client.post(
        "/family/excusals/new/",
        {"child": child.pk, "start_date": tomorrow.isoformat(), "end_date": tomorrow.isoformat(), "comment": "موعد"},
    )
    assert sent.status_code == 302

    mark(world, child, 1, absent(world.school))  # today: no excusal covers it
    run_worker(minutes(16))
    [message] = smtp.mailbox.to("pat@family.example.org")
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert '<html lang="ar" dir="rtl">' in html
    assert "ولي الأمر الكريم Pat،" in html and "ولي الأمر الكريم Pat،" in text
