"""The emails, as plain text and HTML, written with Django's translation functions. What one
tells is read when it is sent: the child's absences that day that still stand. Every link is
built from SITE_URL, never from a request; no email holds another family's data or an id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.languages.choice import language_of
from apps.notifications.models import Notification, NotificationSettings

UNSUBSCRIBE_SALT = "rollbook.notifications.unsubscribe"
UNSUBSCRIBE_DAYS = 60


def site_link(path: str, query: dict | None = None) -> str:
    return settings.SITE_URL + path + (f"?{urlencode(query)}" if query else "")


def unsubscribe_token(parent) -> str:
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(str(parent.uuid))


def parent_of_token(token: str):
    """The parent a token was made for, or None when it is forged, altered or expired."""
    from apps.school.models import Parent

    try:
        value = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign(token, max_age=UNSUBSCRIBE_DAYS * 86400)
    except signing.BadSignature:
        return None
    return Parent.objects.filter(uuid=value).select_related("school").first()


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str
    included: list[str]
    unsubscribe: str = ""


def sender(options: NotificationSettings) -> str:
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((options.sender_name or options.school.name, address))


def message(email: Email, options: NotificationSettings) -> EmailMultiAlternatives:
    headers = {"List-Unsubscribe": f"<{email.unsubscribe}>"} if email.unsubscribe else {}
    mail = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=sender(options),
        to=[email.to],
        reply_to=[options.reply_to] if options.reply_to else None,
        headers=headers,
    )
    mail.attach_alternative(email.html, "text/html")
    return mail


def render(template: str, context: dict, subject: Callable[[], str], language: str) -> tuple[str, str, str]:
    """An email's subject, plain text and HTML, all worded in the recipient's ``language`` (their
    own choice, else their school's: apps/languages/choice.py). ``subject`` is called, and the
    context's lazy strings are worded, in it."""
    with translation.override(language):
        return (
            subject(),
            render_to_string(f"notifications/{template}.txt", context),
            render_to_string(f"notifications/{template}.html", context),
        )


def absence_email(notification: Notification, lines: list[tuple[str, str]]) -> Email:
    """``lines``: the absences to tell, as (what it names in ``included``, how the email says
    it: a lazy string, worded in ``render``)."""
    parent, student, school = notification.parent, notification.student, notification.school
    follow_up = notification.kind == Notification.Kind.FOLLOW_UP
    context = {
        "parent": parent,
        "student": student,
        "school": school,
        "day": notification.date,
        "absences": [text for _, text in lines],
        "follow_up": follow_up,
        "excusal_link": site_link(
            reverse("excusals:new"), {"child": str(student.uuid), "start": notification.date.isoformat()}
        ),
        "family_link": site_link(reverse("excusals:family")),
        "unsubscribe_link": site_link(reverse("notifications:unsubscribe", args=[unsubscribe_token(parent)])),
    }

    def subject() -> str:
        words = _("%(name)s: another absence on %(day)s") if follow_up else _("%(name)s was absent on %(day)s")
        told = words % {"name": student.first_name, "day": date_format(notification.date, "D j M")}
        return f"{told} · {school.name}"

    subject, text, html = render("absence", context, subject, language_of(parent))
    return Email(
        to=parent.email,
        subject=subject,
        text=text,
        html=html,
        included=[key for key, _ in lines],
        unsubscribe=context["unsubscribe_link"],
    )


def reminder_email(notification: Notification) -> Email:
    school_class, period = notification.school_class, notification.period
    context = {
        "teacher": notification.teacher,
        "school_class": school_class,
        "period": period.label,
        "day": notification.date,
        "school": notification.school,
        "roll_link": site_link(
            reverse("classes:roll", args=[school_class.pk, notification.date.isoformat(), period.number])
        ),
    }

    def subject() -> str:
        return _("Roll not taken yet: %(name)s, period %(period)s") % {
            "name": school_class.name,
            "period": period.label,
        }

    subject, text, html = render("reminder", context, subject, language_of(notification.teacher))
    return Email(to=notification.teacher.email, subject=subject, text=text, html=html, included=[])
