"""Outcome form pages: scoping, the edit/submit flow with gaps, autosave, the case panel,
timeline and prompts, and the demo seeder."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import AuditEvent, Role
from cases.models import Case, Option
from outcomes import case_page, demo, services
from outcomes.models import ExitForm, FollowUp, FormStatus, IntakeForm, ReviewForm
from tests.factories import CaseFactory, MembershipFactory, ServiceFactory
from tests.factories_marac import MaracHearingFactory
from tests.factories_outcomes import (
    CriminalJusticeFormFactory,
    FollowUpFactory,
    IncidentFactory,
    IntakeFormFactory,
    PoliceReportFactory,
    ReviewFormFactory,
)


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker)


@pytest.fixture
def intake(case, caseworker):
    return services.outcome_form_start(kind="intake", case=case, actor=caseworker)


def _post_data(values: dict) -> dict:
    data = {}
    for key, value in values.items():
        if isinstance(value, list):
            data[key] = [option.pk for option in value]
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value
    return data


# --- Scoping ------------------------------------------------------------------------------------


def test_another_services_form_answers_404_and_is_audited(client_for, intake, outsider):
    client = client_for(outsider)
    for url in (
        reverse("outcomes:form_detail", kwargs={"kind": "intake", "pk": intake.pk}),
        reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk}),
        reverse("outcomes:case_forms", kwargs={"case_id": intake.case_id}),
    ):
        assert client.get(url).status_code == 404
    autosave = reverse("outcomes:form_autosave", kwargs={"kind": "intake", "pk": intake.pk})
    assert client.post(autosave, {"level_physical": "High"}).status_code == 404
    start = reverse("outcomes:form_start", kwargs={"case_id": intake.case_id, "kind": "review"})
    assert client.post(start).status_code == 404
    assert not ReviewForm.objects.filter(case=intake.case).exists()
    intake.refresh_from_db()
    assert intake.level_physical == ""
    assert AuditEvent.objects.filter(
        actor=outsider, action=AuditEvent.Action.DENIED, case_id=intake.case_id
    ).exists()


def test_a_missing_form_and_another_services_form_look_the_same(client_for, intake, outsider):
    client = client_for(outsider)
    missing = reverse("outcomes:form_detail", kwargs={"kind": "intake", "pk": intake.pk + 999})
    assert client.get(missing).status_code == 404


def test_read_only_member_sees_but_cannot_edit(client_for, intake, service):
    reader = MembershipFactory(service=service, read_only=True).user
    client = client_for(reader)
    detail = reverse("outcomes:form_detail", kwargs={"kind": "intake", "pk": intake.pk})
    assert client.get(detail).status_code == 200
    edit = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    assert client.get(edit).status_code == 403
    autosave = reverse("outcomes:form_autosave", kwargs={"kind": "intake", "pk": intake.pk})
    response = client.post(autosave, {"level_physical": "High"})
    assert response.status_code == 403
    assert response.json()["saved"] is False


def test_viewing_a_form_is_audited(client_for, intake, caseworker):
    client_for(caseworker).get(
        reverse("outcomes:form_detail", kwargs={"kind": "intake", "pk": intake.pk})
    )
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditEvent.Action.VIEW, case_id=intake.case_id
    ).exists()


# --- Editing and submitting ------------------------------------------------------------------


def test_edit_page_has_sections_progress_autosave_and_checkbox_lists(
    client_for, intake, caseworker
):
    response = client_for(caseworker).get(
        reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    )
    html = response.content.decode()
    assert html.count("<fieldset") >= 9
    assert 'id="section-abuse-in-the-past-12-months"' in html
    assert "<progress" in html
    assert reverse("outcomes:form_autosave", kwargs={"kind": "intake", "pk": intake.pk}) in html
    assert "js/outcomes.js" in html
    assert re.search(r'type="checkbox"[^>]*name="physical_abuse_details"', html)
    assert "<select multiple" not in html
    assert re.search(r'type="radio"[^>]*name="level_physical"', html)
    assert "Not answered" in html


def test_submit_with_gaps_lists_them_then_submits_when_confirmed(client_for, intake, caseworker):
    from tests.factories_outcomes import complete_values

    client = client_for(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    data = _post_data(
        complete_values("intake", abuse_typology="", completed_on=intake.case.opened_on)
    )
    data["submit"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 question not answered" in html
    assert "Typology of abuse" in html
    assert "Submit with 1 gap" in html
    intake.refresh_from_db()
    assert intake.status == FormStatus.DRAFT

    data["confirm_gaps"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.status == FormStatus.SUBMITTED
    assert intake.abuse_typology == ""


def test_submit_refused_shows_the_error_at_the_field(client_for, intake, caseworker):
    client = client_for(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    response = client.post(url, {"submit": "1", "completed_on": intake.case.opened_on})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Answer this question to submit the form." in html
    assert 'aria-invalid="true"' in html or "is-invalid" in html
    intake.refresh_from_db()
    assert intake.status == FormStatus.DRAFT


def test_start_refused_says_why(client_for, case, caseworker):
    client = client_for(caseworker)
    start = reverse("outcomes:form_start", kwargs={"case_id": case.pk, "kind": "exit"})
    response = client.post(start, follow=True)
    assert "needs the case closed" in response.content.decode()
    assert not ExitForm.objects.filter(case=case).exists()


# --- Autosave ----------------------------------------------------------------------------------


def test_autosave_saves_a_draft_and_answers_json(client_for, intake, caseworker):
    client = client_for(caseworker)
    url = reverse("outcomes:form_autosave", kwargs={"kind": "intake", "pk": intake.pk})
    detail = Option.objects.get(list_key="physical_abuse_details", label="Kicked/punched")
    response = client.post(
        url, {"level_physical": "High", "physical_abuse_details": [detail.pk], "fgm": ""}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    assert body["answered"] >= 2
    intake.refresh_from_db()
    assert intake.level_physical == "High"
    assert list(intake.physical_abuse_details.all()) == [detail]
    assert intake.status == FormStatus.DRAFT


def test_autosave_refuses_bad_answers_with_json_and_saves_nothing(client_for, intake, caseworker):
    client = client_for(caseworker)
    url = reverse("outcomes:form_autosave", kwargs={"kind": "intake", "pk": intake.pk})
    response = client.post(url, {"level_physical": "Extreme", "level_sexual": "High"})
    assert response.status_code == 400
    assert "level_physical" in response.json()["errors"]
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post(url, {"completed_on": future, "level_sexual": "High"})
    assert response.status_code == 400
    assert "completed_on" in response.json()["errors"]
    intake.refresh_from_db()
    assert intake.level_sexual == ""


def test_autosave_of_a_submitted_form_is_refused(client_for, case, caseworker):
    review = ReviewFormFactory(case=case, created_by=caseworker, status=FormStatus.SUBMITTED)
    url = reverse("outcomes:form_autosave", kwargs={"kind": "review", "pk": review.pk})
    response = client_for(caseworker).post(url, {"reason": "other"})
    assert response.status_code == 409
    review.refresh_from_db()
    assert review.reason == ""


# --- Police reports ----------------------------------------------------------------------------


def test_police_report_page_saves_incidents(client_for, case, caseworker):
    cj = CriminalJusticeFormFactory(case=case, created_by=caseworker)
    url = reverse("outcomes:police_report_add", kwargs={"pk": cj.pk})
    client = client_for(caseworker)
    assert client.get(url).status_code == 200
    data = {
        "timing": "Before engagement with service",
        "incidents_count": "1",
        "incidents-TOTAL_FORMS": "2",
        "incidents-INITIAL_FORMS": "0",
        "incidents-MIN_NUM_FORMS": "0",
        "incidents-MAX_NUM_FORMS": "50",
        "incidents-0-offence": "Threats to Kill",
        "incidents-0-consequence": "Charged",
        "incidents-0-nfa_reason": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    report = cj.police_reports.get()
    assert list(report.incidents.values_list("offence", flat=True)) == ["Threats to Kill"]

    data["incidents_count"] = "3"
    response = client.post(reverse("outcomes:police_report_add", kwargs={"pk": cj.pk}), data)
    assert response.status_code == 200
    assert "You said 3 incidents" in response.content.decode()
    assert cj.police_reports.count() == 1


# --- Case page, prompts, list query count ------------------------------------------------------


def test_case_forms_page_query_count(client_for, case, caseworker, django_assert_max_num_queries):
    """A fixed number of queries (one per kind of form), however many forms the case has."""
    IntakeFormFactory(case=case, created_by=caseworker)
    for _ in range(5):
        ReviewFormFactory(case=case, created_by=caseworker)
    cj = CriminalJusticeFormFactory(case=case, created_by=caseworker)
    IncidentFactory(report=PoliceReportFactory(form=cj))
    client = client_for(caseworker)
    url = reverse("outcomes:case_forms", kwargs={"case_id": case.pk})
    with django_assert_max_num_queries(24):
        response = client.get(url)
    for _ in range(10):
        ReviewFormFactory(case=case, created_by=caseworker)
    with django_assert_max_num_queries(24):
        client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Review form") >= 5


def test_panel_timeline_and_prompts(rf, case, caseworker, service):
    request = rf.get("/")
    request.user = caseworker
    context = case_page.panel_context(request, case)
    assert context["outcome_missing_intake"] is True
    intake = IntakeFormFactory(case=case, created_by=caseworker)
    for _ in range(3):
        ReviewFormFactory(case=case, created_by=caseworker)
    items = case_page.timeline_items(case)
    assert {item.kind for item in items} == {"Intake form", "Review form"}
    assert len(items) == 4

    cases = Case.objects.filter(service=service)
    messages = {(p.case_id, p.message) for p in case_page.caseworker_prompts(caseworker, cases)}
    assert (case.pk, "Intake form not submitted") in messages
    intake.status = FormStatus.SUBMITTED
    intake.save()
    closed = CaseFactory(
        service=service,
        status="closed",
        closed_on=timezone.localdate() - datetime.timedelta(days=200),
        opened_on=timezone.localdate() - datetime.timedelta(days=300),
        closure_type="Planned closure",
        follow_up_due_on=timezone.localdate() - datetime.timedelta(days=17),
    )
    messages = {(p.case_id, p.message) for p in case_page.caseworker_prompts(caseworker, cases)}
    assert (case.pk, "Intake form not submitted") not in messages
    assert (closed.pk, "6-month follow-up due") in messages
    FollowUpFactory(case=closed, created_by=caseworker)
    messages = {(p.case_id, p.message) for p in case_page.caseworker_prompts(caseworker, cases)}
    assert (closed.pk, "6-month follow-up due") not in messages
    # A follow-up missed long ago (a case closed years before) is asked for no more.
    long_ago = CaseFactory(
        service=service,
        status="closed",
        closed_on=timezone.localdate() - datetime.timedelta(days=2000),
        opened_on=timezone.localdate() - datetime.timedelta(days=2100),
        closure_type="Planned closure",
        follow_up_due_on=timezone.localdate() - datetime.timedelta(days=1800),
    )
    messages = {(p.case_id, p.message) for p in case_page.caseworker_prompts(caseworker, cases)}
    assert (long_ago.pk, "6-month follow-up due") not in messages


def test_timeline_uses_a_fixed_number_of_queries(case, caseworker, django_assert_num_queries):
    for _ in range(6):
        ReviewFormFactory(case=case, created_by=caseworker)
    with django_assert_num_queries(1):
        items = case_page.timeline_items(case)
    assert len(items) == 6
    with django_assert_num_queries(1):
        assert len(case_page.timeline_items(case, limit=2)) == 2


def test_panel_reads_every_kind_of_form_in_one_query(
    rf, case, caseworker, django_assert_num_queries
):
    IntakeFormFactory(case=case, created_by=caseworker)
    for _ in range(3):
        ReviewFormFactory(case=case, created_by=caseworker)
    request = rf.get("/")
    request.user = caseworker
    case.status = "closed"  # whether an exit form may be started asks nothing more of a closed case
    with django_assert_num_queries(2):  # the forms, and the user's memberships (may they edit)
        context = case_page.panel_context(request, case)
    assert [row["kind"] for row in context["outcome_rows"]] == ["intake"] + ["review"] * 3
    assert context["outcome_rows"][0]["title"].startswith("Intake form, ")
    assert context["outcome_missing_intake"] is False
    assert context["outcome_exit_possible"] is True


# --- Demo seeder ------------------------------------------------------------------------------


def test_demo_seeder_says_so_when_there_are_no_demo_cases(db):
    out = io.StringIO()
    demo.seed_outcome_forms(services={}, stdout=out)
    assert "none created" in out.getvalue()
    assert not IntakeForm.objects.exists()


def test_demo_seeder_creates_complete_and_incomplete_forms_once(db):
    services_by_code = {}
    for code in ("CID", "RRH"):
        service = ServiceFactory(code=code)
        services_by_code[code] = service
        MembershipFactory(service=service, role=Role.CASEWORKER)
    today = timezone.localdate()
    for index in range(24):
        service = services_by_code["CID" if index % 2 else "RRH"]
        opened = today - datetime.timedelta(days=300 + index)
        if index % 3 == 0:
            CaseFactory(service=service, opened_on=opened)
        else:
            CaseFactory(
                service=service,
                opened_on=opened,
                status="closed",
                closed_on=opened + datetime.timedelta(days=90),
                closure_type="Planned closure",
                follow_up_due_on=opened + datetime.timedelta(days=270),
            )
    demo.seed_outcome_forms(services=services_by_code, stdout=io.StringIO())
    assert IntakeForm.objects.count() == 24
    statuses = set(IntakeForm.objects.values_list("status", flat=True))
    assert statuses == {FormStatus.DRAFT, FormStatus.SUBMITTED}
    assert ExitForm.objects.filter(status=FormStatus.SUBMITTED).exists()
    assert FollowUp.objects.exists()
    # Answers are real labels, with "Don't know" and missing among them.
    levels = set(IntakeForm.objects.values_list("level_physical", flat=True))
    assert levels & {"High", "Moderate", "Standard", "None"}
    counts = (IntakeForm.objects.count(), ExitForm.objects.count(), FollowUp.objects.count())
    demo.seed_outcome_forms(services=services_by_code, stdout=io.StringIO())
    assert (IntakeForm.objects.count(), ExitForm.objects.count(), FollowUp.objects.count()) == (
        counts
    )


def test_opening_a_police_report_is_audited(client_for, case, caseworker):
    report = PoliceReportFactory(form=CriminalJusticeFormFactory(case=case, created_by=caseworker))
    IncidentFactory(report=report)
    url = reverse("outcomes:police_report_edit", kwargs={"pk": report.pk})
    assert client_for(caseworker).get(url).status_code == 200
    assert AuditEvent.objects.filter(
        actor=caseworker,
        action=AuditEvent.Action.VIEW,
        case_id=case.pk,
        object_type="outcomes.policereport",
        object_id=str(report.pk),
    ).exists()


# --- The matched risk assessment and MARAC --------------------------------------------------------


def test_intake_and_exit_pages_show_their_matched_risk_assessment(client_for, case, caseworker):
    from tests.factories_riskassessment import MaracMeetingFactory, submitted

    intake = services.outcome_form_start(kind="intake", case=case, actor=caseworker)
    assessment = submitted(case, caseworker, ticks=15, stage="intake", on=case.opened_on)
    submitted(case, caseworker, ticks=2, stage="review")  # another stage: not this form's
    assert assessment.is_high_risk
    client = client_for(caseworker)
    for view in ("form_detail", "form_edit"):
        html = client.get(
            reverse(f"outcomes:{view}", kwargs={"kind": "intake", "pk": intake.pk})
        ).content.decode()
        assert reverse("riskassessment:assessment_detail", kwargs={"pk": assessment.pk}) in html
        assert "score 15" in html
        assert "High risk: yes, on the basis of" in html
        assert "Discussed at MARAC: no" in html

    meeting = MaracMeetingFactory(held_on=case.opened_on + datetime.timedelta(days=3))
    MaracHearingFactory(case=case, meeting=meeting)
    case.status, case.closed_on, case.closure_type = (
        "closed",
        timezone.localdate(),
        "Planned closure",
    )
    case.save()
    exit_form = services.outcome_form_start(kind="exit", case=case, actor=caseworker)
    html = client.get(
        reverse("outcomes:form_edit", kwargs={"kind": "exit", "pk": exit_form.pk})
    ).content.decode()
    assert "No submitted exit assessment" in html
    assert reverse("riskassessment:assessment_start", kwargs={"case_pk": case.pk}) in html
    assert f"last heard {date_format(meeting.held_on)}" in html


def test_follow_up_offers_a_new_referral_without_the_client_in_the_url(
    client_for, case, caseworker
):
    from tests.factories_outcomes import FollowUpFactory

    case.status, case.closed_on, case.closure_type = (
        "closed",
        timezone.localdate(),
        "Planned closure",
    )
    case.save()
    follow_up = FollowUpFactory(
        case=case, created_by=caseworker, reached="Yes", wants_service_again="Yes"
    )
    html = (
        client_for(caseworker)
        .get(reverse("outcomes:form_detail", kwargs={"kind": "follow_up", "pk": follow_up.pk}))
        .content.decode()
    )
    assert "The client would like support again." in html
    assert f'href="{reverse("referrals:referral_new")}"' in html
    assert f"client={case.client_id}" not in html


# --- Bad input: 4xx or the form again, never 500, nothing saved -------------------------------


BAD_VALUES = {
    "completed_on": "31/02/2026",
    "reviewed_on": "not a date",
    "exit_date": "2026-13-01",
    "followed_up_on": "yesterday",
    "times_ae": "99999999",
    "times_police": "-3",
    "police_reports_count": "many",
    "level_physical": "Extreme",
    "physical_abuse_details": ["abc", "999999"],
    "client_helpful_agencies": ["0"],
    "help_sought": [""],
    "reason": "whim",
    "order_0": "Revoked",
    "reached": "Perhaps",
}


@pytest.mark.parametrize("kind", list(services.KINDS))
def test_bad_input_never_answers_500_and_saves_nothing(client_for, case, caseworker, kind):
    case.status, case.closed_on, case.closure_type = (
        "closed",
        timezone.localdate(),
        "Planned closure",
    )
    case.save()
    form = services.outcome_form_start(kind=kind, case=case, actor=caseworker)
    before = type(form).objects.filter(pk=form.pk).values().get()
    client = client_for(caseworker)
    edit = reverse("outcomes:form_edit", kwargs={"kind": kind, "pk": form.pk})
    autosave = reverse("outcomes:form_autosave", kwargs={"kind": kind, "pk": form.pk})
    for data in (BAD_VALUES, {**BAD_VALUES, "submit": "1", "confirm_gaps": "1"}):
        assert client.post(edit, data).status_code == 200  # the form again, with its errors
    response = client.post(autosave, BAD_VALUES)
    assert response.status_code == 400
    assert response.json()["saved"] is False
    for url in (edit, autosave):
        assert client.post(url.replace(str(form.pk), "abc")).status_code == 404
    after = type(form).objects.filter(pk=form.pk).values().get()
    assert after == before


def test_bad_police_report_input_never_answers_500(client_for, case, caseworker):
    cj = CriminalJusticeFormFactory(case=case, created_by=caseworker)
    url = reverse("outcomes:police_report_add", kwargs={"pk": cj.pk})
    client = client_for(caseworker)
    bad = {
        "reported_on": "soon",
        "incidents_count": "lots",
        "perpetrator_penalties": ["x"],
        "incidents-TOTAL_FORMS": "900",
        "incidents-INITIAL_FORMS": "0",
        "incidents-0-offence": "Jaywalking",
        "incidents-0-id": "12345678",
    }
    assert client.post(url, bad).status_code == 200
    assert client.post(url, {"timing": "Before engagement with service"}).status_code == 200
    assert not cj.police_reports.exists()


def test_intake_pages_show_the_client_profile_still_unanswered(client_for, intake, caseworker):
    client = intake.case.client
    client.ethnicity = ""
    client.save()
    html = (
        client_for(caseworker)
        .get(reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk}))
        .content.decode()
    )
    assert "Client profile at intake" in html
    assert re.search(r"Ethnicity</dt><dd[^>]*><span[^>]*>Not answered", html)
    # The client's situation at intake is a question of the form (issue 19, item 4).
    assert "Pregnant</dt>" not in html
    assert 'name="pregnant"' in html
    assert reverse("cases:client_edit", kwargs={"pk": client.pk}) in html
    review = services.outcome_form_start(kind="review", case=intake.case, actor=caseworker)
    html = (
        client_for(caseworker)
        .get(reverse("outcomes:form_detail", kwargs={"kind": "review", "pk": review.pk}))
        .content.decode()
    )
    assert "Client profile at intake" not in html
