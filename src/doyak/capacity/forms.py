from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doyak.core.forms import WonField
from doyak.core.inputs import YEAR_MAX, YEAR_MIN
from doyak.core.money import WonInvalid, parse_won

from .enums import DemandKind, Instrument, InvestmentStage


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
