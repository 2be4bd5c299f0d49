"""Writes for impact reports: asking for one, the job's state machine, building it (in the
worker), the stale-job sweep, the quarterly schedule and its e-mail, and case studies.

The job's states and the only moves between them:

    queued -> running        a worker claims it
    running -> done          the PDF is stored
    running -> queued        a retry after an error, or the sweep after a worker died
    running -> failed        out of attempts
    queued -> failed         the sweep finds it out of attempts
    failed -> queued         a manager asks again
    done -> queued           a manager builds it again (new narrative, late records)
"""

import datetime
import logging
import threading
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.audit import record_event, record_event_in_services
from accounts.concurrency import EditState, check_edit, next_version
from accounts.models import AuditEvent, Service

from ..insights.report import may_switch_suppression_off, suppression_needed_message
from ..models import (
    DEFAULT_ATTRIBUTION_PERCENT,
    MAX_CASE_STUDIES,
    CaseStudy,
    ImpactReport,
    ImpactReportEvent,
    UnitCost,
)
from ..periods import Period, last_complete_quarter
from . import content as report_content
from .selectors import (
    stale_after,
    stale_impact_reports,
    suppression_is_fixed,
)

logger = logging.getLogger(__name__)

Status = ImpactReport.Status
STATUS_TRANSITIONS = {
    Status.QUEUED: {Status.RUNNING, Status.FAILED},
    Status.RUNNING: {Status.DONE, Status.QUEUED, Status.FAILED},
    Status.FAILED: {Status.QUEUED},
    Status.DONE: {Status.QUEUED},
}
MAX_ATTEMPTS = 4
RENDER_STEPS = 2  # laying out the PDF, storing it


class IllegalTransition(Exception):
    pass


def _heartbeat_seconds() -> float:
    return settings.IMPACT_REPORT_HEARTBEAT_SECONDS


def set_status(report: ImpactReport, new: str, *, note: str = "", now=None) -> None:
    """Moves the (locked) job to `new` if the move is allowed, and appends the history row."""
    if new not in STATUS_TRANSITIONS[Status(report.status)]:
        raise IllegalTransition(f"{report.status} -> {new}")
    now = now or timezone.now()
    ImpactReportEvent.objects.create(
        report=report, old_status=report.status, new_status=new, at=now, note=note[:300]
    )
    report.status = new


def _enqueue(report_id: int) -> None:
    from ..tasks import build_impact_report

    # After commit: a worker must see the queued row, and nothing is sent if the write fails.
    transaction.on_commit(lambda: build_impact_report.delay(report_id))


@transaction.atomic
def impact_report_request(
    *,
    user,
    services,
    period: Period,
    title: str,
    introduction: str = "",
    suppress_small_numbers: bool = True,
    attribution_percent: int = DEFAULT_ATTRIBUTION_PERCENT,
) -> ImpactReport:
    allowed = access.service_ids_with(user, access.Capability.RUN_REPORTS)
    services = list(services)
    if not services or any(service.pk not in allowed for service in services):
        raise PermissionError("Reports only for services you run reports for.")
    now = timezone.now()
    report = ImpactReport(
        title=title,
        period_start=period.start,
        period_end=period.end,
        introduction=introduction,
        suppress_small_numbers=suppress_small_numbers,
        attribution_percent=attribution_percent,
        requested_by=user,
        queued_at=now,
    )
    report.full_clean(exclude=["services"])
    report.save()
    report.services.set(services)
    ImpactReportEvent.objects.create(
        report=report, new_status=Status.QUEUED, at=now, note="requested"
    )
    record_event(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        service=services[0],
        obj=report,
        detail={
            "kind": "impact_report_requested",
            "services": [service.pk for service in services],
        },
    )
    _enqueue(report.pk)
    return report


@transaction.atomic
def impact_report_rebuild(*, user, report: ImpactReport) -> ImpactReport:
    """A manager asks again: after a failure, or for a finished report to be built afresh."""
    report = ImpactReport.objects.select_for_update().get(pk=report.pk)
    set_status(report, Status.QUEUED, note="asked again")
    report.attempts = 0
    report.error = ""
    report.queued_at = timezone.now()
    report.save()
    record_event(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        obj=report,
        detail={"kind": "impact_report_rebuilt"},
    )
    _enqueue(report.pk)
    return report


@transaction.atomic
def impact_report_narrative_save(
    *,
    user,
    report: ImpactReport,
    title: str,
    introduction: str,
    suppress_small_numbers: bool,
    edit_state: EditState | None = None,
) -> ImpactReport:
    """Saves the title, introduction and suppression edited on the report's page.

    1. Lock the report; refuse (EditConflict) where someone else changed the same fields since
       the form was loaded.
    2. Suppression stays on for a short period with a restricted case in it unless the user
       may switch it off (insights.report.may_switch_suppression_off).
    3. Suppression is fixed on a report once it is built or building (selectors.
       suppression_is_fixed): changing it there builds a new edition instead
       (impact_report_new_edition), which is returned; this one is left as it is.
    4. Otherwise save, raising the version, and audit it like the report's other writes.
    """
    report = ImpactReport.objects.select_for_update().get(pk=report.pk)
    submitted = {
        "title": title,
        "introduction": introduction,
        "suppress_small_numbers": suppress_small_numbers,
    }
    check_edit(report, loaded=edit_state, submitted=submitted)
    switched = suppress_small_numbers != report.suppress_small_numbers
    service_ids = list(report.services.values_list("pk", flat=True))
    period = Period(report.period_start, report.period_end)
    if not suppress_small_numbers and not may_switch_suppression_off(user, [period], service_ids):
        raise ValidationError({"suppress_small_numbers": suppression_needed_message()})
    if switched and suppression_is_fixed(report):
        return impact_report_new_edition(
            user=user,
            report=report,
            title=title,
            introduction=introduction,
            suppress_small_numbers=suppress_small_numbers,
        )
    next_version(report)
    for name, value in submitted.items():
        setattr(report, name, value)
    report.full_clean(exclude=["services"])
    report.save()
    record_event(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        service=service_ids[0] if service_ids else None,
        obj=report,
        detail={"kind": "impact_report_narrative_saved", "fields": sorted(submitted)},
    )
    return report


def impact_report_new_edition(
    *, user, report: ImpactReport, title: str, introduction: str, suppress_small_numbers: bool
) -> ImpactReport:
    """A built report's settings changed: a new report of the same period and services, the
    next edition, naming the one it replaces, with its case studies, queued to build. The old
    report, its PDF and its figures are left exactly as they were, so nothing printed is undone
    silently. Called with the old report locked (impact_report_narrative_save); one edition
    replaces a report at most once (a one-to-one), so a second change goes on the newest."""
    if ImpactReport.objects.filter(replaces=report).exists():
        raise ValidationError(
            "A newer edition of this report exists: open it and change that one instead."
        )
    now = timezone.now()
    services = list(report.services.all())
    new = ImpactReport(
        title=title,
        period_start=report.period_start,
        period_end=report.period_end,
        introduction=introduction,
        suppress_small_numbers=suppress_small_numbers,
        requested_by=user,
        queued_at=now,
        edition=report.edition + 1,
        replaces=report,
    )
    new.full_clean(exclude=["services", "replaces"])
    new.save()
    new.services.set(services)
    CaseStudy.objects.bulk_create(
        CaseStudy(
            report=new,
            position=study.position,
            pseudonym=study.pseudonym,
            title=study.title,
            story=study.story,
            consent_recorded_on=study.consent_recorded_on,
            consent_recorded_by_id=study.consent_recorded_by_id,
            consent_note=study.consent_note,
        )
        for study in report.case_studies.all()
    )
    changed = {"suppress_small_numbers": [report.suppress_small_numbers, suppress_small_numbers]}
    ImpactReportEvent.objects.create(
        report=new,
        new_status=Status.QUEUED,
        at=now,
        note=f"edition {new.edition}, replacing report {report.pk}: suppression "
        + ("on" if suppress_small_numbers else "off"),
    )
    record_event_in_services(
        [service.pk for service in services],
        actor=user,
        action=AuditEvent.Action.EXPORT,
        obj=new,
        detail={
            "kind": "impact_report_new_edition",
            "replaces": report.pk,
            "edition": new.edition,
            "changed": changed,
        },
    )
    _enqueue(new.pk)
    return new


def impact_report_claim(*, report_id: int, worker_token: str) -> bool:
    """Takes the job for this attempt. True when the caller should build it.

    1. Lock the row, so two deliveries of the task cannot both claim it.
    2. Done, failed or missing: nothing to do (the task is idempotent by job id).
    3. Running: take it over only if this is the same message redelivered (the worker that had
       it died before acknowledging it) or its worker has stopped reporting; otherwise another
       worker is on it.
    4. Move to running, count the attempt, record the heartbeat.
    """
    now = timezone.now()
    with transaction.atomic():
        report = ImpactReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (Status.DONE, Status.FAILED):
            return False
        if report.status == Status.RUNNING:
            same_message = report.worker_token == worker_token
            stale = report.heartbeat_at is None or now - report.heartbeat_at > stale_after()
            if not (same_message or stale):
                return False
            set_status(report, Status.QUEUED, now=now, note="worker lost; taken over")
        if report.attempts >= MAX_ATTEMPTS:
            set_status(report, Status.FAILED, now=now, note="out of attempts")
            report.error = "The report could not be built after several attempts."
            report.finished_at = now
            report.save()
            return False
        set_status(report, Status.RUNNING, now=now, note=f"attempt {report.attempts + 1}")
        report.attempts += 1
        report.worker_token = worker_token
        report.started_at = report.heartbeat_at = now
        report.progress_step = 0
        report.progress_total = len(report_content.SECTIONS) + RENDER_STEPS
        report.progress_label = "Starting"
        report.error = ""
        report.save()
    return True


def _progress(report_id: int, worker_token: str, label: str) -> None:
    """Advances the progress bar and the heartbeat, only while this attempt holds the job."""
    updated = ImpactReport.objects.filter(
        pk=report_id, status=Status.RUNNING, worker_token=worker_token
    ).update(
        progress_step=F("progress_step") + 1,
        progress_label=label,
        heartbeat_at=timezone.now(),
    )
    if not updated:
        raise JobLost(report_id)


class JobLost(Exception):
    """Another attempt has taken the job over: this one stops without writing."""


class Heartbeat(threading.Thread):
    """Beats for one attempt every few seconds while it builds, from its own thread: the build
    spends most of its time in single long calls (the figures' queries, WeasyPrint's render)
    that cannot beat themselves. Each beat is a conditional update, so it stops as soon as
    another attempt holds the job; the build then finds out at its next step (JobLost)."""

    def __init__(self, *, report_id: int, worker_token: str):
        super().__init__(name=f"impact-report-heartbeat-{report_id}", daemon=True)
        self.report_id = report_id
        self.worker_token = worker_token
        self._stopped = threading.Event()

    def run(self):
        try:
            while not self._stopped.wait(_heartbeat_seconds()):
                beat = ImpactReport.objects.filter(
                    pk=self.report_id, status=Status.RUNNING, worker_token=self.worker_token
                ).update(heartbeat_at=timezone.now())
                if not beat:
                    return
        except Exception:
            # A failed beat must not kill the worker: a missed minute only means a requeue,
            # and the requeued attempt cannot store a second PDF (see impact_report_build).
            logger.exception("impact report %s: heartbeat failed", self.report_id)
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self._stopped.set()
        self.join(timeout=5)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()


def impact_report_build(*, report_id: int, worker_token: str) -> None:
    """Builds the figures, the PDF and stores it. Runs in the worker, outside a transaction:
    progress must be visible while it works; a Heartbeat thread beats throughout."""
    with Heartbeat(report_id=report_id, worker_token=worker_token):
        _build(report_id=report_id, worker_token=worker_token)


def _build(*, report_id: int, worker_token: str) -> None:
    from .render import render_pdf, suppression_threshold

    started = time.monotonic()
    report = ImpactReport.objects.get(pk=report_id)
    service_ids = tuple(report.services.order_by("pk").values_list("pk", flat=True))
    figures = report_content.build_content(
        period=Period(report.period_start, report.period_end),
        service_ids=service_ids,
        title=report.title,
        on_section=lambda label: _progress(report_id, worker_token, label),
        attribution_percent=report.attribution_percent,
    )
    # Stored with the figures: the XLSX made from them later suppresses as this PDF does.
    figures["suppress_below"] = suppression_threshold(report)
    _progress(report_id, worker_token, "Laying out the PDF")
    pdf_bytes, pages = render_pdf(report, figures)
    _progress(report_id, worker_token, "Storing the PDF")
    with transaction.atomic():
        # Only the attempt that still holds the job stores its PDF: an attempt that was
        # requeued while alive (a stalled beat) finds another token here and stops.
        report = ImpactReport.objects.select_for_update().get(pk=report_id)
        if report.status != Status.RUNNING or report.worker_token != worker_token:
            raise JobLost(report_id)
        # Through the storage API only (the file system or an S3-compatible bucket). The files
        # are outside the transaction: the old PDF goes once the row naming the new one is
        # committed, and the new one goes at once if that row is not written.
        storage = report.pdf.storage
        old_file = report.pdf.name
        report.pdf.save("report.pdf", ContentFile(pdf_bytes), save=False)
        try:
            report.figures = figures
            report.pdf_bytes = len(pdf_bytes)
            report.page_count = pages
            report.build_seconds = time.monotonic() - started
            report.finished_at = timezone.now()
            report.progress_label = "Done"
            set_status(report, Status.DONE, note=f"{pages} pages")
            report.save()
        except BaseException:
            storage.delete(report.pdf.name)
            raise
        if old_file:
            # Robust: the new PDF is stored and recorded; a store that fails to delete the old
            # one (aggregates only) is logged, not turned into a failed build.
            transaction.on_commit(lambda: storage.delete(old_file), robust=True)
        if report.schedule_key:
            transaction.on_commit(lambda: impact_report_notify(report_id=report_id))
    logger.info("impact report %s built: %s pages in %.1fs", report_id, pages, report.build_seconds)


@transaction.atomic
def impact_report_attempt_failed(
    *, report_id: int, worker_token: str, will_retry: bool, error: str
) -> None:
    """Records a failed attempt: back to queued for the retry, or failed for good."""
    report = ImpactReport.objects.select_for_update().get(pk=report_id)
    if report.status != Status.RUNNING or report.worker_token != worker_token:
        return
    now = timezone.now()
    # The error's type only: a message could quote data.
    report.error = error[:300]
    if will_retry and report.attempts < MAX_ATTEMPTS:
        set_status(report, Status.QUEUED, now=now, note=f"retry after {error}"[:300])
        report.queued_at = now
    else:
        set_status(report, Status.FAILED, now=now, note=error)
        report.finished_at = now
    report.progress_label = ""
    report.save()


def impact_reports_requeue_stale(now=None) -> list[int]:
    """The sweep (beat, every minute): a running job whose worker stopped heartbeating, or a
    queued job whose message was lost, goes back on the queue; out of attempts, it fails.
    Locked rows are skipped: a worker that holds one is alive."""
    now = now or timezone.now()
    requeued = []
    with transaction.atomic():
        stale = stale_impact_reports(now).select_for_update(skip_locked=True).order_by("pk")
        for report in stale:
            if report.attempts >= MAX_ATTEMPTS:
                set_status(report, Status.FAILED, now=now, note="out of attempts (sweep)")
                report.error = "The report could not be built after several attempts."
                report.finished_at = now
            else:
                if report.status == Status.RUNNING:
                    set_status(report, Status.QUEUED, now=now, note="worker lost (sweep)")
                report.queued_at = now
                report.worker_token = ""
                requeued.append(report.pk)
                _enqueue(report.pk)
            report.save()
    return requeued


@transaction.atomic
def impact_reports_schedule_quarter(today: datetime.date | None = None) -> list[int]:
    """Last quarter's report for every active service, once (the schedule key is unique)."""
    today = today or timezone.localdate()
    period = last_complete_quarter(today)
    created = []
    now = timezone.now()
    for service in Service.objects.filter(is_active=True).order_by("pk"):
        key = f"quarterly:{service.pk}:{period.start.isoformat()}"
        report, is_new = ImpactReport.objects.get_or_create(
            schedule_key=key,
            defaults={
                "title": f"{service.name} impact report",
                "period_start": period.start,
                "period_end": period.end,
                "queued_at": now,
            },
        )
        if not is_new:
            continue
        report.services.set([service])
        ImpactReportEvent.objects.create(
            report=report, new_status=Status.QUEUED, at=now, note="scheduled"
        )
        created.append(report.pk)
        _enqueue(report.pk)
    return created


def impact_report_notify(*, report_id: int) -> int:
    """E-mails the services' managers a link to the finished report: no figures, no names."""
    with transaction.atomic():
        report = ImpactReport.objects.select_for_update().get(pk=report_id)
        if report.notified_at is not None or report.status != Status.DONE:
            return 0
        report.notified_at = timezone.now()
        report.save(update_fields=["notified_at", "updated_at"])
        recipients = set()
        for service in report.services.all():
            recipients |= {
                user.email for user in access.users_with(access.Capability.RUN_REPORTS, service)
            }
    link = settings.LANTERN_BASE_URL.rstrip("/") + reverse(
        "reporting:impact_detail", kwargs={"pk": report_id}
    )
    for email in sorted(recipients):
        send_mail(
            "Your quarterly impact report is ready",
            "A quarterly impact report has been built in Lantern and is ready to download.\n\n"
            f"Sign in to see it: {link}\n",
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    return len(recipients)


@transaction.atomic
def case_study_save(
    *, user, report: ImpactReport, study: CaseStudy | None, data: dict, consent_given: bool
) -> CaseStudy:
    """Adds or edits a case study. Consent is recorded by the user who ticks it, today."""
    if study is None:
        used = set(report.case_studies.values_list("position", flat=True))
        free = [n for n in range(1, MAX_CASE_STUDIES + 1) if n not in used]
        if not free:
            raise ValueError(f"A report has at most {MAX_CASE_STUDIES} case studies.")
        study = CaseStudy(report=report, position=free[0])
    for field in ("pseudonym", "title", "story", "consent_note"):
        setattr(study, field, data.get(field, ""))
    if consent_given and study.consent_recorded_on is None:
        study.consent_recorded_on = timezone.localdate()
        study.consent_recorded_by = user
    elif not consent_given:
        study.consent_recorded_on = None
        study.consent_recorded_by = None
    study.full_clean()
    study.save()
    return study


def sync_default_unit_costs() -> None:
    """Seed 000's unit costs (CAADA's costs of a high-risk victim, NICE's A&E and ambulance
    costs), added when missing and never overwritten: admins edit them, and switch them off
    rather than delete them. CAADA's rows count the contacts of one high-risk victim, so each is
    counted for every client high risk at intake whose risk fell; the two NICE costs are off
    until an admin chooses what they count. Runs after every migrate (and test-database flush)."""
    from catalogue.impact import SEED_VALUE_EXAMPLE, UNIT_COSTS

    contacts = {row.key: row.contacts for row in SEED_VALUE_EXAMPLE}
    existing = set(UnitCost.objects.filter(provider=None).values_list("key", flat=True))
    UnitCost.objects.bulk_create(
        UnitCost(
            key=cost.key,
            label=cost.label,
            pence=cost.pence,
            unit=cost.unit,
            source=cost.source,
            price_year=cost.price_year or "",
            measure=(
                UnitCost.Measure.HIGH_RISK_REDUCED
                if cost.key in contacts
                else UnitCost.Measure.ABUSE_CEASED
            ),
            quantity=contacts.get(cost.key, 1),
            position=position,
            is_active=cost.key in contacts,
        )
        for position, cost in enumerate(UNIT_COSTS, start=1)
        if cost.key not in existing
    )
