from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from doyak.core.forms import WonField
from doyak.core.inputs import TEXT_MAX, YEAR_MAX, YEAR_MIN
from doyak.organizations.models import Organization, Researcher
from doyak.proposals.enums import CostCategory

from .enums import PartyRole
from .terms import other_cash_of

# How many rows a person may send in one formset (a bound on the edge, not a policy number).
ROWS_MAX = 50
# The institution search of the request page (bounds on the edge, not policy numbers): the shortest and
# longest text it takes, and how many matches it adds to the institution choices at most.
ORGANIZATION_QUERY_MIN, ORGANIZATION_QUERY_MAX, ORGANIZATION_MATCHES_MAX = 2, 100, 10


class ResearcherChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Researcher) -> str:
        return obj.name


class ResearchersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Researcher) -> str:
        return obj.name


class OrganizationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class ChangeForm(forms.Form):
    """The draft of the next version: the single terms and the budget amounts (the lists of KPIs, stages,
    parties and equipment are the formsets below; ``ChangeForms`` holds them all)."""

    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False, max_length=TEXT_MAX)
    lead_institution = OrganizationChoice(label=_("Lead institution"), queryset=Organization.objects.none())
    pi = ResearcherChoice(label=_("Principal investigator"), queryset=Researcher.objects.none())
    staff = ResearchersChoice(label=_("Researchers other than the PI"), required=False,
                                           queryset=Researcher.objects.none(), widget=forms.CheckboxSelectMultiple)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}),
                                 input_formats=["%Y-%m-%d"])
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
                 organizations=None, **kwargs):
        self.terms = terms
        named = {p["id"] for p in [terms.get("pi") or {"id": 0}, *terms["staff"]]}
        people = Researcher.objects.filter(organization_id__in=organization_ids) | Researcher.objects.filter(
            pk__in=named)
        initial = {"reason": "", "pi": (terms.get("pi") or {}).get("id"), "staff": [s["id"] for s in terms["staff"]],
                   "lead_institution": terms["lead_institution"]["id"],
                   "start_date": dt.date.fromisoformat(terms["start_date"]), "end_date": dt.date.fromisoformat(terms["end_date"]), "effective_date": effective_date,
                   "goals": "\n".join(terms["goals"]),
                   "method": terms.get("method", "")}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["lead_institution"].queryset = (organizations if organizations is not None
                                                    else organization_choices(terms=terms))
        self.fields["pi"].queryset = people.distinct().order_by("name")
        self.fields["staff"].queryset = people.distinct().order_by("name")
        self.budget_rows = []
        for index, line in enumerate(terms["budget"]):
            category = str(CostCategory(line["category"]).label) if line["category"] in CostCategory.values else (
                line["category"])
            label = f"{line['year']} · {line['organization']} · {category}"
            for source, source_label in (("gov", _("government funds")), ("cash", _("institution cash")),
                                         ("other", _("other cash"))):
                name = f"{source}_{index}"
                initial = other_cash_of(line) if source == "other" else line[f"{source}_krw"]
                self.fields[name] = WonField(label=f"{label} · {source_label}", initial=initial,
                                             required=source != "other")
            self.budget_rows.append({"label": label, "gov": self[f"gov_{index}"], "cash": self[f"cash_{index}"],
                                     "other": self[f"other_{index}"]})

    def edits(self) -> dict:
        data = self.cleaned_data
        budget = [{**line, "gov_krw": data[f"gov_{i}"], "cash_krw": data[f"cash_{i}"],
                   "other_cash_krw": data[f"other_{i}"] or 0}
                  for i, line in enumerate(self.terms["budget"])]
        return {"lead_institution_id": data["lead_institution"].pk, "pi_id": data["pi"].pk,
                "staff_ids": [r.pk for r in data["staff"]], "start_date": data["start_date"],
                "end_date": data["end_date"], "effective_date": data["effective_date"],
                "goals": data["goals"].splitlines(), "method": data["method"], "budget": budget}


def _posted_organization_ids(data) -> set[int]:
    """The institutions a posted request page names (the lead and each party row): at most ROWS_MAX + 1 ids."""
    if data is None:
        return set()
    values = [data.get("lead_institution", ""), *(data.get(f"party-{i}-organization", "") for i in range(ROWS_MAX))]
    return {int(v) for v in values if isinstance(v, str) and v.isdigit() and len(v) <= 18}


def organization_choices(*, terms: dict, data=None, extra=()):
    """The institutions the request page offers, bounded whatever the registry holds: the proposed version's
    lead, parties and budget institutions, those the posted page names (an institution found by the search and
    chosen) and ``extra`` (the search's matches). Any registered institution may still be named: the search
    finds it."""
    ids = {terms["lead_institution"]["id"], *(p["id"] for p in terms["parties"]),
           *(line["organization_id"] for line in terms["budget"])}
    ids |= _posted_organization_ids(data) | {o.pk for o in extra}
    return Organization.objects.filter(pk__in=ids).order_by("name")


class OrganizationSearchForm(forms.Form):
    """The request page's institution search: a business registration number (dashes or not) or part of a
    name, at least ``ORGANIZATION_QUERY_MIN`` characters."""

    # not required, no minlength attribute: the field sits in the request's form, whose saving it must not block
    find_q = forms.CharField(label=_("Another institution: business registration number or name"), required=False,
                             max_length=ORGANIZATION_QUERY_MAX, strip=True)

    def clean_find_q(self) -> str:
        value = self.cleaned_data["find_q"]
        if len(value) < ORGANIZATION_QUERY_MIN:
            raise forms.ValidationError(_("Enter at least %(n)s characters.") % {"n": ORGANIZATION_QUERY_MIN},
                                        code="min_length")
        return value


class KpiForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=20, decimal_places=4, required=False)
    target = forms.DecimalField(label=_("Target"), max_digits=20, decimal_places=4)
    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)


class StageForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}),
                                 input_formats=["%Y-%m-%d"])
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}),
                               input_formats=["%Y-%m-%d"])


class PartyForm(forms.Form):
    """A participant or subcontractor (the lead institution is chosen above)."""

    organization = OrganizationChoice(label=_("Institution"), queryset=Organization.objects.none())
    # an empty first choice: the empty extra row posts nothing that marks it changed
    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"),
                                                       (PartyRole.PARTICIPANT, PartyRole.PARTICIPANT.label),
                                                       (PartyRole.SUBCONTRACTOR, PartyRole.SUBCONTRACTOR.label)])

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations if organizations is not None else Organization.objects.none()


class EquipmentForm(forms.Form):
    """One piece of equipment in the plan, on a year and institution of the budget."""

    line = forms.ChoiceField(label=_("Year · institution"))
    description = forms.CharField(label=_("Equipment"), max_length=200)
    amount_krw = WonField(label=_("Amount (won)"))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", "---------"), *lines]


def _formset(form, *, extra: int = 1):
    return forms.formset_factory(form, extra=extra, can_delete=True, max_num=ROWS_MAX, validate_max=True,
                                 absolute_max=ROWS_MAX)


KpiFormSet = _formset(KpiForm)
StageFormSet = _formset(StageForm)
PartyFormSet = _formset(PartyForm)
EquipmentFormSet = _formset(EquipmentForm)


def _kept(formset) -> list[dict]:
    """The filled rows not marked for deletion (an untouched extra row is empty and skipped)."""
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class ChangeForms:
    """Everything a person edits on the request page: ``main`` (``ChangeForm``) and one formset per list
    term: KPIs, stages, parties, equipment. ``edits()`` is what ``change_update`` takes."""

    def __init__(self, data=None, *, terms: dict, organization_ids: set[int], effective_date: dt.date | None = None,
                 found=()):
        self.terms = terms
        organizations = organization_choices(terms=terms, data=data, extra=found)
        self.main = ChangeForm(data, terms=terms, organization_ids=organization_ids, effective_date=effective_date,
                               organizations=organizations)
        lead = terms["lead_institution"]
        years = sorted({line["year"] for line in terms["budget"]}
                       | set(range(int(terms["start_date"][:4]), int(terms["end_date"][:4]) + 1)))
        places = {(line["organization_id"], line["organization"]) for line in terms["budget"]}
        places |= {(lead["id"], lead["name"])} | {(p["id"], p["name"]) for p in terms["parties"]}
        self.line_choices = [(f"{year}:{org_id}", f"{year} · {name}")
                             for year in years for org_id, name in sorted(places, key=lambda p: p[1])]
        self.kpis = KpiFormSet(data, prefix="kpi", initial=[
            {"name": k["name"], "unit": k.get("unit", ""), "baseline": k.get("baseline"), "target": k["target"],
             "year": k.get("year")} for k in terms["kpis"]])
        self.stages = StageFormSet(data, prefix="stage", initial=[
            {"start_date": dt.date.fromisoformat(s["start_date"]), "end_date": dt.date.fromisoformat(s["end_date"])}
            for s in terms["stages"]])
        self.parties = PartyFormSet(data, prefix="party", form_kwargs={"organizations": organizations}, initial=[
            {"organization": p["id"], "role": p["role"]} for p in terms["parties"]])
        self.equipment = EquipmentFormSet(data, prefix="equipment", form_kwargs={"lines": self.line_choices},
                                          initial=[{"line": f"{line['year']}:{line['organization_id']}",
                                                    "description": item.get("description", ""),
                                                    "amount_krw": int(item.get("amount_krw", 0))}
                                                   for line in terms["budget"] if line["category"] == "equipment"
                                                   for item in line.get("items") or []])
        self.formsets = [self.kpis, self.stages, self.parties, self.equipment]

    def is_valid(self) -> bool:
        return all([self.main.is_valid(), *[f.is_valid() for f in self.formsets]])

    def edits(self) -> dict:
        edits = self.main.edits()
        edits["kpis"] = [{k: row[k] for k in ("name", "unit", "baseline", "target", "year")} for row in _kept(self.kpis)]
        stages = [{"start_date": row["start_date"].isoformat(), "end_date": row["end_date"].isoformat()}
                  for row in _kept(self.stages)]
        if stages != [{"start_date": s["start_date"], "end_date": s["end_date"]} for s in self.terms["stages"]]:
            edits["stages"] = stages  # untouched stages follow a new period (first start, last end)
        edits["parties"] = [{"organization_id": row["organization"].pk, "role": row["role"]}
                            for row in _kept(self.parties)]
        edits["equipment"] = []
        for row in _kept(self.equipment):
            year, org_id = (int(part) for part in row["line"].split(":"))
            edits["equipment"].append({"year": year, "organization_id": org_id, "description": row["description"],
                                       "amount_krw": row["amount_krw"]})
        return edits


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=TEXT_MAX)
