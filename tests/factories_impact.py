"""Synthetic data for impact-report tests: one quarter of a service's work with counts chosen so
that some figures are at or above the suppression threshold (5) and some below it."""

import datetime
import itertools
import time
from dataclasses import dataclass

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from referrals.models import Referral, ReferralRoute
from reporting.models import ImpactReport
from reporting.periods import quarter
from tests.factories import CaseFactory, ClientFactory
from tests.factories_outcomes import ExitFormFactory, IntakeFormFactory
from tests.factories_referrals import ReferralFactory
from tests.factories_support import InterventionFactory

QUARTER = quarter(2026, 1)  # April to June 2026
IN_QUARTER = datetime.date(2026, 5, 12)
BEFORE_QUARTER = datetime.date(2026, 3, 2)
_references = itertools.count(1)


class ImpactReportFactory(factory.django.DjangoModelFactory):
    """A report of QUARTER, queued (not built); tests set its services with `services.set`."""

    class Meta:
        model = "reporting.ImpactReport"

    title = "Quarterly impact report"
    period_start = QUARTER.start
    period_end = QUARTER.end


class UnitCostFactory(factory.django.DjangoModelFactory):
    """A provider's own unit cost unless given provider=None (a national default)."""

    class Meta:
        model = "reporting.UnitCost"

    provider = factory.SubFactory("tests.factories.ProviderFactory")
    key = factory.Sequence(lambda n: f"cost_{n}")
    label = factory.Sequence(lambda n: f"Cost {n}")
    pence = 100
    source = "Test costing"


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reporting.CaseStudy"

    report = factory.SubFactory(ImpactReportFactory)
    pseudonym = factory.Sequence(lambda n: f"Study {n}")
    story = "A story."


@dataclass
class QuarterData:
    """What was put in, so tests can work out the expected figures."""

    referrals: int
    accepted: int
    declined: int
    police_checks: int
    home_visits: int
    exits: int
    feel_safer: int
    client_names: list[str]


def build_quarter(service, user) -> QuarterData:
    """7 referrals (6 accepted, 1 declined), 6 police checks, 2 home visits, 6 exits of which 5
    feel safer; plus rows outside the quarter that must not be counted."""
    route = ReferralRoute.objects.get(name="Police")
    names = []
    received = timezone.make_aware(datetime.datetime.combine(IN_QUARTER, datetime.time(10)))
    for index in range(7):
        # A surname no report text could contain by chance (Faker's "Page" or "Young" could), so
        # finding it in a report can only mean the report names the client.
        client = ClientFactory(service=service, last_name=f"Quarterclient{'ABCDEFG'[index]}")
        names.append(client.last_name)
        ReferralFactory(
            service=service,
            reference=f"IMP-{next(_references)}",
            received_at=received,
            route=route,
            client=client,
            recorded_by=user,
            triage=Referral.Triage.DECLINED if index == 6 else Referral.Triage.ACCEPTED,
        )
    # Outside the quarter: not counted.
    ReferralFactory(
        service=service,
        reference=f"IMP-{next(_references)}",
        received_at=received - datetime.timedelta(days=120),
        route=route,
        client=ClientFactory(service=service),
        recorded_by=user,
        triage=Referral.Triage.ACCEPTED,
    )
    case = CaseFactory(service=service, opened_on=BEFORE_QUARTER)
    for _ in range(6):
        InterventionFactory(
            case=case, type="police_check", occurred_on=IN_QUARTER, recorded_by=user
        )
    for _ in range(2):
        InterventionFactory(case=case, type="home_visit", occurred_on=IN_QUARTER, recorded_by=user)
    InterventionFactory(
        case=case, type="police_check", occurred_on=BEFORE_QUARTER, recorded_by=user
    )
    for index in range(6):
        closed = CaseFactory(
            service=service,
            opened_on=BEFORE_QUARTER,
            status="closed",
            closed_on=IN_QUARTER,
            closure_type="Planned closure",
        )
        IntakeFormFactory(case=closed, created_by=user, status="submitted")
        ExitFormFactory(
            case=closed,
            created_by=user,
            status="submitted",
            outcome_feel_safer="Agree" if index < 5 else "Disagree",
        )
    return QuarterData(
        referrals=7,
        accepted=6,
        declined=1,
        police_checks=6,
        home_visits=2,
        exits=6,
        feel_safer=5,
        client_names=names,
    )


def finished_report(service, user=None, **kwargs) -> ImpactReport:
    """A report already built (a tiny stand-in PDF), for view and permission tests."""
    report = ImpactReportFactory(
        title="Quarterly impact report",
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        requested_by=user,
        figures={},
        pdf_bytes=9,
        page_count=1,
        finished_at=timezone.now(),
        **kwargs,
    )
    # Saved with its file first: a done report without a PDF breaks a constraint.
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    report.status = ImpactReport.Status.DONE
    report.save()
    report.services.set([service])
    return report


def wait_until_finished(report, seconds=180) -> ImpactReport:
    """Polls a job that a real worker is building until it has finished (or fails the test)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.is_finished:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report still {report.status} after {seconds}s")
