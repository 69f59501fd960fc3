"""The language selector of the header and the family page: a plain form, no script needed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.attendance.channels import Channel
from apps.languages.choice import codes, remember, save_language


@require_POST
def choose(request):
    """Anyone's own language: saved on a signed-in person's login (nobody else's: the form names
    no one), and for everyone in the language cookie, which the sign-in page reads."""
    language = request.POST.get("language", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("home")
    if language not in codes():
        messages.error(request, _("Choose one of the languages in the list. Nothing was changed."))
        return redirect(back)
    if request.user.is_authenticated:
        save_language(user=request.user, language=language, channel=Channel.WEB)
        remember(request, language)
    with translation.override(language):
        messages.success(request, _("Language saved."))
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
