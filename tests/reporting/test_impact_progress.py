"""Issue 19 item 12: progress is truthful. The report page never says "queued" beside
"Status: Done", and the manager's home shows the report that was built (it said "No impact
report yet" after one was built), apart from one still waiting or building."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reporting.models import ImpactReport, ImpactReportEvent
from tests.factories_impact import QUARTER, ImpactReportFactory, finished_report

pytestmark = pytest.mark.django_db


def _ask(http, service):
    response = http.post(
        reverse("reporting:impact_create"),
        {
            "title": "Trustees' report",
            "quarter": "",
            "start": QUARTER.start.isoformat(),
            "end": QUARTER.end.isoformat(),
            "services": [service.pk],
            "suppress_small_numbers": "on",
        },
    )
    assert response.status_code == 302
    return ImpactReport.objects.get()


def _built_by_the_worker(report):
    """What the worker leaves behind (impact_report_build), without running it."""
    now = timezone.now()
    for old, new in (("queued", "running"), ("running", "done")):
        ImpactReportEvent.objects.create(report=report, old_status=old, new_status=new, at=now)
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    report.status = ImpactReport.Status.DONE
    report.finished_at = now
    report.page_count, report.pdf_bytes = 1, 9
    report.save()


def _titled(report, title):
    ImpactReport.objects.filter(pk=report.pk).update(title=title)
    report.title = title
    return report


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_report_built_before_the_page_opens_is_not_called_queued(client_for, manager, service):
    # The embedded demo builds at once; a fast worker may finish before the redirect is read.
    http = client_for(manager)
    report = _ask(http, service)
    _built_by_the_worker(report)

    response = http.get(reverse("reporting:impact_detail", args=[report.pk]))

    shown = [str(message) for message in get_messages(response.wsgi_request)]
    shown += [str(message) for message in response.context["messages"]]
    page = _text(response.content.decode())
    assert "Status: Done" in page
    assert not any("queued" in message.lower() for message in shown)
    # The history is in the panel the page refreshes, its newest line the build's end.
    panel = _text(http.get(reverse("reporting:impact_status", args=[report.pk])).content.decode())
    assert "Status: Done" in panel
    assert "History" in panel and panel.index("running → done") < panel.index("new → queued")


def test_the_polled_panel_carries_the_history_with_the_status(client_for, manager, service):
    http = client_for(manager)
    report = _ask(http, service)
    url = reverse("reporting:impact_status", args=[report.pk])
    assert "new → queued" in _text(http.get(url).content.decode())

    _built_by_the_worker(report)

    panel = _text(http.get(url).content.decode())
    assert "Status: Done" in panel and "running → done" in panel


def test_the_managers_home_shows_the_report_that_was_built(client_for, manager, service):
    report = _titled(finished_report(service), "Spring impact report")

    page = _text(client_for(manager).get(reverse("home")).content.decode())

    assert "No impact report yet" not in page
    assert "Latest built: Spring impact report" in page
    assert reverse("reporting:impact_detail", args=[report.pk]) in (
        client_for(manager).get(reverse("home")).content.decode()
    )


def test_the_home_panel_tells_built_from_waiting(client_for, manager, service):
    built = _titled(finished_report(service), "Spring impact report")
    waiting = ImpactReportFactory(title="Summer impact report")
    waiting.services.set([service])
    ImpactReport.objects.filter(pk=waiting.pk).update(created_at=built.created_at)
    ImpactReport.objects.filter(pk=built.pk).update(
        created_at=built.created_at - timezone.timedelta(days=1)
    )

    page = _text(client_for(manager).get(reverse("home")).content.decode())

    assert "Latest built: Spring impact report" in page
    assert "Summer impact report" in page and "waiting to be built" in page
    assert "No impact report yet" not in page


def test_the_home_panel_says_no_report_only_when_there_is_none(
    client_for, manager, service, other_service
):
    finished_report(other_service)

    page = _text(client_for(manager).get(reverse("home")).content.decode())

    assert "No impact report yet" in page


def test_the_home_panel_names_the_edition_it_links_to(client_for, manager, service):
    """A changed suppression builds edition 2 under the same title and period: the panel says
    which edition it shows, as the list does (found walking the demo)."""
    report = _titled(finished_report(service), "Spring impact report")
    ImpactReport.objects.filter(pk=report.pk).update(edition=2)

    page = _text(client_for(manager).get(reverse("home")).content.decode())

    assert "Latest built: Spring impact report, edition 2" in page
