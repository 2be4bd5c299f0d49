"""Counts the impact report needs that the Insights tables do not have: the referral funnel,
risk assessments by level, safety plans and reviews, and outputs (interventions, MARAC
referrals). Each is ONE aggregate query (COUNT ... FILTER) over the period and services, so the
number of queries never depends on the number of cases. Every Insights figure comes from
reporting.insights.report.build_report instead: nothing is counted twice."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts import access, lookup
from accounts.models import Service
from cases.models import RiskLevel
from referrals.models import Referral
from riskassessment.models import Assessment, MaracReferral
from support.models import Intervention, SafetyPlanVersion
from support.models.interventions import INTERVENTION_TYPES

from ..database import in_reporting_reads
from ..models import ImpactReport, UnitCost
from ..periods import Period

GROUP_PROGRAMMES = ("freedom_programme", "gateway_programme", "other_group_programme")
SAFEGUARDING_REFERRALS = ("childrens_safeguarding_referral", "adult_safeguarding_referral")


def _day_bounds(period: Period):
    start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


@in_reporting_reads
def referral_funnel(period: Period, service_ids) -> dict[str, int]:
    """Referrals received in the period, by what triage decided."""
    start, end = _day_bounds(period)
    triage = Referral.Triage
    return Referral.objects.filter(
        service_id__in=service_ids, received_at__gte=start, received_at__lt=end
    ).aggregate(
        referrals=Count("pk"),
        repeat=Count("pk", filter=Q(referral_status="Repeat to service")),
        accepted=Count("pk", filter=Q(triage=triage.ACCEPTED)),
        made_aware=Count("pk", filter=Q(triage=triage.MADE_AWARE)),
        declined=Count("pk", filter=Q(triage=triage.DECLINED)),
        unable_to_contact=Count("pk", filter=Q(triage=triage.UNABLE_TO_CONTACT)),
        signposted=Count("pk", filter=Q(triage=triage.SIGNPOSTED)),
        young_person=Count("pk", filter=Q(triage=triage.YOUNG_PERSON)),
        pending=Count("pk", filter=Q(triage=triage.PENDING)),
    )


@in_reporting_reads
def client_journey(period: Period, service_ids) -> dict[str, int]:
    """The referrals received in the period followed through the service, each step counting
    those that reached it from the step before, so the funnel never widens: referred; engaged
    (accepted at triage); risk assessed (a submitted assessment of the case it opened); a
    safety plan made for that case; the case closed. Later steps count what was recorded by the
    period's last day, so the same period gives the same funnel when it is run again."""
    start, end = _day_bounds(period)
    assessed = Exists(
        Assessment.objects.filter(
            case=OuterRef("case"),
            status=Assessment.Status.SUBMITTED,
            assessed_on__lte=period.end,
        )
    )
    planned = Exists(
        SafetyPlanVersion.objects.filter(plan__case=OuterRef("case"), reviewed_on__lte=period.end)
    )
    # Engaged as "What happened to each referral" counts it: accepted at triage.
    engaged = Q(triage=Referral.Triage.ACCEPTED)
    risk_assessed = engaged & Q(journey_assessed=True)
    safety_plan = risk_assessed & Q(journey_planned=True)
    closed = safety_plan & Q(case__closed_on__lte=period.end)
    return (
        Referral.objects.filter(
            service_id__in=service_ids, received_at__gte=start, received_at__lt=end
        )
        .annotate(journey_assessed=assessed, journey_planned=planned)
        .aggregate(
            referred=Count("pk"),
            engaged=Count("pk", filter=engaged),
            risk_assessed=Count("pk", filter=risk_assessed),
            safety_plan=Count("pk", filter=safety_plan),
            closed=Count("pk", filter=closed),
        )
    )


@in_reporting_reads
def risk_assessed_by_level(period: Period, service_ids) -> dict[str, int]:
    """Cases with a submitted risk assessment dated in the period, by the level it gave (a case
    assessed twice counts once per level it reached)."""
    rows = Assessment.objects.filter(
        case__service_id__in=service_ids,
        status=Assessment.Status.SUBMITTED,
        assessed_on__gte=period.start,
        assessed_on__lte=period.end,
    )
    counts = {"assessed": Count("case", distinct=True)}
    for level in RiskLevel:
        counts[level.value] = Count("case", distinct=True, filter=Q(risk_level=level.value))
    return rows.aggregate(**counts)


@in_reporting_reads
def safety_plans(period: Period, service_ids) -> dict[str, int]:
    """Safety plans made (first versions) and reviewed (later versions) in the period."""
    return SafetyPlanVersion.objects.filter(
        plan__case__service_id__in=service_ids,
        reviewed_on__gte=period.start,
        reviewed_on__lte=period.end,
    ).aggregate(
        plans=Count("pk", filter=Q(number=1)),
        reviews=Count("pk", filter=Q(number__gt=1)),
    )


@in_reporting_reads
def interventions_by_type(period: Period, service_ids) -> dict[str, int]:
    """Interventions dated in the period, per type (every type, zero when none)."""
    counts = {item.key: Count("pk", filter=Q(type=item.key)) for item in INTERVENTION_TYPES}
    return Intervention.objects.filter(
        case__service_id__in=service_ids,
        occurred_on__gte=period.start,
        occurred_on__lte=period.end,
    ).aggregate(**counts)


@in_reporting_reads
def marac_referrals(period: Period, service_ids) -> dict[str, int]:
    return MaracReferral.objects.filter(
        case__service_id__in=service_ids,
        referred_on__gte=period.start,
        referred_on__lte=period.end,
    ).aggregate(referrals=Count("pk"), repeat=Count("pk", filter=Q(is_repeat=True)))


@in_reporting_reads
def referrals_by_service(period: Period, service_ids) -> list[tuple[str, int]]:
    """Referrals received per service ("area / service" in the report), in name order."""
    start, end = _day_bounds(period)
    rows = (
        Referral.objects.filter(
            service_id__in=service_ids, received_at__gte=start, received_at__lt=end
        )
        .values("service__name")
        .annotate(count=Count("pk"))
        .order_by("service__name")
    )
    return [(row["service__name"], row["count"]) for row in rows]


def impact_reports_visible_to(user):
    """Reports whose every service is one the user runs reports for (a report covering a
    service the user cannot see is not theirs to see)."""
    allowed = access.service_ids_with(user, access.Capability.RUN_REPORTS)
    if not allowed:
        return ImpactReport.objects.none()
    return (
        ImpactReport.objects.filter(services__in=allowed)
        .exclude(services__in=Service.objects.exclude(pk__in=allowed))
        .distinct()
        .prefetch_related("services")
    )


def impact_report_get_for_user(user, pk) -> ImpactReport:
    """The report, or 404 (the same for missing and forbidden), through the one scoped lookup: a
    report of services the user may not report on is an audited refusal (in the user's own
    services: a report spans several)."""
    return lookup.get_in_scope(
        impact_reports_visible_to(user),
        pk,
        user=user,
        capability=access.Capability.RUN_REPORTS,
        case=None,
        service=None,
    )


def unit_costs_for(service_ids) -> list[UnitCost]:
    """The active unit costs of a report of these services, in order: the national defaults,
    each replaced by the services' provider's row of the same key where it has one, and that
    provider's own further rows. A report spanning providers uses the defaults alone."""
    provider_ids = set(
        Service.objects.filter(pk__in=service_ids).values_list("provider_id", flat=True)
    )
    if len(provider_ids) != 1:
        provider_ids = set()
    # One query whatever the services (the impact report's query count is fixed).
    rows, own = [], {}
    for cost in UnitCost.objects.filter(Q(provider=None) | Q(provider_id__in=provider_ids)):
        if cost.provider_id is None:
            rows.append(cost)
        else:
            own[cost.key] = cost
    rows = [own.pop(cost.key, cost) for cost in rows] + list(own.values())
    active = [cost for cost in rows if cost.is_active]
    return sorted(active, key=lambda cost: (cost.position, cost.label))


# --- The impact report jobs ----------------------------------------------------------------


def stale_after() -> datetime.timedelta:
    """A running job whose attempt has not heartbeaten for this long has lost its worker. A
    live attempt beats every HEARTBEAT seconds from its own thread, even inside WeasyPrint's
    one long render call, so a minute of silence means the worker is gone."""
    return datetime.timedelta(seconds=settings.IMPACT_REPORT_STALE_SECONDS)


def queued_stale_after() -> datetime.timedelta:
    """A queued job whose message was lost. Longer than a build's hard time limit: a job may
    wait that long behind another on a busy worker, and a second message would only queue."""
    return datetime.timedelta(seconds=settings.IMPACT_REPORT_QUEUED_STALE_SECONDS)


def stale_impact_reports(now=None):
    """The jobs the sweep takes back: running with a silent worker, or queued and never
    picked up. The one definition of a stuck job (the sweep and /healthz both use it)."""
    now = now or timezone.now()
    running_cutoff = now - stale_after()
    queued_cutoff = now - queued_stale_after()
    return ImpactReport.objects.filter(
        Q(status=ImpactReport.Status.RUNNING)
        & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=running_cutoff))
        | Q(status=ImpactReport.Status.QUEUED)
        & (Q(queued_at__isnull=True) | Q(queued_at__lt=queued_cutoff))
    )


SUPPRESSION_FIXED_MESSAGE = (
    "This report is built (or being built), so its suppression is fixed: changing it builds a "
    "new edition of the report, and this one and its PDF stay exactly as they are."
)


def suppression_is_fixed(report: ImpactReport) -> bool:
    """A report's suppression cannot change once it has a PDF or figures (its XLSX is made from
    them with the PDF's suppression) or while a worker builds it (the PDF would print the old
    one): a change builds a new edition instead (services.impact_report_new_edition)."""
    built = bool(report.pdf) or bool(report.figures)
    return built or report.status == ImpactReport.Status.RUNNING
