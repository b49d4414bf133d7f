from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import Aggregate, IndicatorUnit
from .measures import MEASURES
from .services import PILLARS


class IndicatorForm(forms.Form):
    key = forms.CharField(label=_("Key"), max_length=100, help_text=_("The plan target's key, e.g. max.ai_factories."))
    label_ko = forms.CharField(label=_("Label (Korean)"), max_length=200)
    label_en = forms.CharField(label=_("Label (English)"), max_length=200)
    pillar = forms.ChoiceField(label=_("Plan pillar"), choices=[(p, p) for p in PILLARS])
    unit = forms.ChoiceField(label=_("Unit"), choices=IndicatorUnit.choices)
    aggregate = forms.ChoiceField(label=_("Aggregate"), choices=Aggregate.choices)
    cumulative = forms.BooleanField(label=_("Cumulative"), required=False)
    increasing = forms.BooleanField(label=_("Higher is better"), required=False, initial=True)
    dedup_key = forms.CharField(label=_("De-duplication key"), max_length=100)
    selector = forms.ChoiceField(label=_("Selector"))
    selector_params = forms.CharField(label=_("Selector parameters (JSON)"), required=False, max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}), initial="{}")
    baseline = forms.DecimalField(label=_("Baseline"), required=False, max_digits=20, decimal_places=2)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False, min_value=1900, max_value=2100)
    relative = forms.BooleanField(label=_("Targets relative to the baseline"), required=False)
    trajectory = forms.CharField(label=_("Target per year"), max_length=2000,
                                 help_text=_("One year and target per line, e.g. 2026 100."),
                                 widget=forms.Textarea(attrs={"rows": 5}))
    target_policy = forms.CharField(label=_("Plan target policy"), max_length=100, required=False)
    source = forms.CharField(label=_("Source"), max_length=300)
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selector"].choices = [(name, name) for name in sorted(MEASURES)]

    def clean_selector_params(self):
        raw = self.cleaned_data.get("selector_params") or "{}"
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Write a JSON object.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write a JSON object."))
        return value

    def clean_trajectory(self):
        points = {}
        for line in self.cleaned_data["trajectory"].splitlines():
            if not line.strip():
                continue
            parts = line.replace(":", " ").split()
            if len(parts) != 2 or not parts[0].isascii() or not parts[0].isdigit():
                raise forms.ValidationError(_("One year and target per line, e.g. 2026 100."))
            points[parts[0]] = parts[1].replace(",", "")
        return points
