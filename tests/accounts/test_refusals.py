"""Every 403 is audited once, and explains itself: a page the role may not open is refused on a
page with the site's layout and a way back, and the refusal is in the audit trail whether it was
made by the scoped lookup (which audits it there) or by a role check in a view."""

from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import CaseFactory


def test_a_page_the_role_may_not_open_is_refused_audited_with_a_way_back(client_for, caseworker):
    client = client_for(caseworker)

    response = client.get(reverse("riskassessment:meeting_list"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "You can't open this page" in page
    assert reverse("home") in page
    denied = AuditEvent.objects.filter(actor=caseworker, action=AuditEvent.Action.DENIED)
    assert denied.count() == 1
    assert denied.get().detail == {"page": "riskassessment:meeting_list", "method": "GET"}


def test_a_refusal_the_lookup_audited_is_not_audited_twice(client_for, manager, service):
    case = CaseFactory(service=service)
    client = client_for(manager)

    response = client.get(reverse("cases:contact_add", args=[case.pk]))

    assert response.status_code == 403
    denied = AuditEvent.objects.filter(actor=manager, action=AuditEvent.Action.DENIED)
    assert denied.count() == 1
    assert denied.get().case_id == case.pk


def test_an_impact_report_of_another_service_is_a_refusal_like_a_missing_one(
    client_for, manager, other_service
):
    from tests.factories_impact import ImpactReportFactory

    report = ImpactReportFactory()
    report.services.set([other_service])
    client = client_for(manager)

    assert client.get(reverse("reporting:impact_detail", args=[report.pk])).status_code == 404
    assert (
        client.get(reverse("reporting:impact_detail", args=[report.pk + 1000])).status_code == 404
    )
    denied = AuditEvent.objects.filter(actor=manager, action=AuditEvent.Action.DENIED)
    assert denied.count() == 1
    assert denied.get().detail == {"impactreport": report.pk, "capability": "run_reports"}


def test_the_nav_offers_the_case_pages_only_to_roles_they_open_for(client_for, caseworker, service):
    from accounts.models import Role
    from tests.factories import MembershipFactory

    coordinator = MembershipFactory(service=service, role=Role.MARAC_COORDINATOR).user
    case_list = f'href="{reverse("cases:case_list")}"'

    assert case_list in client_for(caseworker).get(reverse("home")).content.decode()
    coordinator_home = client_for(coordinator).get(reverse("home"))
    assert coordinator_home.status_code == 200
    assert case_list not in coordinator_home.content.decode()
    assert client_for(coordinator).get(reverse("cases:case_list")).status_code == 403


def test_a_manager_is_not_offered_the_edit_links_that_would_refuse_them(
    client_for, manager, caseworker, service
):
    case = CaseFactory(service=service)
    client_page = reverse("cases:client_detail", args=[case.client_id])
    edit_links = [
        reverse("cases:client_edit", args=[case.client_id]),
        reverse("cases:client_safe_contact", args=[case.client_id]),
        reverse("cases:consent_add", args=[case.client_id]),
    ]
    new_referral = reverse("referrals:referral_new")

    for user, offered in ((caseworker, True), (manager, False)):
        client = client_for(user)
        page = client.get(client_page).content.decode()
        referrals = client.get(reverse("referrals:referral_list")).content.decode()
        assert all((link in page) is offered for link in edit_links)
        assert (new_referral in referrals) is offered
        for link in edit_links:
            assert client.get(link).status_code == (200 if offered else 403)


def test_the_audit_trail_is_in_the_menu_of_those_who_may_read_it(client_for, caseworker, manager):
    audit_link = f'href="{reverse("accounts:audit_log")}"'

    assert audit_link in client_for(manager).get(reverse("home")).content.decode()
    assert client_for(manager).get(reverse("accounts:audit_log")).status_code == 200
    assert audit_link not in client_for(caseworker).get(reverse("home")).content.decode()


def _menu(client) -> str:
    page = client.get(reverse("home")).content.decode()
    return page[page.index('id="main-nav"') : page.index("</nav>")]


def test_the_marac_coordinator_and_the_admin_find_their_pages_in_the_menu(
    client_for, caseworker, service
):
    """The coordinator's and the admin's menus held only Home: their pages were reachable only
    from a card on the start page."""
    from accounts.models import Marac, Role
    from tests.factories import MembershipFactory

    service.marac = Marac.objects.create(name="St Helens")
    service.save(update_fields=["marac"])
    coordinator = MembershipFactory(service=service, role=Role.MARAC_COORDINATOR).user
    admin = MembershipFactory(service=service, role=Role.ADMIN).user
    meetings = f'href="{reverse("riskassessment:meeting_list")}"'
    checklists = f'href="{reverse("riskassessment:checklist_list")}"'
    administration = f'href="{reverse("admin:index")}"'

    menus = {user: _menu(client_for(user)) for user in (coordinator, admin, caseworker)}
    assert meetings in menus[coordinator]
    assert checklists in menus[admin] and administration in menus[admin]
    assert meetings not in menus[caseworker] and checklists not in menus[caseworker]
    assert checklists not in menus[coordinator] and meetings not in menus[admin]
    # Each entry opens for the role it is offered to.
    assert client_for(coordinator).get(reverse("riskassessment:meeting_list")).status_code == 200
    assert client_for(admin).get(reverse("riskassessment:checklist_list")).status_code == 200
    assert client_for(admin).get(reverse("admin:index")).status_code == 200
