"""Backups of the portal: the database and the uploaded files in one archive, with a manifest.

An archive (``.tar.gz``) holds:

- ``manifest.json``: when it was made (UTC), the portal's git commit when known, the database engine,
  the applied migrations, and the SHA-256 of every other part;
- ``database.dump`` (PostgreSQL, ``pg_dump`` custom format) or ``database.sqlite3`` (SQLite backup API);
- ``media/…``: every file under ``MEDIA_ROOT``.

The restore checks every checksum before it touches anything, so a damaged or incomplete archive is refused.
The checksums are an integrity check, not a proof of origin: whoever can write an archive can write its
manifest too, so archives must be kept where only trusted people can write. Archives hold password hashes,
second-factor secrets and sessions: they are readable by their owner only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
MEDIA_DIR = "media"
FORMAT_VERSION = 1
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIRECTORY_MODE = 0o700


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    media_files: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def database_engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def _applied_migrations(alias: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _postgres_env(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes through the environment, never argv."""
    arguments = []
    if settings_dict.get("HOST"):
        arguments += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        arguments += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        arguments += ["--username", str(settings_dict["USER"])]
    arguments += ["--dbname", str(settings_dict["NAME"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    if (settings_dict.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = settings_dict["OPTIONS"]["sslmode"]
    return arguments, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client).") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _dump_database(alias: str, engine: str, target: Path) -> None:
    connection = connections[alias]
    if engine == "postgresql":
        arguments, env = _postgres_env(connection.settings_dict)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *arguments], env)
    else:
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def create_backup(output: Path, *, alias: str = "default", media_root: Path | None = None) -> dict:
    """Write the archive to ``output`` and return its manifest."""
    engine = database_engine(alias)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    output.parent.mkdir(mode=PRIVATE_DIRECTORY_MODE, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="asetw-backup-") as workdir:
        dump = Path(workdir) / DUMP_NAMES[engine]
        _dump_database(alias, engine, dump)
        media = {path.relative_to(media_root).as_posix(): path for path in _media_files(media_root)}
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "portal_commit": _git_commit(),
            "database": {"engine": engine, "file": dump.name, "sha256": sha256_of(dump)},
            "migrations": _applied_migrations(alias),
            "media": {
                "file_count": len(media),
                "files": {name: sha256_of(path) for name, path in media.items()},
            },
        }
        manifest_path = Path(workdir) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        # Written beside the target and renamed at the end: a failed backup never leaves half an archive.
        partial = output.with_name(output.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
        os.fchmod(descriptor, PRIVATE_FILE_MODE)  # also when a failed run left the file behind
        with os.fdopen(descriptor, "wb") as stream, tarfile.open(fileobj=stream, mode="w:gz") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            archive.add(dump, arcname=dump.name)
            for name, path in media.items():
                archive.add(path, arcname=f"{MEDIA_DIR}/{name}")
        partial.replace(output)
    return manifest


# --- Restore ------------------------------------------------------------------------------------


def _safe_extract(archive_path: Path, workdir: Path) -> None:
    """Extract regular files only, each inside ``workdir`` (no links, devices or ``..``)."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive.getmembers():
                name = PurePosixPath(member.name)
                if member.isdir():
                    continue
                if not member.isfile() or name.is_absolute() or ".." in name.parts:
                    raise BackupError(f"The archive holds an unexpected entry: {member.name}")
                archive.extract(member, workdir, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"The archive cannot be read: {exc}") from exc


def _files_under(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def verify_archive(workdir: Path) -> dict:
    """Check the extracted archive against its manifest; return the manifest."""
    try:
        manifest = json.loads((workdir / MANIFEST).read_text(encoding="utf-8"))
        database = manifest["database"]
        media = manifest["media"]["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"The archive has no readable manifest: {exc}") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r}.")
    expected = {database["file"]: database["sha256"]}
    expected.update({f"{MEDIA_DIR}/{name}": digest for name, digest in media.items()})
    present = _files_under(workdir) - {MANIFEST}
    if present != set(expected):
        missing, extra = sorted(set(expected) - present), sorted(present - set(expected))
        raise BackupError(f"The archive does not match its manifest (missing: {missing}, not listed: {extra}).")
    altered = sorted(name for name, digest in expected.items() if sha256_of(workdir / name) != digest)
    if altered:
        raise BackupError(f"Checksum mismatch, the archive is damaged or incomplete: {', '.join(altered)}")
    return manifest


def database_is_empty(alias: str = "default") -> bool:
    """No table at all: a database just made by ``createdb`` (or an empty SQLite file)."""
    with connections[alias].cursor() as cursor:
        return not connections[alias].introspection.table_names(cursor)


def _empty_public_schema(alias: str) -> None:
    """Drop every table, including those of migrations newer than the archive, which ``pg_restore --clean``
    would leave behind and ``migrate`` would then fail on."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    except DatabaseError as exc:
        raise BackupError(f"The database could not be emptied: {exc}") from exc


def _restore_database(alias: str, engine: str, dump: Path, *, replace: bool) -> None:
    connection = connections[alias]
    if engine == "postgresql":
        arguments, env = _postgres_env(connection.settings_dict)
        if replace:
            _empty_public_schema(alias)
        # Nothing of this process may hold a lock while pg_restore creates the tables.
        connection.close()
        command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction"]
        _run([*command, *arguments, str(dump)], env)
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)
        source.close()


def _restore_media(extracted: Path, media_root: Path) -> int:
    count = 0
    for source in _media_files(extracted):
        target = media_root / source.relative_to(extracted)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        count += 1
    return count


def restore_backup(
    archive_path: Path, *, alias: str = "default", media_root: Path | None = None, force: bool = False
) -> RestoreResult:
    """Check the archive, then replace the database and write back the uploaded files."""
    engine = database_engine(alias)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="asetw-restore-") as workdir:
        workdir = Path(workdir)
        _safe_extract(archive_path, workdir)
        manifest = verify_archive(workdir)
        if manifest["database"]["engine"] != engine:
            raise BackupError(
                f"The archive holds a {manifest['database']['engine']} database; this portal uses {engine}."
            )
        if not force and not database_is_empty(alias):
            raise BackupError("The database is not empty: restore into a new database, or add --force to replace it.")
        _restore_database(alias, engine, workdir / manifest["database"]["file"], replace=force)
        media_files = _restore_media(workdir / MEDIA_DIR, media_root)
    return RestoreResult(manifest=manifest, media_files=media_files)
