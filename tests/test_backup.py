"""`manage.py backup` and `manage.py restore`: a round trip into a new, empty database.

On PostgreSQL the commands call pg_dump and pg_restore (Debian package postgresql-client); the restore
runs in another process pointed at a database made for the test, as it would on a new server.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from members.enums import OrganisationRoleType
from members.models import Organisation, OrganisationRole
from tests.factories import OrganisationFactory, UserFactory

POSTGRES = connection.vendor == "postgresql"
MISSING_TOOLS = [tool for tool in ("pg_dump", "pg_restore", "createdb", "dropdb") if not shutil.which(tool)]

pytestmark = [
    pytest.mark.integration,
    # pg_dump runs in another process: it only sees committed rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        POSTGRES and bool(MISSING_TOOLS), reason=f"PostgreSQL client tools missing: {', '.join(MISSING_TOOLS)}"
    ),
]

SIGNED_FORM = b"%PDF-1.7\n% a signed adhesion form\n" + bytes(range(256)) * 4


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def portal_data(media_root):
    hospital = OrganisationFactory(name="Clinique Saint-Luc de Namur")
    home = OrganisationFactory(name="Résidence Les Tilleuls")
    person = UserFactory(email="anne.lambert@clinique.example.be")
    OrganisationRole.objects.create(user=person, organisation=hospital, role=OrganisationRoleType.LEGAL_REPRESENTATIVE)
    stored = default_storage.save("adhesions/signed/form.pdf", ContentFile(SIGNED_FORM))
    return {"organisations": [(hospital.pk, hospital.name), (home.pk, home.name)], "file": stored}


def _connection_options() -> list[str]:
    options = connection.settings_dict
    arguments = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if options.get(key):
            arguments += [flag, str(options[key])]
    return arguments


def _tool_env() -> dict[str, str]:
    env = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    return env


@contextmanager
def empty_database(tmp_path: Path):
    """The DATABASE_URL of a new database without any table, dropped afterwards; and a way to query it."""
    if not POSTGRES:
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda sql: sqlite3.connect(path).execute(sql).fetchall()
        return
    import psycopg2

    options = connection.settings_dict
    name = f"{options['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", *_connection_options(), name], check=True, env=_tool_env())
    credentials = options["USER"] + (f":{options['PASSWORD']}" if options.get("PASSWORD") else "")
    url = f"postgres://{credentials}@{options['HOST'] or 'localhost'}:{options['PORT'] or 5432}/{name}"

    def query(sql):
        with psycopg2.connect(url) as link, link.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        link.close()
        return rows

    try:
        yield url, query
    finally:
        subprocess.run(["dropdb", "--if-exists", *_connection_options(), name], check=True, env=_tool_env())


def run_restore(archive: Path, database_url: str, media_root: Path, *options: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "asetw.settings",
            "DEBUG": "1",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
        }
    )
    manage = Path(settings.BASE_DIR) / "manage.py"
    return subprocess.run(
        [sys.executable, str(manage), "restore", str(archive), *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_backup_restored_into_a_new_database_has_the_same_members_and_files(portal_data, media_root, tmp_path):
    archive = tmp_path / "asetw.tar.gz"
    call_command("backup", str(archive))

    with tarfile.open(archive) as opened:
        names = set(opened.getnames())
    assert {"manifest.json", f"media/{portal_data['file']}"} <= names

    restored_media = tmp_path / "restored-media"
    with empty_database(tmp_path) as (database_url, query):
        result = run_restore(archive, database_url, restored_media)
        assert result.returncode == 0, result.stderr
        assert "1 uploaded file(s)" in result.stdout

        organisations = query("SELECT id, name FROM members_organisation ORDER BY id")
        assert [tuple(row) for row in organisations] == portal_data["organisations"]
        roles = query("SELECT u.email, r.role FROM members_organisationrole r JOIN accounts_user u ON u.id = r.user_id")
        assert [tuple(row) for row in roles] == [("anne.lambert@clinique.example.be", "legal_representative")]

        # A second restore into the now filled database is refused without --force.
        again = run_restore(archive, database_url, restored_media)
        assert again.returncode != 0
        assert "not empty" in again.stderr
        # With --force, the same content replaces what is there.
        forced = run_restore(archive, database_url, restored_media, "--force")
        assert forced.returncode == 0, forced.stderr
        assert [tuple(row) for row in query("SELECT id, name FROM members_organisation ORDER BY id")] == (
            portal_data["organisations"]
        )

    assert (restored_media / portal_data["file"]).read_bytes() == SIGNED_FORM


def test_the_manifest_describes_every_part(portal_data, tmp_path):
    archive = tmp_path / "asetw.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["database"]["engine"] == connection.vendor
    assert len(manifest["database"]["sha256"]) == 64
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["media"]["file_count"] == 1
    assert list(manifest["media"]["files"]) == [portal_data["file"]]
    assert "0001_initial" in manifest["migrations"]["members"]


def _rewrite(archive: Path, target: Path, change) -> None:
    """Copy ``archive`` to ``target``, passing each member's bytes through ``change(name, data)``."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))


def test_a_tampered_archive_is_refused(portal_data, media_root, tmp_path):
    archive = tmp_path / "asetw.tar.gz"
    call_command("backup", str(archive))

    tampered = tmp_path / "tampered.tar.gz"

    def alter_the_file(name, data):
        return data.replace(b"signed adhesion form", b"forged adhesion form") if name.startswith("media/") else data

    _rewrite(archive, tampered, alter_the_file)
    default_storage.delete(portal_data["file"])
    with pytest.raises(CommandError, match=r"Checksum mismatch.*media/adhesions/signed/form\.pdf"):
        call_command("restore", str(tampered), "--force")
    # Nothing was touched: the organisations are there and no file was written back.
    assert Organisation.objects.count() == 2
    assert not default_storage.exists(portal_data["file"])

    dump_changed = tmp_path / "dump-changed.tar.gz"
    _rewrite(archive, dump_changed, lambda name, data: data + b"\0" if name.startswith("database.") else data)
    with pytest.raises(CommandError, match="Checksum mismatch"):
        call_command("restore", str(dump_changed), "--force")


def test_restoring_into_a_database_that_has_data_needs_force(portal_data, tmp_path):
    archive = tmp_path / "asetw.tar.gz"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))


def test_the_archive_and_a_new_backup_directory_are_private(portal_data, tmp_path):
    archive = tmp_path / "new-directory" / "asetw.tar.gz"
    previous = os.umask(0o022)
    try:
        call_command("backup", str(archive))
    finally:
        os.umask(previous)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert archive.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(not POSTGRES, reason="pg_restore only: SQLite's backup API replaces the whole file")
def test_a_forced_restore_drops_the_tables_the_archive_does_not_have(portal_data, media_root, tmp_path):
    archive = tmp_path / "asetw.tar.gz"
    call_command("backup", str(archive))
    with empty_database(tmp_path) as (database_url, query):
        assert run_restore(archive, database_url, tmp_path / "restored-media").returncode == 0
        # A table of a migration newer than the archive, as after an upgrade of the portal.
        query("CREATE TABLE members_newer_migration (id integer); SELECT 1")
        forced = run_restore(archive, database_url, tmp_path / "restored-media", "--force")
        assert forced.returncode == 0, forced.stderr
        assert query("SELECT to_regclass('public.members_newer_migration') IS NULL") == [(True,)]
        assert [tuple(row) for row in query("SELECT id, name FROM members_organisation ORDER BY id")] == (
            portal_data["organisations"]
        )
