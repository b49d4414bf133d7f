from django.contrib import admin

from .models import PolicySetting


@admin.register(PolicySetting)
class PolicySettingAdmin(admin.ModelAdmin):
    """Read-only history; new versions are made on the policy page so they are validated and audited."""

    list_display = ("key", "version", "value", "unit", "effective_from", "effective_to", "confirmed")
    list_filter = ("confirmed", "unit")
    search_fields = ("key", "label_ko", "label_en", "source")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
