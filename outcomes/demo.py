"""Demo outcome forms for the demo cases (synthetic): complete and incomplete intake, review, exit,
criminal and civil justice forms and follow-ups, with answers drawn in the proportions of the
Insights 2020 figures (each table's seed counts used as weights).

Idempotent: a case that already has any outcome form is left alone. Forms go through the same
services as the pages, so the demo data obeys every rule.
"""

import contextlib
import datetime
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import access
from accounts.models import Membership, Role
from cases.catalogue.insights import TABLES_BY_KEY
from cases.choices import DONT_KNOW
from cases.models import Case, Option

from . import questions as q
from . import services as outcome_services
from .models import IntakeForm

DEMO_SERVICE_CODES = ("CID", "RRH", "RAI")
YES_NO_DK_WEIGHTS = {"Yes": 10, "No": 80, DONT_KNOW: 10}


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


def _answers(rng, questions, options_by_list, *, complete=True):
    """Answers in question order, so that follow-on questions see what they depend on."""
    answers: dict = {}
    asked = [x for x in questions if x.kind not in (q.DATE,)]
    if not complete:
        asked = asked[: max(1, len(asked) // 2)]
    for question in asked:
        if not q.applies(question, answers):
            continue
        if question.kind == q.MULTI:
            answers[question.field] = _multi(rng, question, options_by_list, answers)
            labels = {o.label for o in answers[question.field]}
            if question.table == "past_12_months_help_seeking":
                for label, field in q.HELP_SOUGHT_COUNTS.items():
                    answers[field] = rng.randint(1, 4) if label in labels else None
        elif question.kind in (q.SINGLE, q.CHOICE):
            answers[question.field] = _single(rng, question)
        elif question.kind == q.COUNT and question.field not in answers:
            answers[question.field] = None
    return answers


def _caseworker(case):
    membership = (
        Membership.objects.filter(
            service=case.service,
            role__in=[Role.CASEWORKER, Role.TEAM_LEADER],
            read_only=False,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    user = membership.user
    return user if access.can(user, access.Capability.EDIT_CASES, case.service_id) else None


def _fill(form, actor, values, *, submit):
    try:
        outcome_services.outcome_form_save(
            form=form, actor=actor, values=values, submit=submit, confirm_gaps=True
        )
        return True
    except ValidationError:
        if submit:  # keep what could be kept as a draft
            with contextlib.suppress(ValidationError):
                outcome_services.outcome_form_save(form=form, actor=actor, values=values)
        return False


def _criminal(rng, form, actor, options_by_list):
    report_count = rng.choices([1, 2], weights=[90, 10])[0]
    for _ in range(report_count):
        report_values = _answers(rng, q.POLICE_REPORT_QUESTIONS, options_by_list)
        incidents = []
        for _ in range(rng.choices([1, 2, 3], weights=[70, 22, 8])[0]):
            incident = _answers(rng, q.INCIDENT_QUESTIONS, options_by_list)
            incidents.append(incident)
        report_values["incidents_count"] = len(incidents)
        outcome_services.police_report_save(
            cj_form=form, actor=actor, values=report_values, incidents=incidents
        )
    return {"police_reports_count": report_count}


def _civil_orders(rng):
    orders = {}
    for order_type, key in q.CIVIL_ORDER_TABLES.items():
        table = TABLES_BY_KEY[key]
        applied = sum(table.seed_counts)
        if rng.random() < applied / (table.seed_n or 437):
            orders[order_type] = rng.choices(table.options, weights=table.seed_counts)[0]
    return orders


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
    created = 0
    for case in cases:
        actor = _caseworker(case)
        if actor is None:
            continue
        rng = random.Random(f"outcomes-{case.pk}")  # noqa: S311 - synthetic demo data
        complete = rng.random() < 0.75
        start = outcome_services.outcome_form_start
        intake = start(kind="intake", case=case, actor=actor)
        values = _answers(rng, q.INTAKE_QUESTIONS, options_by_list, complete=complete)
        _fill(intake, actor, values, submit=complete)
        created += 1
        review_on = case.opened_on + datetime.timedelta(days=rng.randint(60, 100))
        if rng.random() < 0.2 and review_on <= (case.closed_on or today):
            review = start(kind="review", case=case, actor=actor)
            values = _answers(rng, q.REVIEW_QUESTIONS, options_by_list)
            values["reviewed_on"] = review_on
            _fill(review, actor, values, submit=True)
            created += 1
        if not outcome_services.case_is_closing(case):
            continue
        exit_form = start(kind="exit", case=case, actor=actor)
        values = _answers(rng, q.EXIT_QUESTIONS, options_by_list, complete=complete)
        values.pop("case_status", None)  # filled in from the case's closure
        values.pop("unplanned_closure_reason", None)
        _fill(exit_form, actor, values, submit=complete)
        created += 1
        if rng.random() < 0.27:
            cj = start(kind="criminal", case=case, actor=actor)
            _fill(cj, actor, _criminal(rng, cj, actor, options_by_list), submit=complete)
            created += 1
        if rng.random() < 0.15:
            civil = start(kind="civil", case=case, actor=actor)
            values = _answers(rng, q.CIVIL_JUSTICE_QUESTIONS, options_by_list)
            values["orders"] = _civil_orders(rng)
            _fill(civil, actor, values, submit=complete)
            created += 1
        if (
            case.status == Case.Status.CLOSED
            and case.follow_up_due_on
            and (case.follow_up_due_on <= today)
        ):
            follow_up = start(kind="follow_up", case=case, actor=actor)
            values = _answers(rng, q.FOLLOW_UP_QUESTIONS, options_by_list)
            values["followed_up_on"] = case.follow_up_due_on
            _fill(follow_up, actor, values, submit=True)
            created += 1
    write(f"Outcome forms: {created} created for {len(cases)} demo cases.")
