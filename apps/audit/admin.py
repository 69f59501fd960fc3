"""Django admin for the audit log (read-only, as the log is append-only), and the change log of
what is edited in the Django admin: ``AuditedAdmin`` logs each save and delete of its pages."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from apps.audit.log import log_change, state
from apps.audit.models import AuditEntry, ChangeChannel
from apps.school.admin import AttendanceCodeAdmin, ReadOnlyAdmin, SchoolAdmin
from apps.school.models import AttendanceCode, Profile, School


class AuditedAdmin(admin.ModelAdmin):
    """Logs every add, change and delete made on these pages (channel "admin"), inside the
    transaction the admin runs each page in; "before" is read from the database, locked."""

    def _stored_state(self, obj):
        return state(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first())

    def save_model(self, request, obj, form, change):
        before = self._stored_state(obj) if change else None
        super().save_model(request, obj, form, change)
        log_change(obj, actor=request.user, channel=ChangeChannel.ADMIN, before=before, after=state(obj))

    def delete_model(self, request, obj):
        log_change(obj, actor=request.user, channel=ChangeChannel.ADMIN, before=self._stored_state(obj), after=None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            log_change(obj, actor=request.user, channel=ChangeChannel.ADMIN, before=state(obj), after=None)
        super().delete_queryset(request, queryset)


# The school app is the lowest and imports no other: its pages of what the log keeps (the
# school's settings, its attendance codes) are registered here, with the log.
@admin.register(School)
class AuditedSchoolAdmin(AuditedAdmin, SchoolAdmin):
    pass


@admin.register(Profile)
class AuditedProfileAdmin(AuditedAdmin):
    """A login's own language (apps/languages/choice.py)."""

    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]


@admin.register(AttendanceCode)
class AuditedAttendanceCodeAdmin(AuditedAdmin, AttendanceCodeAdmin):
    pass


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
        if obj.mark_kind in AuditEntry.MARKS:
            before = (obj.before or {}).get("code_id")
            after = (obj.after or {}).get("code_id")
            return f"code {before if before is not None else '–'} → {after if after is not None else '–'}"
        before, after = obj.before or {}, obj.after or {}
        changed = sorted(name for name in {*before, *after} if before.get(name) != after.get(name))
        verb = "added" if obj.before is None else "removed" if obj.after is None else "changed"
        return f"{verb}: {', '.join(changed)}" if verb == "changed" else verb

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
