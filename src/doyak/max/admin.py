from django.contrib import admin

from .models import Asset


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "status", "planned_date", "achieved_date")
    list_filter = ("kind", "status")
    search_fields = ("name",)
    readonly_fields = [f.name for f in Asset._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
