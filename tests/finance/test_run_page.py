"""The run page and the runs API of a partitioned run: each part's project range and state in words, its progress
and duration, the run's progress; only those who may see the run see its parts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from doyak.core.labels import local_time_text
from doyak.core.runs import worker_id_set
from doyak.finance import services
from doyak.finance.models import SettlementRun, SettlementRunPart
from doyak.finance.presentation import duration_text
from doyak.finance.services import settlement_part_execute, settlement_run_start


@pytest.fixture
def four_parts(make_agreement, manager):
    """A run of four agreements in four parts, none taken by a worker yet (the tasks are not run)."""
    agreements = [make_agreement(budget={"materials": 1_000_000}) for _ in range(4)]
    run = settlement_run_start(actor=manager, agreement_ids=[a.pk for a in agreements], chunk_size=1,
                               partitioned=True)
    return run, agreements


def _rows(html: str) -> list[str]:
    """The text of each part row of the parts table, cells joined by " | "."""
    import re

    body = html.split('data-testid="run-parts"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-testid="run-part"[^>]*>(.*?)</tr>', body, flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    return [" | ".join(" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in row) for row in cells]


def test_run_page_shows_each_part_state_and_range(client, four_parts, manager):
    # given a run of four parts: the first settled, the second failed, the third held by worker-b, the fourth waiting
    run, agreements = four_parts
    parts = list(run.parts.order_by("index"))
    worker_id_set("worker-a")
    settlement_part_execute(part_id=parts[0].pk)

    def crash(part):
        raise RuntimeError("disk full")

    seen: dict[str, str] = {}

    def look(part):  # the page as it is while worker-b holds the third part
        client.force_login(manager)
        client.cookies["django_language"] = "en"
        seen["en"] = client.get(reverse("finance:run", args=[run.pk])).content.decode()
        client.cookies["django_language"] = "ko"
        seen["ko"] = client.get(reverse("finance:run", args=[run.pk])).content.decode()
        seen["api"] = client.get(f"/api/v1/finance/runs/{run.pk}").json()

    try:
        services.part_started_hook = crash
        with pytest.raises(RuntimeError):
            settlement_part_execute(part_id=parts[1].pk)
        worker_id_set("worker-b")
        with pytest.raises(RuntimeError):  # stop the third part once the page was read: it stays "running"
            services.part_started_hook = lambda part: (look(part), crash(part))
            settlement_part_execute(part_id=parts[2].pk)
    finally:
        services.part_started_hook = None
        worker_id_set(None)

    # then each part says its range (agreement number and title) and its state in words
    first = SettlementRunPart.objects.get(pk=parts[0].pk)
    third = SettlementRunPart.objects.get(pk=parts[2].pk)
    since = local_time_text(third.started_at)
    numbers = [(a.number, a.proposal.title_ko) for a in agreements]
    with translation.override("en"):
        took = duration_text((first.finished_at - first.started_at).total_seconds())
    rows = _rows(seen["en"])
    assert rows[0] == f"1 | {numbers[0][0]} {numbers[0][1]} | Done | 1 of 1 | {took} | 1"
    assert rows[1] == f"2 | {numbers[1][0]} {numbers[1][1]} | Failed disk full Resume | 0 of 1 | – | 1"
    assert rows[2].startswith(f"3 | {numbers[2][0]} {numbers[2][1]} | Running on worker-b since {since} | 0 of 1 | ")
    assert rows[3] == f"4 | {numbers[3][0]} {numbers[3][1]} | Waiting for a worker | 0 of 1 | – | 0"
    assert "1 of 4 parts done · 4 agreements" in seen["en"]
    assert _rows(seen["ko"])[2].startswith(f"3 | {numbers[2][0]} {numbers[2][1]} | worker-b에서 {since}부터 정산 중 | ")
    assert _rows(seen["ko"])[3] == f"4 | {numbers[3][0]} {numbers[3][1]} | 작업자 대기 중 | 0/1 | – | 0"
    # and the API gives the same parts
    api_parts = [(p["index"], p["agreement_ids"], p["status"], p["worker"], p["error"]) for p in seen["api"]["parts"]]
    assert api_parts == [(0, [agreements[0].pk], "done", "", ""), (1, [agreements[1].pk], "failed", "", "disk full"),
                         (2, [agreements[2].pk], "running", "worker-b", ""), (3, [agreements[3].pk], "queued", "", "")]
    assert (seen["api"]["partitioned"], seen["api"]["chunks_done"], seen["api"]["chunks_total"]) == (True, 1, 4)


def test_part_range_names_first_and_last_project(make_agreement, manager, client):
    # given a run of three agreements in one part
    agreements = [make_agreement(budget={"materials": 1_000_000}) for _ in range(3)]
    run = settlement_run_start(actor=manager, agreement_ids=[a.pk for a in agreements], chunk_size=3,
                               partitioned=True)
    # when a manager opens the run page
    client.force_login(manager)
    html = client.get(reverse("finance:run", args=[run.pk])).content.decode()
    # then the part names its range by the first and last agreement number and how many (Korean by default)
    assert _rows(html) == [f"1 | {agreements[0].number} – {agreements[2].number} (과제 3개) | 작업자 대기 중 | 0/3 | – | 0"]


def test_only_those_who_see_the_run_see_its_parts(client, four_parts, make_user):
    # given a partitioned run started by a manager
    run, agreements = four_parts
    institution = make_user(role="applicant", organization=agreements[0].proposal.lead_organization)
    client.force_login(institution)
    # when the lead institution of one of its agreements asks for the run, its parts or the list of runs
    page = client.get(reverse("finance:run", args=[run.pk]))
    detail = client.get(f"/api/v1/finance/runs/{run.pk}")
    listing = client.get("/api/v1/finance/runs")
    # then every answer is a refusal and nothing changed
    assert (page.status_code, detail.status_code, listing.status_code) == (403, 403, 403)
    assert "run-parts" not in page.content.decode()
    assert list(SettlementRun.objects.get(pk=run.pk).parts.values_list("status", flat=True)) == ["queued"] * 4


def test_runs_api_lists_runs_with_their_parts(client, four_parts, make_user):
    # given a partitioned run; when an auditor lists the runs
    run, agreements = four_parts
    client.force_login(make_user(role="auditor"))
    body = client.get("/api/v1/finance/runs").json()
    # then the run is there with its four parts in order, none taken
    listed = next(item for item in body["items"] if item["id"] == run.pk)
    assert [(p["index"], p["agreement_ids"], p["status"], p["attempts"]) for p in listed["parts"]] == [
        (i, [a.pk], "queued", 0) for i, a in enumerate(agreements)]


def test_run_of_a_list_of_agreements_names_them_by_number(client, four_parts, manager):
    # given a run started on a list of four agreements
    run, agreements = four_parts
    # when its manager opens the run page
    client.force_login(manager)
    html = client.get(reverse("finance:run", args=[run.pk])).content.decode()
    # then its scope names the agreements by their numbers, in the run's order, not by row ids
    numbers = ", ".join(a.number for a in agreements)
    assert run.scope_label == numbers
    assert numbers in html
