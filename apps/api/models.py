"""API clients: one record serves every dialect; it acts for a user, narrowed by its scopes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance_site.keys import derived_field_key

LAST_USED_RESOLUTION = timedelta(minutes=5)
SCOPES = ("read:attendance", "write:attendance", "read:all", "write:all")


def hash_secret(value: str) -> str:
    """Bearer tokens and client secrets are long random strings: a SHA-256 digest is enough
    (no password stretching needed) and lets us look a token up by its hash."""
    return hashlib.sha256(value.encode()).hexdigest()


def field_keys() -> list[bytes]:
    """The keys of stored secrets, the one that encrypts first: ``FIELD_ENCRYPTION_KEY`` (else the
    key derived from ``SECRET_KEY``), then the older ones that still open what they encrypted:
    ``FIELD_ENCRYPTION_KEY_FALLBACKS`` and the keys derived from ``SECRET_KEY`` and its fallbacks."""
    derived = [derived_field_key(k) for k in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]
    primary = settings.FIELD_ENCRYPTION_KEY.encode() if settings.FIELD_ENCRYPTION_KEY else derived[0]
    found = [primary, *(k.encode() for k in settings.FIELD_ENCRYPTION_KEY_FALLBACKS), *derived]
    return list(dict.fromkeys(found))


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in field_keys()])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str | None:
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        return None


def reencrypt(value: str) -> str | None:
    """``value`` encrypted again with the first key; None when no key opens it."""
    try:
        return _fernet().rotate(value.encode()).decode()
    except InvalidToken:
        return None


@dataclass(frozen=True)
class IssuedCredentials:
    """What is shown once, when a client is created; only hashes are kept."""

    client: ApiClient
    token: str
    client_id: str
    client_secret: str

    def as_dict(self) -> dict:
        return {
            "id": self.client.pk,
            "name": self.client.name,
            "user": self.client.user.get_username(),
            "scopes": self.client.scope_list,
            "token": self.token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }


class ApiClientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def by_token(self, token: str) -> ApiClient | None:
        if not token:
            return None
        return self.active().select_related("user").filter(token_hash=hash_secret(token)).first()

    def by_client_id(self, client_id: str) -> ApiClient | None:
        if not client_id or "\x00" in client_id:  # PostgreSQL cannot even compare text with a NUL
            return None
        return self.active().select_related("user").filter(client_id=client_id).first()


class ApiClient(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_clients")
    scopes = models.JSONField(
        _("Scopes"), default=list, help_text="read:attendance, write:attendance, read:all, write:all"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=8, help_text="First characters of the token, to recognise it")
    client_id = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=64, help_text="For OAuth2 client credentials")
    secret_encrypted = models.TextField(help_text="For OAuth 1.0a signatures, which need the secret itself")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("Revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def issue(cls, *, name: str, user, scopes: list[str]) -> IssuedCredentials:
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise ValueError(f"unknown scopes: {', '.join(unknown)} (known: {', '.join(SCOPES)})")
        token = secrets.token_urlsafe(32)
        client_id = secrets.token_hex(12)
        client_secret = secrets.token_urlsafe(32)
        client = cls.objects.create(
            name=name,
            user=user,
            scopes=sorted(set(scopes)),
            token_hash=hash_secret(token),
            token_hint=token[:6],
            client_id=client_id,
            secret_hash=hash_secret(client_secret),
            secret_encrypted=encrypt(client_secret),
        )
        return IssuedCredentials(client=client, token=token, client_id=client_id, client_secret=client_secret)

    @property
    def scope_list(self) -> list[str]:
        return list(self.scopes or [])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.user.is_active

    def can_read(self) -> bool:
        return bool({"read:attendance", "read:all", "write:attendance", "write:all"} & set(self.scope_list))

    def can_write(self) -> bool:
        return bool({"write:attendance", "write:all"} & set(self.scope_list))

    def has_scope(self, scope: str) -> bool:
        """``read:all``/``write:all`` are wildcards for their verb."""
        verb = scope.split(":", 1)[0]
        return scope in self.scope_list or f"{verb}:all" in self.scope_list

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, hash_secret(secret or ""))

    def oauth1_secret(self) -> str | None:
        return decrypt(self.secret_encrypted)

    def mark_used(self) -> None:
        """Note when the client was last seen; at most one write per five minutes per client."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
        self.access_tokens.all().delete()


class AccessToken(models.Model):
    """An OAuth2 client-credentials token (PowerSchool dialect), stored hashed; expires."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"token of {self.client} until {self.expires_at:%Y-%m-%d %H:%M}"


class OAuthNonce(models.Model):
    """OAuth 1.0a nonces already seen, so a replayed request is refused (section-style dialect)."""

    client_key = models.CharField(max_length=64)
    nonce = models.CharField(max_length=255)
    timestamp = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_key", "nonce", "timestamp"], name="oauthnonce_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.client_key} {self.nonce}"
