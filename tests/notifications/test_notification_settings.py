"""The school's notification settings on the office's Settings page, audited; bad input changes
nothing; a teacher and another school's admin cannot change them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.notifications.models import NotificationSettings

pytestmark = pytest.mark.django_db

VALUES = {
    "notifications": "1",
    "n-enabled": "on",
    "n-absence_delay_minutes": "5",
    "n-reminder_after_minutes": "20",
    "n-sender_name": "Northfield office",
    "n-reply_to": "office@northfield.example.org",
}


def test_the_office_edits_the_notification_settings_and_the_change_is_audited(world, client):
    client.force_login(world.admin.user)
    url = reverse("reports:settings")
    html = client.get(url).content.decode()
    assert 'name="n-absence_delay_minutes"' in html and 'value="15"' in html
    response = client.post(url, VALUES, follow=True)
    assert "Notification settings saved." in response.content.decode()
    saved = NotificationSettings.objects.get(school=world.school)
    assert (saved.enabled, saved.absence_delay_minutes, saved.reminder_after_minutes) == (True, 5, 20)
    assert (saved.sender_name, saved.reply_to) == ("Northfield office", "office@northfield.example.org")
    client.post(url, {**VALUES, "n-enabled": "", "n-absence_delay_minutes": "0"})
    first, second = AuditEntry.objects.filter(mark_kind="notify").order_by("pk")
    assert first.before is None and first.after["reminder_after_minutes"] == 20
    assert second.before["enabled"] is True and second.after["enabled"] is False
    assert second.after["absence_delay_minutes"] == 0 and second.changed_by == world.admin.user

    response = client.post(url, {**VALUES, "n-reply_to": "not an address", "n-absence_delay_minutes": "-3"})
    assert response.status_code == 200 and "Enter a valid email address" in response.content.decode()
    assert NotificationSettings.objects.get(school=world.school).absence_delay_minutes == 0
    assert AuditEntry.objects.filter(mark_kind="notify").count() == 2


def test_a_teacher_and_another_schools_admin_cannot_change_them(world, client):
    url = reverse("reports:settings")
    client.force_login(world.teacher.user)
    assert client.post(url, VALUES).status_code == 404
    client.force_login(world.other_school_admin.user)
    client.post(url, {**VALUES, "school": world.school.pk})
    assert not NotificationSettings.objects.filter(school=world.school).exists()
