"""The office's Today page draws a "Remind" form per untaken roll and one "Remind all", plain
forms posting to the Remind endpoint (no JavaScript needed); what they post queues the reminders."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def remind_forms(html: str) -> list[dict[str, str]]:
    """Each form posting to the Remind endpoint, as its hidden fields."""
    action = reverse("notifications:remind")
    forms = re.findall(rf'<form method="post" action="{action}" class="remind">(.*?)</form>', html, re.S)
    return [dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)) for form in forms]


@pytest.mark.time_machine("2026-11-18 10:00 +00:00")
def test_today_draws_a_remind_button_per_untaken_roll_and_remind_all(world, client, django_assert_max_num_queries):
    world.teacher.email = "tess@northfield.example.org"
    world.teacher.save()
    client.force_login(world.admin.user)
    with django_assert_max_num_queries(25):
        html = client.get(reverse("reports:dashboard")).content.decode()
    forms = remind_forms(html)
    fields = [{k: v for k, v in form.items() if k != "csrfmiddlewaretoken"} for form in forms]
    # Periods 1 (7A English) and 2 (8B Science) have started at 10:00; period 3 has not.
    assert fields == [
        {"class": str(world.english.pk), "period": "1"},
        {"class": str(world.science.pk), "period": "2"},
        {"all": "1"},
    ]
    assert 'Remind<span class="visually-hidden"> the teacher of 7A English, Period 1</span>' in html

    response = client.post(reverse("notifications:remind"), fields[0], follow=True)
    assert "Reminder on the way (1)." in response.content.decode()
    row = Notification.objects.get(kind="reminder")
    assert (row.teacher, row.school_class, row.period.number) == (world.teacher, world.english, 1)
    response = client.post(reverse("notifications:remind"), fields[2], follow=True)
    assert "Reminder on the way (1)." in response.content.decode()  # 8B Science's; English's went just now
    assert Notification.objects.filter(kind="reminder").count() == 2


@pytest.mark.time_machine("2026-11-18 10:00 +00:00")
def test_a_taken_roll_has_no_remind_button_and_a_teacher_sees_no_today(world, client):
    from tests.notifications.test_absence_emails import mark, present

    for student in world.students:
        mark(world, student, 1, present(world.school))
    client.force_login(world.admin.user)
    forms = remind_forms(client.get(reverse("reports:dashboard")).content.decode())
    assert [form.get("class") for form in forms] == [str(world.science.pk), None]
    response = client.post(reverse("notifications:remind"), {"class": world.english.pk, "period": 1}, follow=True)
    assert "That roll is taken or not due today" in response.content.decode()
    assert not Notification.objects.filter(kind="reminder").exists()
    client.force_login(world.teacher.user)
    assert client.get(reverse("reports:dashboard")).status_code == 404
