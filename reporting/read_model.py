"""The reporting read model: one narrow row per case (reporting.models.CaseFacts) of the facts
the Insights tables count, kept current in the same transaction as every write.

One rule: `refresh_cases(case_ids)` recomputes the given cases' rows with the set-based SQL
below, and `rebuild()` (the `rebuild_report_facts` command, migration 0008) runs that same SQL
over every case in batches, so the maintained rows equal a rebuild by construction.

Who calls refresh_cases:
- the receivers in reporting/apps.py (post_save, post_delete and m2m_changed of every model the
  facts read), so every write path, services and admin alike, keeps the rows current without
  cases/, outcomes/, riskassessment/, support/ or referrals/ importing reporting;
- writers that bypass signals (bulk_create, queryset.update(), raw SQL: the bundle importer,
  generate_cases) call it themselves with the case ids they touched.
"""

import datetime
import functools
import json
import re
from collections import Counter
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from cases.models import Case, ChildInCase, Contact
from outcomes.models import (
    CivilJusticeForm,
    CriminalJusticeForm,
    ExitForm,
    IntakeForm,
    ReviewForm,
)
from outcomes.models.base import FormStatus
from riskassessment.models import Assessment, MaracHearing
from riskassessment.scoring import latest_submitted, latest_submitted_rank
from support.models import AreaSupport
from support.models.areas import SupportArea

from .models import CaseFacts

SUBMITTED = FormStatus.SUBMITTED
FACTS_TABLE = CaseFacts._meta.db_table
# The rebuild's batch: cases per INSERT (about 10 contacts and a few forms each).
REBUILD_BATCH = 20_000
# A refresh's batch: ids listed in one statement.
REFRESH_BATCH = 1_000
# Two transactions refreshing one case wait for each other (an advisory lock per case, taken
# in case order so that they cannot deadlock): the second then reads the first's committed
# rows, so neither writes a count that misses the other's write.
_LOCK_NAMESPACE = 20008


def _per_case(qs: QuerySet, scope: RawSQL, **aggregates) -> QuerySet:
    return qs.filter(case_id__in=scope).order_by().values("case_id").annotate(**aggregates)


def _assessment_sql(scope: RawSQL):
    """Each case's submitted intake and exit assessments (riskassessment.scoring's
    latest_submitted), pivoted to one row per case: the Dash score of the latest Dash-banded
    checklist at intake and exit (a complete one before an incomplete one: a checklist mostly
    "Not asked" scores low because it was not asked), and the risk level and high-risk basis at
    intake of the assessment that decides it under the current-risk rule (decides_stage_risk,
    riskassessment.current_risk): an incomplete MeRIT submitted after a high DASH does not make
    the intake standard risk."""
    intake, exit_ = Assessment.Stage.INTAKE, Assessment.Stage.EXIT
    ranked = (
        latest_submitted()
        .filter(case_id__in=scope, stage__in=(intake, exit_))
        .order_by()
        .values("id", "case_id", "stage", "score", "risk_level", "high_risk_basis")
        .annotate(
            is_dash=F("version__checklist__has_insights_band"),
            decides=F("decides_stage_risk"),
            by_kind=latest_submitted_rank(
                "case_id", "stage", "version__checklist__has_insights_band", complete_first=True
            ),
        )
    )
    sql, params = ranked.query.sql_with_params()
    # The ORM cannot aggregate over a window: the pivot is written over the compiled query.
    pivot = f"""
        SELECT case_id,
          MAX(CASE WHEN stage = %s AND is_dash AND by_kind = 1 THEN score END) AS score_in,
          MAX(CASE WHEN stage = %s AND is_dash AND by_kind = 1 THEN score END) AS score_out,
          MAX(CASE WHEN stage = %s AND decides THEN risk_level END) AS level_in,
          MAX(CASE WHEN stage = %s AND decides THEN high_risk_basis END) AS basis_in
        FROM ({sql}) ranked
        GROUP BY case_id"""  # noqa: S608 - no user input: the compiled query and fixed names
    params = (intake, exit_, intake, intake, *params)
    return pivot, params


def _sources(scope: RawSQL):
    """(join, params, columns) of each per-case source: its join to the refreshed cases (`k`),
    or None when its facts are subqueries, and the SQL of each fact it gives."""
    assessments, assessment_params = _assessment_sql(scope)
    yield (
        _by_case(assessments, "assessments"),
        assessment_params,
        {name: f"assessments.{name}" for name in ("score_in", "score_out", "level_in", "basis_in")},
    )
    # A case has about ten contacts: counting them through the partial index, case by case (a
    # subquery per case, no join), is quicker than grouping every contact of the report's cases.
    # Only those of the case's life up to its exit (the exit form's date, else the day it
    # closed): a follow-up contact after the exit does not change a closed period.
    # The end is worked out from the report's case (k), not from each contact: once a case.
    this_case = RawSQL("k.case_id", ())
    received = Contact.objects.filter(outcome="successful", with_client=True).filter(
        occurred_at__date__lte=Coalesce(
            Subquery(
                ExitForm.objects.filter(case_id=this_case, status=SUBMITTED).values("exit_date")[:1]
            ),
            Subquery(Case.objects.filter(pk=this_case).values("closed_on")[:1]),
            Value(datetime.date.max),
        )
    )
    sql, params = (
        received.filter(case_id=RawSQL("k.case_id", ()))
        .order_by()
        .values("case_id")
        .annotate(n=Count("case_id"))
        .values("n")
        .query.sql_with_params()
    )
    yield None, params, {"contacts": f"COALESCE(({sql}), 0)"}
    counted = {
        "children": ChildInCase.objects.all(),
        "reviews": ReviewForm.objects.filter(status=SUBMITTED),
        # Hearings held on or before the intake: what was known at intake.
        "marac_hearings": MaracHearing.objects.filter(
            meeting__held_on__lte=Subquery(
                IntakeForm.objects.filter(case_id=OuterRef("case_id"), status=SUBMITTED).values(
                    "completed_on"
                )[:1]
            )
        ),
        "criminal_justice_forms": CriminalJusticeForm.objects.filter(status=SUBMITTED),
        "civil_justice_forms": CivilJusticeForm.objects.filter(status=SUBMITTED),
    }
    for name, qs in counted.items():
        # Count("case_id"), not the primary key: an index on case_id alone can answer it.
        sql, params = _per_case(qs, scope, n=Count("case_id")).query.sql_with_params()
        yield _by_case(sql, name), params, {name: f"COALESCE({name}.n, 0)"}
    support = {}
    for area in SupportArea.values:
        this_area = Q(area=area)
        for answer in ("supported", "impact_safety", "impact_wellbeing"):
            support[f"{area}_{answer}"] = Max(answer, filter=this_area)
    support["cyps_dont_know"] = Count(
        "pk", filter=Q(area=SupportArea.CHILDREN_PARENTING, cyps_involvement_dont_know=True)
    )
    sql, params = _per_case(AreaSupport.objects.all(), scope, **support).query.sql_with_params()
    columns = {name: f"support.{name}" for name in support if name != "cyps_dont_know"}
    columns["children_parenting_cyps_dont_know"] = "(COALESCE(support.cyps_dont_know, 0) > 0)"
    yield _by_case(sql, "support"), params, columns


def _by_case(sql: str, alias: str) -> str:
    return f"LEFT JOIN ({sql}) {alias} ON {alias}.case_id = k.case_id"


def _facts_select(scope_sql: str, scope_params: tuple) -> tuple[list[str], str, list]:
    """The SELECT of every fact of the cases whose ids `scope_sql` selects: one row per case."""
    scope = RawSQL(scope_sql, scope_params)  # noqa: S611 - the code's own SQL, bound values
    names, selected, joins, selected_params, params = ["case_id"], ["k.case_id"], [], [], []
    for join, source_params, columns in _sources(scope):
        if join is None:
            selected_params.extend(source_params)
        else:
            joins.append(join)
            params.extend(source_params)
        names += columns
        selected += [f"{expression} AS {name}" for name, expression in columns.items()]
    sql = (
        f"SELECT {', '.join(selected)} "  # noqa: S608 - no user input: the code's own SQL
        f"FROM ({scope_sql}) k {' '.join(joins)}"
    )
    return names, sql, [*selected_params, *scope_params, *params]


def _columns() -> list[str]:
    return [field.column for field in CaseFacts._meta.concrete_fields]


class _Bound:
    """Where a scope's value goes in a compiled statement (replaced when it runs)."""

    def __init__(self, position: int):
        self.position = position


def _scope(kind: str, vendor: str) -> str:
    table = Case._meta.db_table
    if kind == "range":
        return f"SELECT id AS case_id FROM {table} WHERE id >= %s AND id < %s"  # noqa: S608
    if vendor == "postgresql":
        return f"SELECT id AS case_id FROM {table} WHERE id = ANY(%s)"  # noqa: S608
    # SQLite (the embedded demo): the ids as one JSON array, one parameter as on PostgreSQL.
    return f"SELECT id AS case_id FROM {table} WHERE id IN (SELECT value FROM json_each(%s))"  # noqa: S608


@functools.cache
def _upsert(kind: str, vendor: str) -> tuple[str, tuple]:
    """The INSERT ... ON CONFLICT of a scope kind ("ids" or "range"), compiled once per process
    (compiling the facts' querysets costs far more than running them for one case)."""
    scope_sql = _scope(kind, vendor)
    bound = tuple(_Bound(position) for position in range(scope_sql.count("%s")))
    columns, select, params = _facts_select(scope_sql, bound)
    if set(columns) != set(_columns()):
        raise ValueError("The read model's SQL and CaseFacts' columns differ.")
    updated = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns if name != "case_id")
    sql = (
        # WHERE 1 = 1: without a WHERE, SQLite would read ON CONFLICT as the last join's ON.
        f"INSERT INTO {FACTS_TABLE} ({', '.join(columns)}) {select} WHERE 1 = 1 "
        f"ON CONFLICT (case_id) DO UPDATE SET {updated}"
    )
    return sql, tuple(params)


# A write's refresh (at most this many cases: its own) runs as a prepared statement with a
# generic plan: planning this statement took 4-14 ms of the 5-15 ms it takes for one case, and
# PostgreSQL kept planning it for each case when left to choose. Larger refreshes (imports,
# generate_cases) are planned for their own number of cases.
PREPARED_MOST = 10
PREPARED_NAME = "lantern_refresh_case_facts"


def _prepared_text(sql: str, template: tuple, connection) -> str:
    """The statement to PREPARE: the compiled SQL with its fixed values written in and each
    scope value as its parameter ($1: the case ids)."""
    pieces = re.split(r"(%%|%s)", sql)
    values = iter(template)
    out = []
    for piece in pieces:
        if piece == "%%":
            out.append("%")
        elif piece == "%s":
            value = next(values)
            if isinstance(value, _Bound):
                out.append(f"${value.position + 1}")
            else:
                out.append(connection.ops.compose_sql("%s", [value]))
        else:
            out.append(piece)
    return "".join(out)


def _prepares(connection) -> bool:
    """Whether this connection may keep the prepared statement. Not behind PgBouncer in
    transaction mode (docs/scaling.md: DISABLE_SERVER_SIDE_CURSORS), where a statement prepared
    on one server connection is not on the next; nor where psycopg prepares statements itself
    (a prepare_threshold in OPTIONS), since it deallocates them all after a rollback."""
    settings = connection.settings_dict
    return (
        connection.vendor == "postgresql"
        and not settings.get("DISABLE_SERVER_SIDE_CURSORS")
        and settings.get("OPTIONS", {}).get("prepare_threshold") is None
    )


def _write(kind: str, values: tuple, connection) -> None:
    """Replaces the rows of the cases of the scope (`kind` with its `values`) with their facts,
    worked out now."""
    sql, template = _upsert(kind, connection.vendor)
    if kind == "ids" and len(values[0]) <= PREPARED_MOST and _prepares(connection):
        connection.ensure_connection()
        # Prepared once per database connection (a prepared statement outlives a rollback;
        # a new connection is another object).
        session = connection.connection
        with connection.cursor() as cursor:
            if getattr(session, "lantern_prepared", None) != PREPARED_NAME:
                cursor.execute(
                    f"PREPARE {PREPARED_NAME} (bigint[]) AS "
                    f"{_prepared_text(sql, template, connection)}"
                )
                session.lantern_prepared = PREPARED_NAME
            # For this transaction only, and only prepared statements: this is Lantern's one.
            cursor.execute(
                f"SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE {PREPARED_NAME}(%s)",
                [list(values[0])],
            )
        return
    params = [values[p.position] if isinstance(p, _Bound) else p for p in template]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refresh_cases(
    case_ids: Iterable[int], *, using: str | None = None, created_here: bool = False
) -> None:
    """Recomputes the read model's rows of these cases (a deleted case's row goes), in the
    caller's transaction: call it in the same transaction as the write that changed them.

    `created_here`: every one of the cases was created in this transaction (a bulk load). No
    other transaction can see them, let alone write to them, so the per-case locks are not
    taken (a load of thousands of cases at once would fill PostgreSQL's lock table)."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    ids = sorted({int(case_id) for case_id in case_ids if case_id is not None})
    postgresql = connection.vendor == "postgresql"
    # In the writer's transaction (no savepoint of its own: a failure fails the write), or its
    # own when called outside one.
    with transaction.atomic(using=connection.alias, savepoint=False):
        for start in range(0, len(ids), REFRESH_BATCH):
            batch = ids[start : start + REFRESH_BATCH]
            listed = batch if postgresql else json.dumps(batch)
            ids_sql = _scope("ids", connection.vendor)
            with connection.cursor() as cursor:
                if postgresql and not created_here:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, (case_id %% 2147483647)::int) "
                        "FROM unnest(%s::bigint[]) AS ids(case_id) ORDER BY case_id",
                        [_LOCK_NAMESPACE, batch],
                    )
                # A deleted case's row goes (the others are replaced below).
                listed_here = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    f"DELETE FROM {FACTS_TABLE} WHERE case_id IN ({listed_here}) "  # noqa: S608
                    f"AND case_id NOT IN ({ids_sql})",
                    [*batch, listed],
                )
            _write("ids", (listed,), connection)


def source_tables() -> dict[str, str]:
    """The tables the facts are worked out from (their statistics plan refresh_cases), by
    their model's label."""
    models = (Case, Assessment, Contact, ChildInCase, MaracHearing, AreaSupport)
    forms = (IntakeForm, ReviewForm, ExitForm, CivilJusticeForm, CriminalJusticeForm)
    return {model._meta.label_lower: model._meta.db_table for model in (*models, *forms)}


# A table is analysed once the rows written since its statistics were taken are as many as
# they counted (it has doubled), and at least this many.
ANALYSE_AFTER_ROWS = 100


class StatisticsKept:
    """For a writer adding many rows in one transaction (the bundle importer, batch after
    batch): ANALYZEs each table the facts are worked out from once it has doubled since its
    statistics were taken, so that refresh_cases, run after each batch, is planned for what
    the tables hold. ANALYZE counts the transaction's own rows. Planned for the near-empty
    tables of a new database, the refresh of 500 imported cases read every assessment imported
    so far (82 ms, growing with each batch: quadratic over an import of 100,000 lines); 16 ms
    once they were analysed. A table doubles a few times in an import, so it is analysed a
    few times (about 10 ms a table at 1,000 lines). Where the role may not analyse a table,
    PostgreSQL warns and goes on."""

    def __init__(self, connection=None):
        self.connection = connection or connections[DEFAULT_DB_ALIAS]
        self.counted: dict[str, float] | None = None
        self.added: Counter = Counter()

    def rows_added(self, rows_by_model: dict[str, int]) -> None:
        """`rows_by_model`: how many rows were added, by model label ("cases.contact")."""
        if self.connection.vendor != "postgresql":
            return
        sources = source_tables()
        self.added.update({table: rows_by_model.get(label, 0) for label, table in sources.items()})
        if self.counted is None:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT relname, GREATEST(reltuples, 0) FROM pg_class "
                    "WHERE oid = ANY(%s::regclass[])",
                    [list(sources.values())],
                )
                self.counted = dict(cursor.fetchall())
        due = [
            table
            for table, added in self.added.items()
            if added >= max(self.counted.get(table, 0), ANALYSE_AFTER_ROWS)
        ]
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for table in due:
                cursor.execute(f"ANALYZE {quote(table)}")
                self.counted[table] = self.counted.get(table, 0) + self.added.pop(table)


def rebuild(*, batch: int = REBUILD_BATCH, connection=None, progress=None) -> int:
    """Every case's row, worked out again with the same SQL as refresh_cases, `batch` cases per
    statement (each batch its own transaction, so a rebuild of millions holds no long lock),
    and the rows of cases that no longer exist removed. Returns the number of cases."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {FACTS_TABLE} WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {table} c WHERE c.id = {FACTS_TABLE}.case_id)"
        )
        cursor.execute(f"SELECT min(id), max(id), count(*) FROM {table}")  # noqa: S608
        low, high, total = cursor.fetchone()
    if low is None:
        return 0
    for start in range(low, high + 1, batch):
        with transaction.atomic(using=connection.alias):
            _write("range", (start, start + batch), connection)
        if progress is not None:
            progress(min(start + batch - low, high - low + 1), high - low + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {FACTS_TABLE}")
    return total
