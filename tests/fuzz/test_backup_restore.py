"""Backup and restore: a pg_dump of the database restores into an empty one with everything
back (issue 7 "backup and restore"; docs/backup-restore.md; SPEC R-10-2, R-10-4).

PostgreSQL only. The test builds the shared world (cases, shared items, consents, access
events), seals both logs, dumps the test database with `pg_dump -Fc` exactly as the nightly job
does, restores it with `pg_restore` into a new, empty database and then, connected to that
database: finds every case, shared item, consent, access event and seal block back by id, finds
the append-only triggers present and refusing an UPDATE, and runs `manage.py verify_audit`
against it. The restored database is dropped afterwards.
"""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

import psycopg
import pytest

from audit.models import Stream
from audit.sealing import seal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)

# (table, what must come back) — the records a restore exists for.
TABLES = [
    "casusoverleg_case",
    "casusoverleg_shareditem",
    "casusoverleg_minutesentry",
    "consent_consent",
    "consent_consentdecision",
    "consent_rightsrequest",
    "audit_accessevent",
    "audit_sealblock",
    "auditlog_logentry",
]
APPEND_ONLY = ["audit_accessevent", "audit_sealblock", "audit_logpurge"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install postgresql-client (.ci/run does)"
    return path


def _env() -> dict[str, str]:
    """libpq's environment for the test database's server."""
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    env["PGUSER"] = db["USER"] or "postgres"
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _conninfo(name: str) -> str:
    env = _env()
    info = f"host={env['PGHOST']} port={env['PGPORT']} user={env['PGUSER']} dbname={name}"
    if "PGPASSWORD" in env:
        info += f" password={env['PGPASSWORD']}"
    return info


def _database_url(name: str) -> str:
    env = _env()
    password = f":{quote(env['PGPASSWORD'])}" if "PGPASSWORD" in env else ""
    return f"postgres://{quote(env['PGUSER'])}{password}@{env['PGHOST']}:{env['PGPORT']}/{name}"


def _ids(cursor: psycopg.Cursor, table: str) -> list[int]:
    cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608 - fixed table names
    return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def restored_name(reference_data):
    """The name of an empty database for the restore; dropped after the test."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restores_into_an_empty_database_with_every_record_and_the_log_intact(
    reference_data, world, restored_name, tmp_path
):
    """R-10-2, R-10-4: pg_dump -Fc and pg_restore into an empty database bring back every
    case, shared item, consent and access event, the seals verify, and the restored access
    log is append-only again."""
    for stream in Stream.values:
        seal(stream)
    with connection.cursor() as cursor:
        expected = {table: _ids(cursor, table) for table in TABLES}
    assert all(expected[t] for t in TABLES), {t: len(v) for t, v in expected.items()}

    dump = tmp_path / "casusoverleg.dump"
    source = connection.settings_dict["NAME"]
    subprocess.run(  # noqa: S603 - fixed tool paths, the test database's own name
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", source],
        env=_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert dump.stat().st_size > 0
    with psycopg.connect(_conninfo(restored_name)) as empty:
        tables = empty.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
        assert tables == (0,), "the restore target must start empty"
    subprocess.run(  # noqa: S603
        [_tool("pg_restore"), "--exit-on-error", "--no-owner", f"--dbname={restored_name}", dump],
        env=_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )

    with psycopg.connect(_conninfo(restored_name)) as restored:
        cursor = restored.cursor()
        for table in TABLES:
            assert _ids(cursor, table) == expected[table], f"{table} did not come back whole"
        for table in APPEND_ONLY:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
            names = {row[0] for row in cursor.fetchall()}
            assert any("append_only" in n for n in names), f"{table} lost its trigger: {names}"
        with pytest.raises(psycopg.errors.RaiseException, match="Cannot update or delete"):
            cursor.execute("UPDATE audit_accessevent SET outcome = outcome")
        restored.rollback()
        with pytest.raises(psycopg.errors.RaiseException, match="Cannot update or delete"):
            cursor.execute("DELETE FROM audit_accessevent")
        restored.rollback()

    # verify_audit, as an operator runs it after a restore, against the restored database.
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(BASE_DIR / "manage.py"), "verify_audit"],
        env={
            **os.environ,
            "DATABASE_URL": _database_url(restored_name),
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
        },
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "head hash" in result.stdout
