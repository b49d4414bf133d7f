from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "group", "valid_from", "valid_to")
    list_filter = ("group",)
    search_fields = ("code", "name_ko", "name_en")
    ordering = ("code", "valid_from")
