"""Rectification (issue 21, item 5): a client's request to correct their record, recorded with
what changed and why, beside the change history; audited; answered once."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.audit import TEXT_NOT_RECORDED
from accounts.models import AuditEvent, Role
from cases.services import client_update
from dataprotection import services
from dataprotection.dates import one_month_after
from dataprotection.models import RectificationRequest
from tests.factories import CaseFactory, MembershipFactory
from tests.signin import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service):
    return CaseFactory(service=service)


@pytest.fixture
def caseworker(service):
    return MembershipFactory(service=service, role=Role.CASEWORKER).user


@pytest.fixture
def team_leader(service):
    return MembershipFactory(service=service, role=Role.TEAM_LEADER).user


def _record(case, caseworker, **values):
    return services.rectification_record(
        actor=caseworker,
        case=case,
        received_on=values.pop("received_on", timezone.localdate()),
        requested=values.pop("requested", "My date of birth is a year out."),
    )


def test_a_month_to_answer_ends_on_the_same_day_or_the_months_last():
    assert one_month_after(datetime.date(2026, 3, 14)) == datetime.date(2026, 4, 14)
    assert one_month_after(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert one_month_after(datetime.date(2028, 1, 31)) == datetime.date(2028, 2, 29)
    assert one_month_after(datetime.date(2026, 12, 5)) == datetime.date(2027, 1, 5)


def test_a_correction_is_recorded_with_what_changed_and_why_beside_the_change_history(
    client, case, caseworker, team_leader
):
    sign_in_with_second_factor(client, caseworker)
    page = reverse("dataprotection:corrections", args=[case.pk])
    response = client.post(
        reverse("dataprotection:correction_record", args=[case.pk]),
        {"received_on": timezone.localdate().isoformat(), "requested": "Wrong date of birth."},
    )
    assert response.status_code == 302
    request = RectificationRequest.objects.get()
    assert request.is_open and request.recorded_by == caseworker

    # The correction is made on the record itself, as any edit is: the change history has it.
    client_update(
        actor=caseworker,
        client=case.client,
        date_of_birth=case.client.date_of_birth - datetime.timedelta(days=365)
        if case.client.date_of_birth
        else datetime.date(1990, 5, 1),
    )

    sign_in_with_second_factor(client, team_leader)
    shown = client.get(page).content.decode()
    assert "Wrong date of birth." in shown and "Record the answer" in shown
    history = shown.split("Changes to this case", 1)[1].split("</table>", 1)[0]
    assert "Changed: Client" in history and "date of birth" in history.lower()
    # In its own scroll box: bare, at 390px it made the whole page scroll sideways.
    assert '<div class="table-responsive"><table class="table table-sm">' in history

    response = client.post(
        reverse("dataprotection:correction_answer", args=[case.pk, request.pk]),
        {
            "outcome": "corrected",
            "changes_made": "Date of birth corrected on the client record.",
            "outcome_reason": "The client showed her passport.",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.outcome == "corrected" and request.decided_by == team_leader
    shown = client.get(page).content.decode()
    assert "Corrected as asked" in shown and "The client showed her passport." in shown

    # Audited: the page views, and the request's writes in the change history without its text.
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, case_id=case.pk, detail__page="corrections"
    ).exists()
    entries = LogEntry.objects.get_for_object(request).order_by("pk")
    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[0].changes_dict["requested"][1] == TEXT_NOT_RECORDED
    assert entries[1].additional_data == {"case_id": case.pk, "service_id": case.service_id}


def test_an_answer_needs_a_reason_and_what_changed_and_comes_back_with_its_errors(
    client, case, caseworker, team_leader
):
    request = _record(case, caseworker)
    sign_in_with_second_factor(client, team_leader)
    response = client.post(
        reverse("dataprotection:correction_answer", args=[case.pk, request.pk]),
        {"outcome": "partly", "changes_made": "", "outcome_reason": " ", "decided_on": ""},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "This field is required" in text  # the reason and the date, in place
    request.refresh_from_db()
    assert request.is_open

    with pytest.raises(ValidationError) as error:
        services.rectification_decide(
            actor=team_leader,
            request=request,
            outcome="partly",
            outcome_reason="Only the address was wrong.",
        )
    assert "changes_made" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.rectification_decide(
            actor=team_leader,
            request=request,
            outcome="not_corrected",
            outcome_reason="It is the caseworker's professional opinion, recorded as such.",
            decided_on=request.received_on - datetime.timedelta(days=1),
        )
    assert "decided_on" in error.value.message_dict


def test_an_answer_is_never_overwritten_by_a_second_one(client, case, caseworker, team_leader):
    request = _record(case, caseworker)
    other_leader = MembershipFactory(service=case.service, role=Role.TEAM_LEADER).user
    stale = RectificationRequest.objects.get(pk=request.pk)  # read before the first answer
    services.rectification_decide(
        actor=other_leader, request=request, outcome="not_corrected", outcome_reason="Opinion."
    )
    with pytest.raises(services.AlreadyDecided):
        services.rectification_decide(
            actor=team_leader,
            request=stale,
            outcome="corrected",
            changes_made="Everything.",
            outcome_reason="Asked.",
        )
    request.refresh_from_db()
    assert request.decided_by == other_leader and request.outcome == "not_corrected"

    sign_in_with_second_factor(client, team_leader)
    response = client.post(
        reverse("dataprotection:correction_answer", args=[case.pk, request.pk]),
        {
            "outcome": "corrected",
            "changes_made": "x",
            "outcome_reason": "y",
            "decided_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert "answered this meanwhile" in response.content.decode()


def test_caseworkers_record_but_do_not_answer_and_other_services_see_nothing(
    client, case, caseworker, other_service
):
    request = _record(case, caseworker)
    with pytest.raises(PermissionDenied):
        services.rectification_decide(
            actor=caseworker, request=request, outcome="not_corrected", outcome_reason="No."
        )
    outsider = MembershipFactory(service=other_service, role=Role.TEAM_LEADER).user
    sign_in_with_second_factor(client, outsider)
    assert client.get(reverse("dataprotection:corrections", args=[case.pk])).status_code == 404
    response = client.post(
        reverse("dataprotection:correction_answer", args=[case.pk, request.pk]),
        {"outcome": "not_corrected", "outcome_reason": "No.", "decided_on": "2026-01-01"},
    )
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.is_open


def test_a_restricted_case_keeps_its_requests_from_those_not_named(client, case, caseworker):
    _record(case, caseworker)
    case.is_restricted = True
    case.save()
    case.restricted_to.add(caseworker)
    page = reverse("dataprotection:corrections", args=[case.pk])
    team_leader = MembershipFactory(service=case.service, role=Role.TEAM_LEADER).user
    sign_in_with_second_factor(client, team_leader)
    assert client.get(page).status_code == 404
    sign_in_with_second_factor(client, caseworker)
    assert client.get(page).status_code == 200
