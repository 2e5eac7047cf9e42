"""Querysets compiled to SQL once per process: the article page's lookups without Django's compile cost.

Django turns a queryset into SQL every time it is evaluated. For the small lookups of a page that
costs more than running them: of the 0.9 ms the article's own row takes on SQLite, 0.55 ms is
compiling. A ``prepared`` function builds its queryset from integer parameters (ids, or lists of
ids); the first call of each shape (the length of each list) compiles it with marker
values in place of the parameters, and every later call runs that SQL with the real values, turning
the rows into model instances or tuples as Django's own iterables do (converters, related objects
and annotations included). The statement goes through the connection's cursor, so query counts,
debug logs and ``execute_wrapper`` see it as any other.

A queryset the cache cannot hold the same way (prefetches, a ``values()`` of dicts, an empty list
of ids, a parameter Django folded into the SQL) is evaluated the ordinary way each time, so using
``prepared`` never changes what a function returns. Use it for the hot lookups of pages, with
parameters that are ids: they are the only values replaced.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models.query import ModelIterable, QuerySet, ValuesListIterable, get_related_populators

# Markers stand for the parameters while the shape is compiled: integers within every backend's
# 32-bit range (Django refuses out-of-range integers in lookups) that no query of newsdesk uses.
_MARKER = 2_146_000_000
_UNPREPARABLE = object()


def prepared(build: Callable[..., QuerySet]) -> Callable[..., list]:
    """Decorate ``build(*ids) -> QuerySet``; the decorated function returns the queryset's results
    as a list (model instances, or tuples for ``values_list``)."""
    shapes: dict[tuple, Any] = {}
    lock = threading.Lock()

    @functools.wraps(build)
    def run(*args: int | list[int] | tuple[int, ...]) -> list:
        shape = tuple(len(a) if isinstance(a, (list, tuple)) else None for a in args)
        if 0 in shape:
            return list(build(*args))  # an empty list of ids: Django answers without a query
        compiled = shapes.get(shape)
        if compiled is None:
            with lock:
                compiled = shapes.get(shape)
                if compiled is None:
                    # The database is the one a plain build reads (newsdesk routes nothing).
                    marked = _markers(shape)
                    queryset = build(*marked)
                    compiled = shapes[shape] = _compile(queryset, queryset.db, _flat(marked))
        if compiled is _UNPREPARABLE:
            return list(build(*args))
        return compiled.run(_flat(args))

    run.compiled_shapes = shapes  # for tests: which shapes were prepared
    return run


def _markers(shape: tuple) -> list:
    values, n = [], 0
    for length in shape:
        if length is None:
            values.append(_MARKER + n)
            n += 1
        else:
            values.append([_MARKER + n + i for i in range(length)])
            n += length
    return values


def _flat(args) -> list[int]:
    out: list[int] = []
    for a in args:
        if isinstance(a, (list, tuple)):
            out.extend(int(v) for v in a)
        else:
            out.append(int(a))
    return out


class _Compiled:
    """One shape's SQL, where each marker sat among its parameters, and the compiler that made it."""

    def __init__(self, compiler, fields: list, sql: str, slots: list, iterable) -> None:
        self.compiler, self.sql, self.slots, self.iterable = compiler, sql, slots, iterable
        self.alias = compiler.using
        self.converters = compiler.get_converters(fields)
        # Where the model's own columns are in a row, and their attribute names, as ModelIterable finds
        # them (a values_list has no model to make).
        self.start, self.end, self.init_list = 0, 0, []
        if iterable is ModelIterable:
            select_fields = compiler.klass_info["select_fields"]
            self.start, self.end = select_fields[0], select_fields[-1] + 1
            self.init_list = [f[0].target.attname for f in compiler.select[self.start:self.end]]

    def run(self, values: list[int]) -> list:
        params = [values[slot - _MARKER] if is_marker else slot for is_marker, slot in self.slots]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        compiler = self.compiler
        if compiler.has_extra_select:
            rows = [r[:compiler.col_count] for r in rows]
        if self.converters:
            rows = compiler.apply_converters(rows, self.converters)
        if self.iterable is ValuesListIterable:
            return [tuple(row) for row in rows]
        return list(self._instances(rows))

    def _instances(self, rows):
        """Model instances from rows, as Django's ``ModelIterable`` makes them."""
        compiler, start, end = self.compiler, self.start, self.end
        model_cls, annotation_col_map = compiler.klass_info["model"], compiler.annotation_col_map
        populators = get_related_populators(compiler.klass_info, compiler.select, self.alias)
        for row in rows:
            obj = model_cls.from_db(self.alias, self.init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotation_col_map or {}).items():
                setattr(obj, name, row[position])
            yield obj


def _compile(queryset: QuerySet, alias: str, markers: list[int]):
    """The shape's ``_Compiled``, or ``_UNPREPARABLE`` when replaying its SQL could differ from Django."""
    iterable = queryset._iterable_class
    if (iterable not in (ModelIterable, ValuesListIterable) or queryset._prefetch_related_lookups
            or queryset._known_related_objects or queryset._fields and iterable is ModelIterable):
        return _UNPREPARABLE
    compiler = queryset.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except Exception:  # an empty or full result set Django answers without SQL, and the like
        return _UNPREPARABLE
    fields = [s[0] for s in compiler.select[0:compiler.col_count]]
    if compiler.has_composite_fields(fields):
        return _UNPREPARABLE
    slots = [(type(p) is int and _MARKER <= p < _MARKER + len(markers), p) for p in params]
    # Every parameter must be a parameter of the SQL, not folded into its text (a LIMIT, say).
    if {p for is_marker, p in slots if is_marker} != set(markers) or any(str(m) in sql for m in markers):
        return _UNPREPARABLE
    return _Compiled(compiler, fields, sql, slots, iterable)
