"""What only the database owner can do: set the audit table's append-only triggers aside and put them back.

Used by the tests that play an owner who tampers with the trail behind the triggers, and around Django's flush
at the end of a transactional test (TRUNCATE on PostgreSQL, DELETE on SQLite), which the triggers refuse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

TABLE = "core_auditevent"


def audit_triggers_off() -> Callable[[], None]:
    """Disable (PostgreSQL) or drop (SQLite) the audit table's triggers; returns what puts them back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Inside a test's transaction, PostgreSQL refuses ALTER TABLE while deferred foreign-key checks of
            # the rows inserted so far are pending: run them now (Django's keys are all initially deferred).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")

            def restore() -> None:
                with connection.cursor() as again:
                    again.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    again.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
                    again.execute("SET CONSTRAINTS ALL DEFERRED")

            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return restore
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')

    def recreate() -> None:
        with connection.cursor() as again:
            for _name, sql in triggers:
                again.execute(sql)

    return recreate


@contextmanager
def audit_triggers_set_aside() -> Iterator[None]:
    restore = audit_triggers_off()
    try:
        yield
    finally:
        restore()
