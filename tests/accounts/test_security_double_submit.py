"""Issue 16, item 16: double submits. The same create form posted twice (a double click, a resend)
makes one row; the second post goes where the first went. One case per create form."""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.idempotency import purge_old_form_submissions
from accounts.models import FormSubmission
from cases.models import (
    ChildInCase,
    ClientAlias,
    ConsentRecord,
    Contact,
    InformationSharing,
    Perpetrator,
)
from referrals.models import Referral, ReferralRoute
from support.models import Intervention, SafetyPlanVersion
from tests.factories import CaseFactory, FormSubmissionFactory
from tests.factories_riskassessment import AgencyFactory
from tests.factories_support import SafetyPlanVersionFactory
from tests.forms_helpers import form_data, signed_in


@dataclass
class CreateForm:
    url: str
    answers: dict
    rows: Callable[[], int]
    form_names: tuple = ("form",)


def _day_after_opening(case, days=1) -> datetime.date:
    # Opened 30 to 120 days ago (CaseFactory): a day or two later is always in the past.
    return case.opened_on + datetime.timedelta(days=days)


def _contact(case, _team_leader):
    return CreateForm(
        url=reverse("cases:contact_add", args=[case.pk]),
        answers={
            "occurred_at": f"{_day_after_opening(case).isoformat()}T10:30",
            "contact_type": "phone",
            "outcome": "successful",
            "with_client": "on",
            "notes": "Talked through the plan.",
        },
        rows=lambda: Contact.objects.filter(case=case).count(),
    )


def _alias(case, _team_leader):
    return CreateForm(
        url=reverse("cases:alias_add", args=[case.client_id]),
        answers={"name": "Jay Doe"},
        rows=lambda: ClientAlias.objects.filter(client=case.client).count(),
    )


def _intervention(case, _team_leader):
    return CreateForm(
        url=reverse("support:intervention_add", args=[case.pk]),
        answers={"type": "police_check", "occurred_on": _day_after_opening(case).isoformat()},
        rows=lambda: Intervention.objects.filter(case=case).count(),
    )


def _consent(case, _team_leader):
    return CreateForm(
        url=reverse("cases:consent_add", args=[case.client_id]),
        answers={
            "purpose": "contact",
            "method": "phone",
            "given": "on",
            "recorded_on": _day_after_opening(case).isoformat(),
        },
        rows=lambda: ConsentRecord.objects.filter(client=case.client).count(),
    )


def _referral(case, _team_leader):
    return CreateForm(
        url=reverse("referrals:referral_new"),
        answers={
            "client-first_name": "Robin",
            "client-last_name": "Quillfeather",
            "client-date_of_birth": "1988-03-14",
            "client-safe_to_call": "yes",
            "client-safe_to_leave_voicemail": "no",
            "client-safe_to_text": "no",
            "client-safe_to_email": "unknown",
            "referral-received_at": "2025-01-06T09:15",
            "referral-route": str(ReferralRoute.objects.get(name="Police").pk),
        },
        rows=lambda: Referral.objects.count(),
        form_names=("client_form", "referral_form"),
    )


def _information_share(case, team_leader):
    return CreateForm(
        url=reverse("cases:information_share_add", args=[case.pk]),
        answers={
            "agency": str(case.client.service.provider.pk and _an_agency().pk),
            "shared_on": _day_after_opening(case).isoformat(),
            "reason_without_consent": "MARAC referral: risk to life.",
            "authorised_by": str(team_leader.pk),
        },
        rows=lambda: InformationSharing.objects.filter(case=case).count(),
    )


def _an_agency():
    from cases.models import Agency

    return Agency.objects.filter(is_retired=False).first() or AgencyFactory(name="Police")


def _perpetrator(case, _team_leader):
    return CreateForm(
        url=reverse("cases:perpetrator_add", args=[case.pk]),
        answers={"name": "A. Person", "is_primary": "on"},
        rows=lambda: Perpetrator.objects.filter(case=case).count(),
    )


def _child(case, _team_leader):
    return CreateForm(
        url=reverse("cases:child_add", args=[case.pk]),
        answers={"first_name": "Kim", "age_years": "7"},
        rows=lambda: ChildInCase.objects.filter(case=case).count(),
    )


def _safety_plan_review(case, _team_leader):
    version = SafetyPlanVersionFactory(plan__case=case, number=1, reviewed_on=case.opened_on)
    return CreateForm(
        url=reverse("support:plan_review", args=[version.plan_id]),
        answers={
            "reviewed_on": _day_after_opening(case, 2).isoformat(),
            "review_reason": "A new incident.",
            "code_words": "Text 'is the kettle on?' to my sister.",
        },
        rows=lambda: SafetyPlanVersion.objects.filter(plan=version.plan).count(),
    )


CREATE_FORMS = {
    # The five the issue names.
    "contact": _contact,
    "alias": _alias,
    "intervention": _intervention,
    "consent": _consent,
    "referral": _referral,
    # The other create forms on a case.
    "information_share": _information_share,
    "perpetrator": _perpetrator,
    "child": _child,
    "safety_plan_review": _safety_plan_review,
}


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker)


def _filled_in(browser, create_form) -> dict:
    page = browser.get(create_form.url)
    assert page.status_code == 200
    data = {}
    for name in create_form.form_names:
        data.update(form_data(page.context[name]))
    return {**data, **create_form.answers}


@pytest.mark.parametrize("kind", list(CREATE_FORMS))
def test_item_16_the_same_post_twice_makes_one_row(kind, case, caseworker, team_leader):
    create_form = CREATE_FORMS[kind](case, team_leader)
    browser = signed_in(caseworker)
    before = create_form.rows()
    post = _filled_in(browser, create_form)

    first = browser.post(create_form.url, post)
    assert first.status_code == 302, first.context and [
        form.errors for name in create_form.form_names if (form := first.context.get(name))
    ]
    second = browser.post(create_form.url, post)

    assert create_form.rows() == before + 1
    assert second.status_code == 302
    assert second.url == first.url
    following = browser.get(second.url)
    assert "already saved" in following.content.decode()


def test_item_16_a_refused_post_leaves_its_token_unused(case, caseworker):
    create_form = _contact(case, None)
    browser = signed_in(caseworker)
    post = _filled_in(browser, create_form)
    future = (case.opened_on - datetime.timedelta(days=90)).isoformat()
    refused = browser.post(create_form.url, {**post, "occurred_at": f"{future}T10:30"})
    assert refused.status_code == 200 and create_form.rows() == 0
    assert not FormSubmission.objects.exists()

    assert browser.post(create_form.url, post).status_code == 302
    assert create_form.rows() == 1


def test_item_16_two_forms_opened_separately_make_two_rows(case, caseworker):
    """Each showing of the form has its own token: two aliases typed on purpose are two."""
    create_form = _alias(case, None)
    browser = signed_in(caseworker)
    first, second = _filled_in(browser, create_form), _filled_in(browser, create_form)
    assert first["form_token"] != second["form_token"]
    browser.post(create_form.url, first)
    browser.post(create_form.url, second)
    assert create_form.rows() == 2


def test_item_16_another_users_token_saves_nothing(case, caseworker, team_leader):
    create_form = _alias(case, None)
    post = _filled_in(signed_in(caseworker), create_form)
    signed_in(caseworker).post(create_form.url, post)
    replayed = signed_in(team_leader).post(create_form.url, post)
    assert replayed.status_code == 302
    assert create_form.rows() == 1


def test_item_16_a_post_without_a_token_is_saved_once(case, caseworker):
    """An old page or a script: saved as a new submission (decided: not refused)."""
    create_form = _alias(case, None)
    browser = signed_in(caseworker)
    post = {**_filled_in(browser, create_form), "form_token": ""}
    assert browser.post(create_form.url, post).status_code == 302
    assert create_form.rows() == 1
    assert not FormSubmission.objects.exists()


def test_item_16_a_damaged_token_is_a_form_error(case, caseworker):
    create_form = _alias(case, None)
    browser = signed_in(caseworker)
    response = browser.post(
        create_form.url, {**_filled_in(browser, create_form), "form_token": "x' OR 1=1"}
    )
    assert response.status_code == 200
    assert "out of date" in response.content.decode()
    assert create_form.rows() == 0


def test_item_16_old_form_tokens_are_purged_once_their_pages_cannot_post(caseworker):
    now = timezone.now()
    old = FormSubmissionFactory(
        token=uuid.uuid4(), user=caseworker, created_at=now - datetime.timedelta(days=3)
    )
    recent = FormSubmissionFactory(
        token=uuid.uuid4(), user=caseworker, created_at=now - datetime.timedelta(hours=11)
    )
    assert purge_old_form_submissions(now=now) == 1
    assert not FormSubmission.objects.filter(pk=old.pk).exists()
    assert FormSubmission.objects.filter(pk=recent.pk).exists()
