"""Issuing and revoking API clients, each change logged (apps/audit/log.py) in the log of every
school the client's user has a role in: a client reaches what its user may."""

from __future__ import annotations

from django.db import transaction

from apps.api.models import ApiClient, IssuedCredentials
from apps.audit.log import log_change, state


def api_client_issue(*, actor, channel: str, name: str, user, scopes: list[str]) -> IssuedCredentials:
    """A new client; ``ValueError`` for an unknown scope. The token and secret are in the
    answer only."""
    with transaction.atomic():
        issued = ApiClient.issue(name=name, user=user, scopes=scopes)
        log_change(issued.client, actor=actor, channel=channel, before=None, after=state(issued.client))
    return issued


def api_client_revoke(*, actor, channel: str, client: ApiClient) -> None:
    """Its token and secrets stop working at once; revoking a revoked client changes nothing."""
    with transaction.atomic():
        current = ApiClient.objects.select_for_update(of=("self",)).select_related("user").get(pk=client.pk)
        before = state(current)
        current.revoke()
        log_change(current, actor=actor, channel=channel, before=before, after=state(current))
    client.revoked_at = current.revoked_at
