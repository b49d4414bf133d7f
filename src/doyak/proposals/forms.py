from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from doyak.core.forms import WonField
from doyak.core.inputs import INT_MAX
from doyak.regions.selectors import region_list_valid_on

from .enums import AttachmentKind, MemberRole, SanctionKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ListField(forms.CharField):
    """Comma- or semicolon-separated words shown and edited as one line."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]


class ProposalStartForm(forms.Form):
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)


class BasicsForm(forms.Form):
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    abstract_ko = forms.CharField(label=_("Abstract (Korean)"), widget=forms.Textarea, required=False)
    abstract_en = forms.CharField(label=_("Abstract (English)"), widget=forms.Textarea, required=False)
    keywords = ListField(label=_("Keywords"), required=False, help_text=_("Separate with commas."))
    technology_codes = ListField(label=_("Technology classification codes"), required=False,
                                 help_text=_("Separate with commas, e.g. EA0101, EB0203."))
    start_date = forms.DateField(label=_("Start date"), widget=DateInput(), required=False)
    end_date = forms.DateField(label=_("End date"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The project must end on or after its start."))
        return data


class MemberForm(forms.Form):
    business_registration_number = forms.CharField(label=_("Business registration number"), max_length=12,
                                                   help_text=_("10 digits; hyphens are ignored."))
    role = forms.ChoiceField(label=_("Role in the consortium"),
                             choices=[c for c in MemberRole.choices if c[0] != MemberRole.LEAD])

    def clean_business_registration_number(self):
        return self.cleaned_data["business_registration_number"].replace("-", "").strip()


class TeamMemberForm(forms.Form):
    """A researcher with their time per month: one value for every month, and any month typed differently."""

    national_researcher_number = forms.CharField(label=_("National researcher number"), max_length=8)
    is_pi = forms.BooleanField(label=_("Principal investigator"), required=False)
    percent = forms.DecimalField(label=_("Time charged each month (%)"), min_value=0, max_value=100,
                                 decimal_places=1, required=False,
                                 help_text=_("Applied to every month left blank in the month grid."))

    def __init__(self, *args, months: Sequence[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.months = list(months)
        for month in self.months:
            self.fields[self.month_field(month)] = forms.DecimalField(
                label=month, min_value=0, max_value=100, decimal_places=1, required=False,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1", "min": "0", "max": "100"}))

    @staticmethod
    def month_field(month: str) -> str:
        return f"month_{month}"

    def main_fields(self) -> list:
        return [self[name] for name in ("national_researcher_number", "is_pi", "percent")]

    def month_fields(self) -> list:
        return [(month, self[self.month_field(month)]) for month in self.months]

    def clean(self):
        data = super().clean()
        uniform = data.get("percent")
        monthly = {}
        for month in self.months:
            value = data.get(self.month_field(month))
            monthly[month] = value if value is not None else uniform
        if self.months and any(v is None for v in monthly.values()) and "percent" not in self.errors:
            self.add_error("percent", _("Enter the time charged every month, or one value for all months."))
        elif not self.months and uniform is None and "percent" not in self.errors:
            self.add_error("percent", _("Enter the time charged each month."))
        data["monthly_percent"] = monthly
        return data


class RippleForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)
    investment_krw = WonField(label=_("Planned investment (won)"), initial=0)
    jobs = forms.IntegerField(label=_("Jobs"), min_value=0, max_value=INT_MAX, initial=0)
    production_krw = WonField(label=_("Production (won)"), initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_list_valid_on().order_by("code")


class KpiForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    baseline = forms.DecimalField(label=_("Baseline"), required=False, max_digits=18, decimal_places=2)
    target = forms.DecimalField(label=_("Target"), max_digits=18, decimal_places=2)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class RegulationForm(forms.Form):
    regulation = forms.CharField(label=_("Regulation"), max_length=300)
    description = forms.CharField(label=_("Why the project needs an exemption"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)
    needed_by = forms.DateField(label=_("Needed by (demonstration date)"), widget=DateInput(), required=False)


class InvestorLetterForm(forms.Form):
    investor_name = forms.CharField(label=_("Investor"), max_length=200)
    amount_krw = WonField(label=_("Intended investment (won)"), initial=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))


class ImportForm(forms.Form):
    KIND_CHOICES = [("proposals", _("Proposals")), ("organizations", _("Organizations"))]
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("CSV or XLSX file"), help_text=_("UTF-8 or CP949 CSV, or XLSX; first row headers."))


class SanctionForm(forms.Form):
    """A sanction, abandoned project or unpaid surcharge of an organisation or a researcher (exactly one)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SanctionKind.choices)
    business_registration_number = forms.CharField(label=_("Organization's business registration number"),
                                                   max_length=12, required=False,
                                                   help_text=_("Leave empty when the record names a researcher."))
    national_researcher_number = forms.CharField(label=_("Researcher's national researcher number"), max_length=8,
                                                 required=False,
                                                 help_text=_("Leave empty when the record names an organization."))
    date = forms.DateField(label=_("Decision date"), widget=DateInput(), required=False)
    settled_on = forms.DateField(label=_("Settled on"), widget=DateInput(), required=False,
                                 help_text=_("For an unpaid surcharge: the day it was paid."))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def clean_business_registration_number(self):
        return self.cleaned_data["business_registration_number"].replace("-", "").strip()

    def clean_national_researcher_number(self):
        return self.cleaned_data["national_researcher_number"].strip()
