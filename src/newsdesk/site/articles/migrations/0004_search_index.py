"""The full-text index of articles: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL."""

from django.db import migrations

from newsdesk.site.articles import searchindex


def install(apps, schema_editor):
    searchindex.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    searchindex.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_banner"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
