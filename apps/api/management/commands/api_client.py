"""Create, list and revoke API clients from the shell: ``api_client create NAME --user U --scopes S``."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.api.models import SCOPES, ApiClient
from apps.api.services import api_client_issue, api_client_revoke
from apps.audit.models import ChangeChannel


class Command(BaseCommand):
    help = "Create, list or revoke API clients. `create` prints the token and secrets once, as one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a client acting for a user")
        create.add_argument("name")
        create.add_argument("--user", required=True, help="Username the client acts for")
        create.add_argument(
            "--scopes",
            default="read:attendance",
            help=f"Comma-separated, from: {', '.join(SCOPES)} (default read:attendance)",
        )
        listing = actions.add_parser("list", help="List clients (secrets are never shown again)")
        listing.add_argument("--json", action="store_true", dest="as_json", help="One JSON object a line")
        revoke = actions.add_parser("revoke", help="Revoke a client: its token and secrets stop working at once")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, name: str, user: str, scopes: str, **_) -> None:
        try:
            owner = get_user_model().objects.get_by_natural_key(user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user called {user!r}") from None
        if not owner.is_active:
            raise CommandError(f"User {user!r} is not active")
        wanted = [s.strip() for s in scopes.split(",") if s.strip()]
        if not wanted:
            raise CommandError("Give at least one scope")
        try:
            issued = api_client_issue(actor=None, channel=ChangeChannel.SHELL, name=name, user=owner, scopes=wanted)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(issued.as_dict()))

    def handle_list(self, *, as_json: bool = False, **_) -> None:
        for client in ApiClient.objects.select_related("user").order_by("id"):
            row = {
                "id": client.pk,
                "name": client.name,
                "user": client.user.get_username(),
                "scopes": client.scope_list,
                "token_hint": client.token_hint,
                "client_id": client.client_id,
                "created_at": client.created_at.isoformat(),
                "last_used_at": client.last_used_at.isoformat() if client.last_used_at else None,
                "revoked_at": client.revoked_at.isoformat() if client.revoked_at else None,
            }
            if as_json:
                self.stdout.write(json.dumps(row))
            else:
                state = "revoked" if client.revoked_at else "active"
                self.stdout.write(
                    f"{client.pk:>4}  {state:<8} {client.name}  user={row['user']}  "
                    f"scopes={','.join(row['scopes'])}  token={client.token_hint}…  client_id={client.client_id}"
                )

    def handle_revoke(self, *, id: int, **_) -> None:
        client = ApiClient.objects.filter(pk=id).first()
        if client is None:
            raise CommandError(f"No API client with id {id}")
        api_client_revoke(actor=None, channel=ChangeChannel.SHELL, client=client)
        self.stdout.write(f"Revoked API client {client.pk} ({client.name}).")
