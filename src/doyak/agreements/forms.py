from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from doyak.core.inputs import BIGINT_MAX, TEXT_MAX
from doyak.organizations.models import Researcher
from doyak.proposals.enums import CostCategory


class ResearcherChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Researcher) -> str:
        return obj.name


class ResearchersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Researcher) -> str:
        return obj.name


class ChangeForm(forms.Form):
    """The draft of the next version: the terms a person edits on the request page (the API edits them all)."""

    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False, max_length=TEXT_MAX)
    pi = ResearcherChoice(label=_("Principal investigator"), queryset=Researcher.objects.none())
    staff = ResearchersChoice(label=_("Researchers other than the PI"), required=False,
                                           queryset=Researcher.objects.none(), widget=forms.CheckboxSelectMultiple)
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}),
                               input_formats=["%Y-%m-%d"])
    effective_date = forms.DateField(
        label=_("To take effect on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
        help_text=_("Empty: the day the program manager approves. A notice takes effect on submission."))
    goals = forms.CharField(label=_("Goals (one per line)"), widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=TEXT_MAX)
    method = forms.CharField(label=_("Research method and content"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, max_length=TEXT_MAX)

    def __init__(self, *args, terms: dict, organization_ids: set[int], effective_date: dt.date | None = None,
                 **kwargs):
        self.terms = terms
        named = {p["id"] for p in [terms.get("pi") or {"id": 0}, *terms["staff"]]}
        people = Researcher.objects.filter(organization_id__in=organization_ids) | Researcher.objects.filter(
            pk__in=named)
        initial = {"reason": "", "pi": (terms.get("pi") or {}).get("id"), "staff": [s["id"] for s in terms["staff"]],
                   "end_date": dt.date.fromisoformat(terms["end_date"]), "effective_date": effective_date,
                   "goals": "\n".join(terms["goals"]),
                   "method": terms.get("method", "")}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["pi"].queryset = people.distinct().order_by("name")
        self.fields["staff"].queryset = people.distinct().order_by("name")
        self.budget_rows = []
        for index, line in enumerate(terms["budget"]):
            category = str(CostCategory(line["category"]).label) if line["category"] in CostCategory.values else (
                line["category"])
            label = f"{line['year']} · {line['organization']} · {category}"
            for source, source_label in (("gov", _("government funds")), ("cash", _("institution cash"))):
                name = f"{source}_{index}"
                self.fields[name] = forms.IntegerField(label=f"{label} · {source_label}", min_value=0,
                                                       max_value=BIGINT_MAX, initial=line[f"{source}_krw"])
            self.budget_rows.append({"label": label, "gov": self[f"gov_{index}"], "cash": self[f"cash_{index}"]})

    def edits(self) -> dict:
        data = self.cleaned_data
        budget = [{**line, "gov_krw": data[f"gov_{i}"], "cash_krw": data[f"cash_{i}"]}
                  for i, line in enumerate(self.terms["budget"])]
        return {"pi_id": data["pi"].pk, "staff_ids": [r.pk for r in data["staff"]], "end_date": data["end_date"],
                "effective_date": data["effective_date"],
                "goals": data["goals"].splitlines(), "method": data["method"], "budget": budget}


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=TEXT_MAX)
