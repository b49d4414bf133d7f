"""Forms of the evaluation screens (they parse input; the services validate and write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import AppealStatus, ConflictKind, Objective, PanelFormat


def _text_list(value) -> str:
    return ", ".join(value or [])


class ProfileForm(forms.Form):
    """One's own pool entry (opt-in)."""

    keywords = forms.CharField(label=_("Expertise keywords"), required=False,
                               help_text=_("Separated by commas, in Korean or English."))
    technology_codes = forms.CharField(label=_("Technology classification codes"), required=False,
                                       help_text=_("e.g. EE0101, EA0203"))
    expertise_text = forms.CharField(label=_("Expertise in your words"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    is_economic_expert = forms.BooleanField(label=_("I am an economic/market expert"), required=False)
    max_load = forms.IntegerField(label=_("Most proposals at once"), min_value=1, max_value=50, initial=5)
    available_from = forms.DateField(label=_("Available from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    available_to = forms.DateField(label=_("Available until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    active = forms.BooleanField(label=_("Active in the pool"), required=False, initial=True)

    @classmethod
    def initial_of(cls, profile) -> dict:
        if profile is None:
            return {"max_load": 5, "active": True}
        return {"keywords": _text_list(profile.keywords), "technology_codes": _text_list(profile.technology_codes),
                "expertise_text": profile.expertise_text, "is_economic_expert": profile.is_economic_expert,
                "max_load": profile.max_load, "available_from": profile.available_from,
                "available_to": profile.available_to, "active": profile.active}


class ExpertForm(ProfileForm):
    """A pool entry the PM keeps: an outside expert (name, affiliation) or a registered researcher."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    researcher = forms.IntegerField(label=_("Researcher id (registered researchers)"), required=False)
    organization_name = forms.CharField(label=_("Organization"), max_length=200, required=False)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    field_order = ["name", "researcher", "organization_name", "department", "email"]

    @classmethod
    def initial_of(cls, profile) -> dict:
        data = super().initial_of(profile)
        if profile is not None:
            data.update(name=profile.name, organization_name=profile.organization_name,
                        department=profile.department, email=profile.email, researcher=profile.researcher_id)
        return data


class PanelForm(forms.Form):
    name = forms.CharField(label=_("Panel name"), max_length=100)
    format = forms.ChoiceField(label=_("Format"), choices=PanelFormat.choices)
    per_proposal = forms.IntegerField(label=_("Evaluators per proposal"), min_value=1, max_value=15)
    spread_alert_points = forms.DecimalField(label=_("Spread alert (points)"), min_value=1, max_value=100,
                                             decimal_places=2, initial=20,
                                             help_text=_("Alert when evaluators' totals for a proposal differ by "
                                                         "this much or more."))


class RunForm(forms.Form):
    objective = forms.ChoiceField(label=_("Objective"), choices=Objective.choices, initial=Objective.TOTAL)


class ManualAssignForm(forms.Form):
    proposal = forms.IntegerField(widget=forms.HiddenInput)
    profile = forms.IntegerField(label=_("Evaluator id"), min_value=1)


class DeclareForm(forms.Form):
    proposal = forms.IntegerField(widget=forms.HiddenInput)
    profile = forms.IntegerField(label=_("Evaluator id"), min_value=1)
    kind = forms.ChoiceField(label=_("Kind"), choices=ConflictKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class AppealForm(forms.Form):
    text = forms.CharField(label=_("Grounds of the appeal"), widget=forms.Textarea(attrs={"rows": 6}))


class AppealAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Outcome"), choices=[(AppealStatus.ACCEPTED, AppealStatus.ACCEPTED.label),
                                                           (AppealStatus.REJECTED, AppealStatus.REJECTED.label)])
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}))
    revised_score = forms.DecimalField(
        label=_("Revised score (upheld appeals only)"), required=False, min_value=0, max_value=100,
        max_digits=5, decimal_places=2,
        help_text=_("After a re-evaluation: the new aggregated score. Above the cut-off, the proposal takes part "
                    "in the selection again."))
