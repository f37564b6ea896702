"""Reads compiled once with stand-ins for their values; each call puts its own values in.

Building and compiling a query cost the case page, the case list and the search about as
much Python as the database spent running them (decision 117): the same few statements
are compiled on every view with only their values changed. A ``Statement`` builds its
query once per shape with stand-ins for the values, compiles it once per connection, notes
where each stand-in went among the parameters, and then runs that SQL with each call's
values in their places, making model instances as the ORM does (``ModelIterable``).

The shape is everything that changes the SQL (a role's branch, which filters are on): it is
passed apart from the values and is part of the cache key. A value must only ever be
compared, never changed or branched on by the build; None and booleans change SQL and
belong to the shape, and a list's length is shape (each item is a value; an empty or long
list is run as built). Where a value's stand-in is not among the parameters as it is (as
text, or as hex), the statement is compiled per call, as before. With
ADVOCACY_STATEMENTS_CHECKED on (the test suite) every call is also compiled afresh and must
give the same SQL and parameters, so a build that branches on a value fails the tests
instead of reading the wrong rows.
"""

from __future__ import annotations

import copy
import datetime
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in the stubs
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler
from viewflow.workflow.managers import ProcessIterable, TaskIterable

# Lists up to this long are compiled once for each length; longer ones per call.
LONGEST_LIST = 16

# viewflow's process and task querysets iterate so; they change nothing unless coerced.
_PASSING_ITERABLES = (ProcessIterable, TaskIterable)


class StatementShapeError(AssertionError):
    """A cached statement's SQL differs from what its build gives for these values."""


# The kinds of value a stand-in is made for, exactly (not bool, not a datetime, whose time
# zone may be changed on its way, not a str enum, whose member the build might read).
_STANDING_IN = (uuid.UUID, int, str, datetime.date)


def _has_stand_in(value: object) -> bool:
    return type(value) in _STANDING_IN


# Far from any id, day or count the application stores, and each used once a compile.
_serial = count(1)


def _stand_in(value: object) -> object:
    """Return a unique value of value's kind (one that ``_has_stand_in`` accepts)."""
    n = next(_serial)
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, int):
        return 2_147_000_000 + n % 400_000
    if isinstance(value, str):
        return f"stand-in-{uuid.uuid4().hex}"
    return datetime.date(1800, 1, 1) + datetime.timedelta(days=n % 20_000)


def _text(value: Any) -> str:
    return str(value)


def _hex(value: Any) -> str:
    return str(value.hex)


def _same(value: Any) -> Any:
    return value


def _form_of(param: object, stand_in: object) -> Callable[[Any], object] | None:
    """Return how a value became param, if param is stand_in's: as it is, wrapped in a
    subtype (psycopg's Int4 for an integer column), as text (SQLite's dates) or as hex
    (SQLite's UUIDs); None if param is not the stand-in's."""
    if isinstance(param, type(stand_in)) and param == stand_in:
        wrapper = type(param)
        return _same if wrapper is type(stand_in) else wrapper
    if isinstance(param, str) and param == str(stand_in):
        return _text
    if isinstance(stand_in, uuid.UUID) and param == stand_in.hex:
        return _hex
    return None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[object, ...]
    # Parameter position → (value name, how the value becomes the parameter); the other
    # parameters are the build's own.
    slots: Mapping[int, tuple[str, Callable[[Any], object]]]
    compiler: SQLCompiler
    kind: str  # "models", "rows", "flat", "count", "no rows" or "no rows, counted"
    using: str
    # For "models", what ModelIterable works out per query, worked out once.
    init_list: list[str] = field(default_factory=list)
    populators: list[Any] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        compiler: SQLCompiler,
        sql: str,
        params: tuple[object, ...],
        kind: str,
        using: str,
        slots: Mapping[int, tuple[str, Callable[[Any], object]]] | None = None,
    ) -> _Compiled:
        init_list: list[str] = []
        populators: list[Any] = []
        if kind == "models":
            select, klass_info = compiler.select, compiler.klass_info
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            init_list = [column[0].target.attname for column in select[first:last]]
            populators = get_related_populators(klass_info, select, using)
        return cls(
            sql=sql,
            params=params,
            slots=slots or {},
            compiler=compiler,
            kind=kind,
            using=using,
            init_list=init_list,
            populators=populators,
        )


def _compile(
    queryset: QuerySet, counts: bool = False
) -> tuple[SQLCompiler, str, tuple[object, ...], str]:
    # QuerySet's private state, which the stubs do not declare.
    state: Any = queryset
    if state._prefetch_related_lookups or state._known_related_objects:
        raise ValueError("a Statement runs one query: no prefetch_related, no related objects")
    kinds: dict[type, str] = {
        ModelIterable: "models",
        ValuesListIterable: "rows",
        FlatValuesListIterable: "flat",
    }
    iterable = state._iterable_class
    if iterable in _PASSING_ITERABLES and not getattr(state, "_coerced", False):
        iterable = ModelIterable
    kind = kinds.get(iterable)
    if kind is None or (kind != "models" and queryset.query.annotation_select):
        raise ValueError("a Statement reads model instances or plain values_list rows")
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        # Nothing can match (an empty IN: someone who may see no case). The ORM answers that
        # without asking the database; so does the statement, for this shape.
        return compiler, "", (), "no rows, counted" if counts else "no rows"
    if counts:
        # As Django counts a sliced query: the rows of the query itself, counted around it.
        counted = f"SELECT COUNT(*) FROM ({sql}) subquery"  # noqa: S608 — the ORM's own SQL
        return compiler, counted, tuple(params), "count"
    return compiler, sql, tuple(params), kind


class Statement:
    """``build(**shape, **values)`` compiled once per shape and connection, run per call."""

    def __init__(
        self,
        build: Callable[..., QuerySet[Any, Any]],
        *,
        objects: Mapping[str, tuple[str, ...]] | None = None,
        key: Callable[[Mapping[str, Any]], Hashable] | None = None,
        counts: bool = False,
        using: str = "default",
    ) -> None:
        """objects: for a value that is an object (a user), the attributes the build reads as
        values (its id, its organisation's); key: what else of the values the build reads,
        which goes into the cache key (a user's roles); counts: the call returns how many
        rows the build's query has (as ``QuerySet.count()`` of a sliced query) instead."""
        self.build = build
        self.counts = counts
        self.objects = dict(objects or {})
        self.key = key
        self.using = using
        # Kept on the connection object: one per thread, as the compiler it holds expects.
        self._cache_name = f"_advocacy_statements_{id(self)}"

    def __call__(self, shape: Mapping[str, Hashable] | None = None, /, **values: Any) -> Any:
        """Return the rows of ``build(**shape, **values)`` (instances or tuples), or their count."""
        shape = dict(shape or {})
        flat = self._flat(values)
        if not all(_has_stand_in(value) for value in flat.values()) or any(
            isinstance(value, list) and not 0 < len(value) <= LONGEST_LIST
            for value in values.values()
        ):
            # None and booleans change the SQL; other kinds have no stand-in: run as built.
            return self._uncached(shape, values)
        cache = connections[self.using].__dict__.setdefault(self._cache_name, {})
        key = (
            tuple(sorted(shape.items())),
            # A list's length is shape: one placeholder an item.
            tuple(sorted((name, _length(value)) for name, value in values.items())),
            self.key(values) if self.key else None,
        )
        if key not in cache:
            cache[key] = self._compile_with_stand_ins(shape, values)
        compiled: _Compiled | None = cache[key]
        if compiled is None:
            return self._uncached(shape, values)
        params = list(compiled.params)
        for position, (name, form) in compiled.slots.items():
            params[position] = form(flat[name])
        if settings.ADVOCACY_STATEMENTS_CHECKED:
            _compiler, sql, fresh, _kind = _compile(self.build(**shape, **values), self.counts)
            if sql != compiled.sql or list(fresh) != params:
                raise StatementShapeError(
                    f"{self.build.__qualname__}: the SQL for these values is not the cached "
                    "shape's; a value decides the SQL and belongs in the shape"
                )
        return _run(compiled, params)

    def _uncached(self, shape: dict, values: dict) -> Any:
        queryset = self.build(**shape, **values)
        return queryset.count() if self.counts else list(queryset)

    def _flat(self, values: Mapping[str, Any]) -> dict[str, object]:
        """Each value by name, an object's read attributes as ``name.attribute``."""
        flat: dict[str, object] = {}
        for name, value in values.items():
            if name in self.objects:
                for attribute in self.objects[name]:
                    flat[f"{name}.{attribute}"] = getattr(value, attribute)
            elif isinstance(value, list):
                if len(set(value)) != len(value):
                    raise ValueError(f"{name}: a list value is compared item by item, once each")
                for index, item in enumerate(value):
                    flat[f"{name}[{index}]"] = item
            else:
                flat[name] = value
        return flat

    def _compile_with_stand_ins(self, shape: dict, values: dict) -> _Compiled | None:
        stand_ins = {name: _stand_in(value) for name, value in self._flat(values).items()}
        arguments = {}
        for name, value in values.items():
            if name in self.objects:
                # A copy keeps what the object has read and kept (a user's roles).
                value = copy.copy(value)
                for attribute in self.objects[name]:
                    setattr(value, attribute, stand_ins[f"{name}.{attribute}"])
            elif isinstance(value, list):
                value = [stand_ins[f"{name}[{index}]"] for index in range(len(value))]
            else:
                value = stand_ins[name]
            arguments[name] = value
        queryset = self.build(**shape, **arguments)
        if queryset.db != self.using:
            raise ValueError(f"{self.build.__qualname__} reads {queryset.db}, not {self.using}")
        compiler, sql, params, kind = _compile(queryset, self.counts)
        if kind.startswith("no rows"):
            return _Compiled.of(compiler, sql, params, kind, self.using)
        slots: dict[int, tuple[str, Callable[[Any], object]]] = {}
        for position, param in enumerate(params):
            for name, stand_in in stand_ins.items():
                form = _form_of(param, stand_in)
                if form is not None:
                    slots[position] = (name, form)
        texts = [sql] + [
            str(param) for position, param in enumerate(params) if position not in slots
        ]
        # A stand-in inside the SQL or inside another parameter (a LIKE's '%…%') was changed
        # on its way; such a statement is compiled per call.
        written_in = any(
            str(s) in text or (isinstance(s, uuid.UUID) and s.hex in text)
            for s in stand_ins.values()
            for text in texts
        )
        # A value found nowhere may have been changed on its way (a hash of it): compiled per
        # call. An object's attribute found nowhere is one this shape does not read (a
        # supervisor's list does not ask for the user's id).
        found = {name for name, _form in slots.values()}
        missing = {name for name in stand_ins if name not in found and "." not in name}
        if written_in or missing or compiler.has_extra_select:
            return None
        return _Compiled.of(compiler, sql, params, kind, self.using, slots=slots)


def _length(value: object) -> int | None:
    return len(value) if isinstance(value, list) else None


def _run(compiled: _Compiled, params: list) -> Any:
    """Run the compiled SQL with params and make what the ORM would have made of its rows."""
    if compiled.kind == "no rows":
        return []
    if compiled.kind == "no rows, counted":
        return 0
    with connections[compiled.using].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        fetched = cursor.fetchall()
    if compiled.kind == "count":
        return fetched[0][0]
    compiler = compiled.compiler
    rows = compiler.results_iter([fetched], tuple_expected=compiled.kind != "models")
    if compiled.kind == "flat":
        return [row[0] for row in rows]
    if compiled.kind == "rows":
        return list(rows)
    klass_info = compiler.klass_info
    model_cls = klass_info["model"]
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    annotations = compiler.annotation_col_map or {}
    objects = []
    for row in rows:
        obj = model_cls.from_db(compiled.using, compiled.init_list, row[first:last])
        for populator in compiled.populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        objects.append(obj)
    return objects
