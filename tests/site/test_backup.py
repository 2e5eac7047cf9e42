"""`newsdesk backup` and `newsdesk restore`, run as real processes on the configured database kind.

On SQLite each site is its own data directory; on PostgreSQL (NEWSDESK_DATABASE_URL set) each one
also gets a database of its own on that server, dropped at the end.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

BASE_URL = os.environ.get("NEWSDESK_DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith("postgres")

# Writes a site the way it grows: each story, article and approved comment in one transaction,
# so that a consistent backup holds a story's article count equal to its articles.
WRITER = r"""
import sys, time
import django
django.setup()
from django.contrib.auth.models import User
from django.db import transaction
from newsdesk.site.articles.models import Article, Category, Story
from newsdesk.site.comments.models import Comment
from newsdesk.site.sources.models import Source

start, count, pause = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
if start == 0:
    User.objects.create_superuser("editor", "editor@example.org", "pw-editor-1234")
    Source.objects.create(name="Harbour Gazette", slug="gazette", homepage="https://gazette.example.org/")
source = Source.objects.get(slug="gazette")
category, _ = Category.objects.get_or_create(slug="news", defaults={"name": "News"})
for n in range(start, start + count):
    with transaction.atomic():
        story = Story.objects.create(title=f"Story {n}", article_count=0)
        for k in range(2):
            article = Article.objects.create(
                source=source, category=category, story=story, title=f"Report {n}.{k}",
                url=f"https://gazette.example.org/{n}-{k}", canonical_url=f"https://gazette.example.org/{n}-{k}",
                text=f"Paragraph of report {n}.{k}. " * 20, content_hash=f"{n}-{k}",
                raw_page=Article.pack_page(f"<html><p>page {n}.{k}</p></html>".encode()))
            Comment.objects.create(article=article, name=f"Reader {n}", email="r@example.org",
                                   text=f"Comment on {n}.{k}", status=Comment.APPROVED, fingerprint=f"fp-{n}-{k}")
            story.article_count += 1
        story.save()
    if n == start + 9:
        print("ready", flush=True)
    time.sleep(pause)
print("done", flush=True)
"""

DUMPED = ["sources", "articles", "comments", "auth.user"]


class Site:
    """One newsdesk installation: a data directory and, on PostgreSQL, a database of its own."""

    def __init__(self, root: Path):
        self.dir = root / f"site-{uuid.uuid4().hex[:8]}"
        self.dir.mkdir()
        self.database = ""
        if ON_POSTGRES:
            self.database = f"newsdesk_backup_{uuid.uuid4().hex[:10]}"
            _postgres(f'CREATE DATABASE "{self.database}"')

    @property
    def env(self) -> dict[str, str]:
        url = BASE_URL.rsplit("/", 1)[0] + "/" + self.database if self.database else ""
        return {**os.environ, "NEWSDESK_DATA_DIR": str(self.dir), "NEWSDESK_DATABASE_URL": url,
                "NEWSDESK_SECRET_KEY": "", "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings"}

    def newsdesk(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "newsdesk", *args], env=self.env, capture_output=True,
                                text=True, timeout=300)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def writer(self, start: int, count: int, pause: float) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", WRITER, str(start), str(count), str(pause)], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def dump(self) -> dict[str, list[dict]]:
        """Every row of the sources, articles, comments and users, by model."""
        rows = json.loads(self.newsdesk("dumpdata", *DUMPED).stdout)
        by_model: dict[str, list[dict]] = {}
        for row in rows:
            by_model.setdefault(row["model"], []).append(row)
        return by_model

    def drop(self) -> None:
        if self.database:
            _postgres(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def _postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture
def sites(tmp_path):
    made: list[Site] = []

    def make() -> Site:
        made.append(Site(tmp_path))
        return made[-1]

    yield make
    for site in made:
        site.drop()


def wait_for_line(process: subprocess.Popen, expected: str) -> None:
    line = process.stdout.readline().strip()
    assert line == expected, (line, process.stderr.read() if process.poll() is not None else "")


def test_a_backup_taken_while_the_site_is_written_restores_a_consistent_site(sites):
    live = sites()
    live.newsdesk("migrate", "-v0")
    theme = live.dir / "theme" / "templates" / "newsdesk"
    theme.mkdir(parents=True)
    (theme / "footer.html").write_text("<footer>Our own footer</footer>")
    writer = live.writer(0, 60, 0.05)
    wait_for_line(writer, "ready")
    archive = live.dir.parent / "during.newsdesk"
    result = live.newsdesk("backup", str(archive))
    assert writer.poll() is None, "the writer ended before the backup: the backup was not taken while writing"
    assert "Backed up" in result.stdout and archive.stat().st_mode & 0o077 == 0  # owner only: it holds secrets
    wait_for_line(writer, "done")
    assert writer.wait(60) == 0, writer.stderr.read()

    restored = sites()
    result = restored.newsdesk("restore", str(archive))
    assert "Restored" in result.stdout
    written, got = live.dump(), restored.dump()

    # Everything committed before the backup, and nothing half-written.
    stories = {row["pk"]: row["fields"] for row in got["articles.story"]}
    articles = got["articles.article"]
    assert 20 <= len(articles) < 120
    for story_id, story in stories.items():
        members = [a for a in articles if a["fields"]["story"] == story_id]
        assert len(members) == story["article_count"] == 2, story["title"]
    assert {c["fields"]["article"] for c in got["comments.comment"]} == {a["pk"] for a in articles}
    by_pk = {row["pk"]: row for row in written["articles.article"]}
    assert all(by_pk[a["pk"]] == a for a in articles)  # rows as written, raw pages included
    assert sorted(a["pk"] for a in articles) == sorted(by_pk)[:len(articles)]  # a prefix of what was written
    assert got["auth.user"] == written["auth.user"]  # password hashes too: the editor can log in
    assert got["sources.source"] == written["sources.source"]
    assert (restored.dir / "secret_key").read_text() == (live.dir / "secret_key").read_text()
    assert (restored.dir / "theme/templates/newsdesk/footer.html").read_text() == "<footer>Our own footer</footer>"

    # Once writing has stopped, a second backup restores the site exactly.
    final = live.dir.parent / "after.newsdesk"
    live.newsdesk("backup", str(final))
    again = sites()
    again.newsdesk("restore", str(final))
    assert again.dump() == written
    assert len(written["articles.article"]) == 120
    # The restored site serves: the admin login page and the editor's account work there.
    check = again.newsdesk("shell", "-c", "from django.contrib.auth import authenticate; "
                           "from django.test import RequestFactory; "
                           "print(authenticate(RequestFactory().post('/admin/login/'), "
                           "username='editor', password='pw-editor-1234'))")
    assert check.stdout.strip().endswith("editor")


def test_restore_refuses_a_site_that_is_not_empty(sites):
    live = sites()
    live.newsdesk("migrate", "-v0")
    live.writer(0, 10, 0).wait(60)
    archive = live.dir.parent / "site.newsdesk"
    live.newsdesk("backup", str(archive))
    before = live.dump()
    result = live.newsdesk("restore", str(archive), check=False)
    assert result.returncode != 0 and ("not empty" in result.stderr or "already holds" in result.stderr)
    assert live.dump() == before  # nothing overwritten


def _archive(path: Path, members: dict[str, bytes], *, link: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo("files/theme")
            info.type, info.linkname = tarfile.SYMTYPE, link
            archive.addfile(info)
    return path


@pytest.mark.parametrize("case", ["not an archive", "no manifest", "escapes the directory", "a link",
                                  "newer newsdesk", "no database"])
def test_restore_refuses_bad_archives_with_a_clear_message(sites, tmp_path, case):
    manifest = {"format": 1, "newsdesk": "0.1.0", "database": "sqlite", "migrations": {}}
    good = {"newsdesk-backup.json": json.dumps(manifest).encode(), "database.sqlite3": b""}
    path = tmp_path / "bad.newsdesk"
    if case == "not an archive":
        path.write_bytes(b"<html>not a backup</html>")
        expected = "cannot be read"
    elif case == "no manifest":
        _archive(path, {"database.sqlite3": b""})
        expected = "not a newsdesk backup"
    elif case == "escapes the directory":
        _archive(path, {**good, "files/../../outside.txt": b"x"})
        expected = "outside the data directory"
    elif case == "a link":
        _archive(path, good, link="/etc")
        expected = "not a regular file"
    elif case == "newer newsdesk":
        newer = {**manifest, "newsdesk": "9.0", "migrations": {"articles": ["0001_initial", "0999_future"]}}
        _archive(path, {**good, "newsdesk-backup.json": json.dumps(newer).encode()})
        expected = "newer newsdesk"
    else:
        _archive(path, {"newsdesk-backup.json": json.dumps(manifest).encode()})
        expected = "holds no database"
    site = sites()
    result = site.newsdesk("restore", str(path), check=False)
    assert result.returncode != 0 and expected in result.stderr, result.stderr
    assert not (tmp_path.parent / "outside.txt").exists()
    assert sorted(p.name for p in site.dir.iterdir() if not p.name.startswith("newsdesk.sqlite3")) \
        in (["cache", "secret_key"], ["secret_key"], ["cache"], [])


def test_backup_into_a_missing_folder_fails_clearly_and_leaves_nothing(sites, tmp_path):
    site = sites()
    site.newsdesk("migrate", "-v0")
    result = site.newsdesk("backup", str(tmp_path / "missing" / "site.newsdesk"), check=False)
    assert result.returncode != 0 and "does not exist" in result.stderr
    inside = site.dir / "site.newsdesk"  # a backup kept in the data directory does not hold itself
    site.newsdesk("backup", str(inside))
    with tarfile.open(inside) as archive:
        names = archive.getnames()
    assert "files/site.newsdesk" not in names and not any(".newsdesk-backup-" in n for n in names)
    assert not any(n.startswith("files/newsdesk.sqlite3") or n.startswith("files/cache") for n in names)
    assert not [p for p in site.dir.iterdir() if p.name.startswith(".newsdesk-backup-")]
