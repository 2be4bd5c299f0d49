"""A double click or a resent post creates nothing twice (accounts.idempotency): starting a
review form, adding a police report, and referring a case to MARAC. The second post is sent
where the first went."""

import re
import uuid

import pytest
from django.urls import reverse

from outcomes.models import ReviewForm
from tests.factories import CaseFactory
from tests.factories_outcomes import CriminalJusticeFormFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker)


def _start_token(page: str, kind: str) -> str:
    form = page.split(f'/{kind}/start/"', 1)[1].split("</form>", 1)[0]
    return re.search(r'name="form_token" value="([0-9a-f-]+)"', form).group(1)


def test_a_double_click_on_start_opens_one_review_form(client_for, case, caseworker):
    web = client_for(caseworker)
    page = web.get(reverse("outcomes:case_forms", args=[case.pk])).content.decode()
    token = _start_token(page, "review")
    url = reverse("outcomes:form_start", args=[case.pk, "review"])
    first = web.post(url, {"form_token": token})
    second = web.post(url, {"form_token": token})
    review = ReviewForm.objects.get(case=case)
    assert first.url == second.url == reverse("outcomes:form_edit", args=["review", review.pk])
    # A new page's token starts another review, as a second review is meant to.
    page = web.get(reverse("outcomes:case_forms", args=[case.pk])).content.decode()
    assert _start_token(page, "review") != token
    web.post(url, {"form_token": _start_token(page, "review")})
    assert ReviewForm.objects.filter(case=case).count() == 2


def test_each_kind_has_its_own_start_token(client_for, case, caseworker):
    page = client_for(caseworker).get(reverse("outcomes:case_forms", args=[case.pk]))
    page = page.content.decode()
    assert _start_token(page, "review") != _start_token(page, "intake")


def test_a_start_with_a_token_that_is_not_one_is_refused_without_a_form(
    client_for, case, caseworker
):
    response = client_for(caseworker).post(
        reverse("outcomes:form_start", args=[case.pk, "review"]), {"form_token": "not-a-token"}
    )
    assert response.status_code == 302
    assert not ReviewForm.objects.filter(case=case).exists()


def test_a_resent_police_report_is_added_once(client_for, case, caseworker):
    cj = CriminalJusticeFormFactory(case=case, created_by=caseworker)
    url = reverse("outcomes:police_report_add", kwargs={"pk": cj.pk})
    web = client_for(caseworker)
    token = re.search(
        r'name="form_token" value="([0-9a-f-]+)"', web.get(url).content.decode()
    ).group(1)
    data = {
        "form_token": token,
        "timing": "Before engagement with service",
        "incidents_count": "1",
        "incidents-TOTAL_FORMS": "1",
        "incidents-INITIAL_FORMS": "0",
        "incidents-MIN_NUM_FORMS": "0",
        "incidents-MAX_NUM_FORMS": "50",
        "incidents-0-offence": "Threats to Kill",
        "incidents-0-consequence": "Charged",
        "incidents-0-nfa_reason": "",
    }
    first, second = web.post(url, data), web.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == reverse("outcomes:form_edit", kwargs={"kind": "criminal", "pk": cj.pk})
    assert cj.police_reports.count() == 1
    data["form_token"] = str(uuid.uuid4())
    web.post(url, data)
    assert cj.police_reports.count() == 2


def test_a_resent_marac_referral_refers_once(client_for, case, caseworker):
    from tests.factories_riskassessment import AgencyFactory

    agency = AgencyFactory(name="Idva agency")
    web = client_for(caseworker)
    url = reverse("riskassessment:marac_refer", args=[case.pk])
    token = re.search(
        r'name="form_token" value="([0-9a-f-]+)"', web.get(url).content.decode()
    ).group(1)
    data = {
        "form_token": token,
        "referred_on": "2026-03-01",
        "referring_agency": agency.pk,
        "visible_high_risk": "on",
    }
    first, second = web.post(url, data), web.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == reverse("riskassessment:case_risk", args=[case.pk])
    assert case.marac_referrals.count() == 1
