from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doyak.core.forms import WonField
from doyak.core.inputs import YEAR_MAX, YEAR_MIN
from doyak.core.money import WonInvalid, parse_won

from .enums import CareerEventKind, DemandKind, ExitKind, Instrument, InvestmentStage

PROJECT_REFS_MAX = 50  # how many project numbers one registry form links at once


class _Date(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def clean(self, value):
        value = super().clean(value)
        if value and not YEAR_MIN <= value.year <= YEAR_MAX:
            raise forms.ValidationError(_("Give a date from %(min)s to %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX})
        return value


class SurveyForm(forms.Form):
    program_id = forms.TypedChoiceField(label=_("Program"), coerce=int)
    title = forms.CharField(label=pgettext_lazy("survey", "Title"), max_length=200)
    closes_on = _Date(label=_("Closes on"))
    topics = forms.CharField(label=_("Candidate topics"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=_("One topic a line: title | technology codes | expected budget in won."))

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program_id"].choices = [(p.pk, str(p)) for p in programs]

    def clean_topics(self):
        out = []
        for line in self.cleaned_data["topics"].splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            try:
                budget = parse_won(parts[2]) if len(parts) > 2 and parts[2] else 0
            except WonInvalid as exc:
                raise forms.ValidationError(str(exc)) from None
            out.append({"title": parts[0][:200], "technology_codes": parts[1] if len(parts) > 1 else "",
                        "expected_budget_krw": budget})
        if not out:
            raise forms.ValidationError(_("Name at least one candidate topic."))
        return out


class DemandForm(forms.Form):
    kind = forms.ChoiceField(label=_("Interest"), choices=DemandKind.choices)
    amount_krw = WonField(label=_("Amount (won)"))
    stage = forms.ChoiceField(label=_("Stage"), choices=InvestmentStage.choices)
    condition = forms.CharField(label=_("Condition"), max_length=500, required=False)
    comment = forms.CharField(label=_("Comment"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class CarryForm(forms.Form):
    call_id = forms.TypedChoiceField(label=_("Call"), coerce=int)

    def __init__(self, *args, calls=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call_id"].choices = [(c.pk, f"{c.reference} {c.title_ko}") for c in calls]


class LetterConfirmForm(forms.Form):
    letter_id = forms.TypedChoiceField(label=_("Investor letter"), coerce=int)
    committed_on = _Date(label=_("Committed on"))
    amount_krw = WonField(label=_("Amount (won)"), required=False,
                          help_text=_("Leave empty to commit the letter's amount."))

    def __init__(self, *args, letters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter_id"].choices = [
            (x.pk, f"{x.proposal.reference} · {x.investor_name} · {x.amount_krw:,}") for x in letters]


class InvestmentForm(forms.Form):
    proposal_id = forms.TypedChoiceField(label=_("Project it follows"), coerce=int, required=False, empty_value=None)
    follows_id = forms.TypedChoiceField(label=_("Follow-on of"), coerce=int, required=False, empty_value=None)
    invested_on = _Date(label=_("Invested on"))
    amount_krw = WonField(label=_("Amount (won)"))
    instrument = forms.ChoiceField(label=_("Instrument"), choices=Instrument.choices)
    stage = forms.ChoiceField(label=_("Stage"), choices=InvestmentStage.choices)

    def __init__(self, *args, projects=(), rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal_id"].choices = [("", "-")] + [(p.pk, f"{p.reference} {p.title_ko}") for p in projects]
        self.fields["follows_id"].choices = [("", "-")] + [
            (i.pk, f"{i.organization.name} {i.invested_on:%Y-%m-%d} {i.amount_krw:,}") for i in rounds]


class NominationForm(forms.Form):
    researcher_id = forms.TypedChoiceField(label=_("Researcher"), coerce=int)
    reason = forms.CharField(label=_("Reason for the nomination"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, researchers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["researcher_id"].choices = [(r.pk, f"{r.name} · {r.get_career_stage_display()}")
                                                for r in researchers]


class ReviewerForm(forms.Form):
    profile_id = forms.TypedChoiceField(label=_("Reviewer from the evaluator pool"), coerce=int)

    def __init__(self, *args, profiles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile_id"].choices = [(p.pk, f"{p.name} · {p.affiliation}") for p in profiles]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=pgettext_lazy("star engineer", "Decision"), choices=[
        ("designate", _("Designate a star engineer")), ("decline", _("Do not designate"))])
    on = _Date(label=_("Date"), required=False)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


# ---------------------------------------------------------------------------------------------- record forms
def _org_choices(orgs, *, blank: bool = False) -> list:
    return ([("", "-")] if blank else []) + [(o.pk, o.name) for o in orgs]


class ProjectReferencesField(forms.CharField):
    """Project numbers separated by commas or spaces, turned into the ids of submitted projects; an unknown or
    draft number is named in the error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Project numbers, separated by commas."))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value) or ""
        refs = list(dict.fromkeys(r for r in text.replace(",", " ").split() if r))
        if len(refs) > PROJECT_REFS_MAX:
            raise forms.ValidationError(_("Link at most %(max)s projects at once.") % {"max": PROJECT_REFS_MAX})
        if not refs:
            return []
        from doyak.proposals.enums import ProposalStatus
        from doyak.proposals.models import Proposal

        found = dict(Proposal.objects.filter(reference__in=refs).exclude(status=ProposalStatus.DRAFT)
                     .values_list("reference", "pk"))
        unknown = [r for r in refs if r not in found]
        if unknown:
            raise forms.ValidationError(_("No submitted project has the number %(refs)s.") % {
                "refs": ", ".join(unknown)})
        return [found[r] for r in refs]


class ProjectReferenceField(ProjectReferencesField):
    """One project number (or none), as the id of a submitted project."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "")
        super().__init__(**kwargs)

    def clean(self, value):
        if value and len(str(value).replace(",", " ").split()) > 1:
            raise forms.ValidationError(_("Give one project number."))
        ids = super().clean(value)
        return ids[0] if ids else None


class FundForm(forms.Form):
    name = forms.CharField(label=_("Fund name"), max_length=200)
    size_krw = WonField(label=_("Size (won)"), min_value=1)
    vintage = forms.IntegerField(label=_("Vintage"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    manager_id = forms.TypedChoiceField(label=_("Manager"), coerce=int,
                                        help_text=_("The investment firm that manages the fund."))

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager_id"].choices = _org_choices(managers)


class CommitmentForm(forms.Form):
    proposal_id = ProjectReferenceField(label=_("Project number"),
                                        help_text=_("The project committed to; its lead company unless you name "
                                                    "another."))
    organization_id = forms.TypedChoiceField(label=_("Company"), coerce=int, required=False, empty_value=None)
    amount_krw = WonField(label=_("Amount (won)"), min_value=1)
    committed_on = _Date(label=_("Committed on"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization_id"].choices = _org_choices(companies, blank=True)

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("proposal_id") is None and data.get("organization_id") is None:
            self.add_error("organization_id", _("Name the project or the company."))
        return data


class ExitForm(forms.Form):
    investment_id = forms.TypedChoiceField(label=_("Investment"), coerce=int)
    exited_on = _Date(label=_("Exited on"))
    kind = forms.ChoiceField(label=_("How the fund exited"), choices=ExitKind.choices)
    proceeds_krw = WonField(label=_("Proceeds (won)"))

    def __init__(self, *args, investments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investment_id"].choices = [
            (i.pk, f"{i.organization.name} · {i.invested_on:%Y-%m-%d} · {i.amount_krw:,}") for i in investments]


def _region_choices(regions) -> list:
    return [(r.code, f"{r.name} ({r.get_group_display()})") for r in regions]


class JointLabForm(forms.Form):
    name = forms.CharField(label=_("Joint lab"), max_length=200)
    host_id = forms.TypedChoiceField(label=_("Host research institute"), coerce=int)
    partner_ids = forms.TypedMultipleChoiceField(label=_("Partner companies"), coerce=int,
                                                 widget=forms.SelectMultiple(attrs={"size": 8}),
                                                 help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."))
    region_code = forms.ChoiceField(label=_("Region"))
    field = forms.CharField(label=pgettext_lazy("research field", "Field"), max_length=100)
    opened_on = _Date(label=_("Opened on"))
    proposal_ids = ProjectReferencesField(label=pgettext_lazy("linked projects", "Projects"))

    def __init__(self, *args, hosts=(), companies=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_id"].choices = _org_choices(hosts)
        self.fields["partner_ids"].choices = _org_choices(companies)
        self.fields["region_code"].choices = _region_choices(regions)


class GraduateSchoolForm(forms.Form):
    name = forms.CharField(label=_("Graduate school"), max_length=200)
    university_id = forms.TypedChoiceField(label=_("University"), coerce=int)
    field = forms.CharField(label=pgettext_lazy("research field", "Field"), max_length=100)
    region_code = forms.ChoiceField(label=_("Region"))
    designation_year = forms.IntegerField(label=_("Designation year"), min_value=1990, max_value=YEAR_MAX)
    students = forms.IntegerField(label=_("Students"), min_value=0, max_value=100_000, initial=0)
    proposal_ids = ProjectReferencesField(label=pgettext_lazy("linked projects", "Projects"))

    def __init__(self, *args, universities=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["university_id"].choices = _org_choices(universities)
        self.fields["region_code"].choices = _region_choices(regions)


class ProjectLinkForm(forms.Form):
    proposal_ids = ProjectReferencesField(label=_("Projects to link"), required=True)


class CareerEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of record"), choices=CareerEventKind.choices)
    started_on = _Date(label=_("Date (doctorate) or start of the position"))
    ended_on = _Date(label=_("End of the position"), required=False)
    title = forms.CharField(label=_("Position or degree"), max_length=200, required=False)


class OpinionForm(forms.Form):
    recommends = forms.TypedChoiceField(label=_("Your opinion"), coerce=lambda v: v == "yes",
                                        choices=[("yes", _("Recommend the designation")),
                                                 ("no", _("Do not recommend"))], widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
