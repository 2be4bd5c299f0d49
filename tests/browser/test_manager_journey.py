"""The service manager's journey in a real browser, with a real Celery worker: the Insights tables
for a quarter beside the quarter before, one table exported as CSV, the quarterly impact PDF
requested, its progress followed, the PDF downloaded, and the download found in the audit log.
Every page is checked with axe-core and photographed (test-artifacts/screenshots/manager/)."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import CaseFactory, MembershipFactory

from .journey import Journey

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

PDF_BUILD_SECONDS = 180
INSIGHTS_SECONDS = 120


def test_manager_reads_insights_exports_and_downloads_the_impact_report(
    signed_in_tab, screenshot, celery_worker, service
):
    manager = MembershipFactory(service=service, role=Role.SERVICE_MANAGER).user
    for _ in range(3):
        CaseFactory(service=service)
    tab, errors = signed_in_tab(manager)
    journey = Journey(tab, errors, name="manager", screenshot=screenshot)
    tab.goto(reverse("home"))
    journey.page("home")

    # Insights: a quarter, compared with the quarter before.
    tab.goto(reverse("reporting:insights"))
    # The first visit queues the default filters' tables for the worker: progress, not tables.
    assert tab.locator("#insights-progress").is_visible()
    journey.page("insights")
    tab.locator("#id_period_kind").select_option(label="A quarter")
    quarters = tab.locator("#id_quarter option")
    quarter = quarters.nth(1 if quarters.count() > 1 else 0).inner_text()
    tab.locator("#id_quarter").select_option(label=quarter)
    tab.locator("#id_compare").select_option(label="The period before")
    tab.get_by_role("button", name="Show tables").click()
    tab.wait_for_load_state("load")
    # The worker may have stored them meanwhile (the default filters are the same quarter);
    # if not, the progress panel polls (htmx) and swaps them in, with no reload.
    tab.locator(".insights-table").first.wait_for(timeout=INSIGHTS_SECONDS * 1000)
    assert tab.locator("#insights-progress").count() == 0
    journey.page("insights-quarter")
    # The first table, "Cases used in the analysis", is counts alone (no n, no %).
    counts_only = tab.locator("#table-cases_used table").locator("thead th").all_inner_texts()
    assert counts_only == ["Option", "Count", "Previous count"]
    referral_route = tab.locator("#table-referral_route")
    headers = referral_route.locator("table thead th").all_inner_texts()
    assert headers == ["Option", "Count", "%", "Previous count", "Previous %"]

    # One table as CSV (through the expiring, audited download link).
    question = referral_route.locator("caption").inner_text()
    with tab.expect_download() as download_info:
        referral_route.get_by_role("button", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    assert rows
    assert any(question.split(" (")[0] in " ".join(row) for row in rows[:3]), rows[:3]

    # The quarterly impact report: requested, followed while the worker builds it, downloaded.
    tab.goto(reverse("reporting:impact_list"))
    journey.page("impact-reports")
    tab.locator("#id_title").fill("Quarterly impact report")
    tab.locator("#id_quarter").select_option(label=quarter)
    services = tab.get_by_label(service.name)
    if not services.is_checked():
        services.check()
    tab.get_by_role("button", name="Build the report").click()
    tab.wait_for_url("**/reports/impact/*/")
    journey.page("impact-queued")
    status = tab.locator("#impact-status [data-status]")
    assert status.get_attribute("data-status") in {"queued", "running", "done"}
    status_seen = set()
    for _ in range(PDF_BUILD_SECONDS * 4):
        status_seen.add(tab.locator("#impact-status [data-status]").get_attribute("data-status"))
        if "done" in status_seen or "failed" in status_seen:
            break
        tab.wait_for_timeout(250)
    assert "done" in status_seen, status_seen
    journey.page("impact-done")
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name="Download the PDF").click()
    pdf = download_info.value
    with open(pdf.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"

    # The download is in the audit log.
    tab.goto(reverse("accounts:audit_log"))
    journey.page("audit-log")
    log = tab.locator("main table").inner_text()
    assert "Downloaded" in log
    journey.finish()
