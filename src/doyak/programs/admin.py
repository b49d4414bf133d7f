from django.contrib import admin

from .models import Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "year", "name_ko", "pillar", "budget_krw")
    list_filter = ("year", "pillar")
    search_fields = ("code", "name_ko", "name_en")
