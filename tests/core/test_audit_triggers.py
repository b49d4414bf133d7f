"""The database itself refuses to change or delete an audit event, whoever asks (migration core 0004)."""

import pytest
from django.db import IntegrityError, connection, models, transaction

from doyak.core.audit import audit_record
from doyak.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "postgresql": {"core_auditevent_refuse_update_delete", "core_auditevent_refuse_truncate"},
    "sqlite": {"core_auditevent_refuse_update", "core_auditevent_refuse_delete"},
}


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditevent'::regclass "
                           "AND NOT tgisinternal AND tgenabled <> 'D'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditevent'")
        return {name for (name,) in cursor.fetchall()}


def _row(pk: int) -> tuple:
    return AuditEvent.objects.filter(pk=pk).values_list("action", "object_repr", "hash").get()


@pytest.fixture
def event(make_organization, make_user):
    return audit_record(actor=make_user(role="administrator"), action="organization.update",
                        obj=make_organization(name="(주)가람소재"), changes={"name": ["가", "나"]})


def _raw_update(event):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'tampered' WHERE id = %s", [event.pk])


def _raw_delete(event):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


def _queryset_update(event):
    # a plain QuerySet, past the append-only queryset that refuses in Python
    models.QuerySet(AuditEvent).filter(pk=event.pk).update(action="tampered")


def _queryset_delete(event):
    models.QuerySet(AuditEvent).filter(pk=event.pk).delete()


def _forced_save(event):
    # Model.save itself, past AppendOnlyModel.save that refuses in Python
    event.action = "tampered"
    models.Model.save(event, force_update=True)


def test_migrations_leave_the_append_only_triggers_in_place():
    # given the test database, built by the migrations
    # then the audit table has its triggers (a migration rebuilding the table on SQLite would drop them)
    assert _triggers() == TRIGGERS[connection.vendor]


@pytest.mark.parametrize("tamper", [_raw_update, _raw_delete, _queryset_update, _queryset_delete, _forced_save],
                         ids=["raw UPDATE", "raw DELETE", "QuerySet.update", "QuerySet.delete", "forced save"])
def test_database_refuses_to_change_or_delete_an_audit_event(event, tamper):
    # given a recorded event
    before = _row(event.pk)
    # when it is changed or deleted past the application's own refusal
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        tamper(event)
    # then the database refused it and the row is as it was
    assert _row(event.pk) == before
    assert AuditEvent.objects.count() == 1


def test_database_still_accepts_new_audit_events(event, make_organization):
    # given a refused update
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_update(event)
    # when another event is recorded
    second = audit_record(actor=None, action="organization.create", obj=make_organization())
    # then it is inserted after the first
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "action")) == [
        (1, "organization.update"), (2, "organization.create")]
    assert second.prev_hash == event.hash


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_truncate_the_audit_table(event):
    # given a recorded event, committed (PostgreSQL refuses TRUNCATE beside the insert's pending key checks)
    # when the table is truncated (row triggers do not fire on TRUNCATE: a statement trigger does)
    with pytest.raises(IntegrityError, match="append-only: TRUNCATE refused"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent")
    # then the event is still there
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_transactional_test_flush_passes_the_triggers(make_organization):
    # given a transactional test (like the browser tests) that records an event: Django empties the tables
    # after it with TRUNCATE or DELETE, which the triggers refuse; the suite sets them aside for that flush
    audit_record(actor=None, action="organization.create", obj=make_organization())
    # then during the test the triggers are there and refuse a delete
    assert _triggers() == TRIGGERS[connection.vendor]
    with pytest.raises(IntegrityError), transaction.atomic():
        models.QuerySet(AuditEvent).all().delete()


@pytest.mark.django_db(transaction=True)
def test_triggers_are_back_after_a_transactional_tests_flush():
    # given the flush of the test before (this one runs after it in the same process when not distributed)
    # then the table was emptied and its triggers are in place again
    assert AuditEvent.objects.count() == 0
    assert _triggers() == TRIGGERS[connection.vendor]
