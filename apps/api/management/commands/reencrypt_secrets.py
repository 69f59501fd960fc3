"""Encrypt every stored secret again with the current ``FIELD_ENCRYPTION_KEY``: the last step of
rotating that key (docs/operations.md, "Rotating keys"). All or nothing: when a secret opens with none of the
keys configured, every such client is named and nothing is saved."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.api.models import ApiClient, reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every API client's stored OAuth 1.0a secret with FIELD_ENCRYPTION_KEY (old keys in "
        "FIELD_ENCRYPTION_KEY_FALLBACKS or derived from SECRET_KEY and SECRET_KEY_FALLBACKS still open them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Check that every secret opens; save nothing")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        with transaction.atomic():
            clients = list(ApiClient.objects.select_for_update().order_by("pk"))
            unreadable = []
            for client in clients:
                again = reencrypt(client.secret_encrypted)
                if again is None:
                    unreadable.append(client)
                else:
                    client.secret_encrypted = again
            if unreadable:
                names = "\n".join(f"  client {c.pk} ({c.name})" for c in unreadable)
                raise CommandError(
                    f"refused, nothing was saved: no configured key opens the secret of {len(unreadable)} "
                    f"client(s); put the key they were encrypted with in FIELD_ENCRYPTION_KEY_FALLBACKS "
                    f"(or its SECRET_KEY in SECRET_KEY_FALLBACKS), or revoke them:\n{names}"
                )
            if dry_run:
                self.stdout.write(f"{len(clients)} secret(s) open with the configured keys; nothing was saved.")
                return
            ApiClient.objects.bulk_update(clients, ["secret_encrypted"], batch_size=500)
        self.stdout.write(
            f"{len(clients)} secret(s) re-encrypted with FIELD_ENCRYPTION_KEY. The old keys may now be "
            "removed from FIELD_ENCRYPTION_KEY_FALLBACKS."
        )
