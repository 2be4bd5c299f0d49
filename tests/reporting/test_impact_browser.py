"""The report page in a real browser with the Content-Security-Policy on: the status panel
follows the job (htmx polling, no inline script) until the download appears, with no reload."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reporting.models import ImpactReport
from tests.conftest import axe_violations
from tests.factories_impact import QUARTER, ImpactReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_status_updates_without_a_reload(signed_in_tab, live_server, manager, service):
    report = ImpactReportFactory(
        title="Trustees' report",
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        status=ImpactReport.Status.RUNNING,
        progress_step=2,
        progress_total=8,
        progress_label="The client journey",
        heartbeat_at=timezone.now(),
    )
    report.services.set([service])
    tab, errors = signed_in_tab(manager)
    tab.goto(live_server.url + reverse("reporting:impact_detail", args=[report.pk]))
    assert tab.get_by_text("The client journey (step 2 of 8)").is_visible()
    tab.evaluate("window.notReloaded = true")

    report.progress_step, report.progress_label = 5, "Outcomes stated honestly"
    report.save()
    tab.get_by_text("Outcomes stated honestly (step 5 of 8)").wait_for()

    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    report.status, report.page_count, report.finished_at = "done", 12, timezone.now()
    report.save()
    tab.get_by_role("link", name="Download the PDF").wait_for()
    assert tab.evaluate("window.notReloaded") is True
    assert not axe_violations(tab)
    assert not errors, errors
