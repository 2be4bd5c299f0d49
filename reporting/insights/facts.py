"""One report run's working tables: each universe's rows (with the keys its multi-select
tables count), read by the run's aggregates and its one UNION.

Every table of a universe is a FILTER in one aggregate over that universe's rows joined to its
cases' facts: the read model (reporting.read_model, reporting.models.CaseFacts), one row per
case kept current by every write, so a report works out no per-case fact itself.
The tables are TEMPORARY: private to the database connection, gone when the run ends (or rolls
back). A read-only connection (a hot standby) cannot create them: there each universe's rows
are a WITH query of the statements that read them instead (`universe_source`).
"""

import contextvars
import re
from contextlib import contextmanager

from django.db.models import F
from django.db.models.expressions import RawSQL

from ..database import reporting_connection, reporting_reads


def universe_table(key: str) -> str:
    return f"reporting_universe_{key}"


# On a read-only connection: each universe table's SQL (values bound), read as a subquery.
_universe_sql: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "universe_sql", default=None
)


def universe_source(table: str) -> str:
    """What a statement reads a universe's rows FROM: its temporary table, or on a read-only
    connection the table's query under the table's name."""
    sources = _universe_sql.get()
    if sources and table in sources:
        # Its values are bound into it: a % left in it is a character, not a placeholder of
        # the statement it goes into.
        return f"({sources[table].replace('%', '%%')}) AS {table}"
    return table


def universes_inlined() -> bool:
    """Whether this run's statements read the universes' rows as WITH queries with the run's
    values bound in (a read-only connection), instead of the run's tables by name."""
    return _universe_sql.get() is not None


def _execute(sql: str, params=()) -> None:
    with reporting_connection().cursor() as cursor:
        cursor.execute(sql, params)


def _is_read_only() -> bool:
    """A hot standby (or a READ ONLY transaction) cannot create temporary tables."""
    connection = reporting_connection()
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_read_only")
        return cursor.fetchone()[0] == "on"


def _create(table: str, sql: str, params, analyze: tuple[str, ...] = ()) -> None:
    sources = _universe_sql.get()
    if sources is not None:
        sources[table] = reporting_connection().ops.compose_sql(sql, params)
        return
    _execute(f"DROP TABLE IF EXISTS {table}")
    _execute(f"CREATE TEMPORARY TABLE {table} AS {sql}", params)
    # Temporary tables are never analysed automatically: without statistics the planner guesses
    # (badly) how to join them. The columns they are joined on are enough.
    postgresql = reporting_connection().vendor == "postgresql"
    columns = f" ({', '.join(analyze)})" if analyze and postgresql else ""
    _execute(f"ANALYZE {table}{columns}")


FACT_REFERENCE = re.compile(r"report_facts__([a-z0-9]+(?:_[a-z0-9]+)*)")


def facts_read(specs) -> set[str]:
    """The facts (CaseFacts columns) that these table specs read, found in their conditions
    and expressions."""
    return {match for spec in specs for match in FACT_REFERENCE.findall(repr(spec))}


def column_of(table: str, column: str) -> RawSQL:
    """A subquery of one column of a run's table, NULLs left out. The names are the code's own,
    never input."""
    sql = f"SELECT {column} FROM {universe_source(table)} WHERE {column} IS NOT NULL"  # noqa: S608
    return RawSQL(sql, ())  # noqa: S611


def _latest_per_client(table: str, columns) -> str:
    """The latest row per client of a universe's table (its rows, de-duplicated: the latest by
    the row's own date, then the newest row of that day, as engine.Universe.rows) with its case
    and the given columns of that table. The names are the code's own, never input."""
    selected = ", ".join(("universe_row", "universe_case", *columns))
    return (
        f"SELECT {selected} FROM (SELECT *, ROW_NUMBER() OVER ("  # noqa: S608
        "PARTITION BY universe_client ORDER BY universe_date DESC, universe_row DESC"
        f") AS client_rank FROM {universe_source(table)}) ranked WHERE client_rank = 1"
    )


def _columns_for(other: str, wanted: dict, present: dict) -> dict:
    """Another universe's columns, to be worked out in this universe's table: each name once."""
    for name, expression in wanted.items():
        if name in present and present[name] != expression:
            raise ValueError(f"Column {name} of {other} is another universe's column too.")
    return wanted


@contextmanager
def report_tables(
    universes: dict,
    period,
    filters,
    columns: dict[str, dict] | None = None,
):
    """Creates the run's tables and yields each universe's rows as a queryset over them.

    `universes` maps a key to a reporting.insights.engine.Universe; `columns` are, per
    universe, named expressions worked out once per row into the universe's table
    (`universe_table(key)`): the keys a multi-select table counts, say. The whole run is one
    transaction on the reporting database (reporting.database.reporting_reads: its statement
    settings, one snapshot of the data for every table), and the temporary tables go with it.
    """
    columns = columns or {}
    if any(facts_read(extra.values()) for extra in columns.values()):
        raise ValueError(
            "A universe's columns are stored apart from the facts: they cannot read them."
        )
    created = []
    with reporting_reads():
        token = _universe_sql.set({} if _is_read_only() else None)
        try:
            rows = {}
            # A universe that de-duplicates another's rows of this run (the client profile's
            # intakes) is that universe's table's latest row per client: its columns are worked
            # out in that table, with the other's, and the forms are not read again.
            from_table = {
                key: universe.deduplicates
                for key, universe in universes.items()
                if universe.deduplicates in universes
            }
            deduplicated = {universe.deduplicates for universe in universes.values()}
            # A universe that de-duplicates another's rows comes after it, to read its table.
            for key, universe in sorted(
                universes.items(), key=lambda item: item[0] in deduplicated, reverse=True
            ):
                table = universe_table(key)
                case = f"{universe.case_path}_id" if universe.case_path else "pk"
                extra = dict(columns.get(key, {}))
                if key in deduplicated:
                    extra["universe_client"] = F(universe.client_path)
                    extra["universe_date"] = F(universe.date_field)
                    for other, source in from_table.items():
                        if source == key:
                            extra |= _columns_for(other, columns.get(other, {}), extra)
                if key in from_table:
                    own = tuple(columns.get(key, {}))
                    sql, params = _latest_per_client(universe_table(from_table[key]), own), ()
                    _create(table, sql, params, analyze=("universe_row", "universe_case", *own))
                else:
                    selected = universe.rows(period, filters).annotate(
                        universe_row=F("pk"), universe_case=F(case), **extra
                    )
                    sql, params = (
                        selected.order_by()
                        .values("universe_row", "universe_case", *extra)
                        .query.sql_with_params()
                    )
                    _create(table, sql, params, analyze=("universe_row", "universe_case", *extra))
                if _universe_sql.get() is None:
                    created.append(table)
                rows[key] = universe.queryset().filter(pk__in=column_of(table, "universe_row"))
            yield rows
        finally:
            for table in reversed(created):
                _execute(f"DROP TABLE IF EXISTS {table}")
            _universe_sql.reset(token)
