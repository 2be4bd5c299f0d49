"""The admin's journey in a real browser: add a referral route, offer it to one service only,
withdraw a route of the national list from the provider's services, then see what caseworkers
of each service are offered on a new referral. Every page is checked with axe-core and
photographed (test-artifacts/screenshots/admin/)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from referrals.models import ReferralRoute
from tests.factories import MembershipFactory, ServiceFactory

from .journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_ROUTE = "Hospital emergency department"
RETIRED_ROUTE = "Self"


def offered_routes(user, signed_in_tab, screenshot, shot):
    """The routes a caseworker may choose on a new referral, read off the form."""
    tab, errors = signed_in_tab(user)
    caseworker = Journey(tab, errors, name="admin", screenshot=screenshot)
    tab.goto(reverse("referrals:referral_new"))
    caseworker.page(shot)
    routes = tab.locator("#id_referral-route option").evaluate_all(
        "options => options.map(option => option.text)"
    )
    assert len(routes) > 10, routes
    caseworker.finish()
    return routes


def test_admin_offers_a_new_route_to_one_service_and_retires_another(
    signed_in_tab, screenshot, service
):
    hospital = ServiceFactory(name="Hospital Idva", provider=service.provider)
    admin = MembershipFactory(service=service, role=Role.ADMIN).user
    community_caseworker = MembershipFactory(service=service, role=Role.CASEWORKER).user
    hospital_caseworker = MembershipFactory(service=hospital, role=Role.CASEWORKER).user
    tab, errors = signed_in_tab(admin)
    journey = Journey(tab, errors, name="admin", screenshot=screenshot)

    tab.goto(reverse("home"))
    journey.page("home")
    tab.get_by_role("link", name="Open administration").click()
    journey.page("administration")
    tab.get_by_role("link", name="Referral routes").first.click()
    journey.page("routes")
    tab.get_by_role("link", name="Add referral route").click()
    journey.page("add-route")
    tab.get_by_label("Name").fill(NEW_ROUTE)
    tab.get_by_label("Group").fill("Health")
    tab.get_by_label("Hospital Idva").check()
    tab.get_by_role("button", name="Save", exact=True).click()
    journey.page("route-added")
    assert "was added successfully" in tab.locator(".messagelist").inner_text()
    new_route = ReferralRoute.objects.get(name=NEW_ROUTE)
    assert list(new_route.offered_by.all()) == [hospital]

    # A route of the national list is every provider's: this admin withdraws it from their
    # own services, which is theirs to decide.
    tab.locator("#result_list").get_by_role("link", name=RETIRED_ROUTE, exact=True).click()
    journey.page("change-route")
    tab.get_by_label("Community Idva").check()
    tab.get_by_label("Hospital Idva").check()
    tab.get_by_role("button", name="Save", exact=True).click()
    journey.page("route-withdrawn")
    withdrawn = ReferralRoute.objects.get(name=RETIRED_ROUTE)
    assert set(withdrawn.withdrawn_by.all()) == {service, hospital}
    assert not withdrawn.is_retired
    journey.finish()

    community = offered_routes(community_caseworker, signed_in_tab, screenshot, "community-offered")
    hospital_offered = offered_routes(
        hospital_caseworker, signed_in_tab, screenshot, "hospital-offered"
    )
    assert NEW_ROUTE not in community
    assert NEW_ROUTE in hospital_offered
    assert RETIRED_ROUTE not in community
    assert RETIRED_ROUTE not in hospital_offered
    # Every other active route is still offered everywhere.
    assert "Police" in community
    assert "Police" in hospital_offered
