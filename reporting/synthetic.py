"""Realistic synthetic cases in bulk, for benchmarks and load tests (never for real services).

Each case has a client, a referral, a DASH assessment at intake (and at exit when closed), a
submitted intake form, contacts, interventions and, when closed, an exit form and support by area
of need. Answers are drawn in the proportions of the Insights figures, with the same drawing as
the demo data (outcomes.demo). Rows go in with bulk inserts inside audited_bulk_write, so one
audit event records the whole load.
"""

import datetime
import itertools
import random
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

BATCH = 2000
SUBMITTED = "submitted"


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


def _choice(rng, key, model_field=None):
    """An option of an Insights table, drawn in the seed's proportions. With a model field, only
    the options that field stores (an Insights row such as "Not sex assigned at birth" is
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
    return rng.choices(labels, weights=weights if any(weights) else None)[0]


def _client_choice(rng, field_name, key):
    return _choice(rng, key, Client._meta.get_field(field_name))


def _m2m_rows(model, field_name, owner_ids_and_options):
    relation = model._meta.get_field(field_name)
    through = relation.remote_field.through
    source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    return through, [
        through(**{f"{source}_id": owner_id, f"{target}_id": option.pk})
        for owner_id, options in owner_ids_and_options
        for option in options
    ]


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
            area: list(Option.objects.of(outcomes_list_key(area))) for area in SupportArea.values
        }
        # Per provider: a service may use the national routes and its own provider's.
        self.routes = {
            provider_id: list(
                ReferralRoute.objects.of_provider(provider_id).filter(is_retired=False)
            )
            or list(ReferralRoute.objects.of_provider(provider_id))
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
        self.intake_fields = self._split(IntakeForm, q.INTAKE_QUESTIONS)
        self.exit_fields = self._split(ExitForm, q.EXIT_QUESTIONS)
        self.span = (end - start).days

    @staticmethod
    def _split(model, questions):
        m2m = {field.name for field in model._meta.many_to_many}
        concrete = {field.name for field in model._meta.concrete_fields}
        return m2m, concrete

    def generate(self, count: int, stdout=None) -> GeneratedCounts:
        totals = GeneratedCounts()
        with audited_bulk_write(actor=self.actor, description=f"generate_cases: {count} cases"):
            done = 0
            while done < count:
                size = min(BATCH, count - done)
                with transaction.atomic():
                    totals.add(self._batch(size, first_number=done))
                done += size
                if stdout is not None:
                    stdout.write(f"  {done} of {count} cases")
        return totals

    def _batch(self, size: int, first_number: int) -> GeneratedCounts:
        rng, now = self.rng, timezone.now()
        counts = GeneratedCounts(cases=size)
        clients, plans = [], []
        for number in range(first_number, first_number + size):
            service = rng.choice(self.services)
            opened = self.start + datetime.timedelta(days=rng.randrange(self.span))
            length = int(rng.lognormvariate(4.4, 0.6))  # about 80 days, long tail
            closed = opened + datetime.timedelta(days=length)
            is_closed = closed <= self.end and rng.random() < 0.85
            born = opened - datetime.timedelta(days=365 * rng.randint(17, 75) + rng.randrange(365))
            clients.append(
                Client(
                    provider_id=service.provider_id,
                    service=service,
                    first_name=f"Synthetic {number}",
                    date_of_birth=born,
                    sex_at_birth=_client_choice(rng, "sex_at_birth", "client_sex_at_birth"),
                    sexual_orientation=_client_choice(
                        rng, "sexual_orientation", "client_sexual_orientation"
                    ),
                    ethnicity=_client_choice(rng, "ethnicity", "client_ethnicity"),
                    gender_identity=_client_choice(
                        rng, "gender_identity", "client_gender_identity"
                    ),
                    financial_situation=_client_choice(
                        rng, "financial_situation", "client_financial_situation"
                    ),
                    pregnant=rng.choices(["Yes", "No", ""], weights=[5, 80, 15])[0],
                    disability=rng.choices(["Yes", "No", ""], weights=[20, 70, 10])[0],
                )
            )
            plans.append((number, service, opened, closed if is_closed else None))
        Client.objects.bulk_create(clients)
        cases = []
        for client, (number, service, opened, closed) in zip(clients, plans, strict=True):
            cases.append(
                Case(
                    reference=f"SYN-{number:07d}",
                    client=client,
                    service=service,
                    status=Case.Status.CLOSED if closed else Case.Status.OPEN,
                    referral_status="New client",
                    opened_on=opened,
                    closed_on=closed,
                    closure_type=(
                        rng.choices(list(Case.ClosureType.values), weights=[80, 20])[0]
                        if closed
                        else ""
                    ),
                )
            )
        Case.objects.bulk_create(cases)
        Referral.objects.bulk_create(
            [
                Referral(
                    service=case.service,
                    reference=f"SYN-R-{case.reference[4:]}",
                    received_at=_at(case.opened_on - datetime.timedelta(days=rng.randint(0, 3))),
                    route=rng.choice(self.routes[case.service.provider_id]),
                    client=case.client,
                    referral_status="New client",
                    triage=Referral.Triage.ACCEPTED,
                    triaged_at=_at(case.opened_on),
                    triaged_by=self.actor,
                    first_contact_at=_at(case.opened_on),
                    case=case,
                    recorded_by=self.actor,
                )
                for case in cases
            ]
        )
        counts.assessments = self._assessments(cases)
        self._intakes(cases, now)
        counts.exits = self._exits([case for case in cases if case.closed_on], now)
        counts.contacts = self._contacts(cases)
        return counts

    def _result(self, ticked: frozenset, area: str):
        """The stored outcome of answering yes to the `ticked` questions, from the same scoring
        as a submitted assessment (riskassessment.scoring). The DASH counts ticks, so it is the
        same for every case with as many ticks in the same area: worked out once."""
        key = (len(ticked), area)
        if key not in self._results:
            options = [yes if q.pk in ticked else no for q, yes, no in self.dash_answers]
            self._results[key] = scoring.assessment_result(
                version=self.dash, options=options, area=area
            )
        return self._results[key]

    def _assessments(self, cases) -> int:
        if self.dash is None:
            return 0
        questions = [question.pk for question, _yes, _no in self.dash_answers]
        rows, ticked_of = [], []
        for case in cases:
            ticks = self.rng.randint(4, min(24, len(questions)))
            stages = [("intake", case.opened_on, ticks)]
            if case.closed_on:
                stages.append(("exit", case.closed_on, max(0, ticks - self.rng.randint(0, 10))))
            for stage, on, score in stages:
                ticked = frozenset(self.rng.sample(questions, score))
                result = self._result(ticked, case.service.area)
                rows.append(
                    Assessment(
                        case=case,
                        version=self.dash,
                        assessed_on=on,
                        assessor=self.actor,
                        stage=stage,
                        status=SUBMITTED,
                        submitted_at=_at(on),
                        # One assessment per case and stage: it decides the stage's risk
                        # (riskassessment.current_risk).
                        decides_stage_risk=True,
                        current_until=on + datetime.timedelta(days=case.service.risk_current_days),
                        **asdict(result),
                    )
                )
                ticked_of.append(ticked)
        Assessment.objects.bulk_create(rows)
        Answer.objects.bulk_create(
            [
                Answer(
                    assessment=assessment,
                    question=question,
                    option=yes if question.pk in ticked else no,
                )
                for assessment, ticked in zip(rows, ticked_of, strict=True)
                for question, yes, no in self.dash_answers
            ],
            batch_size=5000,
        )
        return len(rows)

    def _forms(self, model, cases, questions, fields, date_field, date_of, now, extra=None):
        m2m_names, concrete = fields
        forms = []
        for case in cases:
            answers = draw_answers(self.rng, questions, self.options_by_list)
            values = {name: value for name, value in answers.items() if name in concrete}
            values.update(extra(case) if extra else {})
            form = model(
                case=case,
                status=SUBMITTED,
                created_by=self.actor,
                submitted_by=self.actor,
                submitted_at=now,
                **{date_field: date_of(case)},
                **{name: value for name, value in values.items() if value is not None},
            )
            forms.append((form, {name: answers.get(name) or [] for name in m2m_names}))
        model.objects.bulk_create([form for form, _ in forms])
        for name in m2m_names:
            through, rows = _m2m_rows(
                model, name, [(form.pk, chosen.get(name, [])) for form, chosen in forms]
            )
            through.objects.bulk_create(rows)
        return len(forms)

    def _intakes(self, cases, now):
        return self._forms(
            IntakeForm,
            cases,
            q.INTAKE_QUESTIONS,
            self.intake_fields,
            "completed_on",
            lambda case: case.opened_on + datetime.timedelta(days=self.rng.randint(0, 14)),
            now,
        )

    def _exits(self, cases, now) -> int:
        count = self._forms(
            ExitForm,
            cases,
            q.EXIT_QUESTIONS,
            self.exit_fields,
            "exit_date",
            lambda case: case.closed_on,
            now,
            extra=lambda case: {"case_status": case.closure_type},
        )
        supports, chosen = [], []
        for case in cases:
            for area in self.rng.sample(SupportArea.values, self.rng.randint(1, 4)):
                supported = self.rng.choices(["Yes", "No"], weights=[80, 20])[0]
                supports.append(
                    AreaSupport(
                        case=case,
                        area=area,
                        supported=supported,
                        impact_safety=_impact(self.rng) if supported == "Yes" else "",
                        impact_wellbeing=_impact(self.rng) if supported == "Yes" else "",
                        updated_by=self.actor,
                    )
                )
                options = self.support_outcomes.get(area) or []
                picked = self.rng.sample(options, min(len(options), self.rng.randint(0, 2)))
                chosen.append(picked if supported == "Yes" else [])
        AreaSupport.objects.bulk_create(supports)
        through, rows = _m2m_rows(
            AreaSupport,
            "outcomes",
            [(support.pk, picked) for support, picked in zip(supports, chosen, strict=True)],
        )
        through.objects.bulk_create(rows)
        return count

    def _contacts(self, cases) -> int:
        contacts, interventions = [], []
        types = Contact.ContactType.values
        for case in cases:
            last = case.closed_on or self.end
            days = max((last - case.opened_on).days, 1)
            for _ in range(max(1, int(self.rng.gauss(10, 4)))):
                contacts.append(
                    Contact(
                        case=case,
                        occurred_at=_at(
                            case.opened_on + datetime.timedelta(days=self.rng.randrange(days))
                        ),
                        contact_type=self.rng.choice(types),
                        is_significant=self.rng.random() < 0.4,
                        recorded_by=self.actor,
                    )
                )
            for item in self.rng.sample(INTERVENTION_TYPES, self.rng.randint(0, 8)):
                interventions.append(
                    Intervention(
                        case=case,
                        type=item.key,
                        occurred_on=case.opened_on
                        + datetime.timedelta(days=self.rng.randrange(days)),
                        recorded_by=self.actor,
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=5000)
        Intervention.objects.bulk_create(interventions, batch_size=5000)
        return len(contacts)


def _impact(rng):
    weights = {"Improved greatly": 30, "Improved slightly": 35, "No change": 20}
    labels = [value for value, _ in IMPACT_CHOICES]
    return rng.choices(labels, weights=[weights.get(label, 3) for label in labels])[0]


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
