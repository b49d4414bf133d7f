"""The hash chain over the audit events, and ``doyak audit verify`` finding what a database owner changed."""

import datetime as dt
import importlib
import io
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation
from tests.db_owner import audit_triggers_set_aside

from doyak.core.audit import audit_record
from doyak.core.audit_chain import CHAINED_FIELDS, audit_chain_verify, event_digest
from doyak.core.models import AuditEvent

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("doyak.core.migrations.0002_auditevent_hash_chain")


@pytest.fixture
def three_events(make_organization, make_user):
    admin = make_user(role="administrator")
    org = make_organization(name="(주)가람소재")
    return [
        audit_record(actor=admin, action="organization.update", obj=org, changes={"name": ["(주)가람소재", "새 이름"]}),
        audit_record(actor=None, action="kpi.update", obj=org,
                     changes={"target": [1e40, 0.1], "nested": {"b": [1, 2.5], "a": "단위 없음"}}),
        audit_record(actor=admin, action="organization.delete", obj=org),
    ]


def _as_owner(sql: str, params: list) -> None:
    with audit_triggers_set_aside(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify(lang: str = "en") -> tuple[int, str]:
    out = io.StringIO()
    try:
        with translation.override(lang):
            call_command("audit", "verify", stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue().strip()


def test_each_event_links_to_the_one_before(three_events):
    # given three recorded events
    rows = list(AuditEvent.objects.order_by("seq").values("seq", "prev_hash", "hash", *CHAINED_FIELDS))
    # then they are numbered 1..3, each names the previous event's hash, and each hash covers its row
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert [r["prev_hash"] for r in rows] == ["", rows[0]["hash"], rows[1]["hash"]]
    assert [r["hash"] for r in rows] == [event_digest(r) for r in rows]
    assert len({r["hash"] for r in rows}) == 3


def test_intact_chain_verifies(three_events):
    # given three recorded events (one with numbers that jsonb gives back in another form)
    # when the chain is verified
    code, message = _verify()
    # then it is intact, with the count and the head
    assert code == 0
    assert message == f"Audit chain OK: 3 events; last #3, hash {three_events[2].hash}."


def test_empty_chain_verifies():
    assert _verify() == (0, "Audit chain OK: no events yet.")
    assert _verify("ko") == (0, "감사 기록 체인 정상: 아직 이벤트가 없습니다.")


def test_row_deleted_by_the_database_owner_is_found(three_events):
    # given a database owner who drops the triggers, deletes the second event and puts the triggers back
    _as_owner("DELETE FROM core_auditevent WHERE id = %s", [three_events[1].pk])
    # when the chain is verified
    code, message = _verify()
    # then it is broken at the third event: the second is missing
    assert code == 1
    assert message == (f"Audit chain broken at event {three_events[2].pk} (#3): event #2 is missing (deleted): "
                       "the next event is #3. 1 events before it are intact.")
    assert _verify("ko")[1] == (f"감사 기록 체인이 이벤트 {three_events[2].pk}(#3번)에서 끊어졌습니다: #2번 이벤트가 "
                                "없습니다(삭제됨). 다음 이벤트는 #3번입니다. 그 앞의 이벤트 1건은 온전합니다.")


def test_row_changed_by_the_database_owner_is_found(three_events):
    # given a database owner who rewrites who did the second event
    _as_owner("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["someone-else", three_events[1].pk])
    # when the chain is verified
    result = audit_chain_verify()
    # then it is broken at that event: its content no longer matches its hash
    assert (result.broken.event_id, result.broken.seq, result.broken.problem) == (three_events[1].pk, 2, "changed")
    assert result.count == 1
    assert _verify()[1] == (f"Audit chain broken at event {three_events[1].pk} (#2): its content does not match "
                            "its hash: the row was changed. 1 events before it are intact.")


def test_row_changed_and_rehashed_is_found_at_the_next_event(three_events):
    # given a database owner who changes the second event and recomputes its hash
    second = AuditEvent.objects.filter(pk=three_events[1].pk).values(*CHAINED_FIELDS).get()
    forged = event_digest({**second, "action": "kpi.view"})
    _as_owner("UPDATE core_auditevent SET action = 'kpi.view', hash = %s WHERE id = %s", [forged, three_events[1].pk])
    # when the chain is verified
    result = audit_chain_verify()
    # then the third event's link no longer matches
    assert (result.broken.event_id, result.broken.problem, result.broken.expected, result.broken.found) == (
        three_events[2].pk, "relinked", forged, three_events[1].hash)


def test_renumbered_rows_after_a_deletion_are_found(three_events):
    # given a database owner who deletes the second event and renumbers the third to close the gap
    _as_owner("DELETE FROM core_auditevent WHERE id = %s", [three_events[1].pk])
    _as_owner("UPDATE core_auditevent SET seq = 2 WHERE id = %s", [three_events[2].pk])
    # when the chain is verified
    result = audit_chain_verify()
    # then the third event's link names the deleted event's hash, not the first's
    assert (result.broken.event_id, result.broken.problem) == (three_events[2].pk, "relinked")


def test_migration_backfill_computes_the_same_chain(three_events):
    # given the events' hashes as recorded, then wiped by an owner as if the columns were new
    recorded = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    _as_owner("UPDATE core_auditevent SET prev_hash = '', hash = ''", [])
    # when the migration's backfill runs (with the triggers aside, as before migration 0004)
    historical = MigrationLoader(connection).project_state(("core", "0002_auditevent_hash_chain")).apps
    with audit_triggers_set_aside():
        backfill.chain_existing_events(historical, SimpleNamespace(connection=connection))
    # then it computes the very same chain, and the chain verifies
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash")) == recorded
    assert audit_chain_verify().intact


@pytest.mark.parametrize("changes", [
    {}, {"n": 1}, {"n": 1.0}, {"n": 1e40}, {"n": 10**40}, {"n": 1e-05}, {"n": -0.0}, {"s": "한글 \u0000"},
    {"t": True, "z": None, "l": [1, [2, {"k": "v"}]]}, {"2": "b", "10": "a"},
])
def test_migration_digest_is_the_applications(changes):
    # given one event's values
    values = {"seq": 7, "at": dt.datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=dt.UTC), "actor_id": 3,
              "actor_label": "pm1", "action": "call.publish", "object_type": "calls.call", "object_id": "12",
              "object_repr": "2026 공모", "changes": changes, "prev_hash": "ab" * 32}
    # then the migration's copy of the digest gives the application's
    assert backfill.event_digest(values) == event_digest(values)


def test_digest_is_the_same_for_the_same_instant_in_any_time_zone():
    seoul = dt.timezone(dt.timedelta(hours=9))
    at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    base = {name: "" for name in CHAINED_FIELDS} | {"seq": 1, "actor_id": None, "changes": {}}
    assert event_digest({**base, "at": at}) == event_digest({**base, "at": at.astimezone(seoul)})
