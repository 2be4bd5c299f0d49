"""Safety plans and interventions as they meet the rest of the case: the risk assessment a plan
answers, the MARAC referral made on the risk pages counting as an intervention, closed cases,
the audit of the edit pages, and the demo history of closed cases."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import AuditEvent, Role
from cases.models import Case
from riskassessment import services as risk_services
from support import selectors as support_selectors
from support import services as support_services
from support.case_page import plan_review_prompts
from support.demo import seed_demo_plans
from support.models import AreaSupport, Intervention, SafetyPlan, SafetyPlanVersion
from support.models.areas import SupportArea
from tests.factories import CaseFactory, MembershipFactory
from tests.factories_riskassessment import AgencyFactory, submitted
from tests.factories_support import InterventionFactory, SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SECTIONS = {"safe_places_people": "The library.", "emergency": "Call 999."}


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(
        service=service, caseworker=caseworker, opened_on=TODAY - datetime.timedelta(days=60)
    )


def _days_ago(days):
    return TODAY - datetime.timedelta(days=days)


# --- The risk assessment a plan answers ---------------------------------------------------------


def test_a_plan_answers_an_assessment_of_its_own_case_made_before_it(case, caseworker, service):
    own = submitted(case, caseworker, on=_days_ago(30))
    other_case = CaseFactory(service=service, opened_on=_days_ago(60))
    others = submitted(other_case, caseworker, on=_days_ago(30))
    later = submitted(case, caseworker, on=_days_ago(2))

    with pytest.raises(ValidationError) as error:
        support_services.safety_plan_create(
            case=case,
            actor=caseworker,
            kind="personal",
            reviewed_on=_days_ago(10),
            assessment_id=others.pk,
            **SECTIONS,
        )
    assert "assessment_id" in error.value.error_dict
    with pytest.raises(ValidationError) as error:  # made after the plan was agreed
        support_services.safety_plan_create(
            case=case,
            actor=caseworker,
            kind="personal",
            reviewed_on=_days_ago(10),
            assessment_id=later.pk,
            **SECTIONS,
        )
    assert "assessment_id" in error.value.error_dict
    assert not SafetyPlan.objects.filter(case=case).exists()

    version = support_services.safety_plan_create(
        case=case,
        actor=caseworker,
        kind="personal",
        reviewed_on=_days_ago(10),
        assessment_id=own.pk,
        **SECTIONS,
    )
    assert version.assessment_id == own.pk
    review = support_services.safety_plan_review(
        plan=version.plan,
        actor=caseworker,
        reviewed_on=TODAY,
        assessment_id=later.pk,
        review_reason="Risk went up.",
        **SECTIONS,
    )
    version.refresh_from_db()
    assert (version.assessment_id, review.assessment_id) == (own.pk, later.pk)


def test_the_plan_form_offers_the_cases_assessments_latest_first(client_for, caseworker, case):
    http = client_for(caseworker)
    page = http.get(reverse("support:plan_create", args=[case.pk]))
    assert page.context["form"].fields["assessment_id"].choices == [("", "No risk assessment yet")]

    older = submitted(case, caseworker, on=_days_ago(40))
    newer = submitted(case, caseworker, on=_days_ago(5), ticks=14)
    form = http.get(reverse("support:plan_create", args=[case.pk])).context["form"]
    field = form.fields["assessment_id"]
    assert [value for value, _label in field.choices] == ["", newer.pk, older.pk]
    assert field.initial == newer.pk
    assert date_format(newer.assessed_on) in dict(field.choices)[newer.pk]

    response = http.post(
        reverse("support:plan_create", args=[case.pk]),
        {
            "kind": "personal",
            "reviewed_on": _days_ago(20).isoformat(),
            "assessment_id": older.pk,
            **SECTIONS,
        },
    )
    assert response.status_code == 302
    plan = case.safety_plans.get()
    detail = http.get(reverse("support:plan_detail", args=[plan.pk])).content.decode()
    assert reverse("riskassessment:assessment_detail", args=[older.pk]) in detail

    # The review starts from the newest assessment: the review answers the new risk.
    review_form = http.get(reverse("support:plan_review", args=[plan.pk])).context["form"]
    assert review_form.fields["assessment_id"].initial == newer.pk
    http.post(
        reverse("support:plan_review", args=[plan.pk]),
        {
            "reviewed_on": TODAY.isoformat(),
            "review_reason": "New assessment",
            "assessment_id": newer.pk,
            **SECTIONS,
        },
    )
    assert [v.assessment_id for v in plan.versions.order_by("number")] == [older.pk, newer.pk]


def test_another_cases_assessment_is_refused_in_place(client_for, caseworker, case, service):
    elsewhere = submitted(CaseFactory(service=service), caseworker, on=_days_ago(5))
    own = submitted(case, caseworker, on=_days_ago(5))
    http = client_for(caseworker)
    post = {"kind": "personal", "reviewed_on": TODAY.isoformat(), **SECTIONS}
    # Not one of the choices offered: the form says so.
    response = http.post(
        reverse("support:plan_create", args=[case.pk]), {**post, "assessment_id": elsewhere.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assessment_id"]
    # Offered, but dated after the plan: the service's error lands on the field.
    response = http.post(
        reverse("support:plan_create", args=[case.pk]),
        {**post, "reviewed_on": _days_ago(10).isoformat(), "assessment_id": own.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assessment_id"]
    response = http.post(
        reverse("support:plan_create", args=[case.pk]), {**post, "assessment_id": "not-a-number"}
    )
    assert response.status_code == 200
    assert not SafetyPlan.objects.filter(case=case).exists()


# --- A MARAC referral from the risk pages is an intervention -----------------------------------


def _refer_to_marac(case, actor):
    return risk_services.marac_refer(
        case=case,
        actor=actor,
        referred_on=_days_ago(3),
        referring_agency=AgencyFactory(),
        visible_high_risk=True,
    )


def test_a_marac_referral_on_the_risk_pages_counts_as_one_intervention(
    client_for, case, caseworker
):
    InterventionFactory(case=case, type="police_check")
    assert support_selectors.intervention_count(case) == 1
    _refer_to_marac(case, caseworker)
    assert support_selectors.intervention_count(case) == 2
    # Also recorded as an intervention row: still one kind of intervention.
    InterventionFactory(case=case, type="marac_referral")
    assert support_selectors.intervention_count(case) == 2
    other = CaseFactory(service=case.service)
    assert support_selectors.intervention_counts([case.pk, other.pk]) == {case.pk: 2, other.pk: 0}
    page = client_for(caseworker).get(reverse("support:intervention_list", args=[case.pk]))
    assert page.context["count"] == 2
    assert "MARAC referral made on the risk pages counts too" in page.content.decode()


# --- Closed cases -------------------------------------------------------------------------------


def _close(case, on):
    case.status, case.closed_on = Case.Status.CLOSED, on
    case.save()


def test_a_closed_cases_interventions_are_not_removed(client_for, caseworker, case):
    item = InterventionFactory(case=case, type="home_visit", occurred_on=_days_ago(20))
    _close(case, _days_ago(10))
    with pytest.raises(ValidationError):
        support_services.intervention_delete(intervention=item, actor=caseworker)
    response = client_for(caseworker).post(
        reverse("support:intervention_delete", args=[item.pk]), {"confirm": "on"}
    )
    assert response.status_code == 200
    assert "closed case" in response.content.decode()
    assert Intervention.objects.filter(pk=item.pk).exists()


def test_nothing_is_dated_after_the_case_closed(caseworker, case):
    _close(case, _days_ago(10))
    with pytest.raises(ValidationError) as error:
        support_services._intervention_write(
            case=case,
            actor=caseworker,
            type="home_visit",
            occurred_on=_days_ago(5),
            agency=None,
            detail="",
            notes="",
        )
    assert "occurred_on" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        support_services._safety_plan_start(
            case=case, actor=caseworker, kind="personal", reviewed_on=_days_ago(5), **SECTIONS
        )
    assert "reviewed_on" in error.value.error_dict


# --- Audit of the edit pages --------------------------------------------------------------------


def test_edit_pages_audit_what_they_show_and_whom_they_refuse(
    client_for, caseworker, manager, case
):
    plan = SafetyPlanFactory(case=case, created_by=caseworker)
    SafetyPlanVersionFactory(plan=plan, number=1, made_by=caseworker)
    item = InterventionFactory(case=case)
    AreaSupport.objects.create(case=case, area="housing", supported="No", updated_by=caseworker)
    urls = [
        reverse("support:plan_review", args=[plan.pk]),
        reverse("support:support_edit", args=[case.pk, "housing"]),
        reverse("support:intervention_delete", args=[item.pk]),
    ]
    http = client_for(caseworker)
    for url in urls:
        before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, case_id=case.pk).count()
        assert http.get(url).status_code == 200
        after = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, case_id=case.pk).count()
        assert after == before + 1, url

    reader = client_for(manager)
    for url in urls:
        assert reader.get(url).status_code == 403
    denied = AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, actor=manager, case_id=case.pk
    )
    assert denied.count() == len(urls)


# --- Demo data for closed cases -----------------------------------------------------------------


def test_the_demo_gives_closed_cases_the_plans_support_and_interventions_they_had(
    service, caseworker
):
    MembershipFactory(user=caseworker, service=service, role=Role.TEAM_LEADER)
    closed = []
    for number in range(12):
        case = CaseFactory(
            service=service,
            caseworker=caseworker,
            opened_on=_days_ago(200 + number),
            status=Case.Status.CLOSED,
            closed_on=_days_ago(40 + number),
        )
        submitted(case, caseworker, on=case.opened_on)
        closed.append(case)
    _refer_to_marac(CaseFactory(service=service), caseworker)  # not a closed case: untouched

    seed_demo_plans(services={"CID": service})

    rows = AreaSupport.objects.filter(case__in=closed)
    supported = rows.filter(supported="Yes")
    assert supported.filter(area=SupportArea.SAFETY).exists()
    assert supported.exclude(impact_safety="").exists()
    assert supported.exclude(impact_wellbeing="").exists()
    assert all(row.outcomes.exists() for row in supported)
    assert rows.filter(supported="No").exists()
    # Where safety support was given to a client with a personal plan, the plan is an outcome.
    for row in supported.filter(area=SupportArea.SAFETY, case__safety_plans__kind="personal"):
        labels = set(row.outcomes.values_list("label", flat=True))
        assert "Established personal safety plan" in labels
    assert not rows.filter(supported="No").exclude(impact_safety="").exists()
    # Realistic, not every area for every case: each area goes unanswered at the seed's
    # Missing rate, so one case may have all twelve, but twelve cases all of them never.
    assert rows.count() < len(closed) * len(SupportArea.values)
    assert len({frozenset(c.area_support.values_list("area", flat=True)) for c in closed}) > 1

    interventions = Intervention.objects.filter(case__in=closed)
    assert interventions.exists()
    counts = support_selectors.intervention_counts([case.pk for case in closed])
    assert len(set(counts.values())) > 1
    versions = SafetyPlanVersion.objects.filter(plan__case__in=closed).select_related("plan")
    assert versions.exists()
    assert versions.exclude(assessment_id=None).exists()
    for case in closed:  # everything dated while the case was open
        for day in [
            *case.interventions.values_list("occurred_on", flat=True),
            *versions.filter(plan__case=case).values_list("reviewed_on", flat=True),
        ]:
            assert case.opened_on <= day <= case.closed_on

    before = (
        rows.count(),
        interventions.count(),
        versions.count(),
        sorted(counts.items()),
    )
    seed_demo_plans(services={"CID": service})
    again = support_selectors.intervention_counts([case.pk for case in closed])
    after = (rows.count(), interventions.count(), versions.count(), sorted(again.items()))
    assert after == before


# --- Bad input ----------------------------------------------------------------------------------


def test_ids_beyond_the_databases_range_answer_404(client_for, caseworker, case):
    plan = SafetyPlanFactory(case=case, created_by=caseworker)
    SafetyPlanVersionFactory(plan=plan, number=1, made_by=caseworker)
    huge = 10**20
    http = client_for(caseworker)
    for url in [
        reverse("support:plan_detail", args=[huge]),
        reverse("support:plan_version", args=[plan.pk, huge]),
        reverse("support:plan_print", args=[plan.pk, huge]),
        reverse("support:plan_pdf", args=[huge, 1]),
        reverse("support:plan_list", args=[huge]),
        reverse("support:support_edit", args=[huge, "safety"]),
        reverse("support:intervention_delete", args=[huge]),
    ]:
        assert http.get(url).status_code == 404, url


# --- Plans due for review -----------------------------------------------------------------------


def test_the_caseworker_is_prompted_when_a_current_plan_is_due_for_review(
    service, caseworker, case, django_assert_num_queries
):
    due = SafetyPlanFactory(case=case, created_by=caseworker)
    SafetyPlanVersionFactory(plan=due, number=1, next_review_on=_days_ago(1))
    # Reviewed since: its earlier version's date no longer counts.
    reviewed = SafetyPlanFactory(case=case, kind="digital", created_by=caseworker)
    SafetyPlanVersionFactory(plan=reviewed, number=1, next_review_on=_days_ago(20))
    SafetyPlanVersionFactory(plan=reviewed, number=2, next_review_on=_days_ago(-10))
    closed = CaseFactory(
        service=service,
        caseworker=caseworker,
        status=Case.Status.CLOSED,
        opened_on=_days_ago(90),
        closed_on=_days_ago(5),
    )
    SafetyPlanVersionFactory(plan=SafetyPlanFactory(case=closed), next_review_on=_days_ago(9))

    with django_assert_num_queries(1):
        prompts = plan_review_prompts(caseworker, Case.objects.filter(caseworker=caseworker))
    assert [(p.case_id, p.url) for p in prompts] == [
        (case.pk, reverse("support:plan_detail", args=[due.pk]))
    ]
    assert prompts[0].message == (
        f"Personal safety plan review overdue since {date_format(_days_ago(1))}"
    )
    assert prompts[0].severity == "danger"


def test_a_plan_review_date_of_today_is_due_and_one_past_is_overdue(service, caseworker, case):
    """The dashboard groups by urgency: a review date already past is "Overdue", not "Due
    soon" (the demo showed a February review as due soon in December)."""
    today_plan = SafetyPlanFactory(case=case, created_by=caseworker)
    SafetyPlanVersionFactory(plan=today_plan, number=1, next_review_on=_days_ago(0))
    past_plan = SafetyPlanFactory(case=case, kind="digital", created_by=caseworker)
    SafetyPlanVersionFactory(plan=past_plan, number=1, next_review_on=_days_ago(300))

    prompts = plan_review_prompts(caseworker, Case.objects.filter(caseworker=caseworker))

    by_plan = {p.url: (p.severity, p.message) for p in prompts}
    assert by_plan[reverse("support:plan_detail", args=[past_plan.pk])] == (
        "danger",
        f"Digital and tech safety plan review overdue since {date_format(_days_ago(300))}",
    )
    assert by_plan[reverse("support:plan_detail", args=[today_plan.pk])] == (
        "warning",
        "Personal safety plan due for review today",
    )
