"""Which language a page is in: the person's own choice saved on their login (only their own),
the browser's Accept-Language before sign-in and for a person who never chose, the school's
default after that; Arabic pages right to left; the APIs never translated."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.languages.choice import SESSION_KEY
from apps.school.models import Parent, Profile, School
from tests import factories as f

pytestmark = pytest.mark.django_db

CHOOSE = "/language/"


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def language_of_page(response) -> tuple[str, str]:
    tag = html_tag(response)
    return re.search(r'lang="([^"]+)"', tag).group(1), re.search(r'dir="([^"]+)"', tag).group(1)


def saved(user) -> str | None:
    return Profile.objects.filter(user=user).values_list("language", flat=True).first()


def language_entries(user) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(mark_kind="language", mark_id__in=Profile.objects.filter(user=user)))


# ---------------------------------------------------------------- choosing and saving


def test_a_parent_chooses_arabic_saved_on_their_login_and_audited(client, world, parent):
    client.force_login(parent)
    family = reverse("excusals:family")
    assert language_of_page(client.get(family)) == ("en-gb", "ltr")
    response = client.post(CHOOSE, {"language": "ar", "next": family})
    assert response.status_code == 302 and response["Location"] == family
    assert saved(parent) == "ar"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert client.session[SESSION_KEY] == "ar"

    page = client.get(family)
    assert language_of_page(page) == ("ar", "rtl")
    assert page["Content-Language"] == "ar"
    body = page.content.decode()
    assert "تسجيل الخروج" in body  # Sign out
    assert "تم حفظ اللغة." in body  # Language saved., said in the language chosen
    # The family page's own selector shows the choice.
    assert re.search(r'<select name="language" id="family-language">.*?value="ar" lang="ar" selected', body, re.S)

    [entry] = language_entries(parent)
    assert (entry.school_id, entry.channel, entry.changed_by_id) == (world.school.pk, "web", parent.pk)
    assert (entry.before, entry.after, entry.key) == ({"language": ""}, {"language": "ar"}, {"user_id": parent.pk})
    # The same again changes nothing and logs nothing.
    client.post(CHOOSE, {"language": "ar", "next": family})
    assert len(language_entries(parent)) == 1


def test_a_person_changes_only_their_own_language(client, world, parent, other_parent, teacher):
    Profile.objects.create(user=other_parent, language="fr")
    client.force_login(parent)
    # Whatever else the form says, it is the signed-in person's language that changes.
    data = {"language": "es", "user": other_parent.pk, "user_id": other_parent.pk, "username": "other_parent"}
    assert client.post(CHOOSE, data).status_code == 302
    assert (saved(parent), saved(other_parent), saved(teacher)) == ("es", "fr", None)
    assert language_entries(other_parent) == [] and language_entries(teacher) == []
    # The other parent's pages are still in French.
    client.force_login(other_parent)
    assert language_of_page(client.get(reverse("excusals:family")))[0] == "fr"


def test_a_person_with_roles_in_two_schools_has_the_change_in_both_logs(client, world, teacher):
    Parent.objects.create(school=world.other_school, first_name="Tess", last_name="Teacher", user=teacher)
    client.force_login(teacher)
    client.post(CHOOSE, {"language": "fr"})
    assert sorted(e.school_id for e in language_entries(teacher)) == sorted([world.school.pk, world.other_school.pk])


@pytest.mark.parametrize("language", ["tlh", "", "AR", "en", "ar; drop table"])
def test_a_language_rollbook_does_not_speak_is_refused_and_changes_nothing(client, world, parent, language):
    client.force_login(parent)
    family = reverse("excusals:family")
    response = client.post(CHOOSE, {"language": language, "next": family})
    assert response.status_code == 302 and response["Location"] == family
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert saved(parent) is None and language_entries(parent) == []
    page = client.get(family)
    assert "Choose one of the languages in the list. Nothing was changed." in page.content.decode()
    assert language_of_page(page) == ("en-gb", "ltr")


def test_no_language_field_and_a_get_change_nothing(client, world, parent):
    client.force_login(parent)
    assert client.post(CHOOSE, {}).status_code == 302
    assert client.get(CHOOSE, {"language": "ar"}).status_code == 405
    assert saved(parent) is None


@pytest.mark.parametrize("next_url", ["https://evil.example.org/", "//evil.example.org/x", "javascript:alert(1)"])
def test_it_never_sends_anyone_to_another_site(client, world, parent, next_url):
    client.force_login(parent)
    response = client.post(CHOOSE, {"language": "fr", "next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert saved(parent) == "fr"


def test_the_header_selector_works_without_javascript_on_every_signed_in_page(client, world, admin):
    """A plain form: a select and a submit button, posting to the view, back to this page."""
    client.force_login(admin)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    form = re.search(
        r'<form method="post" action="/language/" class="language-form header-language">(.*?)</form>', page, re.S
    )
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert re.search(r'<input type="hidden" name="next" value="/office/[^"]*">', form.group(1))
    assert re.findall(r'<option value="([^"]+)" lang=', form.group(1)) == ["en-gb", "es", "fr", "ar"]
    # Each language named in itself.
    for name in ("British English", "español", "français", "العربيّة"):
        assert name in form.group(1)
    assert '<button type="submit"' in form.group(1) and "<script" not in form.group(1)


# ---------------------------------------------------------------- before sign-in, and the browser


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ar", ("ar", "rtl")),
        ("ar-EG,ar;q=0.9,en;q=0.5", ("ar", "rtl")),
        ("fr-CA,fr;q=0.9", ("fr", "ltr")),
        ("es-MX", ("es", "ltr")),
        ("de-DE,de;q=0.9,es;q=0.4", ("es", "ltr")),
        ("en-US,en;q=0.9", ("en-gb", "ltr")),
        ("de", ("en-gb", "ltr")),
        ("", ("en-gb", "ltr")),
        ("*", ("en-gb", "ltr")),
        ("zz;q=nonsense,,;", ("en-gb", "ltr")),
    ],
)
def test_before_sign_in_the_browsers_accept_language_decides(client, db, header, expected):
    response = client.get(reverse("login"), headers={"accept-language": header})
    assert response.status_code == 200
    assert language_of_page(response) == expected
    assert response["Content-Language"] == expected[0]
    assert "Accept-Language" in response["Vary"]


def test_before_sign_in_the_selector_sets_the_language_of_the_sign_in_page(client, db):
    response = client.post(CHOOSE, {"language": "fr", "next": reverse("login")}, headers={"accept-language": "es"})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert Profile.objects.count() == 0  # nobody to save it on
    page = client.get(reverse("login"), headers={"accept-language": "es"})  # the choice beats the browser
    assert language_of_page(page) == ("fr", "ltr")
    assert "Langue enregistrée." in page.content.decode()


def sign_in(client, username: str, accept_language: str = ""):
    headers = {"accept-language": accept_language} if accept_language else {}
    response = client.post(reverse("login"), {"username": username, "password": f.PASSWORD}, headers=headers)
    assert response.status_code == 302, response.content
    return response


def test_signing_in_with_an_arabic_browser_saves_arabic_on_the_login(client, world, parent):
    sign_in(client, "parent", "ar,en;q=0.5")
    assert saved(parent) == "ar"
    [entry] = language_entries(parent)
    assert (entry.channel, entry.changed_by_id, entry.after) == ("web", parent.pk, {"language": "ar"})
    # Later pages are Arabic whatever the browser says now: the choice is the person's.
    page = client.get(reverse("excusals:family"), headers={"accept-language": "fr"})
    assert language_of_page(page) == ("ar", "rtl")


def test_a_saved_choice_beats_the_browser_at_sign_in(client, world, parent):
    Profile.objects.create(user=parent, language="es")
    sign_in(client, "parent", "ar")
    assert saved(parent) == "es" and language_entries(parent) == []
    assert language_of_page(client.get(reverse("excusals:family"))) == ("es", "ltr")


def test_with_no_choice_and_no_language_of_ours_in_the_browser_the_schools_default(client, world, parent):
    School.objects.filter(pk=world.school.pk).update(default_language="fr")
    sign_in(client, "parent", "de-DE,de;q=0.9")
    assert saved(parent) is None  # nothing was chosen: nothing saved
    assert language_of_page(client.get(reverse("excusals:family"))) == ("fr", "ltr")
    # When the school changes its default, it is the default of their next session.
    School.objects.filter(pk=world.school.pk).update(default_language="ar")
    client.logout()
    sign_in(client, "parent")
    assert language_of_page(client.get(reverse("excusals:family"))) == ("ar", "rtl")


def test_a_session_from_before_languages_gets_its_language_once(client, world, parent):
    Profile.objects.create(user=parent, language="fr")
    client.force_login(parent)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    assert language_of_page(client.get(reverse("excusals:family"))) == ("fr", "ltr")
    assert client.session[SESSION_KEY] == "fr"


def test_a_page_spends_no_query_on_the_language(client, world, parent):
    Profile.objects.create(user=parent, language="ar")
    client.force_login(parent)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("excusals:family"))
    assert language_of_page(page) == ("ar", "rtl")
    asked = [
        q["sql"]
        for q in queries
        if '"school_profile"' in q["sql"] or 'SELECT "school_school"."default_language"' in q["sql"]
    ]
    assert asked == []


# ---------------------------------------------------------------- the office's default


def test_the_office_sets_the_schools_default_language_on_the_settings_page(client, world, admin):
    client.force_login(admin)
    page = client.get(reverse("reports:settings")).content.decode()
    assert re.search(r'<select name="default_language"[^>]*>', page)
    data = {"teacher_edit_days": 7, "timezone": "UTC", "default_language": "es"}
    assert client.post(reverse("reports:settings"), data).status_code == 302
    assert School.objects.get(pk=world.school.pk).default_language == "es"
    [entry] = AuditEntry.objects.filter(mark_kind="settings", school=world.school)
    assert (entry.before["default_language"], entry.after["default_language"]) == ("en-gb", "es")
    assert School.objects.get(pk=world.other_school.pk).default_language == "en-gb"


# ---------------------------------------------------------------- the APIs


def test_the_apis_answer_the_same_whatever_the_browser_asks_for(client, world):
    for path in ("/v2/attendance/homeroom", "/ws/v1/metadata", "/academic/nothing/", "/v1/sections/1/attendance"):
        plain = client.get(path)
        asked = client.get(path, headers={"accept-language": "ar"})
        assert (asked.status_code, asked.content) == (plain.status_code, plain.content), path
        assert "Content-Language" not in asked


def test_choosing_a_language_costs_a_few_queries(client, world, parent, django_assert_max_num_queries):
    """The session and user, the person's roles, the profile saved, an audit entry per school and
    the session saved again."""
    client.force_login(parent)
    family = reverse("excusals:family")
    with django_assert_max_num_queries(14):
        response = client.post(CHOOSE, {"language": "fr", "next": family})
    assert response.status_code == 302 and saved(parent) == "fr"
