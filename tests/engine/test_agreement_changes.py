"""Agreement change classification: one test per rule (each major item alone, each minor item alone), a mixed
request is major as a whole, a budget move that raises indirect cost (or allowance) is major, and version
comparison lists every difference field by field."""

from __future__ import annotations

import copy

import pytest

from doyak.engine.agreement_changes import (
    MAJOR,
    MINOR,
    RULES,
    ChangeRules,
    ChangeRulesError,
    changes_classify,
    request_class,
    terms_differences,
)

# the classes of policy_seed_0007.toml
CLASSES = {rule: MAJOR for rule in RULES} | {"method": MINOR, "staff": MINOR, "budget_transfer": MINOR}
RULES_ = ChangeRules(classes=CLASSES, equipment_threshold_krw=30_000_000)


def _line(category, gov, cash=0, *, year=2026, org=1, items=()):
    return {"year": year, "category": category, "organization_id": org, "organization": "주관", "gov_krw": gov,
            "cash_krw": cash, "in_kind_krw": 0, "items": list(items)}


BASE = {
    "lead_institution": {"id": 1, "name": "주관기관"},
    "parties": [{"id": 2, "name": "참여기관", "role": "participant"}],
    "pi": {"id": 10, "name": "김책임"},
    "staff": [{"id": 11, "name": "이연구"}],
    "start_date": "2026-01-01", "end_date": "2026-12-31",
    "stages": [{"number": 1, "start_date": "2026-01-01", "end_date": "2026-12-31"}],
    "goals": ["배터리 셀 에너지밀도 300Wh/kg"],
    "kpis": [{"name": "에너지밀도", "unit": "Wh/kg", "baseline": "250", "target": "300", "year": 2026}],
    "method": "셀 설계와 시제품 시험",
    "budget": [_line("personnel", 40_000_000), _line("materials", 30_000_000), _line("activities", 10_000_000),
               _line("allowance", 4_000_000), _line("indirect", 8_000_000),
               _line("equipment", 40_000_000, items=[{"description": "충방전기", "amount_krw": 40_000_000}])],
}


def _changed(**edits):
    terms = copy.deepcopy(BASE)
    terms.update(edits)
    return terms


def _budget(**amounts):
    """BASE's budget with categories set to new government amounts."""
    return [(_line(b["category"], amounts[b["category"]], items=b["items"]) if b["category"] in amounts else b)
            for b in BASE["budget"]]


def _classified(after):
    items = changes_classify(BASE, after, rules=RULES_)
    return [(i.field, i.change_class, i.rule) for i in items], request_class(items)


@pytest.mark.parametrize(("edits", "field", "rule"), [
    ({"lead_institution": {"id": 3, "name": "새주관"}}, "lead_institution", "lead_institution"),
    ({"pi": {"id": 12, "name": "박책임"}}, "pi", "pi"),
    ({"parties": []}, "parties", "parties"),
    ({"goals": ["배터리 셀 에너지밀도 350Wh/kg"]}, "goals", "goals"),
    ({"kpis": [{"name": "에너지밀도", "unit": "Wh/kg", "baseline": "250", "target": "350", "year": 2026}]},
     "kpis", "goals"),
    ({"stages": [{"number": 1, "start_date": "2026-01-01", "end_date": "2026-06-30"},
                 {"number": 2, "start_date": "2026-07-01", "end_date": "2026-12-31"}]}, "stages", "period"),
])
def test_each_major_item_alone_is_major(edits, field, rule):
    # when one major kind of term changes alone
    items, klass = _classified(_changed(**edits))
    # then it is the only item, major under its rule, and the request is major
    assert items == [(field, MAJOR, rule)]
    assert klass == MAJOR


def test_period_change_is_major():
    items, klass = _classified(_changed(end_date="2027-03-31"))
    assert items == [("period.end_date", MAJOR, "period")] and klass == MAJOR


def test_total_government_funds_change_is_major_with_its_year_and_line():
    # when a line's government funds grow (more money, not a move)
    items, klass = _classified(_changed(budget=_budget(materials=35_000_000)))
    # then total and yearly funds are major; the line itself is a budget item
    assert items == [("gov_funds.total", MAJOR, "gov_funds_total"), ("gov_funds.2026", MAJOR, "gov_funds_yearly"),
                     ("budget.2026.1.materials", MINOR, "budget_transfer")]
    assert klass == MAJOR


def test_yearly_government_funds_moved_between_years_is_major():
    # given a two-year budget; when funds move from 2026 to 2027 (the total stays)
    before = _changed(budget=[*BASE["budget"], _line("materials", 10_000_000, year=2027)])
    after = copy.deepcopy(before)
    after["budget"][1] = _line("materials", 25_000_000)
    after["budget"][-1] = _line("materials", 15_000_000, year=2027)
    items = changes_classify(before, after, rules=RULES_)
    # then each year's funds are a major item and the total is not
    assert [(i.field, i.change_class) for i in items] == [
        ("gov_funds.2026", MAJOR), ("gov_funds.2027", MAJOR), ("budget.2026.1.materials", MINOR),
        ("budget.2027.1.materials", MINOR)]
    assert request_class(items) == MAJOR


def test_budget_move_that_raises_indirect_cost_is_major():
    # when 2M moves from materials to indirect cost
    items, klass = _classified(_changed(budget=_budget(materials=28_000_000, indirect=10_000_000)))
    # then the rise of indirect cost is major, the two lines are moves, the request is major
    assert items == [("indirect.total", MAJOR, "indirect_increase"),
                     ("budget.2026.1.indirect", MINOR, "budget_transfer"),
                     ("budget.2026.1.materials", MINOR, "budget_transfer")]
    assert klass == MAJOR


def test_budget_move_that_raises_research_allowance_is_major():
    items, klass = _classified(_changed(budget=_budget(materials=29_000_000, allowance=5_000_000)))
    assert items == [("allowance.total", MAJOR, "allowance_increase"),
                     ("budget.2026.1.allowance", MINOR, "budget_transfer"),
                     ("budget.2026.1.materials", MINOR, "budget_transfer")]
    assert klass == MAJOR


def test_unplanned_equipment_at_the_threshold_is_major_and_below_it_is_a_move():
    # when 30M (the threshold) of new equipment replaces materials: major; 29,999,999 is not
    at = _changed(budget=_budget(materials=0, equipment=70_000_000))
    at["budget"][-1]["items"] = [*BASE["budget"][-1]["items"], {"description": "전자현미경", "amount_krw": 30_000_000}]
    items, klass = _classified(at)
    assert items == [("budget.2026.1.equipment", MINOR, "budget_transfer"),
                     ("budget.2026.1.materials", MINOR, "budget_transfer"),
                     ("equipment.2026.1.전자현미경", MAJOR, "equipment_unplanned")]
    assert klass == MAJOR
    below = copy.deepcopy(at)
    below["budget"][-1]["items"][-1]["amount_krw"] = 29_999_999
    assert _classified(below)[1] == MINOR
    # and equipment already in the plan is not unplanned
    planned = copy.deepcopy(BASE)
    planned["budget"][-1]["gov_krw"] = 45_000_000
    planned["budget"][1]["gov_krw"] = 25_000_000
    assert _classified(planned)[1] == MINOR


@pytest.mark.parametrize(("edits", "field", "rule"), [
    ({"method": "셀 설계, 시제품 시험과 실차 검증"}, "method", "method"),
    ({"staff": [{"id": 11, "name": "이연구"}, {"id": 13, "name": "최연구"}]}, "staff", "staff"),
])
def test_each_minor_item_alone_is_a_notice(edits, field, rule):
    items, klass = _classified(_changed(**edits))
    assert items == [(field, MINOR, rule)]
    assert klass == MINOR


def test_budget_move_between_direct_categories_is_a_notice():
    # when 5M moves from materials to activities (no more indirect cost or allowance, same funds)
    items, klass = _classified(_changed(budget=_budget(materials=25_000_000, activities=15_000_000)))
    assert items == [("budget.2026.1.activities", MINOR, "budget_transfer"),
                     ("budget.2026.1.materials", MINOR, "budget_transfer")]
    assert klass == MINOR


def test_budget_move_that_lowers_indirect_cost_is_a_notice():
    items, klass = _classified(_changed(budget=_budget(indirect=6_000_000, materials=32_000_000)))
    assert klass == MINOR and ("indirect.total", MAJOR, "indirect_increase") not in items


def test_mixed_request_is_major_as_a_whole():
    # when a PI change (major) comes with a method change and a budget move (minor)
    items, klass = _classified(_changed(pi={"id": 12, "name": "박책임"}, method="새 방법",
                                        budget=_budget(materials=25_000_000, activities=15_000_000)))
    assert [c for _f, c, _r in items] == [MAJOR, MINOR, MINOR, MINOR]
    assert klass == MAJOR


def test_identical_terms_have_no_difference():
    assert terms_differences(BASE, copy.deepcopy(BASE)) == []
    assert request_class([]) is None


def test_comparison_reports_before_and_after_values():
    diffs = terms_differences(BASE, _changed(pi={"id": 12, "name": "박책임"},
                                             budget=_budget(materials=25_000_000, activities=15_000_000)))
    assert [(d.field, d.before, d.after) for d in diffs] == [
        ("pi", "김책임", "박책임"),
        ("budget.2026.1.activities", {"gov_krw": 10_000_000, "cash_krw": 0, "in_kind_krw": 0},
         {"gov_krw": 15_000_000, "cash_krw": 0, "in_kind_krw": 0}),
        ("budget.2026.1.materials", {"gov_krw": 30_000_000, "cash_krw": 0, "in_kind_krw": 0},
         {"gov_krw": 25_000_000, "cash_krw": 0, "in_kind_krw": 0}),
    ]


def test_rules_without_a_class_are_refused():
    with pytest.raises(ChangeRulesError):
        ChangeRules(classes={**CLASSES, "pi": "sometimes"}, equipment_threshold_krw=1)
