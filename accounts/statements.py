"""Queries whose SQL is compiled once per process, with the values that change from one run to
the next put in when they run.

Django compiles a queryset's SQL every time it is evaluated. For a query of a dozen subqueries
whose shape never changes (the case page's per-case values) that compiling cost more CPU time
than the database took to answer. A CompiledQuery compiles its queryset once per database
alias, with a stand-in where each run's value goes (a number no row has), finds the stand-ins
among the compiled parameters, and puts the run's values in their places each time. The rows
come back converted by the compiler's own converters, as the queryset would give them. Every
other value in the queryset is fixed when it is first compiled: never build one from the
current time or the request.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Stand-ins for the values of a run: negative ids no row has, far from any other parameter.
_STAND_IN = -1_946_287_315


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    places: dict[str, tuple[int, ...]]  # value name -> where it goes among the parameters
    compiler: object
    converters: dict


class CompiledQuery:
    """`build(**stand_ins)` gives a values() or values_list() queryset (no UNION) in which each
    named value is an integer (an id). `rows(**values)` runs it for those values."""

    def __init__(self, build: Callable[..., QuerySet], *names: str, alias: str = DEFAULT_DB_ALIAS):
        self.build = build
        self.names = names
        self.alias = alias
        self._compiled: _Compiled | None = None

    def _compile(self) -> _Compiled:
        stand_ins = {name: _STAND_IN - index for index, name in enumerate(self.names)}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(using=self.alias)
        sql, params = compiler.as_sql()
        places = {
            name: tuple(i for i, param in enumerate(params) if param == stand_in)
            for name, stand_in in stand_ins.items()
        }
        if not all(places.values()):
            raise ValueError(f"A value of {self.names} is not among the query's parameters.")
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        return _Compiled(sql, tuple(params), places, compiler, compiler.get_converters(fields))

    def rows(self, **values) -> list[tuple]:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._compile()
        params = list(compiled.params)
        for name, places in compiled.places.items():
            for place in places:
                params[place] = values[name]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return [tuple(row) for row in rows]
