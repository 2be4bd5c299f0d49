"""The risk pages in the browser's place: the one-page DASH form, draft and submit, scoping,
the risk history, query counts, the import page and the demo seeder."""

import datetime
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from cases.extensions import case_panels, prompt_sources, timeline_sources
from riskassessment import case_page, demo, services
from riskassessment.models import Assessment, ChecklistVersion, MaracMeeting
from tests.factories import CaseFactory, MaracFactory, MembershipFactory, ServiceFactory
from tests.factories_riskassessment import checklist_data, dash_version, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service):
    return CaseFactory(service=service)


def _form_data(assessment, keys, **extra):
    data = {
        "assessed_on": assessment.assessed_on.isoformat(),
        "stage": assessment.stage,
        "source": assessment.source,
        "police_call_outs": "",
        "professional_judgement_level": "",
        "professional_judgement_reason": "",
        "notes": "",
    }
    answers = assessment.answers.select_related("question").prefetch_related("question__options")
    for answer, key in zip(answers.order_by("question__number"), keys, strict=False):
        if key:
            option = next(o for o in answer.question.options.all() if o.key == key)
            data[f"q_{answer.question_id}"] = str(option.pk)
    data.update(extra)
    return data


def test_start_an_assessment_from_a_case(client_for, caseworker, case):
    web = client_for(caseworker)
    url = reverse("riskassessment:assessment_start", args=[case.pk])
    page = web.get(url)
    assert page.status_code == 200
    assert "DASH risk checklist" in page.content.decode()
    assert "Stalking screen" not in page.content.decode()  # follow-ups are opened, not chosen
    response = web.post(
        url,
        {
            "version": dash_version().pk,
            "stage": "intake",
            "source": "police",
            "assessed_on": "2026-02-01",
        },
    )
    assessment = Assessment.objects.get(case=case)
    assert response.url == reverse("riskassessment:assessment_edit", args=[assessment.pk])
    assert assessment.status == "draft" and assessment.answers.count() == 24


def test_the_dash_form_is_one_keyboard_friendly_page(client_for, caseworker, case):
    assessment = services.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    html = (
        client_for(caseworker)
        .get(reverse("riskassessment:assessment_edit", args=[assessment.pk]))
        .content.decode()
    )
    assert html.count("<fieldset") == 24
    assert html.count("<legend") == 24
    assert html.count('type="radio"') == 24 * 4
    for label in ("Yes", "No", "Don&#x27;t know", "Not asked"):
        assert f">{label}</label>" in html
    assert "data-running-count" in html and 'aria-live="polite"' in html
    assert "js/riskassessment.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert 'style="' not in html
    assert "What is the client afraid of?" in html  # question 3's follow-up detail


def test_save_a_draft_then_submit(client_for, caseworker, case):
    web = client_for(caseworker)
    assessment = services.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    url = reverse("riskassessment:assessment_edit", args=[assessment.pk])
    keys = ["yes"] * 15 + ["dont_know"] * 4 + ["not_asked"] * 5
    response = web.post(url, {**_form_data(assessment, keys[:10]), "save": "1"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert assessment.answers.filter(option__isnull=False).count() == 10
    # Submitting with questions unanswered shows the error in place.
    response = web.post(url, {**_form_data(assessment, keys[:10]), "submit": "1"})
    assert response.status_code == 200
    assert "Answer every question" in response.content.decode()
    response = web.post(url, {**_form_data(assessment, keys), "submit": "1"})
    assert response.url == reverse("riskassessment:assessment_detail", args=[assessment.pk])
    assessment.refresh_from_db()
    assert (assessment.status, assessment.score, assessment.risk_level) == ("submitted", 15, "high")
    case.refresh_from_db()
    assert case.risk_level == "high"
    # A submitted assessment is not editable any more.
    again = web.post(url, {**_form_data(assessment, ["no"] * 24), "submit": "1"})
    assert again.url == reverse("riskassessment:assessment_detail", args=[assessment.pk])
    assessment.refresh_from_db()
    assert assessment.score == 15
    detail = web.get(again.url).content.decode()
    assert "Stalking screen" in detail and "Honour-based abuse screen" in detail
    assert "High risk" in detail


def test_professional_judgement_without_reason_is_a_form_error(client_for, caseworker, case):
    assessment = services.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    url = reverse("riskassessment:assessment_edit", args=[assessment.pk])
    data = _form_data(assessment, ["no"] * 24, professional_judgement_level="high")
    response = client_for(caseworker).post(url, {**data, "submit": "1"})
    assert response.status_code == 200
    assert "Give the reason" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_follow_up_screen_starts_from_the_answer_that_opened_it(client_for, caseworker, case):
    parent = submitted(case, caseworker, ticks=3)  # yes to 1-3 only: nothing opened
    web = client_for(caseworker)
    url = reverse("riskassessment:assessment_follow_up", args=[parent.pk])
    assert web.post(url, {"checklist": "stalking"}).status_code == 404
    parent = submitted(case, caseworker, ticks=8)  # yes to 8 opens the stalking screen
    url = reverse("riskassessment:assessment_follow_up", args=[parent.pk])
    response = web.post(url, {"checklist": "stalking"})
    follow_up = Assessment.objects.get(parent=parent)
    assert response.url == reverse("riskassessment:assessment_edit", args=[follow_up.pk])
    assert follow_up.version.checklist.key == "stalking"


def test_another_services_case_answers_404(client_for, outsider, caseworker, case):
    assessment = submitted(case, caseworker, ticks=4)
    web = client_for(outsider)
    for url in (
        reverse("riskassessment:case_risk", args=[case.pk]),
        reverse("riskassessment:assessment_start", args=[case.pk]),
        reverse("riskassessment:marac_refer", args=[case.pk]),
        reverse("riskassessment:assessment_detail", args=[assessment.pk]),
        reverse("riskassessment:assessment_edit", args=[assessment.pk]),
    ):
        assert web.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(actor=outsider, action="denied").exists()


def test_reading_an_assessment_is_audited(client_for, caseworker, case):
    assessment = submitted(case, caseworker, ticks=4)
    client_for(caseworker).get(reverse("riskassessment:assessment_detail", args=[assessment.pk]))
    assert AuditEvent.objects.filter(
        actor=caseworker, action="view", case_id=case.pk, object_id=str(assessment.pk)
    ).exists()


@pytest.mark.parametrize(("ticks", "insights"), [(0, None), (1, "Standard Risk (1 - 5)")])
def test_zero_ticks_shows_no_insights_band_on_the_assessment_page(
    client_for, caseworker, case, ticks, insights
):
    # The Insights bands start at 1 (riskassessment.scoring); the report counts zero as missing
    # (tests/reporting/test_insights_dash_bands.py).
    assessment = submitted(case, caseworker, ticks=ticks)
    page = client_for(caseworker).get(
        reverse("riskassessment:assessment_detail", args=[assessment.pk])
    )
    text = re.sub(r"\s+", " ", page.content.decode())
    assert f'Score</dt><dd class="col-sm-9">{ticks} (Standard band)' in text
    if insights is None:
        assert "Insights:" not in text and "Risk (" not in text
    else:
        assert f"Insights: {insights}" in text


def test_refer_to_marac_from_the_case(client_for, caseworker, case):
    from tests.factories_riskassessment import AgencyFactory

    assessment = submitted(case, caseworker, ticks=16)
    agency = AgencyFactory(name="Idva agency")
    web = client_for(caseworker)
    url = reverse("riskassessment:marac_refer", args=[case.pk])
    page = web.get(url).content.decode()
    assert 'name="visible_high_risk"' in page
    response = web.post(
        url,
        {
            "referred_on": "2026-03-01",
            "referring_agency": agency.pk,
            "visible_high_risk": "on",
            "assessment": assessment.pk,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_marac and case.marac_referrals.count() == 1


def test_risk_history_query_count_does_not_grow(
    client_for, caseworker, case, django_assert_max_num_queries
):
    web = client_for(caseworker)
    url = reverse("riskassessment:case_risk", args=[case.pk])
    submitted(case, caseworker, ticks=4)
    with django_assert_max_num_queries(30) as few:
        web.get(url)
    for ticks in (6, 9, 12, 15):
        submitted(case, caseworker, ticks=ticks)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert web.get(url).status_code == 200


def test_timeline_source_uses_fixed_queries(caseworker, case, django_assert_num_queries):
    submitted(case, caseworker, ticks=4)
    # Assessments, decisions to lower the risk, MARAC referrals and hearings.
    with django_assert_num_queries(4):
        assert len(case_page.case_timeline(case)) == 1
    for ticks in (6, 15):
        submitted(case, caseworker, ticks=ticks)
    with django_assert_num_queries(4):
        items = case_page.case_timeline(case)
    assert [item.kind for item in items] == ["Assessment"] * 3


def test_an_assessment_entered_later_sits_on_its_own_day_in_the_timeline(caseworker, case):
    """The demo's DASH of 12 Jan, entered on 3 Dec, topped the timeline as "3 Dec, 17:18"
    while the risk panel called it the DASH of 12 Jan."""
    today = timezone.localdate()
    earlier = submitted(case, caseworker, ticks=4, on=today - datetime.timedelta(days=30))
    same_day = submitted(case, caseworker, ticks=6, stage="review", on=today)

    items = {item.url: item for item in case_page.case_timeline(case)}
    late = items[reverse("riskassessment:assessment_detail", args=[earlier.pk])]
    assert late.at == earlier.assessed_on and not late.has_time
    prompt = items[reverse("riskassessment:assessment_detail", args=[same_day.pk])]
    assert prompt.at == same_day.submitted_at and prompt.has_time


def test_meeting_list_query_count_does_not_grow(client_for, service, django_assert_max_num_queries):
    from tests.factories_riskassessment import MaracMeetingFactory

    coordinator = MembershipFactory(service=service, role=Role.MARAC_COORDINATOR).user
    web = client_for(coordinator)
    MaracMeetingFactory(marac=service.marac)
    with django_assert_max_num_queries(30) as few:
        web.get(reverse("riskassessment:meeting_list"))
    for _ in range(5):
        MaracMeetingFactory(marac=service.marac)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert web.get(reverse("riskassessment:meeting_list")).status_code == 200


def test_extensions_are_registered():
    assert any(panel.template == "riskassessment/_case_panel.html" for panel in case_panels())
    assert case_page.case_timeline in timeline_sources()
    assert case_page.team_leader_prompts in prompt_sources("team_leader")


def test_case_panel_renders(rf, caseworker, case):
    from django.template.loader import render_to_string

    submitted(case, caseworker, ticks=15)
    case.refresh_from_db()
    request = rf.get("/")
    request.user = caseworker
    html = render_to_string(
        "riskassessment/_case_panel.html", {"panel": case_page.case_panel_context(request, case)}
    )
    assert "High risk" in html and "Refer to MARAC" in html


def test_superuser_imports_a_checklist_version_through_the_page(client_for, superuser):
    data = checklist_data(key="dara", questions=3, publish=False)
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "dara.json"
    web = client_for(superuser)
    response = web.post(
        reverse("riskassessment:checklist_import"), {"file": upload, "publish": "on"}
    )
    assert response.status_code == 302
    version = ChecklistVersion.objects.get(checklist__key="dara")
    assert version.status == "published"
    bad = io.BytesIO(b"not json")
    bad.name = "bad.json"
    response = web.post(reverse("riskassessment:checklist_import"), {"file": bad})
    assert response.status_code == 200 and "not valid JSON" in response.content.decode()


# --- Demo seeder -----------------------------------------------------------------------------


def test_demo_seeder_creates_intake_and_exit_assessments_once(service):
    services_by_code = {}
    for code, area in (("CID", "St Helens"), ("RRH", "Liverpool")):
        svc = ServiceFactory(
            provider=service.provider,
            name=f"Demo {code}",
            code=code,
            area=area,
            marac=MaracFactory(name=area),
        )
        MembershipFactory(service=svc, role=Role.CASEWORKER)
        services_by_code[code] = svc
    open_cases = [CaseFactory(service=services_by_code["CID"]) for _ in range(4)]
    closed = CaseFactory(
        service=services_by_code["RRH"],
        status="closed",
        opened_on=datetime.date(2026, 1, 5),
        closed_on=datetime.date(2026, 4, 5),
    )
    out = io.StringIO()
    demo.seed(services=services_by_code, stdout=out)
    assert Assessment.objects.filter(stage="intake").count() == 5
    assert Assessment.objects.filter(stage="exit", case=closed).count() == 1
    counts = (Assessment.objects.count(), MaracMeeting.objects.count())
    demo.seed(services=services_by_code, stdout=out)
    assert (Assessment.objects.count(), MaracMeeting.objects.count()) == counts
    from riskassessment.selectors import dash_change_between_intake_and_exit

    change = dash_change_between_intake_and_exit(closed.__class__.objects.all())
    assert set(change) == {closed.pk}
    assert change[closed.pk]["change"] < 0
    assert all(c.risk_assessments.exists() for c in open_cases)


def test_demo_seeder_without_demo_cases_creates_nothing():
    out = io.StringIO()
    demo.seed(services={}, stdout=out)
    assert Assessment.objects.count() == 0
    assert "created none" in out.getvalue()


def test_dash_change_between_intake_and_exit(caseworker, case, service):
    from riskassessment.selectors import dash_change_between_intake_and_exit, with_dash_change

    submitted(case, caseworker, ticks=16, stage="intake", on=datetime.date(2026, 1, 1))
    submitted(case, caseworker, ticks=12, stage="review", on=datetime.date(2026, 2, 1))
    submitted(case, caseworker, ticks=5, stage="exit", on=datetime.date(2026, 3, 1))
    only_intake = CaseFactory(service=service)
    submitted(only_intake, caseworker, ticks=7, stage="intake")
    assert dash_change_between_intake_and_exit(case.__class__.objects.all()) == {
        case.pk: {"intake": 16, "exit": 5, "change": -11}
    }
    row = with_dash_change(case.__class__.objects.filter(pk=only_intake.pk)).get()
    assert (row.dash_intake, row.dash_exit, row.dash_change) == (7, None, None)


def test_django_admin_shows_versions_and_refuses_edits_to_published(client_for, admin_user):
    web = client_for(admin_user)
    changelist = web.get(reverse("admin:riskassessment_checklistversion_changelist"))
    assert changelist.status_code == 200
    # Importing changes every provider's checklists: offered to superusers only.
    assert reverse("riskassessment:checklist_import") not in changelist.content.decode()
    version = dash_version()
    change = web.get(reverse("admin:riskassessment_checklistversion_change", args=[version.pk]))
    assert change.status_code == 200
    assert 'name="label"' not in change.content.decode()  # read-only once published


def test_case_panel_names_a_referral_until_it_is_heard_and_then_reads_no_referral(
    rf, caseworker, case
):
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext

    from tests.factories_riskassessment import AgencyFactory, MaracMeetingFactory

    agency = AgencyFactory(name="Panel agency")
    submitted(case, caseworker, ticks=15)
    for day in (1, 2):
        referral = services.marac_refer(
            case=case,
            actor=caseworker,
            referred_on=datetime.date(2026, 1, day),
            referring_agency=agency,
            visible_high_risk=True,
        )
    request = rf.get("/")
    request.user = caseworker
    html = render_to_string(
        "riskassessment/_case_panel.html", {"panel": case_page.case_panel_context(request, case)}
    )
    assert "Referred to MARAC on 2 Jan 2026" in html  # the latest referral
    assert "not yet heard" in html

    case.marac_hearings.create(
        meeting=MaracMeetingFactory(marac=case.service.marac), referral=referral
    )
    with CaptureQueriesContext(connection) as queries:
        panel = case_page.case_panel_context(request, case)
    assert panel["referral_not_heard"] is None
    assert len(panel["hearings"]) == 1
    assert not [q for q in queries.captured_queries if "riskassessment_maracreferral" in q["sql"]]


def test_case_panel_uses_few_queries_whatever_the_rows(
    rf, caseworker, case, django_assert_max_num_queries
):
    from tests.factories_riskassessment import AgencyFactory, MaracMeetingFactory

    agency = AgencyFactory(name="Panel agency")
    for ticks in (15, 16, 17):
        submitted(case, caseworker, ticks=ticks)
    for day in (1, 2):
        referral = services.marac_refer(
            case=case,
            actor=caseworker,
            referred_on=datetime.date(2026, 1, day),
            referring_agency=agency,
            visible_high_risk=True,
        )
        meeting = MaracMeetingFactory(marac=case.service.marac)
        hearing = case.marac_hearings.create(meeting=meeting, referral=referral)
        for _ in range(3):
            hearing.actions.create(case=case, agency=agency, action="Act", owner="Someone")
    request = rf.get("/")
    request.user = caseworker
    # The current-risk rule: the submitted assessments and the latest decision (two queries);
    # the hearings with their actions (a heard case's referrals are not read); the user's
    # capabilities.
    with django_assert_max_num_queries(5):
        case_page.case_panel_context(request, case)


def test_coordinator_runs_a_meeting_through_the_pages(client_for, caseworker, service, case):
    from tests.factories_riskassessment import AgencyFactory

    agency = AgencyFactory(name="Meeting agency")
    # A surname no page text could hold by chance (Faker's names can: "Page", "Date").
    case.client.last_name = "Quillfeatherby"
    case.client.save(update_fields=["last_name"])
    referral = services.marac_refer(
        case=case,
        actor=caseworker,
        referred_on=datetime.date(2026, 2, 1),
        referring_agency=agency,
        professional_judgement=True,
    )
    coordinator = MembershipFactory(service=service, role=Role.MARAC_COORDINATOR).user
    web = client_for(coordinator)
    response = web.post(
        reverse("riskassessment:meeting_add"), {"marac": service.marac_id, "held_on": "2026-02-12"}
    )
    meeting = MaracMeeting.objects.get(marac=service.marac)
    assert response.url == reverse("riskassessment:meeting_detail", args=[meeting.pk])
    duplicate = web.post(
        reverse("riskassessment:meeting_add"), {"marac": service.marac_id, "held_on": "2026-02-12"}
    )
    assert duplicate.status_code == 200  # the same area and day: an error in place, not a 500
    page = web.get(response.url).content.decode()
    assert case.reference in page and case.client.last_name not in page
    web.post(reverse("riskassessment:hearing_add", args=[meeting.pk]), {"referral": referral.pk})
    hearing = meeting.hearings.get()
    web.post(
        reverse("riskassessment:action_add", args=[hearing.pk]),
        {"agency": agency.pk, "action": "Police marker", "owner": "PC Demo", "due_on": ""},
    )
    web.post(reverse("riskassessment:hearing_outcome", args=[hearing.pk]), {"outcome": "Agreed."})
    hearing.refresh_from_db()
    assert hearing.outcome == "Agreed." and hearing.actions.count() == 1
    case.refresh_from_db()
    assert case.is_marac
    # The outcome comes back to the caseworker's view of the case.
    history = client_for(caseworker).get(reverse("riskassessment:case_risk", args=[case.pk]))
    assert "Agreed." in history.content.decode() and "Police marker" in history.content.decode()


def test_demo_seeder_hears_a_repeat_case_with_its_facts(service):
    from riskassessment.models import MaracHearing

    svc = ServiceFactory(
        provider=service.provider,
        name="Demo CID",
        code="CID",
        area="St Helens",
        marac=MaracFactory(name="St Helens"),
    )
    MembershipFactory(service=svc, role=Role.CASEWORKER)
    opened = timezone.localdate() - datetime.timedelta(days=200)
    # Case IDs decide the tick counts: make enough cases that some are high risk.
    for _ in range(12):
        CaseFactory(service=svc, opened_on=opened)
    demo.seed(services={"CID": svc}, stdout=io.StringIO())
    hearings = MaracHearing.objects.filter(meeting__marac__name="St Helens")
    assert hearings.filter(is_repeat=True).count() == 1
    assert MaracMeeting.objects.filter(marac__name="St Helens").count() == 2
    assert not hearings.filter(coercive_control__isnull=True).exists()
    assert not hearings.filter(children_in_household__isnull=True).exists()


def test_date_boxes_carry_iso_values_the_browser_accepts(client_for, caseworker, case):
    # An <input type="date"> ignores a British dd/mm/yyyy value, shows an empty box and posts
    # nothing: saving the draft would then fail with "This field is required".
    assessment = services.assessment_start(
        case=case,
        version=dash_version(),
        actor=caseworker,
        stage="intake",
        assessed_on=datetime.date(2026, 2, 3),
    )
    web = client_for(caseworker)
    edit = web.get(reverse("riskassessment:assessment_edit", args=[assessment.pk]))
    assert 'type="date" name="assessed_on" value="2026-02-03"' in edit.content.decode()
    refer = web.get(reverse("riskassessment:marac_refer", args=[case.pk])).content.decode()
    assert f'name="referred_on" value="{timezone.localdate().isoformat()}"' in refer
