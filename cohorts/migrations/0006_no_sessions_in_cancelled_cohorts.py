"""The database refuses a scheduled session in a cancelled cohort: added, moved in, or un-cancelled.

A CHECK constraint cannot look at another table, so a trigger does the same job: it
fails the INSERT or UPDATE with an integrity error, like a check constraint would.
Cancelled sessions are allowed (cancelling a cohort cancels its sessions, and a backup
of such a cohort must load again).
"""

from django.db import migrations

MESSAGE = "session_not_in_cancelled_cohort: a cancelled cohort takes no sessions"

POSTGRESQL = [
    f"""
    CREATE FUNCTION cohorts_session_not_in_cancelled_cohort() RETURNS trigger AS $$
    BEGIN
        IF NEW.status <> 'cancelled'
           AND (SELECT status FROM cohorts_cohort WHERE id = NEW.cohort_id) = 'cancelled' THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER cohorts_session_not_in_cancelled_cohort_insert
    BEFORE INSERT ON cohorts_session
    FOR EACH ROW EXECUTE FUNCTION cohorts_session_not_in_cancelled_cohort();
    """,
    # Saving an old row unchanged in these two columns is fine: only a move or an un-cancel is checked.
    """
    CREATE TRIGGER cohorts_session_not_in_cancelled_cohort_update
    BEFORE UPDATE OF cohort_id, status ON cohorts_session
    FOR EACH ROW WHEN (OLD.cohort_id IS DISTINCT FROM NEW.cohort_id OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION cohorts_session_not_in_cancelled_cohort();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS cohorts_session_not_in_cancelled_cohort_insert ON cohorts_session;",
    "DROP TRIGGER IF EXISTS cohorts_session_not_in_cancelled_cohort_update ON cohorts_session;",
    "DROP FUNCTION IF EXISTS cohorts_session_not_in_cancelled_cohort();",
]

SQLITE = [
    f"""
    CREATE TRIGGER cohorts_session_not_in_cancelled_cohort_insert
    BEFORE INSERT ON cohorts_session
    WHEN NEW.status <> 'cancelled'
        AND (SELECT status FROM cohorts_cohort WHERE id = NEW.cohort_id) = 'cancelled'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER cohorts_session_not_in_cancelled_cohort_update
    BEFORE UPDATE OF cohort_id, status ON cohorts_session
    WHEN (NEW.cohort_id != OLD.cohort_id OR NEW.status != OLD.status)
        AND NEW.status <> 'cancelled'
        AND (SELECT status FROM cohorts_cohort WHERE id = NEW.cohort_id) = 'cancelled'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS cohorts_session_not_in_cancelled_cohort_insert;",
    "DROP TRIGGER IF EXISTS cohorts_session_not_in_cancelled_cohort_update;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"No trigger written for {schema_editor.connection.vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0005_completion_rule_and_materials")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
