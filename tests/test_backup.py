"""export_all / import_all round-trip the demo data into an empty PostgreSQL database, row for row.

The test makes two databases of its own on the PostgreSQL server (the one DATABASE_URL
points at, or postgres@127.0.0.1:5432), runs the commands in fresh processes as an
operator would, compares every table, and drops both databases afterwards. Without a
PostgreSQL server it skips on a developer's machine and fails in CI.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps

from tests.backing_services import service_missing

psycopg2 = pytest.importorskip("psycopg2")

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.services


def _server() -> dict[str, str | int]:
    """Connection settings for the PostgreSQL server, from DATABASE_URL when it is PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": parts.username or "postgres",
            "password": parts.password or "",
        }
    return {"host": "127.0.0.1", "port": 5432, "user": "postgres", "password": ""}


def _connect(server: dict, dbname: str):
    return psycopg2.connect(dbname=dbname, connect_timeout=5, **server)


@pytest.fixture
def databases():
    """Two new, empty databases; dropped again whatever the test's outcome."""
    server = _server()
    try:
        admin = _connect(server, "postgres")
    except psycopg2.OperationalError as error:
        service_missing(f"PostgreSQL is not reachable at {server['host']}:{server['port']} ({error})")
    admin.autocommit = True
    suffix = uuid.uuid4().hex[:8]
    names = (f"coachprog_backup_src_{suffix}", f"coachprog_backup_dst_{suffix}")
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server, names
    finally:
        with admin.cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _manage(server: dict, dbname: str, *arguments: str) -> subprocess.CompletedProcess:
    password = f":{server['password']}" if server["password"] else ""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_READ_DOT_ENV": "false",
        "DATABASE_URL": f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{dbname}",
        "EMAIL_URL": "dummymail://",
        # As `make demo` runs it: the demo's e-mail goes through Celery, which needs DEBUG or a key.
        "DEBUG": "true",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _run(server: dict, dbname: str, *arguments: str) -> str:
    result = _manage(server, dbname, *arguments)
    assert result.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{result.stderr}"
    return result.stdout


def _tables(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        return [row[0] for row in cursor.fetchall()]


def _link_tables() -> dict[str, list[str]]:
    """Django's own many-to-many tables, and the columns of each other than their surrogate id."""
    tables = {}
    for model in apps.get_models():
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                tables[through._meta.db_table] = [f.column for f in through._meta.fields if not f.primary_key]
    return tables


LINK_TABLES = _link_tables()


def _rows(connection, table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        if table == "django_migrations":
            # When each migration was applied differs between the databases; which ones must not.
            cursor.execute("SELECT app, name FROM django_migrations")
        elif table in LINK_TABLES:
            # A many-to-many link is restored as the same pair of rows, but its own id (which
            # nothing refers to) follows the order the backup lists the links in.
            columns = ", ".join(f'"{column}"' for column in LINK_TABLES[table])
            cursor.execute(f'SELECT {columns} FROM "{table}"')
        else:
            cursor.execute(f'SELECT * FROM "{table}"')
        return sorted(cursor.fetchall(), key=repr)


def _sequences_behind_their_tables(connection) -> list[str]:
    """Tables whose id sequence would hand out an id that is already taken."""
    behind = []
    with connection.cursor() as cursor:
        # Each sequence and the column it feeds (serial or identity columns alike).
        cursor.execute(
            "SELECT t.relname, a.attname, s.relname FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.refobjsubid > 0 "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
            "WHERE s.relkind = 'S'"
        )
        for table, column, sequence in cursor.fetchall():
            cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')
            highest = cursor.fetchone()[0]
            cursor.execute(f'SELECT last_value, is_called FROM "{sequence}"')
            last_value, is_called = cursor.fetchone()
            if (last_value + 1 if is_called else last_value) <= highest:
                behind.append(table)
    return sorted(behind)


def test_export_all_and_import_all_round_trip_the_demo_data_row_for_row(databases, tmp_path):
    server, (source, target) = databases
    backup = tmp_path / "coachprog-backup.json"

    _run(server, source, "migrate", "--noinput")
    _run(server, source, "demo_data")
    _run(server, source, "export_all", str(backup))
    _run(server, target, "migrate", "--noinput")
    _run(server, target, "import_all", str(backup))

    with _connect(server, source) as left, _connect(server, target) as right:
        tables = _tables(left)
        assert tables == _tables(right)
        differences = [table for table in tables if _rows(left, table) != _rows(right, table)]
        non_empty = [table for table in tables if _rows(left, table)]
        behind = _sequences_behind_their_tables(right)

    assert differences == []
    # The comparison means something only if the demo filled the domain's tables.
    for table in [
        "accounts_user",
        "cohorts_cohort",
        "projects_project",
        "projects_datapoint",
        "coaching_meetinglog",
    ]:
        assert table in non_empty
    assert behind == []


def test_import_all_refuses_a_database_that_is_not_empty(databases, tmp_path):
    server, (source, target) = databases
    backup = tmp_path / "coachprog-backup.json"
    _run(server, source, "migrate", "--noinput")
    _run(server, source, "demo_data")
    _run(server, source, "export_all", str(backup))

    refused = _manage(server, source, "import_all", str(backup))

    assert refused.returncode != 0
    assert "The database is not empty, so the backup was not loaded" in refused.stderr
    assert "accounts_user" in refused.stderr
