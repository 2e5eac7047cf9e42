"""Index rows written in bulk without building a model instance per row.

Storing an article writes about a hundred rows of its story terms and copy keys; through
``bulk_create`` each becomes a model instance first, which costs more than the database's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Model


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples of values in ``columns`` order, as the model's fields take them) into
    ``model``'s table in one ``executemany``; returns how many. Values go through each field's own
    conversion for the database (dates to UTC on SQLite, for example)."""
    fields = [model._meta.get_field(name) for name in columns]
    prepared = [tuple(field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True))
                for row in rows]
    if not prepared:
        return 0
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
    return len(prepared)
