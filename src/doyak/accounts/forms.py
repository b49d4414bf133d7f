"""Forms of the administration pages: invite a user, change a user's role and organisation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from doyak.organizations.models import Organization

from .enums import Role


class _OrganizationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.business_registration_number})" if obj.business_registration_number else obj.name


def _organization_field():
    return _OrganizationChoice(label=_("Organization"), required=False, empty_label=_("None"),
                               queryset=Organization.objects.order_by("name"),
                               help_text=_("Applicants act for their organization; other roles may leave it empty."))


class UserInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=150,
                             help_text=_("The person signs in with it and receives the link to set a password."))
    display_name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organization = _organization_field()


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organization = _organization_field()
