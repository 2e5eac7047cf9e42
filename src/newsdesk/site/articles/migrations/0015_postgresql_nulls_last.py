"""On PostgreSQL, the date-ordered list indexes sort undated articles last, as the lists do.

Lists order by ``published_at DESC NULLS LAST`` (undated articles after dated ones on every
database). SQLite puts NULLs last in a descending index already, so its indexes serve that order;
PostgreSQL's descending indexes put them first, so it could not read a list along them and read and
sorted every article of the list instead (a category page's query took 56 ms at 10,000 articles,
against 1 ms along the index). The indexes keep their names and columns; on PostgreSQL they are
made again with NULLS LAST. SQLite's are left as they are (it refuses NULLS LAST in an index).
"""

from django.db import migrations

SHOWN = "WHERE NOT is_copy AND is_published"
# name: (columns as SQLite and the model define them, the same for PostgreSQL's NULLS LAST, condition)
INDEXES = {
    "article_latest": ("is_published, published_at DESC", "is_published, published_at DESC NULLS LAST", ""),
    "article_category_latest": ("category_id, published_at DESC", "category_id, published_at DESC NULLS LAST", ""),
    "article_source_latest": ("source_id, published_at DESC", "source_id, published_at DESC NULLS LAST", ""),
    "article_shown_latest": ("published_at DESC, id DESC", "published_at DESC NULLS LAST, id DESC", SHOWN),
    "article_shown_category": ("category_id, published_at DESC, id DESC",
                               "category_id, published_at DESC NULLS LAST, id DESC", SHOWN),
}


def _remake(schema_editor, nulls_last: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (plain, last, condition) in INDEXES.items():
        columns = last if nulls_last else plain
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        schema_editor.execute(f'CREATE INDEX "{name}" ON "articles_article" ({columns}) {condition}'.rstrip())


def forwards(apps, schema_editor):
    _remake(schema_editor, nulls_last=True)


def backwards(apps, schema_editor):
    _remake(schema_editor, nulls_last=False)


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_stages_pending")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
