"""The language of each answer (apps/languages/choice.py says which), in place of Django's
LocaleMiddleware: after AuthenticationMiddleware, since a signed-in person's own choice comes first."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.cache import patch_vary_headers

from apps.languages.choice import SESSION_KEY, WIRE_PATHS, browser_language, language_at_sign_in, supported


def language_for(request) -> str:
    if request.path_info.startswith(WIRE_PATHS):
        return settings.LANGUAGE_CODE
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        language = supported(request.session.get(SESSION_KEY))
        if language is None:  # a session begun before Rollbook had languages: worked out once, then kept
            language = language_at_sign_in(request, user)
            request.session[SESSION_KEY] = language
        return language
    return browser_language(request) or settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Activates the request's language for its whole answer, and only for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            language = language_for(request)
        except DatabaseError:
            # The database is out of reach: the browser's language, and the view answers the 503
            # (attendance_site/unavailable.py) as it would without this middleware.
            language = browser_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        if not request.path_info.startswith(WIRE_PATHS):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", language)
        return response
