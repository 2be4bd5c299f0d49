"""Demo outcome forms for the demo cases (synthetic): complete and incomplete intake, review, exit,
criminal and civil justice forms and follow-ups, with answers drawn in the proportions of the
Insights 2020 figures (each table's seed counts used as weights).

A few dozen demo cases are too few for chance alone to reach every table (an NFA reason, a
forced-marriage injunction), and a table of zeros in a demo report looks broken. So `Coverage`
keeps the Insights tables no submitted demo form has answered yet; the next complete form
answers each of them with a real option (and answers the question it follows on from so that it
applies). After that, answers follow the seed's proportions again.

Idempotent: a case that already has an intake form is left alone, and each case's forms are
written in one transaction (an interrupted run leaves no half-filled case). Forms go through the
same services as the pages, so the demo data obeys every rule.
"""

import contextlib
import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.choices import DONT_KNOW
from cases.models import Case, Option
from cases.selectors import demo_editor
from catalogue.insights import TABLES_BY_KEY

from . import questions as q
from . import services as outcome_services
from .models import IntakeForm

DEMO_SERVICE_CODES = ("CID", "RRH", "RAI")
YES_NO_DK_WEIGHTS = {"Yes": 10, "No": 80, DONT_KNOW: 10}
# Seed shares: 781 of 2,928 exits had criminal justice support, 437 civil justice support.
CRIMINAL_JUSTICE_SHARE = 0.27
CIVIL_JUSTICE_SHARE = 0.15
# Uncovered civil order types added to one civil justice form at most (a form with every order
# type would not look like a real case).
ORDERS_TO_COVER_PER_FORM = 2

FORM_QUESTIONS = {
    "intake": q.INTAKE_QUESTIONS,
    "review": q.REVIEW_QUESTIONS,
    "exit": q.EXIT_QUESTIONS,
    "criminal": q.POLICE_REPORT_QUESTIONS + q.INCIDENT_QUESTIONS,
    "civil": q.CIVIL_JUSTICE_QUESTIONS,
}


# Lantern-only answers that a derived Insights table counts: question field -> table (the table
# counts the answer "Yes").
DERIVED_FROM_YES = {
    "escalation_severity": "exit_escalation",
    "escalation_frequency": "exit_escalation",
}
# Exits with a review before them ("Review point").
REVIEW_POINT = "review_point"


def table_of(question) -> str:
    return question.table or DERIVED_FROM_YES.get(question.field, "")


class Coverage:
    """The Insights tables (and civil order types) that no submitted demo form has answered with
    a real option yet."""

    def __init__(self):
        self.tables = {
            table_of(question)
            for questions in FORM_QUESTIONS.values()
            for question in questions
            if table_of(question)
        } | {REVIEW_POINT}
        self.order_types = set(q.CIVIL_ORDER_TABLES)

    def wants(self, question, questions) -> bool:
        """The question's table is uncovered, or so is a question that follows on from it."""
        if table_of(question) in self.tables:
            return True
        return any(self.wants(f, questions) for f in follow_ons(question, questions))

    def wants_any(self, kind: str) -> bool:
        return any(table_of(question) in self.tables for question in FORM_QUESTIONS[kind])

    def mark(self, questions, answers: dict) -> None:
        for question in questions:
            if table_of(question) and q.applies(question, answers) and is_real(question, answers):
                self.tables.discard(table_of(question))


def follow_ons(question, questions):
    return [f for f in questions if f.applies_when and f.applies_when[0] == question.field]


def is_real(question, answers: dict) -> bool:
    """Answered with one of the table's printed options (not "Don't know", not missing)."""
    value = answers.get(question.field)
    if question.kind == q.MULTI:
        return bool(value)
    if not question.table:
        return value == "Yes"
    return value in question.insights_table.options


def _weights(question: q.Question):
    table = question.insights_table
    labels = list(table.options)
    counts = [c or 0 for c in table.seed_counts] or [1] * len(labels)
    if question.table == "exit_abuse_reported":
        # The seed prints only the 'no abuse' rows; the rest of its n experienced abuse.
        labels.append(q.ABUSE_EXPERIENCED)
        counts.append((table.seed_n or 0) - sum(counts))
    if table.has_dont_know:
        labels.append(DONT_KNOW)
        counts.append(table.seed_dont_know or 0)
    if question.may_be_missing:
        labels.append("")
        counts.append(table.seed_missing or 0)
    if not any(counts):
        counts = [1] * len(labels)
    return labels, counts


def _real_option(rng, question, among=None) -> str:
    """One of the table's printed options, by the seed's weights (`among`: only these)."""
    table = question.insights_table
    pairs = [
        (label, count or 0)
        for label, count in zip(table.options, table.seed_counts or (), strict=False)
        if among is None or label in among
    ] or [(label, 1) for label in table.options if among is None or label in among]
    labels = [label for label, _count in pairs]
    weights = [count for _label, count in pairs]
    return rng.choices(labels, weights=weights if any(weights) else None)[0]


def _single(rng, question):
    if question.table:
        labels, counts = _weights(question)
        return rng.choices(labels, weights=counts)[0]
    if question.field == "reached":
        return rng.choices(["Yes", "No"], weights=[60, 40])[0]
    if question.field == "reason":
        return "four_month"
    labels = list(YES_NO_DK_WEIGHTS)
    if question.field in ("feels_safe", "wants_service_again"):
        return rng.choices(labels, weights=[75, 15, 10])[0]
    return rng.choices(labels, weights=list(YES_NO_DK_WEIGHTS.values()))[0]


def _multi(rng, question, options_by_list, answers):
    table = question.insights_table
    n = table.seed_n or max(sum(c or 0 for c in table.seed_counts), 1)
    if question.may_be_missing and rng.random() < (table.seed_missing or 0) / (
        n + (table.seed_missing or 0)
    ):
        return []
    if question.dont_know_field and rng.random() < (table.seed_dont_know or 0) / n:
        answers[question.dont_know_field] = True
        return []
    available = options_by_list[question.table]
    chosen = [
        available[label]
        for label, c in zip(table.options, table.seed_counts, strict=False)
        if label in available and rng.random() < (c or 0) / n
    ]
    if question.table == "previous_abuse_exposure" and len(chosen) > 1:
        chosen = [o for o in chosen if o.label != "No"]
    if not chosen and not question.may_be_missing and question.table != "cj_perpetrator_penalties":
        labels = [label for label in table.options if label in available]
        counts = [c or 0 for c in table.seed_counts][: len(labels)]
        chosen = [available[rng.choices(labels, weights=counts or None)[0]]]
    return chosen


def _covering_answer(rng, question, questions, options_by_list, answers, coverage):
    """An answer that covers the question's table, or makes an uncovered follow-on apply."""
    wanted_values = set()
    for follow_on in follow_ons(question, questions):
        if coverage.wants(follow_on, questions):
            wanted_values = set(follow_on.applies_when[1])
            break
    if question.kind == q.MULTI:
        available = options_by_list[question.table]
        chosen = [o for o in _multi(rng, question, options_by_list, answers) if o is not None]
        answers.pop(question.dont_know_field, None)
        if wanted_values and not {o.label for o in chosen} & wanted_values:
            chosen.append(available[_real_option(rng, question, among=wanted_values)])
        if not chosen:
            chosen = [available[_real_option(rng, question)]]
        if question.table == "previous_abuse_exposure" and len(chosen) > 1:
            chosen = [o for o in chosen if o.label != "No"]
        return chosen
    if wanted_values:
        if question.table:
            return _real_option(rng, question, among=wanted_values)
        return rng.choice(sorted(wanted_values))
    if not question.table:
        return "Yes"
    return _real_option(rng, question)


def draw_answers(rng, questions, options_by_list, *, complete=True, coverage=None):
    """Answers in question order, so that follow-on questions see what they depend on."""
    answers: dict = {}
    asked = [x for x in questions if x.kind not in (q.DATE,)]
    if not complete:
        asked = asked[: max(1, len(asked) // 2)]
    for question in asked:
        if not q.applies(question, answers):
            continue
        covering = coverage is not None and question.kind in (q.SINGLE, q.MULTI)
        if covering and coverage.wants(question, questions):
            answers[question.field] = _covering_answer(
                rng, question, questions, options_by_list, answers, coverage
            )
            _help_counts(rng, question, answers)
            continue
        if question.kind == q.MULTI:
            answers[question.field] = _multi(rng, question, options_by_list, answers)
            _help_counts(rng, question, answers)
        elif question.kind in (q.SINGLE, q.CHOICE):
            answers[question.field] = _single(rng, question)
        elif question.kind == q.COUNT and question.field not in answers:
            answers[question.field] = None
    return answers


def _help_counts(rng, question, answers):
    if question.table != "past_12_months_help_seeking":
        return
    labels = {o.label for o in answers[question.field]}
    for label, field in q.HELP_SOUGHT_COUNTS.items():
        answers[field] = rng.randint(1, 4) if label in labels else None


def _fill(form, actor, values, *, submit):
    """Saves the answers; True if the form was submitted."""
    try:
        outcome_services.outcome_form_save(
            form=form, actor=actor, values=values, submit=submit, confirm_gaps=True
        )
        return submit
    except ValidationError:
        if submit:  # keep what could be kept as a draft
            with contextlib.suppress(ValidationError):
                outcome_services.outcome_form_save(form=form, actor=actor, values=values)
        return False


def _criminal(rng, form, actor, options_by_list, coverage):
    """Adds the police reports and incidents; returns the form's own answers and what was
    answered on the reports and incidents (for the coverage)."""
    answered = []
    report_count = rng.choices([1, 2], weights=[90, 10])[0]
    for _ in range(report_count):
        report_values = draw_answers(
            rng, q.POLICE_REPORT_QUESTIONS, options_by_list, coverage=coverage
        )
        incidents = []
        for _ in range(rng.choices([1, 2, 3], weights=[70, 22, 8])[0]):
            incidents.append(
                draw_answers(rng, q.INCIDENT_QUESTIONS, options_by_list, coverage=coverage)
            )
        report_values["incidents_count"] = len(incidents)
        outcome_services.police_report_save(
            cj_form=form, actor=actor, values=report_values, incidents=incidents
        )
        answered.append((q.POLICE_REPORT_QUESTIONS, report_values))
        answered += [(q.INCIDENT_QUESTIONS, incident) for incident in incidents]
    return {"police_reports_count": report_count}, answered


def _civil_orders(rng, coverage):
    orders = {}
    for order_type, key in q.CIVIL_ORDER_TABLES.items():
        table = TABLES_BY_KEY[key]
        applied = sum(table.seed_counts)
        if rng.random() < applied / (table.seed_n or 437):
            orders[order_type] = rng.choices(table.options, weights=table.seed_counts)[0]
    if coverage is not None:
        uncovered = [t for t in q.CIVIL_ORDER_TABLES if t in coverage.order_types]
        for order_type in uncovered[:ORDERS_TO_COVER_PER_FORM]:
            table = TABLES_BY_KEY[q.CIVIL_ORDER_TABLES[order_type]]
            weights = table.seed_counts if any(table.seed_counts) else None
            orders.setdefault(order_type, rng.choices(table.options, weights=weights)[0])
    return orders


def _seed_case(rng, case, actor, options_by_list, coverage, today) -> int:
    """The forms of one demo case; returns how many were created."""
    complete = rng.random() < 0.75
    cover = coverage if complete else None
    start = outcome_services.outcome_form_start
    created = 1
    intake = start(kind="intake", case=case, actor=actor)
    intake_values = draw_answers(
        rng, q.INTAKE_QUESTIONS, options_by_list, complete=complete, coverage=cover
    )
    intake_submitted = _fill(intake, actor, intake_values, submit=complete)
    if intake_submitted:
        coverage.mark(q.INTAKE_QUESTIONS, intake_values)
    reviewed = False
    review_on = case.opened_on + datetime.timedelta(days=rng.randint(60, 100))
    wants_review = cover is not None and (
        coverage.wants_any("review")
        or (REVIEW_POINT in coverage.tables and outcome_services.case_is_closing(case))
    )
    if review_on <= (case.closed_on or today) and (rng.random() < 0.2 or wants_review):
        review = start(kind="review", case=case, actor=actor)
        values = draw_answers(rng, q.REVIEW_QUESTIONS, options_by_list, coverage=cover)
        values["reviewed_on"] = review_on
        reviewed = _fill(review, actor, values, submit=True)
        if reviewed:
            coverage.mark(q.REVIEW_QUESTIONS, values)
        created += 1
    if not outcome_services.case_is_closing(case):
        return created
    exit_form = start(kind="exit", case=case, actor=actor)
    values = draw_answers(rng, q.EXIT_QUESTIONS, options_by_list, complete=complete, coverage=cover)
    values.pop("case_status", None)  # filled in from the case's closure
    values.pop("unplanned_closure_reason", None)
    if values.get("abuse_since") == outcome_services.NO_ABUSE_SINCE_REVIEW and not reviewed:
        values["abuse_since"] = "No abuse experienced since intake"
    # Insights counts criminal and civil justice forms at a submitted exit matched to an intake.
    counted = _fill(exit_form, actor, values, submit=complete) and intake_submitted
    if counted:
        coverage.mark(q.EXIT_QUESTIONS, values)
        if reviewed:
            coverage.tables.discard(REVIEW_POINT)
    created += 1
    if rng.random() < CRIMINAL_JUSTICE_SHARE or (counted and coverage.wants_any("criminal")):
        cj = start(kind="criminal", case=case, actor=actor)
        form_values, answered = _criminal(
            rng, cj, actor, options_by_list, coverage if counted else None
        )
        if _fill(cj, actor, form_values, submit=complete) and counted:
            for questions, answers in answered:
                coverage.mark(questions, answers)
        created += 1
    if rng.random() < CIVIL_JUSTICE_SHARE or (
        counted and (coverage.wants_any("civil") or coverage.order_types)
    ):
        civil = start(kind="civil", case=case, actor=actor)
        values = draw_answers(
            rng, q.CIVIL_JUSTICE_QUESTIONS, options_by_list, coverage=coverage if counted else None
        )
        values["orders"] = _civil_orders(rng, coverage if counted else None)
        if _fill(civil, actor, values, submit=complete) and counted:
            coverage.mark(q.CIVIL_JUSTICE_QUESTIONS, values)
            coverage.order_types -= set(values["orders"])
        created += 1
    follow_up_due = case.follow_up_due_on
    if case.status == Case.Status.CLOSED and follow_up_due and follow_up_due <= today:
        follow_up = start(kind="follow_up", case=case, actor=actor)
        values = draw_answers(rng, q.FOLLOW_UP_QUESTIONS, options_by_list)
        values["followed_up_on"] = case.follow_up_due_on
        _fill(follow_up, actor, values, submit=True)
        created += 1
    return created


def seed_outcome_forms(*, services=None, stdout=None):
    codes = [code for code in DEMO_SERVICE_CODES if not services or code in services]
    demo_cases = Case.objects.filter(service__code__in=codes)
    cases = list(
        demo_cases.exclude(pk__in=IntakeForm.objects.values("case_id"))
        .select_related("service")
        .order_by("pk")
    )
    write = stdout.write if stdout is not None else (lambda message: None)
    if not cases:
        if demo_cases.exists():
            write("Outcome forms: the demo cases already have their forms; none created.")
        else:
            write("Outcome forms: no demo cases (services CID, RRH, RAI); none created.")
        return
    options_by_list = {key: {o.label: o for o in Option.objects.of(key)} for key in q.OPTION_LISTS}
    today = timezone.localdate()
    coverage = Coverage()
    created = 0
    for case in cases:
        actor = demo_editor(case)
        if actor is None:
            continue
        rng = random.Random(f"outcomes-{case.pk}")  # noqa: S311 - synthetic demo data
        with transaction.atomic():
            created += _seed_case(rng, case, actor, options_by_list, coverage, today)
    write(f"Outcome forms: {created} created for {len(cases)} demo cases.")
