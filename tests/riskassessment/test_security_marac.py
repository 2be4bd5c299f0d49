"""Issue 16, item 4: MARAC scope follows the MARAC a service belongs to (a record of its own, set by
a superuser or the MARAC's admins), never a field the service's own admin can edit."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Marac, Role, Service
from riskassessment import selectors
from tests.factories import (
    MaracFactory,
    MembershipFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
)
from tests.factories_riskassessment import MaracMeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def north(db):
    return MaracFactory(name="North partnership")


@pytest.fixture
def south(db):
    return MaracFactory(name="South partnership")


@pytest.fixture
def home_service(north):
    return ServiceFactory(
        name="Home Idva",
        code="HOME",
        area="Northshire",
        marac=north,
        provider=ProviderFactory(name="Home Trust"),
    )


@pytest.fixture
def coordinator(home_service):
    return MembershipFactory(service=home_service, role=Role.MARAC_COORDINATOR).user


@pytest.fixture
def service_admin(home_service):
    return MembershipFactory(service=home_service, role=Role.ADMIN).user


@pytest.fixture
def meetings(north, south):
    return {
        "north": MaracMeetingFactory(marac=north, held_on=datetime.date(2026, 3, 2)),
        "south": MaracMeetingFactory(marac=south, held_on=datetime.date(2026, 3, 3)),
    }


def _service_form(service, **changes):
    data = {
        "provider": service.provider_id,
        "name": service.name,
        "code": service.code,
        "area": service.area,
        "risk_current_days": service.risk_current_days,
        "is_active": "on",
        "teams-TOTAL_FORMS": "0",
        "teams-INITIAL_FORMS": "0",
        "teams-MIN_NUM_FORMS": "0",
        "teams-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_item_4_coordinator_sees_only_meetings_of_their_services_maracs(
    client_for, coordinator, meetings
):
    assert list(selectors.meetings_visible_to(coordinator)) == [meetings["north"]]
    client = client_for(coordinator)
    listing = client.get(reverse("riskassessment:meeting_list")).content.decode()
    assert "North partnership" in listing
    assert "South partnership" not in listing
    south_page = reverse("riskassessment:meeting_detail", args=[meetings["south"].pk])
    assert client.get(south_page).status_code == 404


def test_item_4_editing_a_services_area_never_widens_a_coordinators_meetings(
    client_for, service_admin, coordinator, home_service, meetings
):
    client = client_for(service_admin)
    # The service's admin renames its area to the other partnership's, and tries to move it.
    response = client.post(
        reverse("admin:accounts_service_change", args=[home_service.pk]),
        _service_form(home_service, area="South partnership", marac=meetings["south"].marac_id),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    home_service.refresh_from_db()
    assert home_service.area == "South partnership"
    assert home_service.marac.name == "North partnership"
    assert list(selectors.meetings_visible_to(coordinator)) == [meetings["north"]]
    coordinator_client = client_for(coordinator)
    south_page = reverse("riskassessment:meeting_detail", args=[meetings["south"].pk])
    assert coordinator_client.get(south_page).status_code == 404


def test_item_4_marac_is_not_editable_by_a_provider_admin(
    client_for, service_admin, home_service, south
):
    client = client_for(service_admin)
    page = client.get(reverse("admin:accounts_service_change", args=[home_service.pk]))
    assert page.status_code == 200
    assert 'name="marac"' not in page.content.decode()
    # Nor on a new service of their provider.
    response = client.post(
        reverse("admin:accounts_service_add"),
        _service_form(home_service, name="New Idva", code="NEW", marac=south.pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Service.objects.get(code="NEW").marac is None
    # And the MARACs themselves are not theirs to change.
    assert client.get(reverse("admin:accounts_marac_add")).status_code == 403


def test_item_4_a_marac_admin_may_join_a_service_to_their_marac_only(
    client_for, service_admin, home_service, south
):
    newcomer = ServiceFactory(provider=home_service.provider, marac=None, code="NEWC")
    elsewhere = MaracFactory(name="Elsewhere partnership")
    south.admins.add(service_admin)
    client = client_for(service_admin)
    refused = client.post(
        reverse("admin:accounts_service_change", args=[newcomer.pk]),
        _service_form(newcomer, marac=elsewhere.pk),
    )
    assert refused.status_code == 200  # not a choice: the form again
    newcomer.refresh_from_db()
    assert newcomer.marac is None
    joined = client.post(
        reverse("admin:accounts_service_change", args=[newcomer.pk]),
        _service_form(newcomer, marac=south.pk),
    )
    assert joined.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.marac == south
    # A service already in another MARAC stays there: its MARAC is not this admin's.
    page = client.get(reverse("admin:accounts_service_change", args=[home_service.pk]))
    assert 'name="marac"' not in page.content.decode()


def test_item_4_a_superuser_sets_any_marac(client_for, home_service, south):
    root = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(root)
    response = client.post(
        reverse("admin:accounts_service_change", args=[home_service.pk]),
        _service_form(home_service, marac=south.pk),
    )
    assert response.status_code == 302
    assert Marac.objects.get(services=home_service) == south


def test_item_4_meeting_form_offers_only_the_coordinators_maracs(client_for, coordinator, south):
    client = client_for(coordinator)
    response = client.post(
        reverse("riskassessment:meeting_add"), {"marac": south.pk, "held_on": "2026-02-12"}
    )
    assert response.status_code == 200  # not a choice: the form again
    assert not south.meetings.exists()


def test_the_marac_list_is_offered_only_to_admins_named_on_a_marac(
    client_for, service_admin, south
):
    client = client_for(service_admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:accounts_marac_changelist") not in index
    assert client.get(reverse("admin:accounts_marac_changelist")).status_code == 403

    south.admins.add(service_admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:accounts_marac_changelist") in index
    listing = client.get(reverse("admin:accounts_marac_changelist"))
    assert listing.status_code == 200
    assert "South partnership" in listing.content.decode()
    assert client.get(reverse("admin:accounts_marac_change", args=[south.pk])).status_code == 200
