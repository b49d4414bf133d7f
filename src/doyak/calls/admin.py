from django.contrib import admin

from .models import Call, Criterion


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("reference", "title_ko", "program", "track", "status", "opens_at", "closes_at")
    list_filter = ("status", "track")
    search_fields = ("reference", "title_ko", "title_en")
    raw_id_fields = ("program", "sub_program")
    inlines = [CriterionInline]
