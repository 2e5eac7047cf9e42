"""Backups of a whole site in one file, and restoring one into an empty data directory.

A backup is a gzip-compressed tar archive holding:

- ``newsdesk-backup.json``: what the archive is (format, newsdesk version, time, database kind,
  the migrations its database had);
- ``database.sqlite3``, a copy made with SQLite's online backup (consistent while the site writes),
  or ``database.pgdump``, ``pg_dump``'s custom format (one snapshot of a PostgreSQL database);
- ``files/...``: the data directory's own files: the secret key, the ``theme/`` folder, the stored
  pictures (``media/``) and whatever else newsdesk keeps there. The page cache and collected static
  files are left out: they are rebuilt on their own.

The archive is written beside its final name and renamed into place, so a failed or interrupted
backup never leaves a half archive under that name; it is readable by its owner only, since it
holds the secret key, editors' password hashes and readers' e-mail addresses.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

import newsdesk

FORMAT = 1
MANIFEST = "newsdesk-backup.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
FILES = "files"
# Rebuilt by newsdesk itself: the page cache and `collectstatic`'s output.
REBUILT = {"cache", "static"}
# What a data directory may hold and still count as empty: a secret key made when the command
# started, and the folders above.
EMPTY_ALLOWED = {"secret_key"} | REBUILT


class BackupError(Exception):
    """A backup could not be written or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds or a restore gave: row counts of what an operator cares about."""

    sources: int
    articles: int
    comments: int
    stories: int
    users: int
    files: int

    def __str__(self) -> str:
        return (f"{self.sources} sources, {self.articles} articles, {self.comments} comments, "
                f"{self.stories} stories, {self.users} users, {self.files} files")


# -- writing ---------------------------------------------------------------------------------

def backup(path: Path) -> Summary:
    """Write the site's database and data directory's files to the archive ``path``."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise BackupError(f"{path} is a directory; give the backup file's name, e.g. {path / 'site.newsdesk'}")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} does not exist")
    work = Path(tempfile.mkdtemp(prefix=".newsdesk-backup-", dir=path.parent))
    try:
        member, snapshot, counts = _snapshot_database(work)
        files = list(_data_files(skip={path, work}))
        manifest = {"format": FORMAT, "newsdesk": newsdesk.__version__,
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "database": connection.vendor, "migrations": _applied_migrations(), "counts": counts, "files": len(files)}
        partial = work / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            archive.add(snapshot, arcname=member, recursive=False)
            for relative in files:
                archive.add(settings.DATA_DIR / relative, arcname=f"{FILES}/{relative.as_posix()}", recursive=False)
        os.replace(partial, path)
    except OSError as exc:
        raise BackupError(f"could not write {path}: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Summary(**counts, files=len(files))


def _snapshot_database(work: Path) -> tuple[str, Path, dict[str, int]]:
    """A consistent copy of the database in ``work``, with the row counts of that same copy."""
    if connection.vendor == "sqlite":
        target = work / SQLITE_MEMBER
        source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
        copy = sqlite3.connect(str(target))
        try:
            # One step: a consistent snapshot however much the site writes meanwhile (WAL readers
            # do not block the writers).
            source.backup(copy)
            counts = _row_counts(lambda sql: copy.execute(sql).fetchone()[0])
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER, target, counts
    if connection.vendor == "postgresql":
        target = work / PG_MEMBER
        # pg_dump reads the snapshot this transaction exports, so the counts are of what it dumps.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _pg_tool("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                     f"--file={target}")
            counts = _row_counts(_scalar(cursor))
        return PG_MEMBER, target, counts
    raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")


def _data_files(skip: set[Path]) -> list[Path]:
    """The data directory's own files, relative to it, leaving out the database and what is rebuilt."""
    root = settings.DATA_DIR
    database = _sqlite_path()
    skipped = {p.resolve() for p in skip}
    found = []
    for directory, subdirs, names in os.walk(root):
        here = Path(directory)
        if here == root:
            subdirs[:] = [d for d in subdirs if d not in REBUILT]
        subdirs[:] = sorted(d for d in subdirs if (here / d).resolve() not in skipped)
        for name in sorted(names):
            full = here / name
            if full.resolve() in skipped or _is_database_file(full, database) or not full.is_file():
                continue
            found.append(full.relative_to(root))
    return found


def _is_database_file(path: Path, database: Path | None) -> bool:
    name = path.name
    for base in ("newsdesk.sqlite3", "test-newsdesk.sqlite3", database.name if database else None):
        if base and (name == base or name.startswith(base + "-")):
            return True
    return False


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    info.mtime = int(datetime.now(timezone.utc).timestamp())
    archive.addfile(info, io.BytesIO(data))


# -- restoring -------------------------------------------------------------------------------

def restore(path: Path) -> Summary:
    """Restore the archive ``path`` into the configured database and data directory, both empty."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    _require_empty()
    work = Path(tempfile.mkdtemp(prefix=".newsdesk-restore-", dir=settings.DATA_DIR))
    try:
        manifest, database, files = _unpack(path, work)
        _check_migrations(manifest)
        if database.name == SQLITE_MEMBER:
            _restore_sqlite(database)
        else:
            _restore_postgresql(database)
        for relative in files:
            target = settings.DATA_DIR / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(work / FILES / relative, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _counts(files=len(files))


def _require_empty() -> None:
    root = settings.DATA_DIR
    extra = sorted(p.name for p in root.iterdir()
                   if p.name not in EMPTY_ALLOWED and not _is_database_file(p, _sqlite_path()))
    if extra:
        raise BackupError(f"the data directory {root} is not empty ({', '.join(extra[:5])}); "
                          "restore into an empty one (set NEWSDESK_DATA_DIR)")
    tables = connection.introspection.table_names()
    if any(table != "django_migrations" for table in tables) or (
            "django_migrations" in tables and MigrationRecorder(connection).applied_migrations()):
        raise BackupError("the database already holds tables; restore into an empty database "
                          "(a new NEWSDESK_DATA_DIR, or a new PostgreSQL database in NEWSDESK_DATABASE_URL)")


def _unpack(path: Path, work: Path) -> tuple[dict, Path, list[Path]]:
    try:
        with tarfile.open(path, mode="r:*") as archive:
            members = archive.getmembers()
            names = {m.name for m in members}
            if MANIFEST not in names:
                raise BackupError(f"{path} is not a newsdesk backup (no {MANIFEST})")
            manifest = json.loads(archive.extractfile(MANIFEST).read())
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path} is a backup of format {manifest.get('format')}; "
                                  f"this newsdesk reads format {FORMAT}")
            database, files = None, []
            for member in members:
                relative = _safe_member(member)
                if relative is None:
                    continue
                archive.extract(member, work, filter="data")
                if member.name in (SQLITE_MEMBER, PG_MEMBER):
                    database = work / member.name
                elif member.name.startswith(FILES + "/"):
                    files.append(Path(*PurePosixPath(member.name).parts[1:]))
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{path} cannot be read as a newsdesk backup: {exc}") from exc
    if database is None:
        raise BackupError(f"{path} holds no database")
    return manifest, database, files


def _safe_member(member: tarfile.TarInfo) -> PurePosixPath | None:
    """The member's path when it is a regular file newsdesk wrote; refuses links and paths that
    would land outside the directory."""
    if member.name == MANIFEST:
        return None
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        raise BackupError(f"refusing archive member {member.name!r}: outside the data directory")
    if member.isdir():
        return None
    if not member.isfile():
        raise BackupError(f"refusing archive member {member.name!r}: not a regular file")
    return name


def _check_migrations(manifest: dict) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, names in manifest.get("migrations", {}).items() for name in names
               if (app, name) not in known]
    if unknown:
        raise BackupError(f"the backup comes from a newer newsdesk (it has migrations {', '.join(unknown[:3])}); "
                          f"upgrade newsdesk (this is {newsdesk.__version__}, the backup {manifest.get('newsdesk')})")


def _sqlite_path() -> Path | None:
    return Path(str(connection.settings_dict["NAME"])) if connection.vendor == "sqlite" else None


def _restore_sqlite(database: Path) -> None:
    if connection.vendor != "sqlite":
        raise BackupError(f"this backup holds a SQLite database; the site is configured for {connection.vendor}. "
                          "Unset NEWSDESK_DATABASE_URL to restore it, then move to PostgreSQL with dumpdata/loaddata")
    target = _sqlite_path()
    connections.close_all()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source, copy = sqlite3.connect(str(database)), sqlite3.connect(str(target))
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()
        source.close()


def _restore_postgresql(dump: Path) -> None:
    if connection.vendor != "postgresql":
        raise BackupError("this backup holds a PostgreSQL database; set NEWSDESK_DATABASE_URL to an empty "
                          "PostgreSQL database to restore it")
    connections.close_all()
    _pg_tool("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(dump))


def _pg_tool(tool: str, *args: str) -> None:
    """Run pg_dump or pg_restore against the configured database."""
    from psycopg.conninfo import make_conninfo

    db = connection.settings_dict
    conninfo = make_conninfo(dbname=db["NAME"], user=db.get("USER") or None, host=db.get("HOST") or None,
                             port=str(db["PORT"]) if db.get("PORT") else None)
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})}
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed; it comes with PostgreSQL's client tools "
                          "(Debian: apt-get install postgresql-client)")
    result = subprocess.run([executable, *args, f"--dbname={conninfo}"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-2000:]}")


def _row_counts(scalar) -> dict[str, int]:
    """Summary field: rows of its table, each counted by ``scalar(sql)``."""
    from django.contrib.auth.models import User

    from newsdesk.site.articles.models import Article, Story
    from newsdesk.site.comments.models import Comment
    from newsdesk.site.sources.models import Source

    tables = {"sources": Source, "articles": Article, "comments": Comment, "stories": Story, "users": User}
    return {name: scalar(f'SELECT COUNT(*) FROM "{model._meta.db_table}"') for name, model in tables.items()}


def _scalar(cursor):
    """``scalar(sql)`` on a Django cursor: the first column of the first row."""
    def scalar(sql: str):
        cursor.execute(sql)
        return cursor.fetchone()[0]
    return scalar


def _counts(files: int) -> Summary:
    """The configured database's counts."""
    with connection.cursor() as cursor:
        return Summary(**_row_counts(_scalar(cursor)), files=files)
