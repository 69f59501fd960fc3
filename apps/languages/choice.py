"""Which language a page or an email is in (docs/translations.md), and saving a person's choice.

A signed-in person: the language saved on their login (``Profile.language``); if they never chose
one, what their browser asks for (saved on their login when they sign in, so their emails match
what they read), else their school's default. Before sign-in: the language chosen with the
selector (Django's language cookie), else the browser's ``Accept-Language``, else
``settings.LANGUAGE_CODE``. The APIs' paths always speak ``LANGUAGE_CODE``: their wire formats
never change with the reader.

The signed-in person's language is worked out once, when they sign in, and kept in their session
(apps/languages/middleware.py): a page spends no query on it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from apps.attendance.channels import Channel
from apps.audit.log import log_change, state
from apps.school.access import schools_for
from apps.school.models import Profile, School

SESSION_KEY = "rollbook_language"
# The API dialects (apps/api/urls.py): never translated.
WIRE_PATHS = ("/v2/", "/v2p1/", "/v1/", "/academic/", "/ws/", "/oauth/", "/api/")


def codes() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """``code`` as one of settings.LANGUAGES (``en-US`` -> ``en-gb``, ``es-MX`` -> ``es``), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def choices() -> list[tuple[str, str]]:
    """Each language named in itself, as a selector lists them."""
    return [(code, translation.get_language_info(code)["name_local"]) for code in codes()]


def browser_language(request) -> str | None:
    """The language chosen with the selector before sign-in, else the first the browser asks for
    that Rollbook speaks; None when neither names one."""
    if chosen := supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        return chosen
    for accepted, _ in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if accepted == "*":
            break
        if found := supported(accepted):
            return found
    return None


def school_default(user) -> str:
    """The default language of the user's first school (they may have roles in several)."""
    found = schools_for(user).order_by("pk").values_list("default_language", flat=True).first()
    return supported(found) or settings.LANGUAGE_CODE


def saved_language(user_id: int) -> str:
    """The language saved on the login, or '' when it has not chosen one."""
    return supported(Profile.objects.filter(user_id=user_id).values_list("language", flat=True).first()) or ""


def language_of(person) -> str:
    """The language to write to a person of a school (a parent, a teacher) in: the one their login
    chose, else their school's default."""
    return language_in(person.school_id, person.user_id)


def language_in(school_id: int, user_id: int | None) -> str:
    """The language of a login (none: None) at a school: the one it chose, else the school's default."""
    if user_id is not None and (saved := saved_language(user_id)):
        return saved
    default = School.objects.filter(pk=school_id).values_list("default_language", flat=True).first()
    return supported(default) or settings.LANGUAGE_CODE


def save_language(*, user, language: str, channel: str) -> None:
    """Save ``language`` (one of settings.LANGUAGES) on the user's login, audited in each of their
    schools' logs. ValueError for a language Rollbook does not speak."""
    if language not in codes():
        raise ValueError(f"{language!r} is not one of the languages Rollbook speaks")
    with transaction.atomic():
        Profile.objects.get_or_create(user=user)  # the row, locked below: two first choices make one
        profile = Profile.objects.select_for_update().get(user=user)
        before = state(profile)
        profile.language = language
        profile.save(update_fields=["language"])
        log_change(profile, actor=user, channel=channel, before=before, after=state(profile))


def language_at_sign_in(request, user) -> str:
    """The signed-in person's language, worked out as they sign in (the module's docstring). A
    person who never chose one gets the one their browser asks for saved on their login."""
    if saved := saved_language(user.pk):
        return saved
    if asked := browser_language(request):
        save_language(user=user, language=asked, channel=Channel.WEB)
        return asked
    return school_default(user)


def remember_at_sign_in(sender, request, user, **kwargs) -> None:
    """Receiver of ``user_logged_in`` (apps/languages/apps.py)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = language_at_sign_in(request, user)


def remember(request, language: str) -> None:
    """The language of the rest of this session (after the person chose one)."""
    request.session[SESSION_KEY] = language
