from django.contrib import admin

from .models import Attachment, BudgetLine, ConsortiumMember, Proposal, Sanction, TeamMember


class MemberInline(admin.TabularInline):
    model = ConsortiumMember
    extra = 0
    raw_id_fields = ("organization",)


class TeamInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ("researcher",)


class BudgetInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    raw_id_fields = ("organization",)


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("reference", "title_ko", "call", "lead_organization", "status", "gov_total_krw", "submitted_at")
    list_filter = ("status", "call__track")
    search_fields = ("reference", "title_ko", "title_en")
    raw_id_fields = ("call", "lead_organization", "pi", "created_by")
    list_select_related = ("call", "lead_organization")
    inlines = [MemberInline, TeamInline, BudgetInline]


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    list_display = ("kind", "organization", "researcher", "date", "settled_on")
    list_filter = ("kind",)
    search_fields = ("organization__name", "researcher__name", "researcher__national_researcher_number", "note")
    raw_id_fields = ("organization", "researcher")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "proposal", "kind", "size", "uploaded_at")
    raw_id_fields = ("proposal",)
