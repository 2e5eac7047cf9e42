"""What the in-process benchmarks (``bench/search.py``, ``bench/render.py``) share: a site of
generated articles in a temporary data directory, and a results file with one table per engine."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^## (SQLite|PostgreSQL)\b.*?(?=^## |\Z)", re.M | re.S)


@contextmanager
def generated_site(articles: int, prefix: str):
    """Django set up on a fresh data directory (SQLite, or the emptied database of
    NEWSDESK_DATABASE_URL) holding ``articles`` generated articles; yields their page paths,
    newest first. The directory is removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update({"NEWSDESK_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings"})
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from serving.corpus import populate

        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        paths = populate(articles)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE articles_article")
        yield paths
        connection.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def engine() -> tuple[str, str]:
    """("SQLite" or "PostgreSQL", its version) of the current database."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return "SQLite", f"SQLite {sqlite3.sqlite_version}"
    return "PostgreSQL", "PostgreSQL " + connection.cursor().connection.info.parameter_status("server_version")


def write_sections(out: Path, header: list[str], name: str, section: list[str]) -> None:
    """``out`` with ``header``, then this engine's ``section`` and the other engine's as it was."""
    sections = {}
    if out.exists():
        sections = {m.group(1): m.group(0).rstrip() + "\n" for m in SECTION.finditer(out.read_text())}
    sections[name] = "\n".join(section) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join([*header, *(sections[n] for n in ("SQLite", "PostgreSQL") if n in sections)]))
