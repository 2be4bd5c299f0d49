"""One report run's working tables: each universe's rows, the cases they belong to, and the
facts the tables need of each of those cases (reporting.models.CaseFacts).

Every table of a universe is then a FILTER in one aggregate over that universe's rows joined
to its cases' facts, so a case's latest Dash score or its number of contacts is worked out once
per report, in a set-based query, instead of once per table and row in a correlated subquery.
The tables are TEMPORARY: private to the database connection, gone when the run ends (or rolls
back), and always current, since nothing is kept between runs.
"""

import datetime
import re
from contextlib import contextmanager

from django.db import connection, transaction
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

from ..models import CaseFacts

SUBMITTED = FormStatus.SUBMITTED
CASES_TABLE = "reporting_report_cases"
FACTS_TABLE = CaseFacts._meta.db_table


def universe_table(key: str) -> str:
    return f"reporting_universe_{key}"


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _create(table: str, sql: str, params, analyze: tuple[str, ...] = ()) -> None:
    _execute(f"DROP TABLE IF EXISTS {table}")
    _execute(f"CREATE TEMPORARY TABLE {table} AS {sql}", params)
    # Temporary tables are never analysed automatically: without statistics the planner guesses
    # (badly) how to join them. The columns they are joined on are enough.
    postgresql = connection.vendor == "postgresql"
    columns = f" ({', '.join(analyze)})" if analyze and postgresql else ""
    _execute(f"ANALYZE {table}{columns}")


FACT_REFERENCE = re.compile(r"report_facts__([a-z0-9]+(?:_[a-z0-9]+)*)")


def facts_read(specs) -> set[str]:
    """The facts (CaseFacts columns) that these table specs read, found in their conditions
    and expressions, so that a run works out only those."""
    return {match for spec in specs for match in FACT_REFERENCE.findall(repr(spec))}


def column_of(table: str, column: str) -> RawSQL:
    """A subquery of one column of a run's table, NULLs left out. The names are the code's own,
    never input."""
    sql = f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
    return RawSQL(sql, ())  # noqa: S611


def _latest_per_client(table: str) -> RawSQL:
    """The latest row per client of a universe's table (its rows, de-duplicated): the latest by
    the row's own date, then the newest row of that day (as engine.Universe.rows)."""
    sql = (
        "SELECT universe_row FROM (SELECT universe_row, ROW_NUMBER() OVER ("  # noqa: S608
        "PARTITION BY universe_client ORDER BY universe_date DESC, universe_row DESC"
        f") AS client_rank FROM {table}) ranked WHERE client_rank = 1"
    )
    return RawSQL(sql, ())  # noqa: S611


def _in_scope() -> RawSQL:
    return column_of(CASES_TABLE, "case_id")


@contextmanager
def report_tables(
    universes: dict,
    period,
    filters,
    columns: dict[str, dict] | None = None,
    facts: set[str] | None = None,
):
    """Creates the run's tables and yields each universe's rows as a queryset over them.

    `universes` maps a key to a reporting.insights.engine.Universe; `columns` are, per
    universe, named expressions worked out once per row into the universe's table
    (`universe_table(key)`): the keys a multi-select table counts, say. They are worked out
    before the facts, so they cannot read them. `facts` names the facts worked out (all when
    None; the others are NULL). The whole run is one transaction: one snapshot of the data for
    every table, and the temporary tables go with it.
    """
    columns = columns or {}
    if any(facts_read(extra.values()) for extra in columns.values()):
        raise ValueError("A universe's columns cannot read the facts: they come first.")
    created = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # These are one-off wide aggregates: compiling them (JIT) costs more than it saves.
            _execute("SET LOCAL jit = off")
            # The run's sorts and hashes (a year's assessments, say) fit in memory, not on disk.
            _execute("SET LOCAL work_mem = '64MB'")
        try:
            rows = {}
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
                if universe.deduplicates in rows:
                    selected = universe.queryset().filter(
                        pk__in=_latest_per_client(universe_table(universe.deduplicates))
                    )
                else:
                    selected = universe.rows(period, filters)
                selected = selected.annotate(universe_row=F("pk"), universe_case=F(case), **extra)
                sql, params = (
                    selected.order_by()
                    .values("universe_row", "universe_case", *extra)
                    .query.sql_with_params()
                )
                _create(table, sql, params, analyze=("universe_row", "universe_case", *extra))
                created.append(table)
                rows[key] = universe.queryset().filter(pk__in=column_of(table, "universe_row"))
            scope = " UNION ".join(
                f"SELECT universe_case FROM {universe_table(key)}"  # noqa: S608
                for key in rows
            )
            _create(
                CASES_TABLE,
                f"SELECT universe_case AS case_id FROM ({scope}) scope",  # noqa: S608
                (),
                analyze=("case_id",),
            )
            created.append(CASES_TABLE)
            _create_facts(facts)
            created.append(FACTS_TABLE)
            yield rows
        finally:
            for table in reversed(created):
                _execute(f"DROP TABLE IF EXISTS {table}")


# --- The facts ---------------------------------------------------------------------------------


def _per_case(qs: QuerySet, **aggregates) -> QuerySet:
    return qs.filter(case_id__in=_in_scope()).order_by().values("case_id").annotate(**aggregates)


def _assessment_sql():
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
        .filter(case_id__in=_in_scope(), stage__in=(intake, exit_))
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


def _sources():
    """(join, params, columns) of each per-case source: its join to the report's cases (`k`),
    or None when its facts are subqueries, and the SQL of each fact it gives."""
    assessments, assessment_params = _assessment_sql()
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
        sql, params = _per_case(qs, n=Count("case_id")).query.sql_with_params()
        yield _by_case(sql, name), params, {name: f"COALESCE({name}.n, 0)"}
    support = {}
    for area in SupportArea.values:
        this_area = Q(area=area)
        for answer in ("supported", "impact_safety", "impact_wellbeing"):
            support[f"{area}_{answer}"] = Max(answer, filter=this_area)
    support["cyps_dont_know"] = Count(
        "pk", filter=Q(area=SupportArea.CHILDREN_PARENTING, cyps_involvement_dont_know=True)
    )
    sql, params = _per_case(AreaSupport.objects.all(), **support).query.sql_with_params()
    columns = {name: f"support.{name}" for name in support if name != "cyps_dont_know"}
    columns["children_parenting_cyps_dont_know"] = "(COALESCE(support.cyps_dont_know, 0) > 0)"
    yield _by_case(sql, "support"), params, columns


def _by_case(sql: str, alias: str) -> str:
    return f"LEFT JOIN ({sql}) {alias} ON {alias}.case_id = k.case_id"


def _create_facts(needed: set[str] | None) -> None:
    fields = {field.column: field for field in CaseFacts._meta.concrete_fields}
    selected, joins, selected_params, params = ["k.case_id AS case_id"], [], [], []
    for join, source_params, columns in _sources():
        if needed is not None and not needed & set(columns):
            # Not read by this run's tables: typed NULLs, no query.
            selected += [
                f"CAST(NULL AS {fields[name].db_type(connection)}) AS {name}" for name in columns
            ]
            continue
        if join is None:
            selected_params.extend(source_params)
        else:
            joins.append(join)
            params.extend(source_params)
        selected += [f"{expression} AS {name}" for name, expression in columns.items()]
    sql = f"SELECT {', '.join(selected)} FROM {CASES_TABLE} k {' '.join(joins)}"  # noqa: S608
    _create(FACTS_TABLE, sql, [*selected_params, *params], analyze=("case_id",))
