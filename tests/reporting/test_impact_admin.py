"""The impact report jobs in the Django admin: a provider's admin sees their own provider's
reports (read-only), never another provider's, not even by its address."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import MembershipFactory, ProviderFactory, ServiceFactory
from tests.factories_impact import ImpactReportFactory

pytestmark = pytest.mark.django_db


def _report(title, *services):
    report = ImpactReportFactory(title=title)
    report.services.set(services)
    return report


@pytest.fixture
def reports():
    home = ServiceFactory(name="Home Idva", code="HOME", provider=ProviderFactory(name="Home"))
    away = ServiceFactory(name="Away Idva", code="AWAY", provider=ProviderFactory(name="Away"))
    return {
        "admin": MembershipFactory(service=home, role=Role.ADMIN).user,
        "home": _report("Home quarter", home),
        "away": _report("Away quarter", away),
        "both": _report("Both providers", home, away),
    }


def test_a_provider_admin_lists_only_their_providers_impact_reports(client_for, reports):
    client = client_for(reports["admin"])

    response = client.get(reverse("admin:reporting_impactreport_changelist"))

    assert response.status_code == 200
    listed = {report.title for report in response.context["cl"].result_list}
    assert listed == {"Home quarter"}


def test_another_providers_impact_report_is_not_found_by_its_address(client_for, reports):
    client = client_for(reports["admin"])

    own = client.get(reverse("admin:reporting_impactreport_change", args=[reports["home"].pk]))
    assert own.status_code == 200
    assert "Home quarter" in own.content.decode()
    for other in ("away", "both"):
        response = client.get(
            reverse("admin:reporting_impactreport_change", args=[reports[other].pk])
        )
        # The admin redirects a missing object to its index with a message: no title shown.
        assert response.status_code == 302
        assert reports[other].title not in response.content.decode()


def test_the_impact_report_admin_is_read_only(client_for, reports):
    client = client_for(reports["admin"])
    assert client.get(reverse("admin:reporting_impactreport_add")).status_code == 403
    response = client.post(
        reverse("admin:reporting_impactreport_change", args=[reports["home"].pk]),
        {"title": "Changed"},
    )
    assert response.status_code == 403
    reports["home"].refresh_from_db()
    assert reports["home"].title == "Home quarter"
