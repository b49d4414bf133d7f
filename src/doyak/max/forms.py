from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doyak.core.inputs import YEAR_MAX, YEAR_MIN
from doyak.regions.selectors import region_list_valid_on

from .enums import AdoptionLevel, AssetKind


class _Date(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def clean(self, value):
        value = super().clean(value)
        if value and not YEAR_MIN <= value.year <= YEAR_MAX:
            raise forms.ValidationError(_("Give a date from %(min)s to %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX})
        return value


class AssetRegisterForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("max asset", "Kind"), choices=AssetKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200,
                           help_text=_("The factory's site, the model, the demonstration or the milestone."))
    region_code = forms.ChoiceField(label=_("Region"))
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    adoption_level = forms.ChoiceField(label=_("Level of AI adoption"), required=False,
                                       choices=[("", _("Not a factory")), *AdoptionLevel.choices])
    robot = forms.CharField(label=_("Robot"), max_length=200, required=False)
    task = forms.CharField(label=_("Task"), max_length=200, required=False)
    start_date = _Date(label=_("Start date"), required=False)
    end_date = _Date(label=_("End date"), required=False)
    planned_date = _Date(label=_("Planned date"))
    achieved_date = _Date(label=_("Achieved on"), required=False,
                          help_text=_("Operational date, release date, demonstration end or milestone reached."))
    proposal_ids = forms.TypedMultipleChoiceField(label=pgettext_lazy("max asset", "Projects"), coerce=int,
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in region_list_valid_on().order_by("code")]
        self.fields["proposal_ids"].choices = [(p.pk, str(p)) for p in projects]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=pgettext_lazy("max asset", "Evidence (PDF, JPEG or PNG)"))


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(label=pgettext_lazy("max asset", "Decision"), choices=[("verify", _("Verify")), ("reject", pgettext_lazy("max asset", "Reject"))])
    achieved_date = _Date(label=_("Achieved on"), required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
