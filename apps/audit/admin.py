"""Django admin for the audit log: read-only, as the log is append-only."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from apps.audit.models import AuditEntry
from apps.school.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "mark_kind", "mark_id", "change", "changed_by", "channel", "school"]
    list_select_related = ["changed_by", "school"]
    list_filter = ["school", "mark_kind", "channel", "changed_at"]
    search_fields = ["=mark_id", "changed_by__username"]
    date_hierarchy = "changed_at"
    show_full_result_count = False
    fields = ["school", "mark_kind", "mark_id", "key_json", "before_json", "after_json", "changed_by", "channel"]
    readonly_fields = fields + ["changed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "changed_by")

    @admin.display(description="change")
    def change(self, obj) -> str:
        before = (obj.before or {}).get("code_id")
        after = (obj.after or {}).get("code_id")
        return f"code {before if before is not None else '–'} → {after if after is not None else '–'}"

    def _json(self, value) -> str:
        return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))

    @admin.display(description="key")
    def key_json(self, obj) -> str:
        return self._json(obj.key)

    @admin.display(description="before")
    def before_json(self, obj) -> str:
        return self._json(obj.before)

    @admin.display(description="after")
    def after_json(self, obj) -> str:
        return self._json(obj.after)
