"""Realistic synthetic cases in bulk, for benchmarks and load tests (never for real services).

Each case has a client, a referral, a DASH assessment at intake (and at exit when closed), a
submitted intake form, contacts, interventions and, when closed, an exit form and support by area
of need. Answers are drawn in the proportions of the Insights figures, with the same drawing as
the demo data (outcomes.demo). One audit event (audited_bulk_write) records the whole load.

Speed: rows are built as plain tuples, never as model instances, and streamed to PostgreSQL
with COPY as text lines made from a per-table format (SQLite, for the demo, gets bulk_create);
the ids of the rows that others point at are reserved from their sequences first, so that one
COPY per table and batch writes everything. The DASH answers (24 rows per assessment, half the
rows of a load) are made by the database from one number per assessment, a bit per question.
Forms take their answers from a pool drawn up front with outcomes.demo.draw_answers (drawing
each form's answers one by one cost more than writing them). After a small first batch the
tables are analysed (the read model's refresh is planned from their statistics), and the other
batches are shared between two forked processes, each with its own connection: most of the
work is PostgreSQL's (heap, indexes and foreign-key checks of every row), and two backends use
both cores. Each batch draws from its own seeded generator, so the data do not depend on which
process writes which batch. The command prints the time of each phase (wall, the writer's CPU,
the PostgreSQL backend's CPU). Where the connection's role may, a batch turns PostgreSQL's
per-row foreign-key checks off for its own transaction and checks each row pointed at once, at
its end (ReferenceCheck): with the per-row checks, PostgreSQL did seven eighths of the CPU, the
answers' INSERT half of that, and most of it was their three checks per row, the two processes
locking the same questions' and options' rows again and again.
"""

import contextlib
import dataclasses
import datetime
import functools
import itertools
import multiprocessing
import operator
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import connections, transaction
from django.utils import timezone

from accounts.audit import audited_bulk_write
from accounts.models import Service, User
from cases.models import Case, Client, Contact, Option
from catalogue.insights import TABLES_BY_KEY
from outcomes import questions as q
from outcomes.demo import draw_answers
from outcomes.models import ExitForm, IntakeForm
from referrals.models import Referral, ReferralRoute
from riskassessment import scoring
from riskassessment.models import Answer, Assessment, ChecklistVersion
from support.models import AreaSupport, Intervention
from support.models.areas import IMPACT_CHOICES, SupportArea, outcomes_list_key
from support.models.interventions import INTERVENTION_TYPES

from .bundle.bulk_copy import take_ids
from .foreign_keys import ReferenceCheck, per_row_checks_off, per_row_checks_on

BATCH = 5000
FIRST_BATCH = 1000
SUBMITTED = "submitted"
# Answer sets drawn per kind of form; each generated form takes one at random. Large enough that
# the Insights tables' proportions and the follow-on questions' combinations come out as drawn.
ANSWER_POOL = 4000
REFERENCE_PREFIX = "SYN-"


@dataclass
class GeneratedCounts:
    cases: int = 0
    exits: int = 0
    contacts: int = 0
    assessments: int = 0
    # Per phase of the batches (summed over them and over the processes): [wall seconds, this
    # process's CPU seconds, the PostgreSQL backend's CPU seconds]. With the cores shared, CPU
    # time says more than wall time where a load's time goes.
    phases: dict = dataclasses.field(default_factory=dict)
    # The pid of the batch's PostgreSQL backend when its CPU time can be read (_backend_pid).
    backend_pid: int | None = None

    def add(self, other: "GeneratedCounts"):
        self.cases += other.cases
        self.exits += other.exits
        self.contacts += other.contacts
        self.assessments += other.assessments
        for name, spent in other.phases.items():
            self.spend(name, *spent)

    def spend(self, name: str, wall: float, cpu: float, backend: float = 0.0) -> None:
        spent = self.phases.setdefault(name, [0.0, 0.0, 0.0])
        spent[0] += wall
        spent[1] += cpu
        spent[2] += backend

    @contextlib.contextmanager
    def phase(self, name: str):
        """Adds the wall and CPU time of the block to phase `name`."""
        wall, cpu, backend = time.perf_counter(), time.process_time(), self._backend_cpu()
        try:
            yield
        finally:
            self.spend(
                name,
                time.perf_counter() - wall,
                time.process_time() - cpu,
                self._backend_cpu() - backend,
            )

    def _backend_cpu(self) -> float:
        if self.backend_pid is None:
            return 0.0
        try:
            with open(f"/proc/{self.backend_pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        # utime and stime (the 14th and 15th fields of the line), in clock ticks.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def phase_lines(self, *, share: float = 0.01) -> list[str]:
        """'  cases_contact: 12.3 s wall, 4.5 s CPU here, 6.7 s PostgreSQL CPU', the longest
        first; the phases under `share` of the longest's wall time added up on one line."""
        ordered = sorted(self.phases.items(), key=lambda item: -item[1][0])
        longest = ordered[0][1][0] if ordered else 0.0
        shown = [(name, spent) for name, spent in ordered if spent[0] >= share * longest]
        rest = [spent for _name, spent in ordered if spent[0] < share * longest]
        if rest:
            added = [sum(column) for column in zip(*rest, strict=True)]
            shown.append((f"{len(rest)} others", added))
        return [
            f"  {name}: {wall:.1f} s wall, {cpu:.1f} s CPU here, {backend:.1f} s PostgreSQL CPU"
            for name, (wall, cpu, backend) in shown
        ]


def _weighted_options(key, model_field=None):
    """The options of an Insights table with the seed's counts as weights. With a model field,
    only the options that field stores (an Insights row such as "Not sex assigned at birth" is
    counted from other answers, not stored)."""
    table = TABLES_BY_KEY[key]
    allowed = {value for value, _ in model_field.choices} if model_field is not None else None
    pairs = [
        (label, count or 0)
        for label, count in itertools.zip_longest(
            table.options, table.seed_counts[: len(table.options)]
        )
        if label is not None and (allowed is None or label in allowed)
    ]
    labels = [label for label, _ in pairs]
    weights = [weight for _, weight in pairs]
    return labels, list(itertools.accumulate(weights)) if any(weights) else None


def _choice(rng, key, model_field=None):
    """An option of an Insights table, drawn in the seed's proportions."""
    labels, cum_weights = _weighted_options(key, model_field)
    return rng.choices(labels, cum_weights=cum_weights)[0]


def _client_choice(rng, field_name, key):
    return _choice(rng, key, Client._meta.get_field(field_name))


CLIENT_CHOICES = (
    ("sex_at_birth", "client_sex_at_birth"),
    ("sexual_orientation", "client_sexual_orientation"),
    ("ethnicity", "client_ethnicity"),
    ("gender_identity", "client_gender_identity"),
    ("financial_situation", "client_financial_situation"),
)


# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A value as COPY's text format reads it (None is NULL)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)  # int, date, aware datetime: str() is the ISO form PostgreSQL reads


class _Table:
    """A table written in bulk: its columns in order, each with the value a model instance would
    get when not given one (its default; now for auto_now fields)."""

    def __init__(self, model, *, now, with_pk=False, columns=None):
        fields = [
            field
            for field in model._meta.concrete_fields
            if (with_pk or not field.primary_key) and (columns is None or field.attname in columns)
        ]
        self.model = model
        self.attnames = [field.attname for field in fields]
        self.columns = [field.column for field in fields]
        self.defaults = {
            field.attname: now
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            else field.get_default()
            for field in fields
        }

    def _check(self, names) -> None:
        unknown = set(names) - set(self.attnames)
        if unknown:
            raise TypeError(f"{self.model.__name__} has no column(s) {sorted(unknown)}")

    def copy_line(self, names) -> tuple[str, Callable]:
        """A %-format of one COPY text line, the defaults written in and a %s for each of
        `names`, and the function putting a row of `names`' values in the table's order."""
        self._check(names)
        if len(set(names)) != len(names):
            raise TypeError("A column named twice.")
        line = "\t".join(
            "%s" if name in names else _text(default).replace("%", "%%")
            for name, default in self.defaults.items()
        )
        order = sorted(range(len(names)), key=lambda index: self.attnames.index(names[index]))
        if len(order) == 1:
            return line + "\n", lambda row: (row[0],)
        return line + "\n", operator.itemgetter(*order)

    def select_list(self, expressions: dict) -> tuple[str, list]:
        """The SELECT list of an INSERT ... SELECT into this table: `expressions` (SQL by
        column name) for some columns, the defaults (as parameters) for the others."""
        self._check(expressions)
        selected, params = [], []
        for name, default in self.defaults.items():
            if name in expressions:
                selected.append(expressions[name])
            else:
                selected.append("%s")
                params.append(default)
        return ", ".join(selected), params


# Lines sent to COPY per write: large enough that the per-call overhead vanishes, small enough
# that PostgreSQL works on one while the next is built.
COPY_CHUNK = 2000


class _Writer:
    """Writes rows to a table: COPY on PostgreSQL, bulk_create elsewhere (the demo's SQLite)."""

    def __init__(self, connection):
        self.connection = connection
        self.copy = connection.vendor == "postgresql"
        # The batch's counts, where the time of each write is added (by table).
        self.counts = GeneratedCounts()
        # Set for a batch written with PostgreSQL's per-row foreign-key checks off: the rows
        # its rows point at, checked once each at the end (ReferenceCheck).
        self.references: ReferenceCheck | None = None

    def reserve_ids(self, model, count: int) -> list[int]:
        """`count` new primary keys for `model`, so that the rows pointing at it can be built
        before it is written. PostgreSQL hands them out from the table's own sequence (safe
        with other writers). SQLite has no sequence to draw from: its single writer holds the
        database while this transaction runs, so the next numbers after the largest are free."""
        table = self.connection.ops.quote_name(model._meta.db_table)
        with self.counts.phase("ids from sequences"), self.connection.cursor() as cursor:
            if self.copy:
                return take_ids(cursor, model._meta, count)
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - a model's table
            last = cursor.fetchone()[0]
        return list(range(last + 1, last + 1 + count))

    def write(self, table: _Table, names: tuple[str, ...], rows, *, plain=False) -> int:
        """Writes `rows` (tuples of the values of the columns `names`, in that order; the other
        columns take their defaults) and returns how many. `plain`: no value is None, and each
        is an int, a bool, a date, an aware datetime or a string without a backslash, tab or
        newline, so that str() is the text COPY reads (the contacts, interventions and
        many-to-many rows: most of the rows, written without a call per value)."""
        with self.counts.phase(table.model._meta.db_table):
            return self._write(table, names, rows, plain=plain)

    def _write(self, table: _Table, names: tuple[str, ...], rows, *, plain=False) -> int:
        if not self.copy:
            defaults = table.defaults
            objects = [
                table.model(**{**defaults, **dict(zip(names, row, strict=True))}) for row in rows
            ]
            table.model._default_manager.bulk_create(objects, batch_size=500)
            return len(objects)
        line, ordered = table.copy_line(names)
        pointers = self.references.pointers(table, names) if self.references else ()
        quote = self.connection.ops.quote_name
        sql = (
            f"COPY {quote(table.model._meta.db_table)} "
            f"({', '.join(quote(column) for column in table.columns)}) FROM STDIN"
        )
        written, chunk = 0, []
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                for position, pointed_at in pointers:
                    pointed_at.add(row[position])
                values = ordered(row) if plain else tuple(map(_text, ordered(row)))
                chunk.append(line % values)
                if len(chunk) == COPY_CHUNK:
                    copy.write("".join(chunk))
                    written += len(chunk)
                    chunk = []
            if chunk:
                copy.write("".join(chunk))
                written += len(chunk)
        return written


@dataclass(slots=True)
class _Planned:
    """A generated case, as the rows that hang off it need it."""

    id: int
    client_id: int
    service: Service
    opened_on: datetime.date
    closed_on: datetime.date | None
    closure_type: str


def _m2m_table(model, field_name, now):
    relation = model._meta.get_field(field_name)
    through = relation.remote_field.through
    source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    return _Table(through, now=now), f"{source}_id", f"{target}_id"


class Generator:
    def __init__(
        self, *, services, actor, start: datetime.date, end: datetime.date, seed=1, workers=1
    ):
        self.services = list(services)
        self.workers = workers
        self.actor = actor
        self.start, self.end = start, end
        self.seed = seed
        # The answer pools' draw; each batch has its own (write_batch).
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data
        self.options_by_list = {
            key: {option.label: option for option in Option.objects.of(key)}
            for key in q.OPTION_LISTS
        }
        self.support_outcomes = {
            area: list(Option.objects.of(outcomes_list_key(area)).values_list("pk", flat=True))
            for area in SupportArea.values
        }
        # Per provider: a service may use the national routes and its own provider's.
        self.routes = {
            provider_id: list(
                ReferralRoute.objects.of_provider(provider_id)
                .filter(is_retired=False)
                .values_list("pk", flat=True)
            )
            or list(ReferralRoute.objects.of_provider(provider_id).values_list("pk", flat=True))
            for provider_id in {service.provider_id for service in self.services}
        }
        self.dash = (
            ChecklistVersion.objects.filter(checklist__key="dash", status="published")
            .select_related("checklist")
            .prefetch_related("bands", "questions__options")
            .order_by("-pk")
            .first()
        )
        # Each question's "yes" (a tick) and "no", to answer the checklist as a caseworker would.
        self.dash_answers = (
            [
                (
                    question,
                    next(o for o in question.options.all() if o.counts_as_tick),
                    next(o for o in question.options.all() if not o.counts_as_tick),
                )
                for question in self.dash.questions.all()
            ]
            if self.dash is not None
            else []
        )
        self._results = {}
        self.client_choices = [
            (name, *_weighted_options(key, Client._meta.get_field(name)))
            for name, key in CLIENT_CHOICES
        ]
        self.intake_pool = self._answer_pool(
            IntakeForm, q.INTAKE_QUESTIONS, set_per_case=("completed_on",)
        )
        self.exit_pool = self._answer_pool(
            ExitForm, q.EXIT_QUESTIONS, set_per_case=("exit_date", "case_status")
        )
        self.span = (end - start).days
        self.writer = _Writer(transaction.get_connection())

    def _answer_pool(self, model, questions, *, set_per_case):
        """ANSWER_POOL answer sets for `model`'s questions: the names of the form's own columns
        they answer (every set gives each of them, a form's default where it drew none; not
        those in `set_per_case`, which each case's form is given), and per set the values of
        those columns and its many-to-many choices (option ids by field)."""
        m2m = {field.name for field in model._meta.many_to_many}
        fields = {field.attname: field for field in model._meta.concrete_fields}
        drawn = []
        for _ in range(ANSWER_POOL):
            answers = draw_answers(self.rng, questions, self.options_by_list)
            values = {
                name: value
                for name, value in answers.items()
                if name in fields and name not in set_per_case and value is not None
            }
            chosen = {name: [option.pk for option in answers.get(name) or []] for name in m2m}
            drawn.append((values, chosen))
        names = tuple(sorted({name for values, _chosen in drawn for name in values}))
        defaults = {name: fields[name].get_default() for name in names}
        sets = []
        for values, chosen in drawn:
            row = tuple(values.get(name, defaults[name]) for name in names)
            # Also as COPY text, once per set rather than once per form.
            sets.append((row, chosen, tuple(map(_text, row))))
        return names, sets

    def _next_number(self) -> int:
        """The number after the last generated case's, so that a second run adds cases."""
        last = (
            Case.objects.filter(reference__startswith=REFERENCE_PREFIX)
            .order_by("-reference")
            .values_list("reference", flat=True)
            .first()
        )
        return int(last.removeprefix(REFERENCE_PREFIX)) + 1 if last else 0

    def generate(self, count: int, stdout=None) -> GeneratedCounts:
        started = time.monotonic()
        first = self._next_number()
        batches = _batches(first, count)
        totals, done = GeneratedCounts(), 0

        def report(counts: GeneratedCounts) -> None:
            nonlocal done
            totals.add(counts)
            done += counts.cases
            if stdout is not None:
                stdout.write(progress_line(done, count, time.monotonic() - started, "cases"))

        with audited_bulk_write(actor=self.actor, description=f"generate_cases: {count} cases"):
            # The first batch (a small one) here, then its tables analysed: the read model's
            # refresh is planned from their statistics, and a table with none (a new database;
            # autovacuum may be off or behind) gets a plan that reads every assessment for each
            # batch.
            report(self.write_batch(*batches[0], analyse=True))
            rest = batches[1:]
            workers = self._workers(len(rest))
            if workers < 2:
                for number, size in rest:
                    report(self.write_batch(number, size))
            else:
                for counts in _in_parallel(self, rest, workers):
                    report(counts)
        if stdout is not None:
            stdout.write("Time per phase of the batches (summed over the processes):")
            for line in totals.phase_lines():
                stdout.write(line)
        return totals

    def _workers(self, batches: int) -> int:
        """Processes to write `batches` batches with: as many as asked (`workers`; each a
        PostgreSQL backend of its own, where most of the work is) on PostgreSQL when there are
        two batches or more; one inside a caller's transaction (a test's), which other
        connections cannot see. The processes are forked: ask for more than one only from a
        process of its own (`manage.py generate_cases --workers 2`), never one holding other
        connections (a Celery broker's, say), which a forked child would inherit."""
        connection = self.writer.connection
        if not self.writer.copy or connection.in_atomic_block or batches < 2:
            return 1
        return min(self.workers, os.cpu_count() or 1, batches)

    def write_batch(self, first_number: int, size: int, *, analyse=False) -> GeneratedCounts:
        """Writes the cases numbered from `first_number` in one transaction. Each batch draws
        from a generator seeded by the run's seed and its first number, so a case's data is
        the same whichever process writes it."""
        self.rng = random.Random(f"{self.seed}:{first_number}")  # noqa: S311 - synthetic data
        counts = self.writer.counts = GeneratedCounts(
            cases=size, backend_pid=_backend_pid(self.writer.connection)
        )
        with (
            counts.phase("batch, in all"),
            # The commit's phase ends when the transaction's block has committed.
            contextlib.ExitStack() as until_committed,
            transaction.atomic(),
        ):
            case_ids, service_ids = self._batch(counts, first_number=first_number)
            if analyse and self.writer.copy:
                with counts.phase("analyse"):
                    self._analyse()
            with counts.phase("read model and data versions"):
                _after_batch_written(case_ids, service_ids)
            until_committed.enter_context(counts.phase("commit"))
        return counts

    def _analyse(self) -> None:
        quote = self.writer.connection.ops.quote_name
        with self.writer.connection.cursor() as cursor:
            for table in _written_tables():
                cursor.execute(f"ANALYZE {quote(table)}")

    def _batch(self, counts: GeneratedCounts, first_number: int):
        rng, now, writer = self.rng, timezone.now(), self.writer
        size = counts.cases
        if writer.copy:
            # Foreign keys checked at the end of each COPY, while the rows are at hand, rather
            # than all at commit. The batch's commit does not wait for its WAL to reach the
            # disk (synthetic data: a crash loses at most the last batches, never makes
            # anything inconsistent).
            with writer.connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            writer.references = ReferenceCheck() if per_row_checks_off(writer.connection) else None
        numbers, planned = [], []
        client_ids = writer.reserve_ids(Client, size)
        case_ids = writer.reserve_ids(Case, size)
        client_rows = []
        yes_no_blank = ["Yes", "No", ""]
        pregnant_weights = list(itertools.accumulate([5, 80, 15]))
        disability_weights = list(itertools.accumulate([20, 70, 10]))
        closure_types = list(Case.ClosureType.values)
        closure_weights = list(itertools.accumulate([80, 20]))
        client_choices = self.client_choices
        for number, client_id, case_id in zip(
            range(first_number, first_number + size), client_ids, case_ids, strict=True
        ):
            service = rng.choice(self.services)
            opened = self.start + datetime.timedelta(days=rng.randrange(self.span))
            length = int(rng.lognormvariate(4.4, 0.6))  # about 80 days, long tail
            closed = opened + datetime.timedelta(days=length)
            is_closed = closed <= self.end and rng.random() < 0.85
            born = opened - datetime.timedelta(days=365 * rng.randint(17, 75) + rng.randrange(365))
            client_rows.append(
                (
                    client_id,
                    service.provider_id,
                    service.pk,
                    f"Synthetic {number}",
                    born,
                    rng.choices(yes_no_blank, cum_weights=pregnant_weights)[0],
                    rng.choices(yes_no_blank, cum_weights=disability_weights)[0],
                    *[
                        rng.choices(labels, cum_weights=weights)[0]
                        for _name, labels, weights in client_choices
                    ],
                )
            )
            closure = (
                rng.choices(closure_types, cum_weights=closure_weights)[0] if is_closed else ""
            )
            planned.append(
                _Planned(
                    case_id, client_id, service, opened, closed if is_closed else None, closure
                )
            )
            numbers.append((number, is_closed))
        writer.write(
            _Table(Client, now=now, with_pk=True),
            (
                "id",
                "provider_id",
                "service_id",
                "first_name",
                "date_of_birth",
                "pregnant",
                "disability",
                *[name for name, _labels, _weights in client_choices],
            ),
            client_rows,
        )
        writer.write(
            _Table(Case, now=now, with_pk=True),
            (
                "id",
                "reference",
                "client_id",
                "service_id",
                "status",
                "referral_status",
                "opened_on",
                "closed_on",
                "closure_type",
            ),
            (
                (
                    case.id,
                    f"{REFERENCE_PREFIX}{number:07d}",
                    case.client_id,
                    case.service.pk,
                    Case.Status.CLOSED if is_closed else Case.Status.OPEN,
                    "New client",
                    case.opened_on,
                    case.closed_on,
                    case.closure_type,
                )
                for case, (number, is_closed) in zip(planned, numbers, strict=True)
            ),
        )
        actor_id = self.actor.pk
        writer.write(
            _Table(Referral, now=now),
            (
                "service_id",
                "reference",
                "received_at",
                "route_id",
                "client_id",
                "referral_status",
                "triage",
                "triaged_at",
                "triaged_by_id",
                "first_contact_at",
                "case_id",
                "recorded_by_id",
            ),
            (
                (
                    case.service.pk,
                    f"{REFERENCE_PREFIX}R-{number:07d}",
                    _at(case.opened_on - datetime.timedelta(days=rng.randint(0, 3))),
                    rng.choice(self.routes[case.service.provider_id]),
                    case.client_id,
                    "New client",
                    Referral.Triage.ACCEPTED,
                    _at(case.opened_on),
                    actor_id,
                    _at(case.opened_on),
                    case.id,
                    actor_id,
                )
                for case, (number, _closed) in zip(planned, numbers, strict=True)
            ),
        )
        counts.assessments = self._assessments(planned, now)
        self._forms(
            IntakeForm,
            planned,
            self.intake_pool,
            now,
            ("completed_on",),
            # Within a fortnight of opening, and never after today (a form's date cannot be in
            # the future: the import would refuse it).
            lambda case: (
                min(case.opened_on + datetime.timedelta(days=rng.randint(0, 14)), self.end),
            ),
        )
        closed = [case for case in planned if case.closed_on]
        counts.exits = self._forms(
            ExitForm,
            closed,
            self.exit_pool,
            now,
            ("exit_date", "case_status"),
            lambda case: (case.closed_on, case.closure_type),
        )
        self._support(closed, now)
        counts.contacts = self._contacts(planned, now)
        if writer.references is not None:
            with counts.phase("foreign keys, once per row pointed at"):
                writer.references.verify(writer.connection)
                per_row_checks_on(writer.connection)
            writer.references = None
        return [case.id for case in planned], sorted({c.service.pk for c in planned})

    def _result(self, ticks: int, area: str) -> dict:
        """The stored outcome of answering yes to `ticks` questions, from the same scoring as a
        submitted assessment (riskassessment.scoring). The DASH counts ticks, so it is the same
        for every case with as many ticks in the same area: worked out once."""
        key = (ticks, area)
        if key not in self._results:
            options = [yes for _q, yes, _no in self.dash_answers[:ticks]] + [
                no for _q, _yes, no in self.dash_answers[ticks:]
            ]
            self._results[key] = asdict(
                scoring.assessment_result(version=self.dash, options=options, area=area)
            )
        return self._results[key]

    def _assessments(self, cases, now) -> int:
        if self.dash is None:
            return 0
        rng, writer = self.rng, self.writer
        indexes = range(len(self.dash_answers))
        planned = []
        for case in cases:
            ticks = rng.randint(4, min(24, len(indexes)))
            planned.append((case, "intake", case.opened_on, ticks))
            if case.closed_on:
                exit_ticks = max(0, ticks - rng.randint(0, 10))
                planned.append((case, "exit", case.closed_on, exit_ticks))
        ids = writer.reserve_ids(Assessment, len(planned))
        # Worked out before the COPY: scoring reads the database, which cannot answer while
        # the connection is in the middle of one.
        results = [self._result(ticks, case.service.area) for case, _s, _on, ticks in planned]
        result_names = tuple(results[0]) if results else ()
        writer.write(
            _Table(Assessment, now=now, with_pk=True),
            (
                "id",
                "case_id",
                "version_id",
                "assessed_on",
                "assessor_id",
                "stage",
                "status",
                "submitted_at",
                "decides_stage_risk",
                "current_until",
                *result_names,
            ),
            [
                (
                    assessment_id,
                    case.id,
                    self.dash.pk,
                    on,
                    self.actor.pk,
                    stage,
                    SUBMITTED,
                    _at(on),
                    # One assessment per case and stage: it decides the stage's risk
                    # (riskassessment.current_risk).
                    True,
                    on + datetime.timedelta(days=case.service.risk_current_days),
                    *result.values(),
                )
                for assessment_id, (case, stage, on, _ticks), result in zip(
                    ids, planned, results, strict=True
                )
            ],
        )
        # Every question answered: `ticks` of them, drawn at random, "yes"; the rest "no". The
        # draw is made here (one bit per question); the rows are made from it by the database.
        ticked = [
            sum(1 << index for index in rng.sample(indexes, ticks))
            for _case, _stage, _on, ticks in planned
        ]
        self._answers(_Table(Answer, now=now), ids, ticked)
        return len(planned)

    def _answers(self, table: _Table, assessment_ids: list[int], ticked: list[int]) -> None:
        """One answer per question of each assessment: its "yes" where the assessment's bit
        for the question (`ticked`, bit n for the n-th question) is set, else its "no"."""
        questions = self.dash_answers
        if not self.writer.copy:
            self.writer.write(
                table,
                ("question_id", "option_id", "assessment_id"),
                (
                    (question.pk, (yes if bits >> index & 1 else no).pk, assessment_id)
                    for assessment_id, bits in zip(assessment_ids, ticked, strict=True)
                    for index, (question, yes, no) in enumerate(questions)
                ),
            )
            return
        selected, defaults = table.select_list(
            {
                "assessment_id": "s.assessment_id",
                "question_id": "s.question_id",
                "option_id": "CASE WHEN s.ticked & (1::bigint << s.n) <> 0 "
                "THEN s.yes ELSE s.no END",
            }
        )
        references = self.writer.references
        if references is not None:
            pointed_at = (
                assessment_ids,
                [question.pk for question, _yes, _no in questions],
                [option.pk for _question, yes, no in questions for option in (yes, no)],
            )
            names = ("assessment_id", "question_id", "option_id")
            for position, found in references.pointers(table, names):
                found.update(pointed_at[position])
        quote = self.writer.connection.ops.quote_name
        with (
            self.writer.counts.phase(f"{Answer._meta.db_table} (INSERT ... SELECT)"),
            self.writer.connection.cursor() as cursor,
        ):
            # The questions' arrays unnested in the SELECT list: each assessment's rows come
            # out together, in question order, with no join or sort (the indexes on the
            # assessment take them in order).
            cursor.execute(
                f"INSERT INTO {quote(Answer._meta.db_table)} "  # noqa: S608 - our own names
                f"({', '.join(quote(column) for column in table.columns)}) "
                f"SELECT {selected} FROM ("
                "SELECT a.id AS assessment_id, a.ticked, unnest(%s::bigint[]) AS question_id, "
                "unnest(%s::bigint[]) AS yes, unnest(%s::bigint[]) AS no, "
                "unnest(%s::int[]) AS n "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS a(id, ticked)) s",
                [
                    *defaults,
                    [question.pk for question, _yes, _no in questions],
                    [yes.pk for _question, yes, _no in questions],
                    [no.pk for _question, _yes, no in questions],
                    list(range(len(questions))),
                    assessment_ids,
                    ticked,
                ],
            )

    def _forms(self, model, cases, pool, now, per_case_names, per_case) -> int:
        rng, writer = self.rng, self.writer
        pool_names, sets = pool
        ids = writer.reserve_ids(model, len(cases))
        drawn = [rng.choice(sets) for _ in cases]
        actor_id, copy = self.actor.pk, writer.copy
        writer.write(
            _Table(model, now=now, with_pk=True),
            (
                "id",
                "case_id",
                "status",
                "created_by_id",
                "submitted_by_id",
                "submitted_at",
                *pool_names,
                *per_case_names,
            ),
            (
                (form_id, case.id, SUBMITTED, actor_id, actor_id, now, *values, *per_case(case))
                for form_id, case, values in zip(
                    ids,
                    cases,
                    (row_text if copy else row for row, _c, row_text in drawn),
                    strict=True,
                )
            ),
            # The answers as text already; the rest ids, dates, a time and plain words.
            plain=copy,
        )
        for field in model._meta.many_to_many:
            through, source, target = _m2m_table(model, field.name, now)
            writer.write(
                through,
                (source, target),
                (
                    (form_id, option_id)
                    for form_id, (_row, chosen, _text_row) in zip(ids, drawn, strict=True)
                    for option_id in chosen.get(field.name, ())
                ),
                plain=True,
            )
        return len(cases)

    def _support(self, cases, now) -> None:
        rng, writer = self.rng, self.writer
        chosen, rows = [], []
        actor_id = self.actor.pk
        for case in cases:
            for area in rng.sample(SupportArea.values, rng.randint(1, 4)):
                supported = rng.choices(["Yes", "No"], weights=[80, 20])[0]
                rows.append(
                    (
                        case.id,
                        area,
                        supported,
                        _impact(rng) if supported == "Yes" else "",
                        _impact(rng) if supported == "Yes" else "",
                        actor_id,
                    )
                )
                options = self.support_outcomes.get(area) or []
                picked = rng.sample(options, min(len(options), rng.randint(0, 2)))
                chosen.append(picked if supported == "Yes" else [])
        ids = writer.reserve_ids(AreaSupport, len(rows))
        writer.write(
            _Table(AreaSupport, now=now, with_pk=True),
            (
                "id",
                "case_id",
                "area",
                "supported",
                "impact_safety",
                "impact_wellbeing",
                "updated_by_id",
            ),
            ((pk, *row) for pk, row in zip(ids, rows, strict=True)),
        )
        through, source, target = _m2m_table(AreaSupport, "outcomes", now)
        writer.write(
            through,
            (source, target),
            (
                (pk, option_id)
                for pk, picked in zip(ids, chosen, strict=True)
                for option_id in picked
            ),
            plain=True,
        )

    def _contacts(self, cases, now) -> int:
        rng, writer = self.rng, self.writer
        types = Contact.ContactType.values
        actor_id = self.actor.pk
        randrange, choice, uniform = rng.randrange, rng.choice, rng.random

        def contact_rows():
            for case in cases:
                opened = case.opened_on
                days = max(((case.closed_on or self.end) - opened).days, 1)
                for _ in range(max(1, int(rng.gauss(10, 4)))):
                    yield (
                        case.id,
                        _at(opened + datetime.timedelta(days=randrange(days))),
                        choice(types),
                        uniform() < 0.4,
                        actor_id,
                    )

        def intervention_rows():
            for case in cases:
                last = case.closed_on or self.end
                days = max((last - case.opened_on).days, 1)
                for item in rng.sample(INTERVENTION_TYPES, rng.randint(0, 8)):
                    yield (
                        case.id,
                        item.key,
                        case.opened_on + datetime.timedelta(days=rng.randrange(days)),
                        actor_id,
                    )

        written = writer.write(
            _Table(Contact, now=now),
            ("case_id", "occurred_at", "contact_type", "is_significant", "recorded_by_id"),
            contact_rows(),
            plain=True,
        )
        writer.write(
            _Table(Intervention, now=now),
            ("case_id", "type", "occurred_on", "recorded_by_id"),
            intervention_rows(),
            plain=True,
        )
        return written


def _backend_pid(connection) -> int | None:
    """The pid of the connection's PostgreSQL backend when it runs on this machine (Linux, its
    /proc entry readable: the phases' figures then give its CPU time), else None."""
    if connection.vendor != "postgresql" or sys.platform != "linux":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), inet_server_addr()")
        pid, address = cursor.fetchone()
    if address is not None and str(address) not in ("127.0.0.1", "::1"):
        return None
    return pid if os.access(f"/proc/{pid}/stat", os.R_OK) else None


def _batches(first: int, count: int) -> list[tuple[int, int]]:
    """(first number, size) of each batch: a small first one (written alone, before the
    others are shared between processes), then BATCH cases each."""
    sizes, left = [], count
    while left > 0:
        sizes.append(min(FIRST_BATCH if not sizes else BATCH, left))
        left -= sizes[-1]
    return [(first + sum(sizes[:index]), size) for index, size in enumerate(sizes)]


def _written_tables() -> list[str]:
    tables = [
        model._meta.db_table
        for model in (
            Client,
            Case,
            Referral,
            Assessment,
            Answer,
            IntakeForm,
            ExitForm,
            AreaSupport,
            Contact,
            Intervention,
        )
    ]
    for model, names in ((IntakeForm, None), (ExitForm, None), (AreaSupport, ("outcomes",))):
        tables += [
            field.remote_field.through._meta.db_table
            for field in model._meta.many_to_many
            if names is None or field.name in names
        ]
    return tables


# The generator of the worker processes (set before they are forked: they inherit it).
_worker_generator: "Generator | None" = None


def _worker_batch(batch: tuple[int, int]) -> GeneratedCounts:
    return _worker_generator.write_batch(*batch)


def _in_parallel(generator: Generator, batches, workers: int):
    """Writes `batches` ((first number, size), each its own transaction) in `workers` forked
    processes, each with its own connection, and yields each batch's counts as it commits.
    While one process builds rows in Python, PostgreSQL works on the other's."""
    global _worker_generator  # handed to the forked processes
    # A connection must not be shared with a child: each opens its own.
    connections.close_all()
    _worker_generator = generator
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap_unordered(_worker_batch, batches)
            pool.close()
            pool.join()
    finally:
        _worker_generator = None


def _after_batch_written(case_ids: list[int], service_ids: list[int]) -> None:
    """Called once per batch of generated cases, inside its transaction, with the batch's case
    and service ids: the one place for work that follows new cases (a read model's refresh).
    The whole load's audit event is written by audited_bulk_write."""
    # Bulk inserts send no signals: the read model's rows and the services' data versions (which
    # tell a stored Insights result it is stale) are brought up to date here, in the batch's
    # transaction.
    from .freshness import mark_changed
    from .read_model import refresh_cases

    refresh_cases(case_ids, created_here=True)
    mark_changed(service_ids)


def progress_line(done: int, total: int, seconds: float, unit: str) -> str:
    """'  12000 of 100000 cases, 1850/s, about 48 s left'."""
    rate = done / seconds if seconds > 0 else 0.0
    left = (total - done) / rate if rate else 0.0
    return f"  {done} of {total} {unit}, {rate:.0f}/s, about {left:.0f} s left"


def _impact(rng):
    weights = {"Improved greatly": 30, "Improved slightly": 35, "No change": 20}
    labels = [value for value, _ in IMPACT_CHOICES]
    return rng.choices(labels, weights=[weights.get(label, 3) for label in labels])[0]


@functools.lru_cache(maxsize=4096)
def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def generate_cases(
    *, count: int, services=None, actor=None, years: float = 1.0, seed=1, stdout=None, workers=1
):
    services = list(services or Service.objects.all())
    actor = actor or User.objects.filter(is_superuser=True).first() or User.objects.first()
    end = timezone.localdate()
    start = end - datetime.timedelta(days=int(365 * years))
    return Generator(
        services=services, actor=actor, start=start, end=end, seed=seed, workers=workers
    ).generate(count, stdout=stdout)
