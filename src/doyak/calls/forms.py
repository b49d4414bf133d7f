from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doyak.core.forms import WonField
from doyak.core.inputs import SMALLINT_MAX
from doyak.organizations.enums import OrganizationType
from doyak.programs.enums import Track
from doyak.programs.models import Program, SubProgram
from doyak.proposals.enums import AttachmentKind
from doyak.regions.selectors import region_list_valid_on

from .enums import Aggregation, CriterionKind, EvaluationFormat, ScoringMode
from .policies import call_evaluation_defaults


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CallForm(forms.Form):
    """The call builder's main form: identity, window (Asia/Seoul), eligibility, evaluation settings."""

    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.order_by("-year", "code"))
    sub_program = forms.ModelChoiceField(label=_("Sub-program"), queryset=SubProgram.objects.select_related("program"),
                                         required=False)
    reference = forms.CharField(label=_("Call number"), max_length=40)
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    opens_at = forms.DateTimeField(label=_("Opens at (Korea time)"), widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(label=_("Closes at (Korea time)"), widget=DateTimeLocalInput())
    eligible_region_codes = forms.MultipleChoiceField(
        label=_("Eligible regions"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all regions. Regional-only calls default to the non-capital regions the policy names."))
    eligible_org_types = forms.MultipleChoiceField(label=_("Eligible lead organization types"), required=False,
                                                   choices=OrganizationType.choices, widget=forms.CheckboxSelectMultiple,
                                                   help_text=_("None ticked: all types."))
    required_documents = forms.MultipleChoiceField(label=_("Required documents"), required=False,
                                                   choices=AttachmentKind.choices, widget=forms.CheckboxSelectMultiple)
    budget_krw = WonField(label=_("Call budget (won)"), initial=0)
    max_gov_per_project_krw = WonField(label=_("Maximum government funds per project (won)"),
                                                 required=False)
    evaluation_format = forms.ChoiceField(label=_("Evaluation format"), choices=EvaluationFormat.choices)
    scoring_mode = forms.ChoiceField(label=_("Scoring"), choices=ScoringMode.choices)
    aggregation = forms.ChoiceField(label=_("Aggregation of evaluators' scores"), choices=Aggregation.choices)
    cutoff_score = forms.DecimalField(label=_("Cut-off score"), min_value=0, max_digits=5, decimal_places=2,
                                      required=False, help_text=_("Empty: the policy's default cut-off."))
    panel_size = forms.IntegerField(label=_("Evaluators per proposal"), min_value=1, max_value=SMALLINT_MAX, initial=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a new call starts from the policy's aggregation (an existing call's own value comes in ``initial``)
        self.fields["aggregation"].initial = call_evaluation_defaults(on=timezone.localdate()).aggregation
        self.fields["eligible_region_codes"].choices = [
            (r.code, f"{r.name} ({r.code})") for r in region_list_valid_on().order_by("code")]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("cutoff_score") is None:
            data.pop("cutoff_score", None)
        return data


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CriterionKind.choices)
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    weight = forms.DecimalField(label=_("Weight (points)"), min_value=0, max_digits=5, decimal_places=2)
    scale_max = forms.IntegerField(label=_("Scale maximum"), min_value=1, max_value=SMALLINT_MAX, initial=100)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True)
