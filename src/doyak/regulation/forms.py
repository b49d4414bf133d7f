"""Forms of the regulation pages: every input bounded at the edge."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import MilestoneKind, NoteKind, TaskStatus


class DateInput(forms.DateInput):
    input_type = "date"


class RecordForm(forms.Form):
    applied_on = forms.DateField(label=_("Applied on"), required=False, widget=DateInput)
    granted_on = forms.DateField(label=_("Granted on"), required=False, widget=DateInput)
    effective_on = forms.DateField(label=_("Effective from"), required=False, widget=DateInput)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput,
                                 help_text=_("Empty: the policy's period from the grant."))
    conditions = forms.CharField(label=_("Conditions (period, place, scale, insurance)"), max_length=20000,
                                 required=False, widget=forms.Textarea(attrs={"rows": 2}))
    limit_months = forms.IntegerField(label=_("Period limit (months)"), min_value=0, max_value=1200, required=False)
    limit_place = forms.CharField(label=_("Place limit"), max_length=200, required=False)
    limit_scale = forms.CharField(label=_("Scale limit"), max_length=200, required=False)
    insurance_krw = forms.IntegerField(label=_("Liability insurance (won)"), min_value=0, max_value=10**15,
                                       required=False)
    law_amendment_pending = forms.BooleanField(label=_("A law-amendment request is pending"), required=False)


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MilestoneKind.choices)
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Date"), widget=DateInput)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_organization = forms.CharField(label=_("Contact's organisation"), max_length=100, required=False)
    text = forms.CharField(label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 2}))


class ConvertForm(forms.Form):
    applied_on = forms.DateField(label=_("Temporary permit applied on"), widget=DateInput)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=TaskStatus.choices)
    resolution = forms.CharField(label=_("Resolution"), max_length=20000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=DateInput)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class RegulatoryAgreementForm(forms.Form):
    number = forms.CharField(label=_("Regulatory agreement number"), max_length=40)
    ministry = forms.CharField(label=_("Regulating ministry"), max_length=100)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    terms = forms.CharField(label=_("What the agreement commits to"), max_length=20000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
