"""The demo outcome forms fill every Insights table these forms carry: for each table there is a
form the Insights report counts (submitted; an exit matched to a submitted intake; criminal and
civil justice forms of such exits) with one of the table's printed options, so that no table of
a demo report is all zeros. Checked against the question registry, whatever the random draws."""

import datetime
import io

import pytest
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role
from outcomes import demo
from outcomes import questions as q
from outcomes.models import (
    CivilJusticeForm,
    CivilOrder,
    ExitForm,
    FormStatus,
    Incident,
    IntakeForm,
    PoliceReport,
    ReviewForm,
)
from tests.factories import CaseFactory, MembershipFactory, ServiceFactory

SUBMITTED = FormStatus.SUBMITTED


def _counted():
    """What the Insights report counts for each list of questions (see reporting's universes)."""
    exits = ExitForm.objects.filter(status=SUBMITTED, case__intake_forms__status=SUBMITTED).values(
        "case_id"
    )
    return [
        (q.INTAKE_QUESTIONS, IntakeForm.objects.filter(status=SUBMITTED)),
        (q.REVIEW_QUESTIONS, ReviewForm.objects.filter(status=SUBMITTED)),
        (q.EXIT_QUESTIONS, ExitForm.objects.filter(case_id__in=exits, status=SUBMITTED)),
        (
            q.POLICE_REPORT_QUESTIONS,
            PoliceReport.objects.filter(form__status=SUBMITTED, case_id__in=exits),
        ),
        (
            q.INCIDENT_QUESTIONS,
            Incident.objects.filter(report__form__status=SUBMITTED, case_id__in=exits),
        ),
        (
            q.CIVIL_JUSTICE_QUESTIONS,
            CivilJusticeForm.objects.filter(status=SUBMITTED, case_id__in=exits),
        ),
    ]


def _demo_world(closed=16, still_open=4):
    services = {code: ServiceFactory(code=code) for code in ("CID", "RRH")}
    for service in services.values():
        MembershipFactory(service=service, role=Role.CASEWORKER)
    today = timezone.localdate()
    reasons = ("Client disengaged", "Client moved away")
    for index in range(closed + still_open):
        service = services["CID" if index % 2 else "RRH"]
        opened = today - datetime.timedelta(days=320 + index)
        if index >= closed:
            CaseFactory(service=service, opened_on=opened)
            continue
        unplanned = index % 4 == 0
        CaseFactory(
            service=service,
            opened_on=opened,
            status="closed",
            closed_on=opened + datetime.timedelta(days=110),
            closure_type="Unplanned closure" if unplanned else "Planned closure",
            unplanned_closure_reason=reasons[index % 2] if unplanned else "",
            follow_up_due_on=opened + datetime.timedelta(days=290),
        )
    return services


@pytest.mark.django_db
def test_demo_forms_answer_every_insights_table_and_keep_incomplete_drafts():
    services = _demo_world()
    demo.seed_outcome_forms(services=services, stdout=io.StringIO())

    empty = []
    for questions, counted in _counted():
        for question in questions:
            if not question.table:
                continue
            if question.kind == q.MULTI:
                answered = counted.filter(**{f"{question.field}__isnull": False})
            else:
                options = question.insights_table.options
                answered = counted.filter(**{f"{question.field}__in": options})
            if not answered.exists():
                empty.append(question.table)
    assert not empty, f"Insights tables with no answer in the demo forms: {empty}"
    exits = _counted()[2][1]
    # Derived tables: 'Escalation of abuse' and 'Review point' (exits with a review).
    assert exits.filter(Q(escalation_severity="Yes") | Q(escalation_frequency="Yes")).exists()
    assert exits.filter(case__review_forms__status=SUBMITTED).exists()

    orders = CivilOrder.objects.filter(
        form__in=_counted()[-1][1], status__in=["Applied for", "Granted", "Not granted", "Breached"]
    )
    applied = set(orders.values_list("order_type", flat=True))
    assert applied == set(q.CIVIL_ORDER_TABLES), "every civil order type is in the demo"

    drafts = IntakeForm.objects.filter(status=FormStatus.DRAFT)
    assert drafts.exists(), "some intakes are left incomplete, as drafts"
    # Covering the tables does not turn every answer into a rare one: most intakes still have
    # no forced marriage, as in the seed (40 of 3,074 answered Yes).
    submitted = IntakeForm.objects.filter(status=SUBMITTED)
    assert submitted.filter(forced_marriage="No").count() > submitted.count() // 2


@pytest.mark.django_db
def test_a_failed_case_leaves_none_of_its_forms(monkeypatch):
    """Each case's forms are written together: an error half-way through one case keeps none of
    that case's forms (so a second run can fill it)."""
    services = _demo_world(closed=1, still_open=0)
    real_start = demo.outcome_services.outcome_form_start

    def start_but_fail_at_exit(*, kind, case, actor):
        if kind == "exit":
            raise RuntimeError("interrupted")
        return real_start(kind=kind, case=case, actor=actor)

    monkeypatch.setattr(demo.outcome_services, "outcome_form_start", start_but_fail_at_exit)
    with pytest.raises(RuntimeError):
        demo.seed_outcome_forms(services=services, stdout=io.StringIO())
    assert not IntakeForm.objects.exists()

    monkeypatch.setattr(demo.outcome_services, "outcome_form_start", real_start)
    demo.seed_outcome_forms(services=services, stdout=io.StringIO())
    assert IntakeForm.objects.count() == 1
    assert ExitForm.objects.count() == 1
