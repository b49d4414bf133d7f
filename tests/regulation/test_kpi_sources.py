"""The council's meeting pack reads the regulation tasks through kpi.sources (the one hook)."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def test_meeting_pack_lists_tasks_with_their_status_as_of_the_date_and_projects(liaison, project):
    from doyak.kpi.sources import regulation_tasks_progress
    from doyak.regulation.services import dependency_create, task_create, task_transition

    # given two tasks: T-02 resolved on 2026-09-01 and depended on by two projects, T-01 still identified
    data = {"title": "자율주행 실증", "industry": "자동차", "ministry": "국토교통부", "law": "자율주행자동차법",
            "change_kind": "law_amendment"}
    first = task_create(actor=liaison, data={**data, "code": "T-01"})
    second = task_create(actor=liaison, data={**data, "code": "T-02", "title": "수소 충전 규제"})
    task_transition(actor=liaison, task_id=second.pk, status="resolved", resolution="고시 개정",
                    resolved_on=dt.date(2026, 9, 1))
    today = dt.date(2026, 6, 1)
    for n in range(2):
        dependency_create(actor=liaison, proposal_id=project().pk, regulation=f"충전소 규제{n}",
                          route="demonstration_exemption", task_id=second.pk, today=today)

    # when the pack is made as of the day before and the day of the resolution
    before = regulation_tasks_progress(as_of=dt.date(2026, 8, 31))
    after = regulation_tasks_progress(as_of=dt.date(2026, 9, 1))

    # then the tasks come by number, in words, resolved only from its date, with their projects counted
    assert [(r.title, r.owner, r.status, r.progress) for r in before] == [
        ("T-01 자율주행 실증", "국토교통부", "발굴", "관련 과제 0건"),
        ("T-02 수소 충전 규제", "국토교통부", "협의 중", "관련 과제 2건"),
    ]
    assert [r.status for r in after] == ["발굴", "해소"]
    assert first.pk != second.pk


def test_board_counts_tasks_resolved_by_its_date_and_opens_each(liaison):
    from doyak.kpi.measures import MEASURES
    from doyak.kpi.presentation import record_url
    from doyak.regulation.services import task_create, task_transition

    # given three tasks: one resolved in 2026, one in 2027, one dropped
    data = {"title": "과제", "industry": "자동차", "ministry": "국토교통부", "law": "자율주행자동차법",
            "change_kind": "interpretation"}
    tasks = [task_create(actor=liaison, data={**data, "code": f"T-{n}"}) for n in range(3)]
    for task, status, on in zip(tasks, ("resolved", "resolved", "dropped"),
                                (dt.date(2026, 5, 1), dt.date(2027, 2, 1), dt.date(2026, 4, 1)), strict=True):
        task_transition(actor=liaison, task_id=task.pk, status=status, resolution="결과", resolved_on=on)

    # when the indicator's measure reads them at the end of 2026 and of 2027
    measure = MEASURES["not_recorded"]
    end_2026 = measure(params={"records": "regulation_tasks"}, as_of=dt.date(2026, 12, 31))
    end_2027 = measure(params={"records": "regulation_tasks"}, as_of=dt.date(2027, 12, 31))

    # then only resolved tasks count, each in its year, and each record opens its task
    assert [(r.label, r.year) for r in end_2026.records] == [("T-0 과제", 2026)]
    assert [(r.label, r.year) for r in end_2027.records] == [("T-0 과제", 2026), ("T-1 과제", 2027)]
    assert record_url(end_2027.records[1].ref) == f"/regulation/tasks/{tasks[1].pk}/"
