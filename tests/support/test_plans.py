"""Safety plans, support by area of need and interventions: the rules in the services and
selectors (tests/support/test_plans_views.py covers the pages)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role
from cases.models import Option
from support import selectors as support_selectors
from support import services as support_services
from support.case_page import case_panel_context, plans_timeline
from support.demo import seed_demo_plans
from support.forms import AreaSupportForm
from support.models import AreaSupport, Intervention, SafetyPlan, SafetyPlanVersion
from support.models.areas import SupportArea, outcomes_list_key
from tests.factories import CaseFactory, MembershipFactory
from tests.factories_riskassessment import submitted
from tests.factories_support import InterventionFactory, SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

# The Insights "What outcomes were achieved in this support area?" lists (seed 002, Service
# outputs), copied here so that a change to the catalogue or the seeding shows up as a failure.
EXPECTED_OUTCOMES = {
    "safety": (
        "Anti-social behaviour order issued",
        "Cocoon watch",
        "Contact order",
        "Domestic violence disclosure scheme (DVDS) accessed",
        "Domestic violence prevention order (DVPO) issued",
        "Domestic violence protection notice (DVPO) issued",
        "Established digital/tech safety plan",
        "Established personal safety plan",
        "FGM protection order",
        "Forced Marriage protection order",
        "Gazetteer warning in place",
        "Has personal alarm (e.g. grenade alarm)",
        "Increased LPT visits",
        "Non-molestation order",
        "Occupation order",
        "Pattern changing course",
        "Perpetrator accessing direct 1-1 intervention",
        "Perpetrator accessing group programme",
        "Referral to Marac",
        "Referred DV & SV service (external)",
        "Referred DV & SV service (internal)",
        "Referred to Outreach",
        "Relocated to safety",
        "Restraining order",
        "Target hardening",
        "Other",
    ),
    "housing": (
        "Accepted to housing support service",
        "Accessed housing funds",
        "Accessed Refuge",
        "Accessed sanctuary scheme",
        "Accessed settled housing",
        "Relocated out of area",
        "Accessed statutory housing (LA or HA tenancy)",
        "Accessed online support services",
        "Accessed temporary housing",
        "Not housed",
        "Registered on housing waiting list / exchange",
        "Sustained existing accommodation",
        "Tenancy support provided (reporting repairs, budgeting)",
        "Other",
    ),
    "physical_health": (
        "Accessed disability services",
        "Accessed counselling for physical health",
        "Accessed medication for physical health",
        "Accessed physical support services",
        "Accessing self help",
        "Admitted into rehabilitative facilities",
        "Discharged from physical health services",
        "Physical condition identified and receiving treatment",
        "Physical condition rehabilitated",
        "Accessed online support services",
        "Accessed GP services",
        "Referral adult social services",
        "Referral rehabilitative facility",
        "Referral other health services",
        "Smoking cessation support",
        "Increased exercise",
        "Other",
    ),
    "mental_health": (
        "Accessing medication for mental health condition",
        "Accessing mental health services",
        "Disengaged from mental health services",
        "Discharged from mental health services",
        "In care of mental health services",
        "Accessing counselling",
        "Accessed online support services",
        "Accessing self help",
        "Referral counselling services",
        "Referral mental health",
        "Referral other specialist health provider",
        "Other",
    ),
    "drug_misuse": (
        "Accessing drug support services",
        "Accessing medication for drug reduction",
        "Accessing drug misuse support group",
        "Accessing counselling",
        "Accessing peer support group",
        "Accessing self help",
        "Recovery programme in place",
        "Accessed online support services",
        "Admitted to rehabilitative facility",
        "No change in drug misuse issue",
        "Disengaged from drug misuse services",
        "Proven abstinence drugs",
        "Reduced frequency drugs",
        "Referral to drug services",
        "Other",
    ),
    "alcohol_misuse": (
        "Accessing alcohol support services",
        "Accessing medication for alcohol reduction",
        "Accessing alcohol misuse support group",
        "Accessing counselling",
        "Admitted to rehabilitative facility",
        "Accessed online support services",
        "No change to alcohol misuse issue",
        "Disengaged from alcohol misuse services",
        "Proven abstinence alcohol",
        "Reduced frequency alcohol",
        "Other",
    ),
    "children_parenting": (
        "Accessing children's support services",
        "Accessed parenting course",
        "Child(ren) accessing support services",
        "Child(ren) living with other family member",
        "Child(ren) living with perpetrator",
        "Child(ren) removed from client's care",
        "Disengaged from support in this area",
        "Accessing voluntary parenting support",
        "Accessing peer support group",
        "Accessed online support services",
        "Improved access to childcare",
        "Improved family mediation skills",
        "Improved parenting skills",
        "Accessed Freedom programme",
        "Accessed legal support for CYP arrangements",
        "Secured child contact arrangements",
        "Statutory CYPS involvement",
        "Referral to child social services",
        "Referral to adult social services",
        "Other",
    ),
    "finance_benefits_debt": (
        "Accessing full benefit entitlement",
        "Accessing partial benefit entitlement",
        "Accessing financial support services",
        "Disengaged from support in this area",
        "Financial stability obtained and maintained",
        "Accessed online support services",
        "Established financial independence from perpetrator",
        "Continued financial abuse",
        "Accessed legal aid",
        "Referral financial support services",
        "Other",
    ),
    "employment_education_training": (
        "Accessing training",
        "Accessing education",
        "Attended workshops",
        "Accessing online support services",
        "Disengaged from support in this area",
        "Engaged in volunteering",
        "Found full-time employment",
        "Found part-time employment",
        "Found flexible employment",
        "Other",
    ),
    "social_community_support": (
        "Disengaged from support in this area",
        "Engaged with cultural/leisure activities",
        "Engaged with local community group",
        "Engaged with faith group",
        "Engaged with drop-in sessions",
        "Engaged with peer support group",
        "Engaged with self help media",
        "Engaged with digital communities",
        "Client referral to CYPS",
        "Other",
    ),
    "immigration": (
        "Accessing public funds",
        "Awaiting ILR application",
        "Disengaged from support in this area",
        "Engaged with specialist services",
        "Granted ILR",
        "Accessed online support services",
        "Access to ID documents",
        "Referral to specialist service",
        "Applied to Destitute Domestic Violence Concession",
        "Other",
    ),
    "step_down_recovery": (
        "Accessed groupwork",
        "Accessed 121 peer mentoring",
        "Accessed online counselling",
        "Accessed online information",
        "Accessed therapeutic intervention",
        "Support with or to friends / family",
    ),
}


@pytest.fixture
def case(service):
    return CaseFactory(service=service, opened_on=TODAY - datetime.timedelta(days=40))


SECTIONS = {
    "safe_places_people": "The library on the high street.",
    "code_words": "'Is the kettle on?' means call 999.",
    "emergency": "Call 999; press 55 if I cannot speak.",
}


# --- Safety plans -------------------------------------------------------------------------------


def test_a_review_makes_a_new_version_and_keeps_the_old_one(case, caseworker):
    assessment = submitted(case, caseworker, on=TODAY - datetime.timedelta(days=21))
    first = support_services.safety_plan_create(
        case=case,
        actor=caseworker,
        kind=SafetyPlan.Kind.PERSONAL,
        reviewed_on=TODAY - datetime.timedelta(days=20),
        assessment_id=assessment.pk,
        **SECTIONS,
    )
    assert first.number == 1
    assert first.assessment_id == assessment.pk
    second = support_services.safety_plan_review(
        plan=first.plan,
        actor=caseworker,
        reviewed_on=TODAY,
        review_reason="Moved house",
        **{**SECTIONS, "safe_places_people": "The new neighbour at number 4."},
    )
    assert second.number == 2
    assert second.plan_id == first.plan_id
    first.refresh_from_db()
    assert first.safe_places_people == "The library on the high street."
    assert second.safe_places_people == "The new neighbour at number 4."
    assert [v.number for v in first.plan.versions.order_by("number")] == [1, 2]
    assert support_selectors.plan_version(first.plan).number == 2
    assert support_selectors.plan_version(first.plan, 1).safe_places_people == (
        "The library on the high street."
    )


def test_a_second_plan_of_the_same_kind_is_refused_but_a_digital_plan_is_not(case, caseworker):
    support_services.safety_plan_create(
        case=case, actor=caseworker, kind="personal", reviewed_on=TODAY, **SECTIONS
    )
    with pytest.raises(ValidationError) as error:
        support_services.safety_plan_create(
            case=case, actor=caseworker, kind="personal", reviewed_on=TODAY, **SECTIONS
        )
    assert "kind" in error.value.error_dict
    digital = support_services.safety_plan_create(
        case=case,
        actor=caseworker,
        kind="digital",
        reviewed_on=TODAY,
        phone_online_safety="Location sharing off.",
    )
    assert digital.plan.kind == "digital"


def test_plan_rules(case, caseworker, manager, outsider):
    with pytest.raises(ValidationError):  # nothing written
        support_services.safety_plan_create(
            case=case, actor=caseworker, kind="personal", reviewed_on=TODAY
        )
    with pytest.raises(ValidationError) as error:  # in the future
        support_services.safety_plan_create(
            case=case,
            actor=caseworker,
            kind="personal",
            reviewed_on=TODAY + datetime.timedelta(days=2),
            **SECTIONS,
        )
    assert "reviewed_on" in error.value.error_dict
    for actor in (manager, outsider):  # may read (or not even that) but not write
        with pytest.raises(PermissionDenied):
            support_services.safety_plan_create(
                case=case, actor=actor, kind="personal", reviewed_on=TODAY, **SECTIONS
            )
    version = support_services.safety_plan_create(
        case=case, actor=caseworker, kind="personal", reviewed_on=TODAY, **SECTIONS
    )
    with pytest.raises(ValidationError) as error:  # a review before the last version
        support_services.safety_plan_review(
            plan=version.plan,
            actor=caseworker,
            reviewed_on=TODAY - datetime.timedelta(days=3),
            **SECTIONS,
        )
    assert "reviewed_on" in error.value.error_dict
    assert SafetyPlanVersion.objects.filter(plan=version.plan).count() == 1


def test_the_client_copy_flags_indiscreet_words_in_the_caseworkers_text(case, caseworker):
    version = support_services.safety_plan_create(
        case=case,
        actor=caseworker,
        kind="personal",
        reviewed_on=TODAY,
        safe_places_people="Ask the Idva about the refuge.",
        code_words=f"Call {case.service.name}.",
        emergency="Call 999.",
    )
    found = support_selectors.indiscreet_words(version, extra=[case.service.name])
    headings = {heading for heading, _word in found}
    assert headings == {"Safe places and people", "Code words and signals"}
    assert {word.lower() for _h, word in found} >= {"idva", "refuge"}


# --- Support by area of need --------------------------------------------------------------------


def test_the_areas_are_the_insights_support_areas():
    assert SupportArea.labels == [
        "Safety",
        "Housing",
        "Physical health",
        "Mental health",
        "Drug misuse",
        "Alcohol misuse",
        "Children and parenting",
        "Finance, benefits and debt",
        "Employment, education and training",
        "Social and community support",
        "Immigration",
        "Step down and recovery",
    ]


@pytest.mark.parametrize("area", list(EXPECTED_OUTCOMES))
def test_outcome_lists_per_area_match_the_seed(area):
    options = Option.objects.of(outcomes_list_key(area)).filter(is_builtin=True)
    assert (
        tuple(options.order_by("position").values_list("label", flat=True))
        == (EXPECTED_OUTCOMES[area])
    )
    form = AreaSupportForm(area=area)
    assert (
        tuple(option.label for option in form.fields["outcomes"].queryset)
        == (EXPECTED_OUTCOMES[area])
    )


def test_impact_choices_follow_the_seed_for_each_area():
    safety = AreaSupportForm(area="safety").fields["impact_safety"].choices
    housing = AreaSupportForm(area="housing").fields["impact_wellbeing"].choices
    assert [value for value, _ in safety] == [
        "",
        "Improved greatly",
        "Improved slightly",
        "Decreased slightly",
        "Decreased greatly",
        "No change",
        "Don't know",
    ]
    assert [value for value, _ in housing] == [
        "",
        "Improved greatly",
        "Improved slightly",
        "No change",
        "Decreased slightly",
        "Decreased greatly",
        "Don't know",
    ]


def test_recording_support_in_an_area(case, caseworker):
    outcomes = list(
        Option.objects.of("support_safety_outcomes").filter(
            label__in=["Established personal safety plan", "Referral to Marac"]
        )
    )
    row = support_services.area_support_record(
        case=case,
        actor=caseworker,
        area="safety",
        supported="Yes",
        outcomes=outcomes,
        impact_safety="Improved greatly",
        impact_wellbeing="Don't know",
    )
    assert set(row.outcomes.values_list("label", flat=True)) == {
        "Established personal safety plan",
        "Referral to Marac",
    }
    # Saving the area again updates the same row.
    again = support_services.area_support_record(
        case=case, actor=caseworker, area="safety", supported="Yes", outcomes=outcomes[:1]
    )
    assert again.pk == row.pk
    assert again.outcomes.count() == 1
    assert AreaSupport.objects.filter(case=case).count() == 1


def test_support_rules(case, caseworker):
    housing = Option.objects.of("support_housing_outcomes").first()
    with pytest.raises(ValidationError) as error:  # another area's outcome
        support_services.area_support_record(
            case=case, actor=caseworker, area="safety", supported="Yes", outcomes=[housing]
        )
    assert "outcomes" in error.value.error_dict
    with pytest.raises(ValidationError) as error:  # impact without support
        support_services.area_support_record(
            case=case, actor=caseworker, area="housing", supported="No", impact_safety="No change"
        )
    assert "impact_safety" in error.value.error_dict
    cyps = Option.objects.of("cyps_involvement_exit").first()
    with pytest.raises(ValidationError) as error:
        support_services.area_support_record(
            case=case, actor=caseworker, area="housing", supported="Yes", cyps_involvement=[cyps]
        )
    assert "cyps_involvement" in error.value.error_dict
    row = support_services.area_support_record(
        case=case,
        actor=caseworker,
        area="children_parenting",
        supported="Yes",
        cyps_involvement=[cyps],
    )
    assert list(row.cyps_involvement.all()) == [cyps]


def test_retired_outcomes_stay_on_old_records_and_are_not_offered_for_new_ones(
    case, caseworker, service
):
    cocoon = Option.objects.of("support_safety_outcomes").get(label="Cocoon watch")
    row = support_services.area_support_record(
        case=case, actor=caseworker, area="safety", supported="Yes", outcomes=[cocoon]
    )
    cocoon.is_retired = True
    cocoon.save()

    row.refresh_from_db()
    assert list(row.outcomes.all()) == [cocoon]  # the old record keeps it
    assert cocoon in AreaSupportForm(area="safety", row=row).fields["outcomes"].queryset
    # Re-saving the old record with it is allowed.
    support_services.area_support_record(
        case=case, actor=caseworker, area="safety", supported="Yes", outcomes=[cocoon]
    )
    # A new record is not offered it, and the service refuses it.
    other = CaseFactory(service=service, opened_on=TODAY - datetime.timedelta(days=10))
    assert cocoon not in AreaSupportForm(area="safety").fields["outcomes"].queryset
    with pytest.raises(ValidationError) as error:
        support_services.area_support_record(
            case=other, actor=caseworker, area="safety", supported="Yes", outcomes=[cocoon]
        )
    assert "outcomes" in error.value.error_dict
    # An admin's own option is offered beside the built-in ones.
    added = Option.objects.create(list_key="support_safety_outcomes", label="Cocoon watch (new)")
    assert added in AreaSupportForm(area="safety").fields["outcomes"].queryset


# --- Case page and demo data --------------------------------------------------------------------


def test_case_panel_and_timeline(case, caseworker, rf, django_assert_max_num_queries):
    version = SafetyPlanVersionFactory(plan=SafetyPlanFactory(case=case), number=1)
    for type_key in ("police_check", "home_visit", "home_visit"):
        InterventionFactory(case=case, type=type_key)
    AreaSupport.objects.create(case=case, area="safety", supported="Yes", updated_by=caseworker)
    request = rf.get("/")
    request.user = caseworker
    with django_assert_max_num_queries(5):
        context = case_panel_context(request, case)
    assert context["intervention_count"] == 3
    assert context["intervention_band"] == "2-5"
    assert context["areas_supported"] == 1
    assert context["plans"][0].latest_number == 1
    html = render_to_string("support/_case_panel.html", {"panel": context})
    assert "3 <span" in html
    assert "Safety in Numbers band 2-5" in html
    assert "Personal safety plan" in html
    with django_assert_max_num_queries(2):
        items = plans_timeline(case)
    assert len(items) == 4
    assert {item.kind for item in items} == {"Safety plan", "Intervention"}
    assert any(str(version.plan_id) in item.url for item in items)


def test_demo_seeder_fills_cases_once(service, caseworker):
    MembershipFactory(user=caseworker, service=service, role=Role.TEAM_LEADER)
    cases = [
        CaseFactory(
            service=service, caseworker=caseworker, opened_on=TODAY - datetime.timedelta(days=60)
        )
        for _ in range(3)
    ]
    seed_demo_plans(services={"CID": service})
    counts = (SafetyPlan.objects.count(), Intervention.objects.count(), AreaSupport.objects.count())
    # Every case has a personal plan; the first also has a digital one.
    assert SafetyPlan.objects.filter(kind="personal").count() == 3
    assert counts[0] == 4
    assert counts[1] > 0 and counts[2] > 0
    assert support_selectors.intervention_count(cases[2]) >= 6
    seed_demo_plans(services={"CID": service})
    assert (
        SafetyPlan.objects.count(),
        Intervention.objects.count(),
        AreaSupport.objects.count(),
    ) == counts
