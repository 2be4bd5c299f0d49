"""A team leader transfers a case to another service of the provider, a team leader there accepts
it, and the continuing case's team reads the earlier case's history (issue 22, item 6). Keyboard
only, every page checked with axe-core."""

import pytest
from django.urls import reverse

from accounts.models import Role
from cases.models import Case, CaseTransfer
from tests.factories import CaseFactory, MembershipFactory, ServiceFactory

from .journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_transfer_a_case_and_read_its_history_from_the_other_service(
    signed_in_tab, screenshot, caseworker, team_leader, service
):
    hospital = ServiceFactory(provider=service.provider, name="Hospital Idva")
    receiving_leader = MembershipFactory(service=hospital, role=Role.TEAM_LEADER).user
    case = CaseFactory(service=service, caseworker=caseworker, risk_level="medium")

    tab, errors = signed_in_tab(team_leader)
    journey = Journey(tab, errors, name="transfer", screenshot=screenshot)
    tab.goto(reverse("cases:case_detail", args=[case.pk]))
    journey.page("case")
    journey.follow(tab.get_by_role("link", name="Transfer to another service"))
    journey.page("transfer-request")
    journey.choose(tab.get_by_label("Transfer to"), "Hospital Idva")
    journey.type_into(
        tab.get_by_label("Why the client's support moves there"),
        "The client has moved into the hospital's area.",
    )
    journey.submit(tab.get_by_role("button", name="Request transfer"))
    journey.page("case-transfer-waiting")
    transfer = CaseTransfer.objects.get(case=case)
    assert transfer.decision == CaseTransfer.Decision.REQUESTED
    journey.finish()

    tab, errors = signed_in_tab(receiving_leader)
    journey = Journey(tab, errors, name="transfer-accept", screenshot=screenshot)
    tab.goto(reverse("cases:transfer_list"))
    journey.page("transfers")
    journey.follow(tab.get_by_role("link", name=case.reference))
    journey.page("transfer-decide")
    journey.pick(tab.get_by_label("Accept: open a continuing case here"))
    journey.submit(tab.get_by_role("button", name="Record decision"))
    journey.page("transfer-decided")
    continuing = Case.objects.get(service=hospital, client=case.client)
    assert continuing.referral_status == Case.ReferralStatus.CONTINUING
    tab.goto(reverse("cases:case_detail", args=[continuing.pk]))
    journey.page("continuing-case")
    journey.follow(tab.get_by_role("link", name=f"Read the history of case {case.reference}"))
    journey.page("history")
    assert "The client has moved into the hospital's area." in tab.content()
    journey.finish()
    case.refresh_from_db()
    assert case.is_closed


def test_a_restricted_case_s_transfer_is_seen_and_decided_only_by_the_named_team_leader(
    signed_in_tab, screenshot, caseworker, team_leader, service
):
    hospital = ServiceFactory(provider=service.provider, name="Hospital Idva")
    refuge = ServiceFactory(provider=service.provider, name="Refuge Idva")
    named = MembershipFactory(
        service=hospital, role=Role.TEAM_LEADER, user__full_name="Nia Named"
    ).user
    unnamed = MembershipFactory(
        service=hospital, role=Role.TEAM_LEADER, user__full_name="Uma Unnamed"
    ).user
    refuge_leader = MembershipFactory(
        service=refuge,
        role=Role.TEAM_LEADER,
        user__full_name="Tom Third",
    ).user
    case = CaseFactory(service=service, caseworker=caseworker, risk_level="medium")
    case.is_restricted = True
    case.save()
    case.restricted_to.set([team_leader, caseworker])

    tab, errors = signed_in_tab(team_leader)
    journey = Journey(tab, errors, name="transfer-restricted", screenshot=screenshot)
    tab.goto(reverse("cases:case_transfer", args=[case.pk]))
    journey.page("transfer-request-restricted")
    journey.choose(tab.get_by_label("Transfer to"), "Hospital Idva")
    journey.type_into(
        tab.get_by_label("Why the client's support moves there"),
        "The client has moved into the hospital's area.",
    )
    # A team leader of another service, ticked by mistake: the error is on the field.
    wrong = tab.get_by_label(f"{refuge_leader} (Refuge Idva)")
    journey.tick(wrong)
    journey.submit(tab.get_by_role("button", name="Request transfer"))
    journey.page("transfer-request-wrong-decider")
    assert "Tom Third (Refuge Idva): not a team leader of Hospital Idva" in tab.content()
    assert not CaseTransfer.objects.exists()
    # The refused form answers 400, which Chromium logs as a failed load: that one is expected.
    refused = reverse("cases:case_transfer", args=[case.pk])
    errors.remove(
        next(error for error in errors if "400 (Bad Request)" in error and refused in error)
    )
    journey.focus_by_tab(wrong)
    tab.keyboard.press("Space")
    assert not wrong.is_checked()
    journey.tick(tab.get_by_label("Nia Named (Hospital Idva)"))
    journey.submit(tab.get_by_role("button", name="Request transfer"))
    journey.page("case-transfer-waiting-for-named")
    transfer = CaseTransfer.objects.get(case=case)
    assert list(transfer.deciders.all()) == [named]
    assert "waiting for Nia Named" in tab.content()
    journey.finish()

    tab, errors = signed_in_tab(unnamed)
    journey = Journey(tab, errors, name="transfer-restricted-unnamed", screenshot=screenshot)
    tab.goto(reverse("cases:transfer_list"))
    journey.page("transfers-unnamed")
    assert case.reference not in tab.content()
    journey.finish()

    tab, errors = signed_in_tab(named)
    journey = Journey(tab, errors, name="transfer-restricted-named", screenshot=screenshot)
    tab.goto(reverse("cases:transfer_list"))
    journey.page("transfers-named")
    journey.follow(tab.get_by_role("link", name=case.reference))
    journey.page("transfer-decide-named")
    journey.pick(tab.get_by_label("Accept: open a continuing case here"))
    journey.submit(tab.get_by_role("button", name="Record decision"))
    journey.page("transfer-accepted-by-named")
    continuing = Case.objects.get(service=hospital, client=case.client)
    assert continuing.is_restricted
    assert named in continuing.restricted_to.all()
    assert unnamed not in continuing.restricted_to.all()
    journey.finish()
