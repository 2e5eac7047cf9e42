"""The full-text index of articles, kept by the database itself so every write path updates it.

SQLite: an FTS5 table over ``articles_article`` (title, text), filled by triggers.
PostgreSQL: a ``search_vector`` tsvector column of title and text, with a GIN index over the
articles lists show, for matching; and ``search_head``, a small tsvector of title and lead, for
ranking. Both are filled by one trigger. The whole text's vector is kilobytes, stored compressed
out of line: reading it for every match to rank them is what made a query slow, whereas the
GIN index finds the matches without reading it. The head fits in the row.

Triggers rather than Django signals, because bulk writes (``QuerySet.update``, ``bulk_create``,
raw SQL) skip signals. The index lives outside the Django model on purpose: the model stays the
same on both databases, and a later ``AlterField`` on title or text is not blocked by a generated
column depending on it.
"""

from __future__ import annotations

FTS_TABLE = "articles_article_fts"
PG_CONFIG = "pg_catalog.english"
# Longer texts are indexed by their beginning: a tsvector is capped at 1 MB.
PG_MAX_CHARS = 200_000
# The lead that ranks with the title: about a hundred words, a vector of under a kilobyte.
PG_HEAD_CHARS = 600
PG_INDEX = "articles_article_search_shown"

_SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, text, content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON articles_article BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON articles_article BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF title, text ON articles_article BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO {FTS_TABLE}(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
]
_SQLITE_TRIGGERS = {f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"}

_PG_CREATE = [
    "ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_head tsvector",
    f"""CREATE OR REPLACE FUNCTION articles_article_search_update() RETURNS trigger AS $$
    DECLARE
        title_vector tsvector := setweight(to_tsvector('{PG_CONFIG}', coalesce(NEW.title, '')), 'A');
    BEGIN
        NEW.search_vector := title_vector ||
            setweight(to_tsvector('{PG_CONFIG}', left(coalesce(NEW.text, ''), {PG_MAX_CHARS})), 'B');
        NEW.search_head := title_vector ||
            setweight(to_tsvector('{PG_CONFIG}', left(coalesce(NEW.text, ''), {PG_HEAD_CHARS})), 'B');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS articles_article_search ON articles_article",
    """CREATE TRIGGER articles_article_search BEFORE INSERT OR UPDATE OF title, text ON articles_article
        FOR EACH ROW EXECUTE FUNCTION articles_article_search_update()""",
]
# Every search leaves out unpublished articles and copies: an index of the others alone
# answers without reading the rows for those two columns.
_PG_INDEX_SHOWN = [
    f"""CREATE INDEX IF NOT EXISTS {PG_INDEX} ON articles_article USING GIN (search_vector)
        WHERE is_published AND NOT is_copy""",
    "DROP INDEX IF EXISTS articles_article_search_gin",
]
# Migration 0004 installs the index before articles have is_copy (0008): of every article
# until 0011 installs it again.
_PG_INDEX_ALL = ["CREATE INDEX IF NOT EXISTS articles_article_search_gin ON articles_article USING GIN (search_vector)"]


def install(connection) -> None:
    """Create the index for this connection's database and fill it from the stored articles."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in _SQLITE_CREATE:
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            columns = {c.name for c in connection.introspection.get_table_description(cursor, "articles_article")}
            for statement in _PG_CREATE + (_PG_INDEX_SHOWN if "is_copy" in columns else _PG_INDEX_ALL):
                cursor.execute(statement)
            # Touching the indexed columns runs the trigger for the rows stored before it existed.
            cursor.execute("UPDATE articles_article SET title = title"
                           " WHERE search_vector IS NULL OR search_head IS NULL")


def uninstall(connection) -> None:
    """Drop the index (the reverse of ``install``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for trigger in sorted(_SQLITE_TRIGGERS):
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS articles_article_search ON articles_article")
            cursor.execute("DROP FUNCTION IF EXISTS articles_article_search_update()")
            cursor.execute("DROP INDEX IF EXISTS articles_article_search_gin")
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
            cursor.execute("ALTER TABLE articles_article DROP COLUMN IF EXISTS search_head")
            cursor.execute("ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector")


def is_complete(connection) -> bool:
    """Whether the index and the triggers that keep it current are all present."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
                           [f"{FTS_TABLE}%"])
            names = {row[0] for row in cursor.fetchall()}
            return FTS_TABLE in names and _SQLITE_TRIGGERS <= names
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'articles_article_search'")
            if cursor.fetchone() is None:
                return False
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [PG_INDEX])
            return cursor.fetchone() is not None
    return True


def ensure(connection) -> bool:
    """Reinstall the index when something removed part of it; returns True when it did.

    SQLite migrations that rebuild ``articles_article`` (most ``AlterField``s do) drop its
    triggers with the old table, so this runs after every ``migrate``.
    """
    if is_complete(connection):
        return False
    install(connection)
    return True
