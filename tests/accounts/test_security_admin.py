"""Issue 16, item 2: the Django admin is scoped to the admin's provider, nobody grants themselves
anything or sets another's password, superusers are managed by superusers, every change audited."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Role, Service, User
from tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    ProviderFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_service(db):
    return ServiceFactory(
        name="Home Idva", code="HOME", provider=ProviderFactory(name="Home Trust")
    )


@pytest.fixture
def admin(home_service):
    return MembershipFactory(service=home_service, role=Role.ADMIN).user


@pytest.fixture
def foreign(db):
    """Another provider's service, team, caseworker and membership."""
    provider = ProviderFactory(name="Faraway Trust")
    service = ServiceFactory(name="Faraway Idva", code="FAR", provider=provider)
    team = TeamFactory(service=service, name="Faraway team")
    membership = MembershipFactory(
        service=service, role=Role.CASEWORKER, user=UserFactory(email="faraway@example.test")
    )
    return {
        "provider": provider,
        "service": service,
        "team": team,
        "user": membership.user,
        "membership": membership,
    }


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.test", is_staff=True, is_superuser=True)


def _change_url(obj):
    return reverse(f"admin:accounts_{obj._meta.model_name}_change", args=[obj.pk])


def _management(prefix, total=0, initial=0, min_num=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": str(min_num),
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_item_2_admin_changelists_do_not_list_another_providers_records(client_for, admin, foreign):
    client = client_for(admin)
    for model_name in ("user", "service", "membership", "provider"):
        response = client.get(reverse(f"admin:accounts_{model_name}_changelist"))
        assert response.status_code == 200, model_name
        content = response.content.decode()
        for needle in ("Faraway Trust", "Faraway Idva", "faraway@example.test"):
            assert needle not in content, f"{model_name} changelist shows {needle}"


def test_item_2_admin_change_pages_of_another_provider_give_no_data(client_for, admin, foreign):
    client = client_for(admin)
    for key in ("provider", "service", "user", "membership"):
        obj = foreign[key]
        response = client.get(_change_url(obj))
        assert response.status_code in (302, 403, 404), key
        assert b"Faraway" not in response.content
        assert b"faraway@example.test" not in response.content
    # And a change posted there changes nothing.
    service = foreign["service"]
    client.post(_change_url(service), {"name": "Taken over", "code": "FAR", "provider": 1})
    service.refresh_from_db()
    assert service.name == "Faraway Idva"


def test_item_2_admin_cannot_grant_themselves_a_membership(client_for, admin, home_service):
    client = client_for(admin)
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": admin.pk, "service": home_service.pk, "role": Role.CASEWORKER},
    )
    assert response.status_code == 200  # the form again, with an error
    assert not Membership.objects.filter(user=admin, role=Role.CASEWORKER).exists()
    # Nor through the inline on their own user page, nor by changing their own membership.
    own = Membership.objects.get(user=admin)
    response = client.post(
        _change_url(own), {"user": admin.pk, "service": home_service.pk, "role": Role.CASEWORKER}
    )
    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_item_2_another_providers_service_is_not_offered_for_a_membership(
    client_for, admin, home_service, foreign
):
    client = client_for(admin)
    colleague = MembershipFactory(service=home_service, role=Role.CASEWORKER).user
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "accounts",
            "model_name": "membership",
            "field_name": "service",
            "term": "Idva",
        },
    )
    assert autocomplete.status_code == 200
    offered = {result["text"] for result in autocomplete.json()["results"]}
    assert "Home Idva" in offered
    assert "Faraway Idva" not in offered

    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": colleague.pk, "service": foreign["service"].pk, "role": Role.CASEWORKER},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=colleague, service=foreign["service"]).exists()


def test_item_2_password_change_view_is_refused(client_for, admin, home_service, superuser):
    colleague = MembershipFactory(service=home_service, role=Role.CASEWORKER).user
    for actor in (admin, superuser):
        client = client_for(actor)
        url = reverse("admin:auth_user_password_change", args=[colleague.pk])
        assert client.get(url).status_code == 403
        response = client.post(
            url, {"password1": "a new password 4 them", "password2": "a new password 4 them"}
        )
        assert response.status_code == 403
        colleague.refresh_from_db()
        assert colleague.check_password(TEST_PASSWORD)
        client.logout()


def test_item_2_superuser_is_invisible_and_unchangeable_to_an_admin(client_for, admin, superuser):
    client = client_for(admin)
    # Even a superuser who is a member of the admin's service.
    MembershipFactory(user=superuser, service=Membership.objects.get(user=admin).service)
    listing = client.get(reverse("admin:accounts_user_changelist"))
    assert b"root@example.test" not in listing.content
    response = client.get(_change_url(superuser))
    assert response.status_code in (302, 403, 404)
    assert b"root@example.test" not in response.content
    client.post(_change_url(superuser), {"email": "mine@example.test", "full_name": "Mine"})
    superuser.refresh_from_db()
    assert superuser.email == "root@example.test"


def test_item_2_admin_cannot_make_anyone_staff_or_superuser(client_for, admin, home_service):
    colleague = MembershipFactory(service=home_service, role=Role.CASEWORKER).user
    client = client_for(admin)
    response = client.post(
        _change_url(colleague),
        {
            "email": colleague.email,
            "full_name": "Renamed Colleague",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            **_management("memberships", total=1, initial=1),
            "memberships-0-id": Membership.objects.get(user=colleague).pk,
            "memberships-0-user": colleague.pk,
            "memberships-0-service": home_service.pk,
            "memberships-0-role": Role.CASEWORKER,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    colleague.refresh_from_db()
    assert colleague.full_name == "Renamed Colleague"
    assert not colleague.is_staff
    assert not colleague.is_superuser


def test_item_2_new_user_is_invited_to_set_their_own_password(
    client_for, admin, home_service, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "newcomer@example.test",
                "full_name": "New Comer",
                **_management("memberships", total=1, min_num=1),
                "memberships-0-service": home_service.pk,
                "memberships-0-role": Role.CASEWORKER,
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    newcomer = User.objects.get(email="newcomer@example.test")
    assert not newcomer.has_usable_password()
    # Visible to the admin who made them, through the membership they were made with.
    assert client.get(_change_url(newcomer)).status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.test"]
    assert re.search(r"/accounts/password/reset/key/\S+", message.body)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ADMIN, object_id=str(newcomer.pk))
    assert event.exists()


def test_item_2_admin_can_send_a_password_reset_link(
    client_for, admin, home_service, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(service=home_service, role=Role.CASEWORKER).user
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_password_reset_link", "_selected_action": [colleague.pk]},
        )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[colleague.email]]
    colleague.refresh_from_db()
    assert colleague.check_password(TEST_PASSWORD)  # unchanged until they use the link


def test_item_2_each_admin_change_is_audited(client_for, admin, home_service):
    client = client_for(admin)
    response = client.post(
        _change_url(home_service),
        {
            "provider": home_service.provider_id,
            "name": "Home Idva renamed",
            "code": home_service.code,
            "area": home_service.area,
            # Closure sign-off stays on (the default): only the name changes.
            "requires_closure_sign_off": "on",
            "risk_current_days": home_service.risk_current_days,
            "is_active": "on",
            **_management("teams"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN, object_id=str(home_service.pk))
    assert event.service_id == home_service.pk
    assert event.actor == admin
    assert event.detail["fields"] == ["name"]
    assert Service.objects.get(pk=home_service.pk).name == "Home Idva renamed"


def test_item_2_provider_admin_cannot_add_providers(client_for, admin):
    client = client_for(admin)
    response = client.post(reverse("admin:accounts_provider_add"), {"name": "My own provider"})
    assert response.status_code == 403


# --- Item 17: an export link stops working when its owner loses the role that made it ---------


def test_item_17_export_link_stops_working_when_the_owner_loses_the_role(client_for, service):
    from accounts.exports import export_file_create

    membership = MembershipFactory(service=service, role=Role.SERVICE_MANAGER)
    manager = membership.user
    export = export_file_create(
        owner=manager,
        kind="insights",
        filename="insights.csv",
        content=b"a,b\n",
        content_type="text/csv",
        service=service,
    )
    client = client_for(manager)
    url = reverse("accounts:export_download", args=[export.token])
    assert client.get(url).status_code == 200

    # Still a member of the service, but now a caseworker: reports are no longer theirs to take.
    Membership.objects.filter(pk=membership.pk).update(role=Role.CASEWORKER)
    assert client.get(url).status_code == 404
    refusal = AuditEvent.objects.get(action=AuditEvent.Action.DENIED, actor=manager)
    assert refusal.service_id == service.pk
    assert refusal.object_id == str(export.pk)


def test_item_17_export_of_several_services_needs_the_role_in_each(client_for, service):
    from accounts.exports import export_file_create

    elsewhere = ServiceFactory(provider=service.provider)
    manager = MembershipFactory(service=service, role=Role.SERVICE_MANAGER).user
    second = MembershipFactory(service=elsewhere, role=Role.SERVICE_MANAGER, user=manager)
    export = export_file_create(
        owner=manager,
        kind="insights",
        filename="insights.csv",
        content=b"a,b\n",
        content_type="text/csv",
        service_ids=[service.pk, elsewhere.pk],
    )
    client = client_for(manager)
    url = reverse("accounts:export_download", args=[export.token])
    assert client.get(url).status_code == 200
    second.delete()
    assert client.get(url).status_code == 404


# --- Item 20: Lantern admins manage unit costs, within their provider ---------------------------


def _unit_cost_form(**values):
    return {
        "key": "police_callout",
        "label": "Police callouts",
        "pence": "11000",
        "unit": "per contact",
        "source": "Home police costing 2026",
        "price_year": "",
        "measure": "risk_reduced",
        "quantity": "6",
        "position": "1",
        "is_active": "on",
        **values,
    }


def test_item_20_an_admin_manages_their_providers_unit_costs(client_for, admin, home_service):
    from reporting.models import UnitCost

    client = client_for(admin)
    listing = client.get(reverse("admin:reporting_unitcost_changelist"))
    assert listing.status_code == 200
    assert b"Police callouts" in listing.content  # the national defaults, to read
    response = client.post(
        reverse("admin:reporting_unitcost_add"),
        _unit_cost_form(provider=home_service.provider_id),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    own = UnitCost.objects.get(provider=home_service.provider, key="police_callout")
    assert own.pence == 11000
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ADMIN, object_type="reporting.unitcost", object_id=str(own.pk)
    ).exists()


def test_item_20_an_admin_cannot_change_the_national_defaults_or_another_providers(
    client_for, admin, foreign
):
    from reporting.models import UnitCost
    from tests.factories_impact import UnitCostFactory

    national = UnitCost.objects.get(provider=None, key="police_callout")
    theirs = UnitCostFactory(
        provider=foreign["provider"], key="gp_visit", label="GP visits", pence=1, source="Theirs"
    )
    client = client_for(admin)
    change = reverse("admin:reporting_unitcost_change", args=[national.pk])
    assert client.post(change, _unit_cost_form(pence="1")).status_code == 403
    # A new national default is not theirs to add either.
    response = client.post(reverse("admin:reporting_unitcost_add"), _unit_cost_form(key="new"))
    assert response.status_code == 200
    assert not UnitCost.objects.filter(key="new").exists()
    listing = client.get(reverse("admin:reporting_unitcost_changelist"))
    assert b"Theirs" not in listing.content and b"Faraway" not in listing.content
    other = client.get(reverse("admin:reporting_unitcost_change", args=[theirs.pk]))
    assert other.status_code in (302, 403, 404)
    national.refresh_from_db()
    assert national.pence == 9000


def test_item_20_a_providers_unit_cost_is_used_for_its_services_only(home_service, foreign):
    from reporting.impact.content import economic_value
    from reporting.models import UnitCost
    from tests.factories_impact import UnitCostFactory

    UnitCostFactory(
        provider=home_service.provider,
        key="police_callout",
        label="Police callouts",
        pence=10000,
        quantity=6,
        source="Home police costing 2026",
    )
    counts = dict.fromkeys(UnitCost.Measure.values, 1)
    home = {row["label"]: row for row in economic_value(counts, (home_service.pk,))["rows"]}
    elsewhere = {
        row["label"]: row for row in economic_value(counts, (foreign["service"].pk,))["rows"]
    }
    assert home["Police callouts"]["pence"] == 10000
    assert elsewhere["Police callouts"]["pence"] == 9000
    assert set(home) == set(elsewhere)  # replaced, not added beside the default


def test_item_2_admin_cannot_add_a_membership_on_their_own_user_page(
    client_for, admin, home_service
):
    client = client_for(admin)
    own = Membership.objects.get(user=admin)
    client.post(
        _change_url(admin),
        {
            "email": admin.email,
            "full_name": admin.full_name,
            "is_active": "on",
            **_management("memberships", total=2, initial=1),
            "memberships-0-id": own.pk,
            "memberships-0-user": admin.pk,
            "memberships-0-service": home_service.pk,
            "memberships-0-role": Role.ADMIN,
            "memberships-1-user": admin.pk,
            "memberships-1-service": home_service.pk,
            "memberships-1-role": Role.CASEWORKER,
        },
    )
    assert list(Membership.objects.filter(user=admin).values_list("role", flat=True)) == [
        Role.ADMIN
    ]
