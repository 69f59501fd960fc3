"""Django admin for API clients: names, people, scopes and revocation; never their hashes."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from apps.api.models import SCOPES, AccessToken, ApiClient, OAuthNonce
from apps.api.services import api_client_revoke
from apps.audit.admin import AuditedAdmin
from apps.audit.models import ChangeChannel


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=[(s, s) for s in SCOPES], widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiClient
        fields = ["name", "scopes"]

    def clean_scopes(self) -> list[str]:
        return sorted(set(self.cleaned_data["scopes"]))


class RevokedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdmin):
    """Clients are issued on the API clients page or with ``manage.py api_client create``, which
    show the token once; here they are renamed, re-scoped or revoked, each change logged."""

    form = ApiClientForm
    list_display = [
        "name",
        "user",
        "scope_labels",
        "token_hint",
        "client_id",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    list_filter = [RevokedFilter, "created_at"]
    search_fields = ["name", "user__username", "client_id", "token_hint"]
    fields = ["name", "scopes", "user", "token_hint", "client_id", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "token_hint", "client_id", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="scopes")
    def scope_labels(self, obj) -> str:
        return ", ".join(obj.scope_list)

    @admin.action(description="Revoke the selected API clients")
    def revoke(self, request, queryset) -> None:
        clients = list(queryset.filter(revoked_at__isnull=True))
        for client in clients:
            api_client_revoke(actor=request.user, channel=ChangeChannel.ADMIN, client=client)
        self.message_user(request, f"Revoked {len(clients)} API client(s).", messages.SUCCESS)


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """OAuth2 tokens: who holds them and until when; deleting one ends it."""

    list_display = ["client", "created_at", "expires_at"]
    list_select_related = ["client"]
    list_filter = ["expires_at"]
    search_fields = ["client__name", "client__client_id"]
    fields = ["client", "created_at", "expires_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OAuthNonce)
class OAuthNonceAdmin(admin.ModelAdmin):
    list_display = ["client_key", "nonce", "timestamp", "created_at"]
    search_fields = ["client_key", "nonce"]
    list_filter = ["created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
