"""Content Security Policy: every page gets the policy, and every <script> we serve carries the
request's nonce (the Swagger UI page's inline script included)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories as f

SCRIPT = re.compile(r"<script\b[^>]*>", re.I)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def nonce_of(response) -> str:
    (nonce,) = [v for v in directives(response)["script-src"] if v.startswith("'nonce-")]
    return nonce[len("'nonce-") : -1]


def assert_every_script_has_the_nonce(response):
    html = response.content.decode()
    tags = SCRIPT.findall(html)
    nonce = nonce_of(response)
    assert tags, "the page serves no script"
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag


def test_the_policy(client, db):
    response = client.get("/accounts/login/")
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and len(policy["script-src"]) == 2
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_new_nonce_for_every_response(client, db):
    assert nonce_of(client.get("/accounts/login/")) != nonce_of(client.get("/accounts/login/"))


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in html


@pytest.mark.parametrize(
    "who, page",
    [
        (None, "login"),
        ("teacher", "today"),
        ("teacher", "class_roll"),
        ("teacher", "homeroom_roll"),
        ("parent", "family"),
        ("admin", "office"),
        ("admin", "api_clients"),
        (None, "api_docs"),
    ],
)
def test_every_script_on_the_main_pages_carries_the_nonce(client, world, who, page):
    day = f.last_weekday(world.school, 1)
    urls = {
        "login": "/accounts/login/",
        "today": reverse("classes:today"),
        "class_roll": f"/classes/{world.english.pk}/roll/{day.isoformat()}/1/",
        "homeroom_roll": f"/homeroom/{world.year7.pk}/{day.isoformat()}/",
        "family": reverse("excusals:family"),
        "office": reverse("reports:dashboard"),
        "api_clients": "/office/api-clients/",
        "api_docs": "/api/docs/",
    }
    if who:
        client.force_login(getattr(world, who).user)
    response = client.get(urls[page])
    assert response.status_code == 200
    assert_every_script_has_the_nonce(response)


def test_the_api_docs_inline_script_is_allowed_by_its_nonce_only(client, db):
    response = client.get("/api/docs/")
    html = response.content.decode()
    inline = re.findall(r"<script nonce=\"([^\"]+)\">\s*\"use strict\"", html)
    assert inline == [nonce_of(response)]
    assert "<style" not in html  # its styles come from a stylesheet (style-src 'self')
