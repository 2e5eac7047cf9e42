"""The full-text index of articles, kept by the database itself so every write path updates it.

SQLite: an FTS5 table over ``articles_article`` (title, text), filled by triggers.
PostgreSQL: a ``search_vector`` tsvector column filled by a trigger, with a GIN index.

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
    f"""CREATE OR REPLACE FUNCTION articles_article_search_update() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('{PG_CONFIG}', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('{PG_CONFIG}', left(coalesce(NEW.text, ''), {PG_MAX_CHARS})), 'B');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS articles_article_search ON articles_article",
    """CREATE TRIGGER articles_article_search BEFORE INSERT OR UPDATE OF title, text ON articles_article
        FOR EACH ROW EXECUTE FUNCTION articles_article_search_update()""",
    "CREATE INDEX IF NOT EXISTS articles_article_search_gin ON articles_article USING GIN (search_vector)",
]


def install(connection) -> None:
    """Create the index for this connection's database and fill it from the stored articles."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in _SQLITE_CREATE:
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            for statement in _PG_CREATE:
                cursor.execute(statement)
            # Touching the indexed columns runs the trigger for the rows stored before it existed.
            cursor.execute("UPDATE articles_article SET title = title WHERE search_vector IS NULL")


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
