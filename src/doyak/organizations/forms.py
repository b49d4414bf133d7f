from django import forms

from .models import Organization


class OrganizationMemberForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "name_en", "corporate_group"]


class OrganizationAdminForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "name_en", "corporate_group", "org_type", "region", "is_demand_anchor",
                  "indirect_cost_rate", "self_settlement_eligible"]
