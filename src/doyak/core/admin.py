from django.contrib import admin

from .models import AuditEvent, DailyRun


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited, not even by administrators."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DailyRun)
class DailyRunAdmin(admin.ModelAdmin):
    """Read-only: what each daily job did on each day (``doyak schedule_daily`` queues them)."""

    list_display = ("day", "job", "status", "attempts", "started_at", "finished_at", "lease_owner")
    list_filter = ("job", "status")
    readonly_fields = ("job", "day", "status", "task_id", "attempts", "result", "error", "started_at", "finished_at",
                       "lease_owner", "lease_expires_at", "heartbeat_at", "recoveries")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
