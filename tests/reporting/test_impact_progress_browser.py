"""Issue 19 item 12 in a real browser: after asking for a report, the page follows the job to
"Done" without a reload and then says nothing of "queued" (the message and the history are no
longer left behind by the status panel)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reporting.models import ImpactReport, ImpactReportEvent
from tests.conftest import axe_violations
from tests.factories_impact import QUARTER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_never_says_queued_beside_done(signed_in_tab, live_server, manager, service):
    tab, errors = signed_in_tab(manager)
    tab.goto(live_server.url + reverse("reporting:impact_list"))
    tab.get_by_label("Title").fill("Trustees' report")
    tab.get_by_label("Period").select_option(label="Dates of my choice")
    tab.get_by_label("From", exact=True).fill(QUARTER.start.isoformat())
    tab.get_by_label("To", exact=True).fill(QUARTER.end.isoformat())
    tab.get_by_role("button", name="Build the report").click()
    tab.get_by_text("Waiting for a worker").wait_for()
    report = ImpactReport.objects.get()

    # The worker builds it (what impact_report_build leaves behind).
    now = timezone.now()
    for old, new in (("queued", "running"), ("running", "done")):
        ImpactReportEvent.objects.create(report=report, old_status=old, new_status=new, at=now)
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    report.status, report.page_count, report.finished_at = "done", 3, now
    report.save()
    tab.get_by_role("link", name="Download the PDF").wait_for()

    visible = tab.locator("main").inner_text()
    assert "Status: Done" in visible
    assert "queued" not in visible.lower()
    tab.get_by_text("History").click()
    assert tab.get_by_text("running → done").is_visible()
    assert not axe_violations(tab)
    assert not errors, errors
