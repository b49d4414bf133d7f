from django.contrib import admin

from .models import Program, SubProgram


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "year", "name_ko", "pillar", "budget_krw")
    list_filter = ("year", "pillar")
    search_fields = ("code", "name_ko", "name_en")


@admin.register(SubProgram)
class SubProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "program", "name_ko", "budget_krw")
    search_fields = ("code", "name_ko")
