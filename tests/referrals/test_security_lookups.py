"""Issue 16, item 2 (the admin role crosses providers), for the lookup lists.

The lists every provider shares (options, agencies, risk checklists) change for everyone at once,
so only a superuser changes them; referral routes are a provider's own, beside a national list
that a provider's admin can withdraw from its services without touching anyone else's.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from cases.models import Option
from referrals.models import ReferralRoute
from riskassessment.models import ChecklistVersion
from tests.factories import MembershipFactory, ProviderFactory, ServiceFactory
from tests.factories_referrals import ReferralRouteFactory
from tests.factories_riskassessment import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db):
    provider = ProviderFactory(name="Home Trust")
    return {
        "community": ServiceFactory(name="Home Community", code="HCOM", provider=provider),
        "hospital": ServiceFactory(name="Home Hospital", code="HHOS", provider=provider),
    }


@pytest.fixture
def admin(home):
    return MembershipFactory(service=home["community"], role=Role.ADMIN).user


@pytest.fixture
def faraway(db):
    return ServiceFactory(
        name="Faraway Idva", code="FAR", provider=ProviderFactory(name="Faraway Trust")
    )


def _route_post(**values):
    data = {"name": "", "group": "", "position": "0"}
    data.update(values)
    return data


def test_item_2_a_provider_admin_cannot_change_the_shared_lists(client_for, admin):
    web = client_for(admin)
    option = Option.objects.filter(is_builtin=True).first()
    agency = AgencyFactory(name="Shared police force", kind="Police")

    assert web.get(reverse("admin:cases_option_changelist")).status_code == 200
    assert web.get(reverse("admin:cases_option_add")).status_code == 403
    response = web.post(
        reverse("admin:cases_option_change", args=[option.pk]),
        {"position": option.position, "is_retired": "on"},
    )
    option.refresh_from_db()
    assert response.status_code == 403
    assert not option.is_retired
    assert web.get(reverse("admin:cases_agency_add")).status_code == 403
    response = web.post(
        reverse("admin:cases_agency_change", args=[agency.pk]),
        {"name": "Renamed by one provider", "kind": "Police"},
    )
    agency.refresh_from_db()
    assert response.status_code == 403
    assert agency.name == "Shared police force"
    assert web.get(reverse("admin:riskassessment_checklistversion_add")).status_code == 403
    assert web.get(reverse("riskassessment:checklist_import")).status_code == 403


def test_item_2_a_superuser_changes_the_shared_lists(client_for, superuser):
    web = client_for(superuser)
    assert web.get(reverse("admin:cases_option_add")).status_code == 200
    assert web.get(reverse("riskassessment:checklist_import")).status_code == 200
    changelist = web.get(reverse("admin:riskassessment_checklistversion_changelist"))
    assert reverse("riskassessment:checklist_import") in changelist.content.decode()
    assert ChecklistVersion.objects.exists()


def test_item_2_a_provider_admin_adds_routes_for_their_provider_only(
    client_for, admin, home, faraway
):
    web = client_for(admin)
    response = web.post(
        reverse("admin:referrals_referralroute_add"),
        _route_post(
            name="Home GP surgeries",
            provider=faraway.provider_id,
            offered_by=[home["hospital"].pk],
        ),
    )
    assert response.status_code == 200  # the other provider is not a choice
    assert not ReferralRoute.objects.filter(name="Home GP surgeries").exists()

    response = web.post(
        reverse("admin:referrals_referralroute_add"),
        _route_post(
            name="Home GP surgeries",
            provider=home["hospital"].provider_id,
            offered_by=[faraway.pk],
        ),
    )
    assert response.status_code == 200  # nor is the other provider's service
    assert not ReferralRoute.objects.filter(name="Home GP surgeries").exists()

    response = web.post(
        reverse("admin:referrals_referralroute_add"),
        _route_post(
            name="Home GP surgeries",
            provider=home["hospital"].provider_id,
            offered_by=[home["hospital"].pk],
        ),
    )
    assert response.status_code == 302
    route = ReferralRoute.objects.get(name="Home GP surgeries")
    assert route.provider_id == home["hospital"].provider_id
    assert route in ReferralRoute.objects.offered_to(home["hospital"])
    assert route not in ReferralRoute.objects.offered_to(home["community"])
    assert route not in ReferralRoute.objects.offered_to(faraway)


def test_item_2_another_providers_route_is_neither_listed_nor_changed(client_for, admin, faraway):
    theirs = ReferralRouteFactory(name="Faraway outreach", provider=faraway.provider)
    web = client_for(admin)
    listing = web.get(reverse("admin:referrals_referralroute_changelist")).content.decode()
    assert "Faraway outreach" not in listing
    change_url = reverse("admin:referrals_referralroute_change", args=[theirs.pk])
    page = web.get(change_url)
    assert page.status_code in (302, 403, 404)
    assert "Faraway outreach" not in page.content.decode()
    web.post(change_url, _route_post(name="Taken over", provider=faraway.provider_id))
    theirs.refresh_from_db()
    assert theirs.name == "Faraway outreach"


def test_item_2_withdrawing_a_national_route_touches_no_other_provider(
    client_for, admin, home, faraway
):
    self_route = ReferralRoute.objects.get(name="Self", provider=None)
    self_route.withdrawn_by.add(faraway)  # the other provider's own choice, made before
    web = client_for(admin)
    response = web.post(
        reverse("admin:referrals_referralroute_change", args=[self_route.pk]),
        {
            "withdrawn_by": [home["community"].pk],
            # Fields that are read-only for a provider's admin: ignored if posted.
            "name": "Renamed",
            "is_retired": "on",
        },
    )
    assert response.status_code == 302
    self_route.refresh_from_db()
    assert self_route.name == "Self"
    assert not self_route.is_retired
    assert set(self_route.withdrawn_by.all()) == {home["community"], faraway}
    assert self_route not in ReferralRoute.objects.offered_to(home["community"])
    assert self_route in ReferralRoute.objects.offered_to(home["hospital"])

    # Un-withdrawing their own service leaves the other provider's withdrawal alone.
    web.post(
        reverse("admin:referrals_referralroute_change", args=[self_route.pk]),
        {"withdrawn_by": []},
    )
    assert set(self_route.withdrawn_by.all()) == {faraway}
