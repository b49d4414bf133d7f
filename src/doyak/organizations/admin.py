from django.contrib import admin

from .models import Organization, Researcher


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "business_registration_number", "org_type", "region", "is_demand_anchor")
    list_filter = ("org_type", "region__group", "is_demand_anchor", "self_settlement_eligible")
    search_fields = ("name", "business_registration_number", "corporate_group")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)


@admin.register(Researcher)
class ResearcherAdmin(admin.ModelAdmin):
    list_display = ("name", "national_researcher_number", "organization", "department", "career_stage")
    list_filter = ("career_stage",)
    search_fields = ("name", "national_researcher_number", "department")
    raw_id_fields = ("organization", "advisor")
    list_select_related = ("organization",)
