"""Triggers that refuse UPDATE and DELETE on the audit table, for every client of the database and not only
for the application (whose model, queryset and admin refuse them already).

Written by hand rather than with django-pgtrigger: its triggers all begin by reading the session setting
``pgtrigger.ignore``, which any SQL session may set, so a role that may only insert into the table could switch
them off; and SQLite needs its own triggers anyway. Here only a role that may alter the table (its owner)
can remove them, and what it then does is found by the hash chain (``doyak audit verify``).

PostgreSQL: one row trigger for UPDATE and DELETE and one statement trigger for TRUNCATE (row triggers do not
fire on TRUNCATE). SQLite: one trigger each for UPDATE and DELETE (SQLite has no TRUNCATE; its "truncate
optimisation" is not used for a table with triggers). Both raise an integrity error (SQLSTATE 23001,
``restrict_violation``, on PostgreSQL), so Django reports ``IntegrityError`` on both databases.

Django's test flush empties every table (TRUNCATE on PostgreSQL, DELETE on SQLite); the test suite acts as
the database owner around it and sets the triggers aside for the flush only (``tests/db_owner.py``)."""

from django.db import migrations

POSTGRESQL_CREATE = [
    """
    CREATE FUNCTION core_auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused';
    END
    $$
    """,
    """
    CREATE TRIGGER core_auditevent_refuse_update_delete BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change()
    """,
    """
    CREATE TRIGGER core_auditevent_refuse_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse_change()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER core_auditevent_refuse_truncate ON core_auditevent",
    "DROP TRIGGER core_auditevent_refuse_update_delete ON core_auditevent",
    "DROP FUNCTION core_auditevent_refuse_change()",
]
SQLITE_CREATE = [
    """
    CREATE TRIGGER core_auditevent_refuse_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER core_auditevent_refuse_delete BEFORE DELETE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only: DELETE refused'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER core_auditevent_refuse_delete",
    "DROP TRIGGER core_auditevent_refuse_update",
]
STATEMENTS = {
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
}


def _run(schema_editor, which: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"no append-only triggers for {vendor}: add them here before using it")
    for sql in STATEMENTS[vendor][which]:
        schema_editor.execute(sql)


def create_triggers(apps, schema_editor):
    _run(schema_editor, 0)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_auditevent_seq_unique"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
