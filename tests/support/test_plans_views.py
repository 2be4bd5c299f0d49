"""The pages for safety plans, support by area of need and interventions: scoping, the client's
discreet printed plan (HTML and PDF), forms and the admin of the option lists."""

import datetime
import re
import shutil
import subprocess
import zlib

import pytest
from django.contrib.admin.sites import site as admin_site
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from cases.models import Option
from support.models import AreaSupport, Intervention, SafetyPlanVersion
from tests.factories import CaseFactory, MembershipFactory
from tests.factories_support import InterventionFactory, SafetyPlanFactory, SafetyPlanVersionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# Nothing on the client's copy may say what it is for or who made it.
INDISCREET = ("domestic", "abuse", "violence", "idva", "lantern", "safelives", "marac", "refuge")


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(
        service=service, caseworker=caseworker, opened_on=TODAY - datetime.timedelta(days=40)
    )


@pytest.fixture
def version(case, caseworker):
    plan = SafetyPlanFactory(case=case, created_by=caseworker)
    return SafetyPlanVersionFactory(plan=plan, number=1, made_by=caseworker)


def _assert_discreet(text: str, case) -> None:
    lowered = text.lower()
    for word in (*INDISCREET, case.service.name.lower(), case.service.code.lower()):
        assert word not in lowered, word
    assert case.client.first_name.lower() not in lowered
    assert case.reference.lower() not in lowered


# --- The client's copy --------------------------------------------------------------------------


def test_the_printable_plan_is_discreet(client_for, caseworker, case, version):
    assert "Idva" in case.service.name  # the fixture's service name would give it away
    response = client_for(caseworker).get(
        reverse("support:plan_print", args=[version.plan_id, version.number])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>My plan</title>" in html
    assert "<img" not in html
    assert "print-plan.css" in html
    assert "The library on the high street" in html
    assert "Code words and signals" in html
    _assert_discreet(html, case)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, case_id=case.pk).last()
    assert event.object_label == f"Safety plan {version.plan_id} version 1"


def _weasyprint_text(version) -> str:
    """The text WeasyPrint lays out for the PDF (no PDF text extractor is installed)."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure import boxes

    html = render_to_string("support/print.html", {"version": version, "for_pdf": True})
    document = HTML(string=html).render(
        stylesheets=[CSS(filename=finders.find("css/print-plan.css"))]
    )
    parts = []
    for page in document.pages:
        parts.extend(
            box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox)
        )
    return " ".join(parts)


def _pdf_plain_bytes(pdf: bytes) -> bytes:
    """The file with its Flate streams decompressed: metadata, outlines and object streams
    become readable (page text is glyph codes, checked through _weasyprint_text)."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def test_the_plan_renders_as_a_discreet_pdf(client_for, caseworker, case, version):
    response = client_for(caseworker).get(
        reverse("support:plan_pdf", args=[version.plan_id, version.number])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    # The metadata (the title) is in the file's compressed object streams.
    plain = _pdf_plain_bytes(pdf).lower()
    assert b"my plan" in plain
    for word in INDISCREET:
        assert word.encode() not in plain, word
    text = _weasyprint_text(version)
    assert "My plan" in text
    assert "The library on the high street" in text
    _assert_discreet(text, case)
    if shutil.which("pdftotext"):
        extracted = subprocess.run(  # noqa: S603 - a fixed local tool, our own PDF
            [shutil.which("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "The library on the high street" in extracted
        _assert_discreet(extracted, case)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, case_id=case.pk).exists()


# --- Making and reviewing a plan ----------------------------------------------------------------


def _plan_post(**overrides):
    data = {
        "kind": "personal",
        "reviewed_on": (TODAY - datetime.timedelta(days=7)).isoformat(),
        "safe_places_people": "The library.",
        "emergency": "Call 999.",
    }
    data.update(overrides)
    return data


def test_make_review_and_read_an_older_version(client_for, caseworker, case):
    http = client_for(caseworker)
    response = http.post(reverse("support:plan_create", args=[case.pk]), _plan_post())
    assert response.status_code == 302
    plan = case.safety_plans.get()
    assert response["Location"] == reverse("support:plan_detail", args=[plan.pk])

    review_page = http.get(reverse("support:plan_review", args=[plan.pk]))
    assert review_page.status_code == 200
    assert review_page.context["form"].initial["safe_places_people"] == "The library."
    response = http.post(
        reverse("support:plan_review", args=[plan.pk]),
        _plan_post(
            reviewed_on=TODAY.isoformat(),
            review_reason="New incident",
            safe_places_people="The community centre.",
        ),
    )
    assert response.status_code == 302
    assert list(plan.versions.order_by("number").values_list("number", flat=True)) == [1, 2]

    current = http.get(reverse("support:plan_detail", args=[plan.pk]))
    assert "The community centre." in current.content.decode()
    older = http.get(reverse("support:plan_version", args=[plan.pk, 1]))
    assert older.status_code == 200
    assert "The library." in older.content.decode()
    assert "an earlier version" in older.content.decode()
    assert http.get(reverse("support:plan_version", args=[plan.pk, 9])).status_code == 404


def test_plan_form_errors_are_shown_in_place(client_for, caseworker, case, version):
    http = client_for(caseworker)
    # Nothing written.
    response = http.post(
        reverse("support:plan_create", args=[case.pk]),
        {"kind": "digital", "reviewed_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "Write at least one section" in response.content.decode()
    # A personal plan already exists: the form no longer offers it.
    response = http.post(reverse("support:plan_create", args=[case.pk]), _plan_post())
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    # A review dated before the current version.
    response = http.post(
        reverse("support:plan_review", args=[version.plan_id]),
        _plan_post(
            reviewed_on=(TODAY - datetime.timedelta(days=30)).isoformat(), review_reason="x"
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reviewed_on"]
    assert SafetyPlanVersion.objects.filter(plan_id=version.plan_id).count() == 1


def test_the_staff_page_warns_when_the_clients_copy_would_give_things_away(
    client_for, caseworker, case
):
    plan = SafetyPlanFactory(case=case, created_by=caseworker)
    SafetyPlanVersionFactory(
        plan=plan, number=1, made_by=caseworker, code_words="Ring the Idva office."
    )
    html = client_for(caseworker).get(reverse("support:plan_detail", args=[plan.pk])).content
    assert "contains the word" in html.decode()


# --- Scoping ------------------------------------------------------------------------------------


def _read_urls(case, version, intervention):
    return [
        reverse("support:plan_list", args=[case.pk]),
        reverse("support:plan_detail", args=[version.plan_id]),
        reverse("support:plan_version", args=[version.plan_id, 1]),
        reverse("support:plan_print", args=[version.plan_id, 1]),
        reverse("support:plan_pdf", args=[version.plan_id, 1]),
        reverse("support:support_list", args=[case.pk]),
        reverse("support:intervention_list", args=[case.pk]),
    ]


def _edit_urls(case, version, intervention):
    return [
        reverse("support:plan_create", args=[case.pk]),
        reverse("support:plan_review", args=[version.plan_id]),
        reverse("support:support_edit", args=[case.pk, "housing"]),
        reverse("support:intervention_add", args=[case.pk]),
        reverse("support:intervention_delete", args=[intervention.pk]),
    ]


def test_another_services_case_answers_404_and_is_audited(client_for, outsider, case, version):
    intervention = InterventionFactory(case=case)
    http = client_for(outsider)
    for url in _read_urls(case, version, intervention) + _edit_urls(case, version, intervention):
        assert http.get(url).status_code == 404, url
    assert (
        http.post(_edit_urls(case, version, intervention)[-1], {"confirm": "on"}).status_code == 404
    )
    assert Intervention.objects.filter(pk=intervention.pk).exists()
    denied = AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, actor=outsider, case_id=case.pk
    )
    assert denied.count() >= 12


def test_readers_who_may_not_edit_get_403_on_edit_pages(
    client_for, manager, service, case, version
):
    intervention = InterventionFactory(case=case)
    read_only = MembershipFactory(service=service, role=Role.CASEWORKER, read_only=True).user
    for user in (manager, read_only):
        http = client_for(user)
        for url in _read_urls(case, version, intervention):
            assert http.get(url).status_code == 200, url
        for url in _edit_urls(case, version, intervention):
            assert http.get(url).status_code == 403, url
            assert http.post(url, {"confirm": "on"}).status_code == 403, url
    assert Intervention.objects.filter(pk=intervention.pk).exists()


def test_an_unknown_area_answers_404(client_for, caseworker, case):
    url = reverse("support:support_edit", args=[case.pk, "gardening"])
    assert client_for(caseworker).get(url).status_code == 404


# --- Support and interventions ------------------------------------------------------------------


def test_recording_support_through_the_form(client_for, caseworker, case):
    http = client_for(caseworker)
    url = reverse("support:support_edit", args=[case.pk, "housing"])
    refuge = Option.objects.of("support_housing_outcomes").get(label="Accessed Refuge")
    response = http.post(
        url,
        {
            "supported": "Yes",
            "outcomes": [refuge.pk],
            "impact_safety": "Improved greatly",
            "impact_wellbeing": "No change",
        },
    )
    assert response.status_code == 302
    row = AreaSupport.objects.get(case=case, area="housing")
    assert list(row.outcomes.all()) == [refuge]
    assert row.impact_wellbeing == "No change"

    # An outcome without support is refused in place.
    response = http.post(
        reverse("support:support_edit", args=[case.pk, "safety"]),
        {"supported": "No", "impact_safety": "Improved greatly"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["impact_safety"]
    # Another area's outcome is not a valid choice.
    response = http.post(
        reverse("support:support_edit", args=[case.pk, "safety"]),
        {"supported": "Yes", "outcomes": [refuge.pk]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["outcomes"]

    page = http.get(reverse("support:support_list", args=[case.pk]))
    assert "Accessed Refuge" in page.content.decode()


def test_recording_and_removing_an_intervention(client_for, caseworker, case):
    http = client_for(caseworker)
    url = reverse("support:intervention_add", args=[case.pk])
    response = http.post(url, {"type": "signposting_referral", "occurred_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["agency"]
    response = http.post(
        url, {"type": "home_visit", "occurred_on": (TODAY + datetime.timedelta(days=3)).isoformat()}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["occurred_on"]
    response = http.post(url, {"type": "home_visit", "occurred_on": TODAY.isoformat()})
    assert response.status_code == 302
    item = Intervention.objects.get(case=case)

    delete_url = reverse("support:intervention_delete", args=[item.pk])
    assert http.post(delete_url, {}).status_code == 200  # not confirmed: asked again
    assert Intervention.objects.filter(pk=item.pk).exists()
    assert http.post(delete_url, {"confirm": "on"}).status_code == 302
    assert not Intervention.objects.filter(pk=item.pk).exists()


def test_list_pages_use_a_fixed_number_of_queries(
    client_for, caseworker, case, django_assert_max_num_queries
):
    http = client_for(caseworker)
    for _ in range(2):
        plan_kind = "personal" if not case.safety_plans.exists() else "digital"
        plan = SafetyPlanFactory(case=case, kind=plan_kind, created_by=caseworker)
        for number in (1, 2, 3):
            SafetyPlanVersionFactory(plan=plan, number=number, made_by=caseworker)
    for type_key in ("police_check", "home_visit", "target_hardening", "police_check"):
        InterventionFactory(case=case, type=type_key, recorded_by=caseworker)
    for area in ("safety", "housing", "immigration"):
        row = AreaSupport.objects.create(
            case=case, area=area, supported="Yes", updated_by=caseworker
        )
        row.outcomes.set(Option.objects.of(f"support_{area}_outcomes")[:3])
    pages = {
        "support:plan_list": 25,
        "support:support_list": 25,
        "support:intervention_list": 25,
    }
    for name, limit in pages.items():
        with django_assert_max_num_queries(limit):
            response = http.get(reverse(name, args=[case.pk]))
        assert response.status_code == 200
    listing = http.get(reverse("support:intervention_list", args=[case.pk])).content.decode()
    assert "band <strong>2-5</strong>" in listing


# --- Admin of the option lists ------------------------------------------------------------------


def test_superusers_add_options_and_retire_built_ins_but_never_delete(client_for, superuser, rf):
    option_admin = admin_site._registry[Option]
    builtin = Option.objects.of("support_safety_outcomes").get(label="Cocoon watch")
    request = rf.get("/")
    request.user = superuser
    assert not option_admin.has_delete_permission(request, builtin)
    assert set(option_admin.get_readonly_fields(request, builtin)) >= {"label", "list_key"}

    http = client_for(superuser)
    response = http.post(
        reverse("admin:cases_option_add"),
        {"list_key": "support_safety_outcomes", "label": "Safe room fitted", "position": 99},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Option.objects.get(label="Safe room fitted")
    assert not added.is_builtin

    response = http.post(
        reverse("admin:cases_option_change", args=[builtin.pk]),
        {"position": builtin.position, "is_retired": "on"},
    )
    assert response.status_code == 302
    builtin.refresh_from_db()
    assert builtin.is_retired
    assert builtin.label == "Cocoon watch"
    assert http.get(reverse("admin:cases_option_delete", args=[builtin.pk])).status_code == 403
