"""Forms of the portfolio screens (they parse input; the services validate and write)."""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from doyak.calls.models import Call
from doyak.core.forms import WonField
from doyak.core.inputs import INT_MAX
from doyak.engine.regions import NON_CAPITAL, REGION_GROUPS
from doyak.programs.enums import Track
from doyak.programs.models import Program
from doyak.regions.enums import RegionGroup

from .presentation import OBJECTIVE_LABELS

OBJECTIVE_CHOICES = list(OBJECTIVE_LABELS.items())
REGION_GROUP_CHOICES = [("", _("Any region")), (NON_CAPITAL, _("Non-capital (all but the capital region)"))] + [
    (value, label) for value, label in RegionGroup.choices if value in REGION_GROUPS
]
TRACK_CHOICES = [("", _("Any track")), *Track.choices]
ANCHOR_CHOICES = [("", _("Either")), ("yes", _("Anchor-led")), ("no", _("Not anchor-led"))]
# Group keys the form shows; any other key of a stored group (org_size, region, program…) is kept as it is.
_FORM_GROUP_KEYS = ("track", "region_group", "cost_min", "cost_max", "anchor_led")


class ScenarioCreateForm(forms.Form):
    name = forms.CharField(label=_("Scenario name"), max_length=120)
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.order_by("-year", "code"),
                                     required=False, help_text=_("For a whole program year."))
    call = forms.ModelChoiceField(label=_("Call"), queryset=Call.objects.select_related("program").order_by("-opens_at"),
                                  required=False, help_text=_("For one call; leave empty to choose across the program year."))

    def clean(self):
        data = super().clean()
        if not data.get("program") and not data.get("call"):
            raise forms.ValidationError(_("Choose a call or a program."))
        return data


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Scenario name"), max_length=120)
    budget = WonField(label=_("Budget (won)"))
    min_score = forms.DecimalField(label=_("Cut-off score"), required=False, max_digits=6, decimal_places=2,
                                   help_text=_("Proposals scoring below it are never funded."))
    objective = forms.ChoiceField(label=_("Objective"), choices=OBJECTIVE_CHOICES)

    @classmethod
    def initial_of(cls, scenario) -> dict:
        p = scenario.policy
        return {"name": scenario.name, "budget": p.get("budget"), "min_score": p.get("min_score"),
                "objective": p.get("objective", "score_weighted_budget")}


class ConstraintForm(forms.Form):
    name = forms.CharField(label=_("Constraint"), max_length=100, required=False)
    track = forms.ChoiceField(label=_("Track"), choices=TRACK_CHOICES, required=False)
    region_group = forms.ChoiceField(label=_("Region"), choices=REGION_GROUP_CHOICES, required=False)
    cost_min = WonField(label=_("Funds at least (won)"), required=False)
    cost_max = WonField(label=_("Funds at most (won)"), required=False)
    anchor_led = forms.ChoiceField(label=_("Demand-anchor lead"), choices=ANCHOR_CHOICES, required=False)
    count_min = forms.IntegerField(label=_("Projects at least"), min_value=0, max_value=INT_MAX, required=False)
    count_max = forms.IntegerField(label=_("Projects at most"), min_value=0, max_value=INT_MAX, required=False)
    budget_min = WonField(label=_("Budget at least (won)"), required=False)
    budget_max = WonField(label=_("Budget at most (won)"), required=False)
    budget_share_min = forms.DecimalField(label=_("Budget share at least (%)"), min_value=0, max_value=100,
                                          max_digits=7, decimal_places=4, required=False)
    budget_share_max = forms.DecimalField(label=_("Budget share at most (%)"), min_value=0, max_value=100,
                                          max_digits=7, decimal_places=4, required=False)
    other_group = forms.CharField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_of(cls, constraint: dict) -> dict:
        group = constraint.get("group", {})
        data = {"name": constraint.get("name", "")}
        for key in ("count_min", "count_max", "budget_min", "budget_max"):
            data[key] = constraint.get(key)
        for key in ("budget_share_min", "budget_share_max"):
            if constraint.get(key) is not None:
                data[key] = f"{(Decimal(str(constraint[key])) * 100).normalize():f}"
        track, region_group = group.get("track"), group.get("region_group")
        data["track"] = track if isinstance(track, str) else ""
        data["region_group"] = region_group if isinstance(region_group, str) else ""
        data["cost_min"], data["cost_max"] = group.get("cost_min"), group.get("cost_max")
        data["anchor_led"] = {True: "yes", False: "no"}.get(group.get("anchor_led"), "")
        other = {k: v for k, v in group.items()
                 if k not in _FORM_GROUP_KEYS or (k in ("track", "region_group") and not isinstance(v, str))}
        data["other_group"] = json.dumps(other, ensure_ascii=False) if other else ""
        return data

    def to_policy(self) -> dict | None:
        """The constraint in ``doyak select``'s schema; None for a row left empty."""
        d = self.cleaned_data
        if not d.get("name"):
            return None
        group: dict = json.loads(d["other_group"]) if d.get("other_group") else {}
        for key in ("track", "region_group"):
            if d.get(key):
                group[key] = d[key]
        for key in ("cost_min", "cost_max"):
            if d.get(key) is not None:
                group[key] = d[key]
        if d.get("anchor_led"):
            group["anchor_led"] = d["anchor_led"] == "yes"
        out: dict = {"name": d["name"].strip(), "group": group}
        for key in ("count_min", "count_max", "budget_min", "budget_max"):
            if d.get(key) is not None:
                out[key] = d[key]
        for key in ("budget_share_min", "budget_share_max"):
            if d.get(key) is not None:
                out[key] = float(d[key] / 100)
        return out


ConstraintFormSet = forms.formset_factory(ConstraintForm, extra=1, max_num=40, validate_max=True)


def policy_from_forms(policy_form: PolicyForm, formset) -> dict:
    d = policy_form.cleaned_data
    policy: dict = {"budget": d["budget"], "objective": d["objective"],
                    "constraint": [c for c in (f.to_policy() for f in formset.forms) if c is not None]}
    if d.get("min_score") is not None:
        policy["min_score"] = float(d["min_score"])
    return policy
