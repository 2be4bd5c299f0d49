"""What has reached its retention date in a service, and why; what is held back by a legal
hold; and the service's review list. The dates are worked out in the database (the latest
contact and closure of each client, the triage of each referral, the last edit of each draft):
only the records found due are read into Python, to word their reasons.

A record is left out of what is due when a manager excluded it (until its review-again day,
if they gave one) or when its erasure has been applied already.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts import access
from accounts.models import Service
from accounts.retention import retention_sources
from cases.models import Case, Client, Contact
from outcomes.models import FormStatus
from outcomes.services import KIND_TITLES, KINDS
from referrals.models import Referral
from riskassessment.models import Assessment

from ..models import ClientErasure, LegalHold, RetentionReview, RetentionReviewItem
from .schedule import Periods, add_months, add_years, in_words, periods_for

Kind = RetentionReviewItem.Kind
Decision = RetentionReviewItem.Decision


def day(value: datetime.date) -> str:
    return date_format(value, "j M Y")


@dataclass(frozen=True)
class DueRecord:
    """One record due (or held back): what it is, by reference, and why."""

    kind: str
    model_label: str
    object_pk: int
    reference: str
    reason: str
    due_on: datetime.date
    held_because: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return self.model_label, self.object_pk


@dataclass
class DueList:
    due: list[DueRecord] = field(default_factory=list)
    held: list[DueRecord] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys(Kind.values, 0)
        for record in self.due:
            counted[record.kind] += 1
        return counted


def _label(model) -> str:
    return model._meta.label_lower


def _already_decided(model, today: datetime.date) -> Exists:
    """The record has an item a manager excluded (and not yet to be reviewed again), or whose
    erasure was applied: the run lists it no more."""
    return Exists(
        RetentionReviewItem.objects.filter(
            model_label=_label(model), object_pk=OuterRef("pk")
        ).filter(
            Q(applied_at__isnull=False)
            | Q(decision=Decision.EXCLUDED, review_again_on__isnull=True)
            | Q(decision=Decision.EXCLUDED, review_again_on__gt=today)
        )
    )


def _active_holds_by_case(case_filter: Q) -> dict[int, LegalHold]:
    """The newest active hold of each case matching `case_filter`, keyed by case id."""
    holds = {}
    for hold in (
        LegalHold.objects.filter(case_filter, lifted_on__isnull=True)
        .select_related("case")
        .order_by("placed_on", "pk")
    ):
        holds[hold.case_id] = hold
    return holds


def _hold_words(hold: LegalHold) -> str:
    why = hold.get_reason_display()
    return f"Legal hold since {day(hold.placed_on)}: {why}"


def _start_of_day_after(value: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(value + datetime.timedelta(days=1), datetime.time.min)
    )


# --- Client records ---------------------------------------------------------------------------


def client_records_due(
    service: Service, today: datetime.date, periods: Periods, only=None
) -> DueList:
    """Clients first recorded by `service` (the service whose managers answer for the record)
    with every case closed, whose later of last contact and last closure is at least the
    period ago. A client with a case on legal hold is listed as held, not due."""
    if only is not None and only[0] != _label(Client):
        return DueList()
    years = periods.client_record_years
    cutoff = add_years(today, -years)
    cases = Case.objects.filter(client=OuterRef("pk"))
    clients = (
        # A stub (erased already, by this run or on request) holds nothing left to erase.
        Client.objects.filter(service=service, merged_into__isnull=True, erased_on__isnull=True)
        .annotate(
            case_count=Count("cases"),
            last_closed=Subquery(
                cases.filter(closed_on__isnull=False).order_by("-closed_on").values("closed_on")[:1]
            ),
            last_contact=Subquery(
                Contact.objects.filter(case__client=OuterRef("pk"))
                .order_by("-occurred_at")
                .values("occurred_at")[:1]
            ),
            on_hold=Exists(
                LegalHold.objects.filter(case__client=OuterRef("pk"), lifted_on__isnull=True)
            ),
        )
        .filter(case_count__gt=0, last_closed__lte=cutoff)
        # Open cases are never due; nor is anyone seen since the cutoff.
        .exclude(Exists(cases.exclude(status=Case.Status.CLOSED)))
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lt=_start_of_day_after(cutoff)))
        .exclude(_already_decided(Client, today))
        .order_by("pk")
    )
    if only is not None:
        clients = clients.filter(pk=only[1])
    found = DueList()
    rows = list(clients.values("pk", "last_closed", "last_contact", "on_hold"))
    if not rows:
        return found
    latest_case = {}
    for case in (
        Case.objects.filter(client_id__in=[row["pk"] for row in rows])
        .order_by("client_id", "-closed_on", "-pk")
        .values("client_id", "pk", "reference", "closed_on")
    ):
        latest_case.setdefault(case["client_id"], case)
    holds = _active_holds_by_case(Q(case__client_id__in=[r["pk"] for r in rows if r["on_hold"]]))
    held_by_client = {}
    for hold in holds.values():
        held_by_client[hold.case.client_id] = hold
    for row in rows:
        closed = row["last_closed"]
        contact = timezone.localdate(row["last_contact"]) if row["last_contact"] else None
        basis = max(closed, contact) if contact else closed
        due_on = add_years(basis, years)
        if due_on > today:
            continue
        seen = f"last contact {day(contact)}, " if contact else "no contact recorded, "
        reason = (
            f"{seen}case closed {day(closed)}: {in_words(years, 'year')} passed on {day(due_on)}"
        )
        record = DueRecord(
            kind=Kind.CLIENT,
            model_label=_label(Client),
            object_pk=row["pk"],
            reference=f"Client of case {latest_case[row['pk']]['reference']}",
            reason=reason[0].upper() + reason[1:],
            due_on=due_on,
            held_because=_hold_words(held_by_client[row["pk"]]) if row["on_hold"] else "",
        )
        (found.held if row["on_hold"] else found.due).append(record)
    return found


# --- Referrals that never became a case -------------------------------------------------------

NEVER_A_CASE = Q(case__isnull=True) & ~Q(
    triage__in=[Referral.Triage.PENDING, Referral.Triage.ACCEPTED]
)


def referrals_due(service: Service, today: datetime.date, periods: Periods, only=None) -> DueList:
    """Referrals to `service` triaged without becoming a case, the period after triage. Held
    when the client has a case on legal hold (erasing the referral may reach the client)."""
    if only is not None and only[0] != _label(Referral):
        return DueList()
    weeks = periods.referral_weeks
    cutoff = today - datetime.timedelta(weeks=weeks)
    referrals = (
        Referral.objects.filter(NEVER_A_CASE, service=service, client__erased_on__isnull=True)
        .filter(triaged_at__lt=_start_of_day_after(cutoff))
        .exclude(
            pk__in=ClientErasure.objects.filter(referral_id__isnull=False).values("referral_id")
        )
        .annotate(
            on_hold=Exists(
                LegalHold.objects.filter(case__client=OuterRef("client_id"), lifted_on__isnull=True)
            )
        )
        .exclude(_already_decided(Referral, today))
        .order_by("triaged_at", "pk")
    )
    if only is not None:
        referrals = referrals.filter(pk=only[1])
    found = DueList()
    rows = list(referrals.values("pk", "reference", "triage", "triaged_at", "client_id", "on_hold"))
    held_clients = [row["client_id"] for row in rows if row["on_hold"]]
    held_by_client = {}
    for hold in _active_holds_by_case(Q(case__client_id__in=held_clients)).values():
        held_by_client[hold.case.client_id] = hold
    triage_labels = dict(Referral.Triage.choices)
    for row in rows:
        triaged = timezone.localdate(row["triaged_at"])
        due_on = triaged + datetime.timedelta(weeks=weeks)
        if due_on > today:
            continue
        record = DueRecord(
            kind=Kind.REFERRAL,
            model_label=_label(Referral),
            object_pk=row["pk"],
            reference=f"Referral {row['reference']}",
            reason=f"Triaged {day(triaged)} ({triage_labels[row['triage']]}), never a case: "
            f"{in_words(weeks, 'week')} passed on {day(due_on)}",
            due_on=due_on,
            held_because=_hold_words(held_by_client[row["client_id"]]) if row["on_hold"] else "",
        )
        (found.held if row["on_hold"] else found.due).append(record)
    return found


# --- Abandoned drafts -------------------------------------------------------------------------


def draft_models() -> list[tuple[str, type, str]]:
    """(kind, model, title) of every draft the schedule reaches: the outcome forms and the
    risk assessments."""
    drafts = [(Kind.DRAFT_FORM, model, KIND_TITLES[key]) for key, (model, *_) in KINDS.items()]
    drafts.append((Kind.DRAFT_ASSESSMENT, Assessment, "Risk assessment"))
    return drafts


def _draft_status(model) -> str:
    return Assessment.Status.DRAFT if model is Assessment else FormStatus.DRAFT


def drafts_due(service: Service, today: datetime.date, periods: Periods, only=None) -> DueList:
    """Drafts on the service's cases not edited for the period. Held with their case."""
    months = periods.draft_months
    cutoff = add_months(today, -months)
    found = DueList()
    for kind, model, title in draft_models():
        if only is not None and only[0] != _label(model):
            continue
        drafts = (
            model.objects.filter(
                case__service=service,
                status=_draft_status(model),
                updated_at__lt=_start_of_day_after(cutoff),
            )
            .annotate(
                on_hold=Exists(
                    LegalHold.objects.filter(case_id=OuterRef("case_id"), lifted_on__isnull=True)
                )
            )
            .exclude(_already_decided(model, today))
            .order_by("updated_at", "pk")
        )
        if only is not None:
            drafts = drafts.filter(pk=only[1])
        rows = list(drafts.values("pk", "case_id", "case__reference", "updated_at", "on_hold"))
        holds = _active_holds_by_case(Q(case_id__in=[r["case_id"] for r in rows if r["on_hold"]]))
        for row in rows:
            edited = timezone.localdate(row["updated_at"])
            due_on = add_months(edited, months)
            if due_on > today:
                continue
            period = (
                in_words(months // 12, "year") if months % 12 == 0 else in_words(months, "month")
            )
            record = DueRecord(
                kind=kind,
                model_label=_label(model),
                object_pk=row["pk"],
                reference=f"{title} (draft) on case {row['case__reference']}",
                reason=f"Last edited {day(edited)}: {period} passed on {day(due_on)}",
                due_on=due_on,
                held_because=_hold_words(holds[row["case_id"]]) if row["on_hold"] else "",
            )
            (found.held if row["on_hold"] else found.due).append(record)
    return found


# --- Records other apps keep (accounts.retention) ---------------------------------------------


def registered_due(service: Service, today: datetime.date, periods: Periods, only=None) -> DueList:
    """What the apps registered with accounts.retention offer (impact reports), past their
    period in years. Not case data: no legal hold reaches them."""
    found = DueList()
    for source in retention_sources():
        if only is not None and only[0] != source.model_label:
            continue
        years = getattr(periods, source.period_field)
        decided = set(
            RetentionReviewItem.objects.filter(model_label=source.model_label)
            .filter(
                Q(applied_at__isnull=False)
                | Q(decision=Decision.EXCLUDED, review_again_on__isnull=True)
                | Q(decision=Decision.EXCLUDED, review_again_on__gt=today)
            )
            .values_list("object_pk", flat=True)
        )
        for candidate in source.candidates(service.pk, add_years(today, -years)):
            if candidate.pk in decided or (only is not None and candidate.pk != only[1]):
                continue
            due_on = add_years(candidate.counted_from, years)
            if due_on > today:
                continue
            found.due.append(
                DueRecord(
                    kind=source.kind,
                    model_label=source.model_label,
                    object_pk=candidate.pk,
                    reference=candidate.reference,
                    reason=f"{candidate.what} {day(candidate.counted_from)}: "
                    f"{in_words(years, 'year')} passed on {day(due_on)}",
                    due_on=due_on,
                )
            )
    return found


# --- Together ---------------------------------------------------------------------------------

DUE_SOURCES = (client_records_due, referrals_due, drafts_due, registered_due)


def retention_due(
    service: Service, *, today: datetime.date | None = None, only: tuple[str, int] | None = None
) -> DueList:
    """Everything of `service` due today under its schedule, each with its reason, and what a
    legal hold keeps back; with `only` (model label, pk), that one record alone."""
    today = today or timezone.localdate()
    periods = periods_for(service)
    everything = DueList()
    for source in DUE_SOURCES:
        found = source(service, today, periods, only)
        everything.due.extend(found.due)
        everything.held.extend(found.held)
    return everything


def record_still_due(item: RetentionReviewItem, *, today: datetime.date | None = None) -> str:
    """Why the item's record may not be erased now ("" when it may): checked again at the
    moment of erasure, with the same rules as the listing (a hold placed, a contact logged or
    a case reopened since approval stops it)."""
    due = retention_due(item.review.service, today=today, only=(item.model_label, item.object_pk))
    for record in due.held:
        if record.key == (item.model_label, item.object_pk):
            return record.held_because
    if any(record.key == (item.model_label, item.object_pk) for record in due.due):
        return ""
    return "No longer due (a case reopened or a contact since, or the record is gone)."


# --- The review list --------------------------------------------------------------------------


def services_reviewed_by(user) -> QuerySet[Service]:
    return access.services_with(user, access.Capability.REVIEW_RETENTION).order_by("name")


def review_of(service: Service) -> RetentionReview | None:
    return RetentionReview.objects.filter(service=service).first()


def review_items(review: RetentionReview) -> QuerySet[RetentionReviewItem]:
    return review.items.select_related("decided_by")


def counts_by_kind(items) -> list[tuple[str, int]]:
    """(kind's label, how many) for each kind, in the kinds' order, zeros included."""
    counted = dict.fromkeys(Kind.values, 0)
    for item in items:
        counted[item.kind] += 1
    return [(Kind(kind).label, count) for kind, count in counted.items()]


def pending_count(service_ids) -> int:
    return RetentionReviewItem.objects.filter(
        review__service_id__in=service_ids, decision=Decision.PENDING
    ).count()


def approved_not_applied(service_ids=None) -> QuerySet[RetentionReviewItem]:
    items = RetentionReviewItem.objects.filter(decision=Decision.APPROVED, applied_at__isnull=True)
    if service_ids is not None:
        items = items.filter(review__service_id__in=service_ids)
    return items.select_related("review__service", "decided_by").order_by("pk")
