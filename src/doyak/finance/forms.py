from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from doyak.core.forms import WonField
from doyak.core.money import WON_MAX

from .enums import Category, Evidence


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Transaction file (CSV, XLSX or Parquet; UTF-8 or CP949)"))


class TransactionForm(forms.Form):
    txn_id = forms.CharField(label=_("Transaction id"), max_length=64)
    category = forms.ChoiceField(label=_("Cost category"), choices=Category.choices)
    amount_krw = WonField(label=_("Amount (won; negative for a refund or cancellation)"), min_value=-WON_MAX)
    occurred_at = forms.DateTimeField(label=_("Paid at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    merchant_id = forms.CharField(label=_("Merchant"), max_length=100)
    merchant_type = forms.CharField(label=_("Merchant type"), max_length=50)
    evidence = forms.ChoiceField(label=_("Evidence"), choices=Evidence.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence (PDF, JPEG or PNG)"))


class ExplainForm(forms.Form):
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("Evidence (PDF, JPEG or PNG, optional)"), required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
