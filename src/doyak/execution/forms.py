"""Forms of the execution pages: every input bounded at the edge."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import Diligence, Grade, SpecialOutcome, StopReason


class StopForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=StopReason.choices)
    explanation = forms.CharField(label=_("Explanation of the request"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    proposed_goals = forms.CharField(label=_("New goals, one a line (for a goal change)"), max_length=20000,
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def goals(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["proposed_goals"].splitlines() if line.strip()][:50]


class ResultForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=[("", "–"), *Grade.choices], required=False)
    diligence = forms.ChoiceField(label=_("Diligence"), choices=[("", "–"), *Diligence.choices], required=False)
    outcome = forms.ChoiceField(label=_("Decision"), choices=[("", "–"), *SpecialOutcome.choices], required=False)
    goal_met_early = forms.BooleanField(label=_("Goal reached early (waives the final evaluation)"), required=False)
    comments = forms.CharField(label=_("Panel's comments"), max_length=10000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class GradeForm(forms.Form):
    """An evaluator's own judgement: the grade (of the scheme in force) or, in a special evaluation, the
    decision; the diligence; the goal reached early (stage); comments."""

    grade = forms.ChoiceField(label=_("Grade"), choices=[("", "–"), *Grade.choices], required=False)
    diligence = forms.ChoiceField(label=_("Diligence"), choices=[("", "–"), *Diligence.choices], required=False)
    outcome = forms.ChoiceField(label=_("Decision"), choices=[("", "–"), *SpecialOutcome.choices], required=False)
    goal_met_early = forms.BooleanField(label=_("Goal reached early (waives the final evaluation)"), required=False)
    comments = forms.CharField(label=_("Your comments"), max_length=10000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, grades: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if grades:
            self.fields["grade"].choices = [("", "–"), *[(g, Grade(g).label) for g in grades]]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Comments"), max_length=10000, required=False,
                           widget=forms.Textarea(attrs={"rows": 6}))


class ReportTextsForm(forms.Form):
    """The report's free texts, rendered through the form renderer (KRDS text areas): each goal's achievement
    (``achievement_<i>``, in the goals table) and the summary. The ids are the field names, as the rest of the
    report form's controls; what is posted is read and checked by ``views._report_data`` and the service."""

    summary = forms.CharField(label=_("Summary"), max_length=20000, required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, achievements: list[str], summary: str = "", **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        for index, text in enumerate(achievements[:50]):
            self.fields[f"achievement_{index}"] = forms.CharField(
                label=_("Achievement"), max_length=5000, required=False, initial=text,
                widget=forms.Textarea(attrs={"rows": 3, "class": "dy-cell-textarea"}))
        self.fields["summary"].initial = summary
        self.achievement_fields = [self[f"achievement_{i}"] for i in range(min(len(achievements), 50))]


class DecideForm(forms.Form):
    ban_months = forms.IntegerField(label=_("Participation ban (months)"), min_value=0, max_value=120)
    surcharge_krw = forms.IntegerField(label=_("Surcharge (won)"), min_value=0, max_value=10**15, required=False)
    note = forms.CharField(label=_("Reasons"), max_length=10000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class MisuseForm(forms.Form):
    misused_krw = forms.IntegerField(label=_("Misused funds (won)"), min_value=1, max_value=10**15 - 1)
