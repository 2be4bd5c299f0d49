"""Court hearings (issue 22, item 3): what they pre-fill on the justice forms, their place on
the case timeline (a fixed number of queries) and in the diary, and the rules of recording one."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from outcomes import services
from outcomes import services_hearings as hearings
from outcomes.models import CourtHearing
from outcomes.selectors_hearings import hearings_timeline
from tests.factories import CaseFactory
from tests.factories_diary import CourtHearingFactory


def _at(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker)


def test_a_civil_form_started_after_a_hearing_has_its_orders_filled_in(case, caseworker):
    hearings.court_hearing_record(
        case=case, actor=caseworker, court="Family court", starts_at=_at(20),
        kind="non_molestation", order_status="",
    )  # fmt: skip
    hearings.court_hearing_record(
        case=case, actor=caseworker, court="Family court", starts_at=_at(5),
        kind="non_molestation", order_status="Granted",
    )  # fmt: skip
    hearings.court_hearing_record(
        case=case, actor=caseworker, court="Family court", starts_at=_at(3),
        kind="occupation",
    )  # fmt: skip
    form = services.outcome_form_start(kind="civil", case=case, actor=caseworker)
    orders = {order.order_type: order.status for order in form.orders.all()}
    # The latest hearing of each order decides; one without a status is "Applied for".
    assert orders == {
        "Non-molestation order": "Granted",
        "Occupation order with power of arrest": "Applied for",
    }
    assert form.status == "draft"  # for the caseworker to confirm


def test_an_opened_civil_draft_offers_orders_of_hearings_recorded_since(
    client_for, case, caseworker
):
    form = services.outcome_form_start(kind="civil", case=case, actor=caseworker)
    assert not form.orders.exists()
    CourtHearingFactory(
        case=case, jurisdiction="civil", kind="child_arrangements", order_status="Not granted"
    )
    page = client_for(caseworker).get(reverse("outcomes:form_edit", args=["civil", form.pk]))
    fields = page.context["form"]
    name = next(n for n, t in fields.order_type_fields.items() if t == "Child arrangements order")
    assert fields[name].value() == "Not granted"


def test_a_new_police_report_starts_from_the_hearings_special_measures(
    client_for, case, caseworker
):
    CourtHearingFactory(case=case, kind="trial", special_measures="Not yet confirmed",
                        starts_at=_at(10))  # fmt: skip
    CourtHearingFactory(case=case, kind="sentencing", special_measures="Granted", starts_at=_at(2))
    cj_form = services.outcome_form_start(kind="criminal", case=case, actor=caseworker)
    page = client_for(caseworker).get(reverse("outcomes:police_report_add", args=[cj_form.pk]))
    assert page.context["form"]["special_measures"].value() == "Granted"


def test_the_kind_decides_the_jurisdiction_and_bail_needs_its_conditions(case, caseworker):
    hearing = hearings.court_hearing_record(
        case=case, actor=caseworker, court="Crown court", starts_at=_at(1), kind="trial"
    )
    assert hearing.jurisdiction == CourtHearing.Jurisdiction.CRIMINAL
    with pytest.raises(ValidationError) as refused:
        hearings.court_hearing_record(
            case=case, actor=caseworker, court="Crown court", starts_at=_at(1), kind="trial",
            bail_ends_on=timezone.localdate() - datetime.timedelta(days=30),
            bail_conditions="Not to contact the client",
        )  # fmt: skip
    assert "bail_ends_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        hearings.court_hearing_record(
            case=case, actor=caseworker, court="Family court", starts_at=_at(1),
            kind="occupation", special_measures="Granted",
        )  # fmt: skip
    assert "special_measures" in refused.value.message_dict
    assert CourtHearing.objects.count() == 1


def test_the_timeline_source_takes_one_query_for_one_hearing_or_thirty(
    case, django_assert_num_queries
):
    CourtHearingFactory(case=case, starts_at=_at(1))
    with django_assert_num_queries(1):
        assert len(hearings_timeline(case, 10)) == 1
    for days in range(2, 32):
        CourtHearingFactory(case=case, starts_at=_at(days))
    with django_assert_num_queries(1):
        items = hearings_timeline(case, 10)
    assert len(items) == 10
    assert items[0].at > items[-1].at


def test_a_hearing_shows_on_the_case_timeline(client_for, case, caseworker):
    hearing = CourtHearingFactory(case=case, starts_at=_at(1), kind="sentencing")
    response = client_for(caseworker).get(reverse("cases:case_timeline", args=[case.pk]))
    urls = [item.url for item in response.context["timeline"].items]
    assert reverse("outcomes:hearing_detail", args=[hearing.pk]) in urls


def test_recording_a_hearing_through_the_page(client_for, case, caseworker, outsider):
    url = reverse("outcomes:hearing_add", args=[case.pk])
    data = {
        "court": "Magistrates' court",
        "starts_at": timezone.localtime(_at(-3)).strftime("%Y-%m-%dT%H:%M"),
        "kind": "first_hearing",
        "special_measures": "Not requested",
    }
    assert client_for(outsider).post(url, data).status_code == 404
    response = client_for(caseworker).post(url, data)
    assert response.status_code == 302
    hearing = CourtHearing.objects.get()
    assert hearing.recorded_by == caseworker and hearing.jurisdiction == "criminal"
