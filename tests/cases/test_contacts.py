"""Contacts: safe contact on every page about the client, the unsafe-channel confirmation, and
contacts opened, corrected (history kept), listed and paged (issue 18, items 4, 6 and 9)."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.audit import audited_bulk_write
from accounts.models import AuditEvent
from cases import selectors
from cases import services as case_services
from cases.forms import CONTACT_FIELDS
from cases.models import Contact, ContactRevision, SafeToContact
from riskassessment import services as risk_services
from tests.factories import CaseFactory, ClientFactory, ContactFactory
from tests.factories_outcomes import CriminalJusticeFormFactory, IntakeFormFactory
from tests.factories_riskassessment import dash_version, submitted
from tests.factories_support import InterventionFactory, SafetyPlanVersionFactory

BANNER = 'id="safe-contact-heading"'


@pytest.fixture
def unsafe_client(service):
    return ClientFactory(
        service=service,
        first_name="Rosa",
        last_name="Ashdown",
        safe_phone="07700 900123",
        safe_to_call=SafeToContact.NO,
        safe_to_leave_voicemail=SafeToContact.NO,
        safe_to_text=SafeToContact.YES,
        safe_address="",
    )


@pytest.fixture
def case(service, caseworker, unsafe_client):
    return CaseFactory(service=service, client=unsafe_client, caseworker=caseworker)


def _moment(days_ago=1, hour=10):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _log(case, actor, **fields):
    values = {
        "occurred_at": _moment(),
        "contact_type": Contact.ContactType.FACE_TO_FACE,
        "with_client": True,
        "outcome": Contact.Outcome.SUCCESSFUL,
        "notes": "Talked through the safety plan.",
    }
    return case_services.contact_log(case=case, actor=actor, **{**values, **fields})


# --- Item 4: safe contact everywhere it matters -------------------------------------------------


def test_safe_contact_banner_on_risk_plan_support_intervention_and_outcome_pages(
    client_for, case, caseworker
):
    assessment = submitted(case, caseworker, ticks=3)
    intake = IntakeFormFactory(case=case, created_by=caseworker)
    criminal = CriminalJusticeFormFactory(case=case, created_by=caseworker)
    plan_version = SafetyPlanVersionFactory(plan__case=case, plan__created_by=caseworker, number=1)
    web = client_for(caseworker)
    urls = [
        reverse("riskassessment:case_risk", args=[case.pk]),
        reverse("riskassessment:assessment_start", args=[case.pk]),
        reverse("riskassessment:marac_refer", args=[case.pk]),
        reverse("riskassessment:assessment_detail", args=[assessment.pk]),
        reverse("support:plan_list", args=[case.pk]),
        reverse("support:plan_detail", args=[plan_version.plan_id]),
        reverse("support:support_list", args=[case.pk]),
        reverse("support:intervention_list", args=[case.pk]),
        reverse("support:intervention_add", args=[case.pk]),
        reverse("outcomes:case_forms", args=[case.pk]),
        reverse("outcomes:form_detail", kwargs={"kind": "intake", "pk": intake.pk}),
        reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk}),
        reverse("outcomes:police_report_add", args=[criminal.pk]),
    ]
    draft_assessment = risk_services.assessment_start(
        case=case,
        version=dash_version(),
        actor=caseworker,
        stage="review",
        assessed_on=timezone.localdate(),
    )
    urls.append(reverse("riskassessment:assessment_edit", args=[draft_assessment.pk]))
    missing = []
    for url in urls:
        response = web.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if BANNER not in html or "<strong>Call:</strong> No" not in html:
            missing.append(url)
    assert not missing, f"No safe-contact banner on {missing}"


def test_banner_shows_the_number_to_text_when_calls_are_not_safe(client_for, case, caseworker):
    html = client_for(caseworker).get(reverse("cases:case_detail", args=[case.pk])).content
    html = html.decode()
    texts = html[html.index("<strong>Texts:</strong>") :].split("</li>")[0]
    assert "07700 900123" in texts
    calls = html[html.index("<strong>Call:</strong>") :].split("</li>")[0]
    assert "07700 900123" not in calls


@pytest.mark.parametrize(
    ("contact_type", "outcome", "warning"),
    [
        ("phone", "successful", "not safe to call"),
        ("video", "successful", "not safe to call"),
        ("phone", "attempted", "not safe to leave a voicemail"),
        ("letter", "successful", "no safe postal address"),
    ],
)
def test_contact_by_an_unsafe_way_needs_a_recorded_confirmation(
    case, caseworker, contact_type, outcome, warning
):
    with pytest.raises(ValidationError) as refused:
        _log(case, caseworker, contact_type=contact_type, outcome=outcome)
    assert warning in str(refused.value.message_dict["unsafe_channel_confirmed"])
    with pytest.raises(ValidationError) as no_reason:
        _log(
            case,
            caseworker,
            contact_type=contact_type,
            outcome=outcome,
            unsafe_channel_confirmed=True,
        )
    assert "unsafe_channel_reason" in no_reason.value.message_dict
    assert not Contact.objects.filter(case=case).exists()

    contact = _log(
        case,
        caseworker,
        contact_type=contact_type,
        outcome=outcome,
        unsafe_channel_confirmed=True,
        unsafe_channel_reason="She rang from her sister's phone and asked for a call back.",
    )
    contact.refresh_from_db()
    assert contact.unsafe_channel_confirmed is True
    assert warning in contact.unsafe_channel_warning
    assert contact.unsafe_channel_reason.startswith("She rang")


def test_text_when_not_safe_to_text_is_warned_and_safe_ways_are_not(case, caseworker, service):
    case.client.safe_to_text = SafeToContact.NO
    case.client.save()
    with pytest.raises(ValidationError, match="not safe to text"):
        _log(case, caseworker, contact_type="text")
    # Face to face, and a call to the police on her behalf, need no confirmation.
    assert _log(case, caseworker).unsafe_channel_warning == ""
    on_behalf = _log(case, caseworker, contact_type="phone", with_client=False)
    assert on_behalf.unsafe_channel_warning == ""
    # A stray confirmation on a safe contact is not kept.
    safe = _log(case, caseworker, unsafe_channel_confirmed=True, unsafe_channel_reason="x")
    assert (safe.unsafe_channel_confirmed, safe.unsafe_channel_reason) == (False, "")


def test_an_email_when_not_safe_to_email_is_warned_and_the_banner_says_so(
    client_for, case, caseworker
):
    case.client.safe_to_email = SafeToContact.NO
    case.client.save()
    with pytest.raises(ValidationError, match="not safe to e-mail"):
        _log(case, caseworker, contact_type="email")
    confirmed = _log(
        case,
        caseworker,
        contact_type="email",
        unsafe_channel_confirmed=True,
        unsafe_channel_reason="She wrote from her new address and asked for a reply there.",
    )
    assert "not safe to e-mail" in confirmed.unsafe_channel_warning
    # "Not known" is not "no": the first e-mail may be the one that asks.
    case.client.safe_to_email = SafeToContact.UNKNOWN
    case.client.save()
    assert _log(case, caseworker, contact_type="email").unsafe_channel_warning == ""

    case.client.safe_to_email = SafeToContact.YES
    case.client.safe_email = "rosa.safe@example.org"
    case.client.save()
    page = client_for(caseworker).get(reverse("cases:case_detail", args=[case.pk])).content
    banner = page.decode().split('class="safe-contact', 1)[1].split("</aside>", 1)[0]
    assert "E-mail:</strong> Yes to rosa.safe@example.org" in banner


def test_the_database_refuses_a_warned_contact_without_confirmation(case, caseworker):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(case=case, recorded_by=caseworker, unsafe_channel_warning="Not safe")


def test_log_contact_page_warns_requires_confirmation_and_names_the_client_discreetly(
    client_for, case, caseworker
):
    web = client_for(caseworker)
    url = reverse("cases:contact_add", args=[case.pk])
    page = web.get(url).content.decode()
    assert "Rosa A." in page and "Ashdown" not in page.split("contact-client")[1][:200]
    data = {
        "occurred_at": _moment().strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "phone",
        "outcome": "successful",
        "with_client": "on",
        "notes": "Rang her.",
    }
    response = web.post(url, data)
    assert response.status_code == 200
    assert "The client is marked not safe to call." in response.content.decode()
    assert not Contact.objects.filter(case=case).exists()
    response = web.post(
        url,
        {**data, "unsafe_channel_confirmed": "on", "unsafe_channel_reason": "She asked us to."},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    assert contact.unsafe_channel_confirmed and contact.unsafe_channel_reason == "She asked us to."


# --- Item 6: contacts opened, corrected, listed; a case page as quick for 300 as for 10 --------


def test_contact_page_shows_the_whole_note_and_is_audited(client_for, case, caseworker):
    note = "A long note. " * 40 + "THE END"
    contact = _log(case, caseworker, notes=note)
    response = client_for(caseworker).get(
        reverse("cases:contact_detail", args=[case.pk, contact.pk])
    )
    assert "THE END" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_type="cases.contact", object_id=str(contact.pk)
    ).exists()


def test_a_contact_of_another_case_is_not_found(client_for, case, caseworker, service):
    other = ContactFactory(case=CaseFactory(service=service), recorded_by=caseworker)
    web = client_for(caseworker)
    assert web.get(reverse("cases:contact_detail", args=[case.pk, other.pk])).status_code == 404
    assert web.get(reverse("cases:contact_edit", args=[case.pk, other.pk])).status_code == 404


def test_correcting_a_contact_keeps_the_earlier_version_visible_and_audited(
    client_for, case, caseworker, team_leader
):
    contact = _log(case, caseworker, notes="Met at the library.", duration_minutes=30)
    web = client_for(caseworker)
    edit_url = reverse("cases:contact_edit", args=[case.pk, contact.pk])
    form = web.get(edit_url).context["form"]
    data = {
        "edit_state": form["edit_state"].value(),
        "occurred_at": timezone.localtime(contact.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "face_to_face",
        "outcome": "successful",
        "with_client": "on",
        "duration_minutes": "45",
        "notes": "Met at the community centre.",
        "correction_reason": "Wrong place and length.",
    }
    assert web.post(edit_url, data).status_code == 302
    contact.refresh_from_db()
    assert (contact.notes, contact.duration_minutes, contact.version) == (
        "Met at the community centre.",
        45,
        1,
    )
    revision = ContactRevision.objects.get(contact=contact)
    assert (revision.notes, revision.duration_minutes, revision.version) == (
        "Met at the library.",
        30,
        0,
    )
    assert (revision.written_by, revision.replaced_by) == (caseworker, caseworker)
    assert LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.UPDATE).exists()

    # Anyone who may see the case sees the history.
    detail = client_for(team_leader).get(
        reverse("cases:contact_detail", args=[case.pk, contact.pk])
    )
    html = detail.content.decode()
    assert "Met at the library." in html and "Wrong place and length." in html
    assert "Met at the community centre." in html
    # What changed, in the page's words, not the fields' names.
    assert "(changed: duration, notes)" in html and "duration minutes" not in html


def test_a_liaison_contact_does_not_say_on_the_clients_behalf_twice(client_for, case, caseworker):
    _log(case, caseworker, contact_type=Contact.ContactType.LIAISON, with_client=False)
    _log(case, caseworker, contact_type=Contact.ContactType.FACE_TO_FACE, with_client=False)
    page = client_for(caseworker).get(reverse("cases:contact_list", args=[case.pk]))
    html = page.content.decode().replace("&#x27;", "'")
    assert "Professional liaison on the client's behalf</td>" in html
    assert "(on the client's behalf)" in html  # the meeting held for the client
    assert html.count("(on the client's behalf)") == 1


def test_a_correction_over_someone_elses_is_refused_not_silently_overwritten(
    client_for, case, caseworker, team_leader
):
    contact = _log(case, caseworker, notes="First note.")
    edit_url = reverse("cases:contact_edit", args=[case.pk, contact.pk])
    mine = client_for(caseworker)
    state = mine.get(edit_url).context["form"]["edit_state"].value()
    unchanged = {name: getattr(contact, name) for name in CONTACT_FIELDS}
    case_services.contact_correct(
        contact=contact,
        actor=team_leader,
        correction_reason="Typo",
        **{**unchanged, "notes": "Team leader's note."},
    )
    response = mine.post(
        edit_url,
        {
            "edit_state": state,
            "occurred_at": timezone.localtime(contact.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "contact_type": "face_to_face",
            "outcome": "successful",
            "with_client": "on",
            "notes": "My note.",
            "correction_reason": "Mine",
        },
    )
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.notes == "Team leader's note."


def test_contacts_list_is_paged(client_for, case, caseworker):
    _bulk_contacts(case, caseworker, 30)
    web = client_for(caseworker)
    url = reverse("cases:contact_list", args=[case.pk])
    first = web.get(url)
    assert len(first.context["page"].object_list) == selectors.CONTACTS_PAGE_SIZE
    assert first.content.decode().count("/contacts/") >= selectors.CONTACTS_PAGE_SIZE
    second = web.get(url, {"page": 2})
    assert len(second.context["page"].object_list) == 30 - selectors.CONTACTS_PAGE_SIZE
    assert web.get(url, {"page": "x"}).status_code == 200


def test_contacts_list_queries_do_not_grow_with_the_contacts(client_for, service, caseworker):
    web = client_for(caseworker)
    web.get(reverse("home"))
    counts = []
    for size in (3, 60):
        case = CaseFactory(service=service, caseworker=caseworker)
        _bulk_contacts(case, caseworker, size)
        url = reverse("cases:contact_list", args=[case.pk])
        web.get(url)
        with CaptureQueriesContext(connection) as queries:
            web.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_correction_cannot_change_who_recorded_the_contact(case, caseworker, team_leader):
    contact = _log(case, caseworker)
    with pytest.raises(TypeError):
        case_services.contact_correct(
            contact=contact, actor=team_leader, correction_reason="x", recorded_by=team_leader
        )


def _bulk_contacts(case, actor, count):
    with audited_bulk_write(actor=actor, description="test contacts"):
        Contact.objects.bulk_create(
            Contact(
                case=case,
                recorded_by=actor,
                contact_type="face_to_face",
                occurred_at=_moment(days_ago=1 + n % 20, hour=8 + n % 10),
                notes=f"Contact number {n}",
            )
            for n in range(count)
        )


def _case_page(web, case):
    url = reverse("cases:case_detail", args=[case.pk])
    with CaptureQueriesContext(connection) as queries:
        response = web.get(url)
    assert response.status_code == 200
    return len(queries), response


def _timeline_panel(web, case):
    url = reverse("cases:case_timeline", args=[case.pk])
    with CaptureQueriesContext(connection) as queries:
        response = web.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return len(queries), response


def test_case_page_costs_the_same_for_300_contacts_as_for_10(client_for, service, caseworker):
    web = client_for(caseworker)
    web.get(reverse("home"))
    short = CaseFactory(service=service, caseworker=caseworker)
    long = CaseFactory(service=service, caseworker=caseworker)
    _bulk_contacts(short, caseworker, 10)
    _bulk_contacts(long, caseworker, 300)
    for c in (short, long):
        InterventionFactory(case=c, recorded_by=caseworker)
    _case_page(web, short)  # warm caches (session, menu) alike for both
    short_queries, _short_page = _case_page(web, short)
    long_queries, long_page = _case_page(web, long)
    assert long_queries == short_queries
    html = long_page.content.decode()
    # The latest five contacts, and the way to the rest.
    assert len(long_page.context["latest_contacts"]) == selectors.LATEST_CONTACTS
    assert html.count("Contact number") <= selectors.LATEST_CONTACTS
    assert reverse("cases:contact_list", args=[long.pk]) in html
    # The timeline panel the page loads: a first page, and the way to the older entries.
    short_panel_queries, short_panel = _timeline_panel(web, short)
    long_panel_queries, long_panel = _timeline_panel(web, long)
    assert long_panel_queries == short_panel_queries
    assert len(long_panel.context["timeline"].items) == selectors.TIMELINE_PAGE_SIZE
    panel_html = long_panel.content.decode()
    assert panel_html.count("Contact number") <= selectors.TIMELINE_PAGE_SIZE
    assert reverse("cases:case_timeline", args=[long.pk]) + "?page=2" in panel_html
    assert short_panel.context["timeline"].has_next is False


def test_timeline_pages_walk_the_whole_history_once(client_for, case, caseworker):
    _bulk_contacts(case, caseworker, 45)
    web = client_for(caseworker)
    url = reverse("cases:case_timeline", args=[case.pk])
    seen = []
    page = 1
    while True:
        timeline = web.get(url, {"page": page}).context["timeline"]
        seen += [item.detail for item in timeline.items if item.kind == "Contact"]
        if not timeline.has_next:
            break
        page += 1
    assert sorted(seen) == sorted(f"Contact number {n}" for n in range(45))
    for odd in ("x", "-3", "99999999999999999999999"):
        assert web.get(url, {"page": odd}).status_code == 200


def test_no_timeline_source_loads_all_its_rows(case, caseworker):
    from django.apps import apps

    from cases.extensions import timeline_sources

    for n in range(8):
        InterventionFactory(
            case=case,
            recorded_by=caseworker,
            occurred_on=timezone.localdate() - datetime.timedelta(days=n + 1),
        )
    assert apps.is_installed("support")
    from support.case_page import plans_timeline

    assert [item.kind for item in plans_timeline(case, 3)] == ["Intervention"] * 3
    for source in timeline_sources():
        assert len(source(case, 3)) <= 3 * 6  # at most `limit` of each of its queries


# --- Item 9: a date without a time -------------------------------------------------------------


def test_items_with_only_a_date_show_no_invented_time_and_sort_by_date(
    client_for, case, caseworker
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    InterventionFactory(case=case, recorded_by=caseworker, occurred_on=yesterday)
    _log(case, caseworker, occurred_at=_moment(days_ago=1, hour=15))
    _log(case, caseworker, occurred_at=_moment(days_ago=2, hour=9))
    timeline = selectors.case_timeline(case)
    kinds = [item.kind for item in timeline.items if item.kind in ("Contact", "Intervention")]
    # Yesterday's intervention (no time) with yesterday's 15:00 contact, before the day before.
    assert kinds == ["Intervention", "Contact", "Contact"]
    # The case page's timeline panel (loaded by htmx once the page is shown).
    panel = client_for(caseworker).get(
        reverse("cases:case_timeline", args=[case.pk]), HTTP_HX_REQUEST="true"
    )
    html = panel.content.decode()
    entry = html[max(0, html.index("Police") - 400) : html.index("Police")]
    assert date_format(yesterday) in entry
    assert "12:00" not in entry


def test_a_backdated_opening_shows_its_day_not_an_invented_midday(client_for, service, caseworker):
    client = ClientFactory(service=service)
    opened_on = timezone.localdate() - datetime.timedelta(days=10)
    case = case_services.case_open(
        client=client, service=service, actor=caseworker, opened_on=opened_on, caseworker=caseworker
    )
    items = {item.kind: item for item in selectors.case_timeline(case).items}
    assert items["Status"].at == opened_on and not items["Status"].has_time
    assert items["Allocation"].at == opened_on
    html = client_for(caseworker).get(reverse("cases:case_timeline", args=[case.pk])).content
    assert "12:00" not in html.decode()
    # Opened today: the moment is known and shown.
    today_case = case_services.case_open(
        client=ClientFactory(service=service),
        service=service,
        actor=caseworker,
        opened_on=timezone.localdate(),
    )
    assert selectors.case_timeline(today_case).items[0].has_time


def test_the_lower_risk_page_carries_the_banner_and_leads_back_to_the_case(
    client_for, case, caseworker, team_leader
):
    submitted(case, caseworker, ticks=16)
    html = (
        client_for(team_leader)
        .get(reverse("riskassessment:risk_decision", args=[case.pk]))
        .content.decode()
    )
    assert BANNER in html
    assert f'href="{reverse("cases:case_detail", args=[case.pk])}">{case.reference}</a>' in html
