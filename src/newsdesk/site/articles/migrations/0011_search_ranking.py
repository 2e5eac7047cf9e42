"""Search ranks on a small vector of title and lead, over an index of the articles lists show.

PostgreSQL gains ``search_head`` and a GIN index of published articles that are not copies, in
place of the index of every article; SQLite's FTS5 table is unchanged. See ``searchindex``.
"""

from django.db import migrations

from newsdesk.site.articles import searchindex


def install(apps, schema_editor):
    # Installing again on SQLite would only rebuild an FTS5 table that has not changed.
    if schema_editor.connection.vendor == "postgresql":
        searchindex.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0009_retention"),
    ]

    operations = [
        # Backwards there is nothing to undo: the older queries read only what is still there.
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
