"""Impact reports under the retention schedule (accounts.retention): a built or failed report
whose period (impact_report_years) has passed since it was made is offered to the retention run,
and erased with its PDF when a manager approves. A report with later editions is offered with
its newest edition (the newest names the earlier ones it replaced, which are older still)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.retention import RetentionCandidate, RetentionSource

from ..models import ImpactReport

FINISHED = (ImpactReport.Status.DONE, ImpactReport.Status.FAILED)


def _counted_from(report: ImpactReport) -> datetime.date:
    return timezone.localdate(report.finished_at or report.created_at)


def impact_report_candidates(service_id: int, on_or_before: datetime.date):
    """Finished reports whose lowest-numbered service is `service_id` (one review lists each
    report once), newest editions only, made on or before the day given."""
    end = timezone.make_aware(
        datetime.datetime.combine(on_or_before + datetime.timedelta(days=1), datetime.time.min)
    )
    reports = (
        ImpactReport.objects.filter(services=service_id, status__in=FINISHED, created_at__lt=end)
        .filter(replaced_by__isnull=True)
        .prefetch_related("services")
        .order_by("pk")
    )
    for report in reports:
        if min(service.pk for service in report.services.all()) != service_id:
            continue
        yield RetentionCandidate(
            pk=report.pk,
            reference=f"Impact report {report.pk} ({date_format(report.period_start, 'j M Y')} "
            f"to {date_format(report.period_end, 'j M Y')})",
            counted_from=_counted_from(report),
            what="Built",
        )


def impact_report_erase(pk: int, actor) -> None:
    """Deletes the report, its earlier editions and their PDFs (through the storage API, so S3
    and disk alike). Files go after the rows' deletion is certain: a failed delete leaves a
    row pointing at nothing, never a file no row knows of."""
    report = ImpactReport.objects.select_for_update().filter(pk=pk).first()
    chain = []
    while report is not None:
        chain.append(report)
        report = report.replaces
    files = [(item.pdf.storage, item.pdf.name) for item in chain if item.pdf]
    for item in chain:  # newest first: each earlier edition is protected by the next
        item.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


SOURCE = RetentionSource(
    kind="impact_report",
    model_label="reporting.impactreport",
    period_field="impact_report_years",
    candidates=impact_report_candidates,
    erase=impact_report_erase,
)
