"""Interventions and the Safety in Numbers count of different interventions: the rules in the
services and selectors (tests/support/test_plans_views.py covers the pages)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Agency
from catalogue.impact import OUTPUTS as PSS_OUTPUTS
from catalogue.safety_in_numbers import INTERVENTIONS as SIN_INTERVENTIONS
from support import selectors as support_selectors
from support import services as support_services
from support.models import Intervention
from support.models.interventions import INTERVENTION_TYPES
from tests.factories import CaseFactory
from tests.factories_support import InterventionFactory, SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def case(service):
    return CaseFactory(service=service, opened_on=TODAY - datetime.timedelta(days=40))


# --- Interventions and the Safety in Numbers band ------------------------------------------------


@pytest.mark.parametrize(
    ("count", "band"),
    [
        (0, "0-1"),
        (1, "0-1"),
        (2, "2-5"),
        (5, "2-5"),
        (6, "6-10"),
        (10, "6-10"),
        (11, "11+"),
        (30, "11+"),
    ],
)
def test_intervention_band_at_each_boundary(count, band):
    assert support_selectors.intervention_band(count) == band


def test_a_negative_count_has_no_band():
    with pytest.raises(ValueError):
        support_selectors.intervention_band(-1)


def _with_kinds(case, n):
    types = [item.key for item in INTERVENTION_TYPES if item.key != "tau_marker_placed"]
    for type_key in types[:n]:
        InterventionFactory(case=case, type=type_key)


@pytest.mark.parametrize(
    ("n", "band"), [(1, "0-1"), (2, "2-5"), (5, "2-5"), (6, "6-10"), (10, "6-10"), (11, "11+")]
)
def test_counting_distinct_interventions_on_a_case(case, n, band):
    _with_kinds(case, n)
    count = support_selectors.intervention_count(case)
    assert count == n
    assert support_selectors.intervention_band(count) == band


def test_repeats_count_once_tau_requested_and_placed_are_one_and_a_plan_is_safety_planning(
    case, service
):
    assert support_selectors.intervention_count(case) == 0
    InterventionFactory(case=case, type="police_check")
    InterventionFactory(case=case, type="police_check")
    assert support_selectors.intervention_count(case) == 1
    InterventionFactory(case=case, type="tau_marker_requested")
    InterventionFactory(case=case, type="tau_marker_placed")
    assert support_selectors.intervention_count(case) == 2
    SafetyPlanVersionFactory(plan=SafetyPlanFactory(case=case))
    assert support_selectors.intervention_count(case) == 3
    empty = CaseFactory(service=service)
    assert support_selectors.intervention_counts([case.pk, empty.pk]) == {case.pk: 3, empty.pk: 0}


def test_intervention_counts_use_a_fixed_number_of_queries(service, django_assert_num_queries):
    cases = [CaseFactory(service=service) for _ in range(5)]
    for index, case in enumerate(cases):
        _with_kinds(case, index + 1)
    # Interventions, safety plans, and MARAC referrals from the risk app: one expression.
    with django_assert_num_queries(1):
        counts = support_selectors.intervention_counts([c.pk for c in cases])
    assert list(counts.values()) == [1, 2, 3, 4, 5]


def test_intervention_types_cover_safety_in_numbers_and_name_real_outputs():
    sin = {item.sin for item in INTERVENTION_TYPES if item.sin}
    # Safety planning is counted from the safety plans themselves.
    assert sin | {"safety_planning"} == {item.key for item in SIN_INTERVENTIONS}
    pss_keys = {key for key, _label in PSS_OUTPUTS}
    assert {item.pss for item in INTERVENTION_TYPES if item.pss} <= pss_keys
    labels = {item.key for item in INTERVENTION_TYPES}
    for required in (
        "tau_marker_requested",
        "tau_marker_placed",
        "police_check",
        "home_visit",
        "personal_alarm",
        "target_hardening",
        "sanctuary_scheme",
        "refuge_referral",
        "signposting_referral",
        "childrens_safeguarding_referral",
        "adult_safeguarding_referral",
        "marac_referral",
        "criminal_court_support",
        "freedom_programme",
        "gateway_programme",
        "other_group_programme",
        "counselling_referral",
    ):
        assert required in labels


def test_intervention_rules(case, caseworker):
    with pytest.raises(ValidationError) as error:  # signposting needs the agency
        support_services.intervention_record(
            case=case, actor=caseworker, type="signposting_referral", occurred_on=TODAY
        )
    assert "agency" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        support_services.intervention_record(
            case=case,
            actor=caseworker,
            type="home_visit",
            occurred_on=TODAY + datetime.timedelta(days=1),
        )
    assert "occurred_on" in error.value.error_dict
    agency = Agency.objects.filter(is_retired=False).first()
    item = support_services.intervention_record(
        case=case, actor=caseworker, type="signposting_referral", occurred_on=TODAY, agency=agency
    )
    assert item.type_info.pss == "signposting_referrals"
    support_services.intervention_delete(intervention=item, actor=caseworker)
    assert not Intervention.objects.filter(case=case).exists()
