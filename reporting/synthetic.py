"""Realistic synthetic cases in bulk, for benchmarks and load tests (never for real services).

Each case has a client, a referral, a DASH assessment at intake (and at exit when closed), a
submitted intake form, contacts, interventions and, when closed, an exit form and support by area
of need. Answers are drawn in the proportions of the Insights figures, with the same drawing as
the demo data (outcomes.demo). One audit event (audited_bulk_write) records the whole load.

Speed (about 270 cases a second on the shared two-core test machine, against about 100 before;
the foreign-key checks of the 40 answer rows per case are now most of the time): rows are built
as plain tuples, never as model instances, and streamed to PostgreSQL with COPY (SQLite, for the
demo, gets bulk_create); the ids of the rows that others point at are reserved from their
sequences first, so that one COPY per table and batch writes everything. Forms take their
answers from a pool drawn up front with outcomes.demo.draw_answers (drawing each form's answers
one by one cost more than writing them).
"""

import datetime
import functools
import itertools
import random
import time
from dataclasses import asdict, dataclass

from django.db import transaction
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

BATCH = 5000
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

    def add(self, other: "GeneratedCounts"):
        self.cases += other.cases
        self.exits += other.exits
        self.contacts += other.contacts
        self.assessments += other.assessments


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


class _Table:
    """A table written in bulk from tuples: its columns in order, each with the value a model
    instance would get when not given one (its default; now for auto_now fields)."""

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

    def row(self, **values) -> tuple:
        row = tuple(values.pop(name, default) for name, default in self.defaults.items())
        if values:
            raise TypeError(f"{self.model.__name__} has no column(s) {sorted(values)}")
        return row


class _Writer:
    """Writes tuples to a table: COPY on PostgreSQL, bulk_create elsewhere (the demo's SQLite)."""

    def __init__(self, connection):
        self.connection = connection
        self.copy = connection.vendor == "postgresql"

    def reserve_ids(self, model, count: int) -> list[int]:
        """`count` new primary keys for `model`, so that the rows pointing at it can be built
        before it is written. PostgreSQL hands them out from the table's own sequence (safe
        with other writers). SQLite has no sequence to draw from: its single writer holds the
        database while this transaction runs, so the next numbers after the largest are free."""
        table = self.connection.ops.quote_name(model._meta.db_table)
        with self.connection.cursor() as cursor:
            if self.copy:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [model._meta.db_table, model._meta.pk.column, count],
                )
                return [pk for (pk,) in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - a model's table
            last = cursor.fetchone()[0]
        return list(range(last + 1, last + 1 + count))

    def write(self, table: _Table, rows) -> int:
        written = 0
        if not self.copy:
            objects = [table.model(**dict(zip(table.attnames, row, strict=True))) for row in rows]
            table.model._default_manager.bulk_create(objects, batch_size=500)
            return len(objects)
        quote = self.connection.ops.quote_name
        sql = (
            f"COPY {quote(table.model._meta.db_table)} "
            f"({', '.join(quote(column) for column in table.columns)}) FROM STDIN"
        )
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
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
    def __init__(self, *, services, actor, start: datetime.date, end: datetime.date, seed=1):
        self.services = list(services)
        self.actor = actor
        self.start, self.end = start, end
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
        self.intake_pool = self._answer_pool(IntakeForm, q.INTAKE_QUESTIONS)
        self.exit_pool = self._answer_pool(ExitForm, q.EXIT_QUESTIONS)
        self.span = (end - start).days
        self.writer = _Writer(transaction.get_connection())

    def _answer_pool(self, model, questions):
        """ANSWER_POOL answer sets for `model`'s questions, each split into the form's own
        columns and its many-to-many choices (option ids by field)."""
        m2m = {field.name for field in model._meta.many_to_many}
        concrete = {field.attname for field in model._meta.concrete_fields}
        pool = []
        for _ in range(ANSWER_POOL):
            answers = draw_answers(self.rng, questions, self.options_by_list)
            values = {
                name: value
                for name, value in answers.items()
                if name in concrete and value is not None
            }
            chosen = {name: [option.pk for option in answers.get(name) or []] for name in m2m}
            pool.append((values, chosen))
        return pool

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
        totals = GeneratedCounts()
        started = time.monotonic()
        first = self._next_number()
        with audited_bulk_write(actor=self.actor, description=f"generate_cases: {count} cases"):
            done = 0
            while done < count:
                size = min(BATCH, count - done)
                with transaction.atomic():
                    counts, case_ids, service_ids = self._batch(size, first_number=first + done)
                    _after_batch_written(case_ids, service_ids)
                totals.add(counts)
                done += size
                if stdout is not None:
                    stdout.write(progress_line(done, count, time.monotonic() - started, "cases"))
        return totals

    def _batch(self, size: int, first_number: int):
        rng, now, writer = self.rng, timezone.now(), self.writer
        counts = GeneratedCounts(cases=size)
        if writer.copy:
            # Foreign keys checked as each row arrives, while the next rows are being built,
            # rather than all at commit with this process waiting.
            with writer.connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        clients, numbers, planned = _Table(Client, now=now, with_pk=True), [], []
        client_ids = writer.reserve_ids(Client, size)
        case_ids = writer.reserve_ids(Case, size)
        client_rows = []
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
                clients.row(
                    id=client_id,
                    provider_id=service.provider_id,
                    service_id=service.pk,
                    first_name=f"Synthetic {number}",
                    date_of_birth=born,
                    pregnant=rng.choices(["Yes", "No", ""], weights=[5, 80, 15])[0],
                    disability=rng.choices(["Yes", "No", ""], weights=[20, 70, 10])[0],
                    **{
                        name: rng.choices(labels, cum_weights=weights)[0]
                        for name, labels, weights in self.client_choices
                    },
                )
            )
            closure = (
                rng.choices(list(Case.ClosureType.values), weights=[80, 20])[0] if is_closed else ""
            )
            planned.append(
                _Planned(
                    case_id, client_id, service, opened, closed if is_closed else None, closure
                )
            )
            numbers.append((number, is_closed))
        writer.write(clients, client_rows)
        case_table = _Table(Case, now=now, with_pk=True)
        writer.write(
            case_table,
            (
                case_table.row(
                    id=case.id,
                    reference=f"{REFERENCE_PREFIX}{number:07d}",
                    client_id=case.client_id,
                    service_id=case.service.pk,
                    status=Case.Status.CLOSED if is_closed else Case.Status.OPEN,
                    referral_status="New client",
                    opened_on=case.opened_on,
                    closed_on=case.closed_on,
                    closure_type=case.closure_type,
                )
                for case, (number, is_closed) in zip(planned, numbers, strict=True)
            ),
        )
        referrals = _Table(Referral, now=now)
        writer.write(
            referrals,
            (
                referrals.row(
                    service_id=case.service.pk,
                    reference=f"{REFERENCE_PREFIX}R-{number:07d}",
                    received_at=_at(case.opened_on - datetime.timedelta(days=rng.randint(0, 3))),
                    route_id=rng.choice(self.routes[case.service.provider_id]),
                    client_id=case.client_id,
                    referral_status="New client",
                    triage=Referral.Triage.ACCEPTED,
                    triaged_at=_at(case.opened_on),
                    triaged_by_id=self.actor.pk,
                    first_contact_at=_at(case.opened_on),
                    case_id=case.id,
                    recorded_by_id=self.actor.pk,
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
            # Within a fortnight of opening, and never after today (a form's date cannot be in
            # the future: the import would refuse it).
            lambda case: {
                "completed_on": min(
                    case.opened_on + datetime.timedelta(days=rng.randint(0, 14)), self.end
                )
            },
        )
        closed = [case for case in planned if case.closed_on]
        counts.exits = self._forms(
            ExitForm,
            closed,
            self.exit_pool,
            now,
            lambda case: {"exit_date": case.closed_on, "case_status": case.closure_type},
        )
        self._support(closed, now)
        counts.contacts = self._contacts(planned, now)
        return counts, [case.id for case in planned], sorted({c.service.pk for c in planned})

    def _result(self, ticks: int, area: str):
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
        table = _Table(Assessment, now=now, with_pk=True)
        planned = []
        for case in cases:
            ticks = rng.randint(4, min(24, len(indexes)))
            planned.append((case, "intake", case.opened_on, ticks))
            if case.closed_on:
                exit_ticks = max(0, ticks - rng.randint(0, 10))
                planned.append((case, "exit", case.closed_on, exit_ticks))
        ids = writer.reserve_ids(Assessment, len(planned))
        # A list, not a generator: scoring reads the database, which cannot answer while the
        # connection is in the middle of a COPY.
        writer.write(
            table,
            [
                table.row(
                    id=assessment_id,
                    case_id=case.id,
                    version_id=self.dash.pk,
                    assessed_on=on,
                    assessor_id=self.actor.pk,
                    stage=stage,
                    status=SUBMITTED,
                    submitted_at=_at(on),
                    # One assessment per case and stage: it decides the stage's risk
                    # (riskassessment.current_risk).
                    decides_stage_risk=True,
                    current_until=on + datetime.timedelta(days=case.service.risk_current_days),
                    **self._result(ticks, case.service.area),
                )
                for assessment_id, (case, stage, on, ticks) in zip(ids, planned, strict=True)
            ],
        )
        # Every question answered: `ticks` of them, drawn at random, "yes"; the rest "no".
        answers = _Table(Answer, now=now)
        yes_rows = [
            answers.row(question_id=question.pk, option_id=yes.pk, assessment_id=0)
            for question, yes, _no in self.dash_answers
        ]
        no_rows = [
            answers.row(question_id=question.pk, option_id=no.pk, assessment_id=0)
            for question, _yes, no in self.dash_answers
        ]
        slot = answers.attnames.index("assessment_id")

        def answer_rows():
            for assessment_id, (_case, _stage, _on, ticks) in zip(ids, planned, strict=True):
                ticked = set(rng.sample(indexes, ticks))
                for index in indexes:
                    row = yes_rows[index] if index in ticked else no_rows[index]
                    yield (*row[:slot], assessment_id, *row[slot + 1 :])

        writer.write(answers, answer_rows())
        return len(planned)

    def _forms(self, model, cases, pool, now, extra) -> int:
        rng, writer = self.rng, self.writer
        table = _Table(model, now=now, with_pk=True)
        ids = writer.reserve_ids(model, len(cases))
        drawn = [rng.choice(pool) for _ in cases]
        writer.write(
            table,
            (
                table.row(
                    id=form_id,
                    case_id=case.id,
                    status=SUBMITTED,
                    created_by_id=self.actor.pk,
                    submitted_by_id=self.actor.pk,
                    submitted_at=now,
                    **{**values, **extra(case)},
                )
                for form_id, case, (values, _chosen) in zip(ids, cases, drawn, strict=True)
            ),
        )
        for field in model._meta.many_to_many:
            through, source, target = _m2m_table(model, field.name, now)
            writer.write(
                through,
                (
                    through.row(**{source: form_id, target: option_id})
                    for form_id, (_values, chosen) in zip(ids, drawn, strict=True)
                    for option_id in chosen.get(field.name, ())
                ),
            )
        return len(cases)

    def _support(self, cases, now) -> None:
        rng, writer = self.rng, self.writer
        supports, chosen = _Table(AreaSupport, now=now, with_pk=True), []
        rows = []
        for case in cases:
            for area in rng.sample(SupportArea.values, rng.randint(1, 4)):
                supported = rng.choices(["Yes", "No"], weights=[80, 20])[0]
                rows.append(
                    {
                        "case_id": case.id,
                        "area": area,
                        "supported": supported,
                        "impact_safety": _impact(rng) if supported == "Yes" else "",
                        "impact_wellbeing": _impact(rng) if supported == "Yes" else "",
                        "updated_by_id": self.actor.pk,
                    }
                )
                options = self.support_outcomes.get(area) or []
                picked = rng.sample(options, min(len(options), rng.randint(0, 2)))
                chosen.append(picked if supported == "Yes" else [])
        ids = writer.reserve_ids(AreaSupport, len(rows))
        writer.write(
            supports,
            (supports.row(id=pk, **row) for pk, row in zip(ids, rows, strict=True)),
        )
        through, source, target = _m2m_table(AreaSupport, "outcomes", now)
        writer.write(
            through,
            (
                through.row(**{source: pk, target: option_id})
                for pk, picked in zip(ids, chosen, strict=True)
                for option_id in picked
            ),
        )

    def _contacts(self, cases, now) -> int:
        rng, writer = self.rng, self.writer
        types = Contact.ContactType.values
        contacts, interventions = _Table(Contact, now=now), _Table(Intervention, now=now)
        actor_id = self.actor.pk

        def contact_rows():
            for case in cases:
                last = case.closed_on or self.end
                days = max((last - case.opened_on).days, 1)
                for _ in range(max(1, int(rng.gauss(10, 4)))):
                    yield contacts.row(
                        case_id=case.id,
                        occurred_at=_at(
                            case.opened_on + datetime.timedelta(days=rng.randrange(days))
                        ),
                        contact_type=rng.choice(types),
                        is_significant=rng.random() < 0.4,
                        recorded_by_id=actor_id,
                    )

        def intervention_rows():
            for case in cases:
                last = case.closed_on or self.end
                days = max((last - case.opened_on).days, 1)
                for item in rng.sample(INTERVENTION_TYPES, rng.randint(0, 8)):
                    yield interventions.row(
                        case_id=case.id,
                        type=item.key,
                        occurred_on=case.opened_on + datetime.timedelta(days=rng.randrange(days)),
                        recorded_by_id=actor_id,
                    )

        written = writer.write(contacts, contact_rows())
        writer.write(interventions, intervention_rows())
        return written


def _after_batch_written(case_ids: list[int], service_ids: list[int]) -> None:
    """Called once per batch of generated cases, inside its transaction, with the batch's case
    and service ids: the one place for work that follows new cases (a read model's refresh).
    The whole load's audit event is written by audited_bulk_write."""
    # Bulk inserts send no signals: the read model's rows and the services' data versions (which
    # tell a stored Insights result it is stale) are brought up to date here, in the batch's
    # transaction.
    from .freshness import mark_changed
    from .read_model import refresh_cases

    refresh_cases(case_ids)
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
    *, count: int, services=None, actor=None, years: float = 1.0, seed=1, stdout=None
):
    services = list(services or Service.objects.all())
    actor = actor or User.objects.filter(is_superuser=True).first() or User.objects.first()
    end = timezone.localdate()
    start = end - datetime.timedelta(days=int(365 * years))
    return Generator(services=services, actor=actor, start=start, end=end, seed=seed).generate(
        count, stdout=stdout
    )
