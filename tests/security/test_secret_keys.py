"""No development key in production: with DEBUG off, a missing, weak or public SECRET_KEY (or a
FIELD_ENCRYPTION_KEY that is not a key, or is the one derived from the public key) stops the
server at start with a clear message. And keys can be rotated: SECRET_KEY_FALLBACKS keeps
sessions, FIELD_ENCRYPTION_KEY_FALLBACKS keeps stored secrets readable until
``manage.py reencrypt_secrets`` has encrypted them with the new key."""

from __future__ import annotations

import io
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from apps.api.models import ApiClient, encrypt
from attendance_site.keys import DEVELOPMENT_SECRET_KEY, derived_field_key

ROOT = Path(__file__).resolve().parents[2]
PRINT_KEYS = (
    "from django.conf import settings as s; print(s.SECRET_KEY, s.SECRET_KEY_FALLBACKS, s.FIELD_ENCRYPTION_KEY)"
)


def start(environment: dict[str, str], command: list[str] | None = None) -> subprocess.CompletedProcess:
    """Start Django with only this environment (nothing inherited from the test run)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "attendance_site.settings",
        **environment,
    }
    command = command or ["-c", f"import django; django.setup(); {PRINT_KEYS}"]
    return subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def strong() -> str:
    return secrets.token_urlsafe(50)


def test_the_server_does_not_start_without_a_secret_key_when_debug_is_off():
    result = start({}, ["manage.py", "check"])
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set. With DEBUG off Rollbook needs a long random" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # how to make one


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "SECRET_KEY is the public development key"),
        ({"SECRET_KEY": "short-but-random-Xq3v"}, "SECRET_KEY is too short or too simple"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY is too short or too simple"),
        ({"SECRET_KEY": "django-insecure-" + strong()}, "SECRET_KEY starts with 'django-insecure-'"),
        (
            {"SECRET_KEY": strong(), "SECRET_KEY_FALLBACKS": DEVELOPMENT_SECRET_KEY},
            "SECRET_KEY_FALLBACKS is the public",
        ),
        (
            {"SECRET_KEY": strong(), "FIELD_ENCRYPTION_KEY": derived_field_key(DEVELOPMENT_SECRET_KEY).decode()},
            "FIELD_ENCRYPTION_KEY is the key derived from the public development key",
        ),
        ({"SECRET_KEY": strong(), "FIELD_ENCRYPTION_KEY": "my-own-key"}, "FIELD_ENCRYPTION_KEY is not a Fernet key"),
        (
            {"SECRET_KEY": strong(), "FIELD_ENCRYPTION_KEY_FALLBACKS": "old-key"},
            "FIELD_ENCRYPTION_KEY_FALLBACKS is not a Fernet key",
        ),
    ],
    ids=["development", "short", "few characters", "django-insecure", "fallback", "derived", "not fernet", "old"],
)
def test_a_weak_or_public_key_stops_the_server(environment, message):
    result = start(environment)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr[-800:]


def test_the_development_key_exists_only_with_debug_on():
    result = start({"DEBUG": "true"})
    assert result.returncode == 0, result.stderr[-800:]
    assert result.stdout.split()[0] == DEVELOPMENT_SECRET_KEY


def test_a_strong_key_of_ones_own_starts_with_its_fallbacks_and_field_keys():
    key, old, field_key = strong(), strong(), Fernet.generate_key().decode()
    result = start({"SECRET_KEY": key, "SECRET_KEY_FALLBACKS": old, "FIELD_ENCRYPTION_KEY": field_key})
    assert result.returncode == 0, result.stderr[-800:]
    assert result.stdout.split() == [key, f"['{old}']", field_key]


# --- rotating keys --------------------------------------------------------------------------------


def test_a_session_survives_a_new_secret_key_while_the_old_one_is_a_fallback(client, admin, settings):
    client.force_login(admin)
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = strong(), [old]
    assert client.get("/office/").status_code == 200  # (and the session is signed anew with the new key)

    client.force_login(admin)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = strong(), []
    assert client.get("/office/").status_code == 302  # no fallback: signed out


def issue(user, name="sync"):
    issued = ApiClient.issue(name=name, user=user, scopes=["read:attendance"])
    return issued.client, issued.client_secret


def stored(client: ApiClient) -> str:
    client.refresh_from_db()
    return client.secret_encrypted


def test_moving_from_the_derived_key_to_a_key_of_ones_own(admin, settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    client, secret = issue(admin)
    before = stored(client)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = new
    assert client.oauth1_secret() == secret  # still opens with the key derived from SECRET_KEY

    call_command("reencrypt_secrets", stdout=(out := io.StringIO()))
    assert "1 secret(s) re-encrypted" in out.getvalue()
    assert stored(client) != before
    assert Fernet(new).decrypt(stored(client).encode()).decode() == secret
    settings.SECRET_KEY = strong()  # the derived key is gone: the secret opens with the new key alone
    client.refresh_from_db()
    assert client.oauth1_secret() == secret


def test_rotating_the_field_encryption_key(admin, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    first, first_secret = issue(admin, "first")
    second, second_secret = issue(admin, "second")
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_KEY_FALLBACKS = new, [old]
    assert first.oauth1_secret() == first_secret

    call_command("reencrypt_secrets", "--dry-run", stdout=(out := io.StringIO()))
    assert "2 secret(s) open with the configured keys; nothing was saved." in out.getvalue()
    assert Fernet(old).decrypt(stored(first).encode()).decode() == first_secret

    call_command("reencrypt_secrets", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEY_FALLBACKS = []
    settings.SECRET_KEY = strong()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.oauth1_secret(), second.oauth1_secret()) == (first_secret, second_secret)


def test_a_secret_no_key_opens_refuses_the_whole_command(admin, settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    kept, _ = issue(admin, "kept")
    lost, _ = issue(admin, "lost")
    lost.secret_encrypted = Fernet(Fernet.generate_key()).encrypt(b"from another server").decode()
    lost.save(update_fields=["secret_encrypted"])
    before = stored(kept)
    settings.FIELD_ENCRYPTION_KEY_FALLBACKS = [settings.FIELD_ENCRYPTION_KEY]
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()

    with pytest.raises(CommandError) as refused:
        call_command("reencrypt_secrets")
    assert "refused, nothing was saved" in str(refused.value)
    assert f"client {lost.pk} (lost)" in str(refused.value) and "(kept)" not in str(refused.value)
    assert stored(kept) == before


def test_new_secrets_are_encrypted_with_the_first_key(settings):
    settings.FIELD_ENCRYPTION_KEY = key = Fernet.generate_key().decode()
    assert Fernet(key).decrypt(encrypt("x").encode()) == b"x"
