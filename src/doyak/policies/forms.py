import json

from django import forms
from django.utils.translation import gettext_lazy as _


class PolicyChangeForm(forms.Form):
    value = forms.CharField(label=_("New value"), help_text=_("A number, true/false, text, or a JSON list."))
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label=_("Legal or plan source"), max_length=300)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_value(self):
        raw = self.cleaned_data["value"].strip()
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
