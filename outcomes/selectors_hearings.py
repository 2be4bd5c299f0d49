"""Reads of court hearings, through the signed-in user's case scope, and what they add to the
case timeline and the diary (cases.extensions)."""

from django.urls import reverse

from accounts import lookup
from cases.extensions import DiaryEntry, TimelineItem
from cases.selectors import cases_visible_to, require_case_capability

from .models import CourtHearing


def hearing_get_for_user(user, pk, *, read: lookup.Read = False) -> CourtHearing:
    """The hearing if its case is visible to the user; otherwise 404, audited, as for one that
    does not exist. `read`: the page shows it, audited here."""
    hearing = lookup.get_in_scope(
        CourtHearing.objects.filter(case__in=cases_visible_to(user)).select_related(
            "case", "case__service", "case__client", "recorded_by"
        ),
        pk,
        user=user,
    )
    lookup.record_read(
        user, hearing, read=read, service_id=hearing.case.service_id, case_id=hearing.case_id
    )
    return hearing


def hearing_get_for_editing(user, pk, *, read: lookup.Read = False) -> CourtHearing:
    hearing = hearing_get_for_user(user, pk)
    require_case_capability(user, hearing.case)
    lookup.record_read(
        user, hearing, read=read, service_id=hearing.case.service_id, case_id=hearing.case_id
    )
    return hearing


def hearings_for_case(case):
    return case.court_hearings.order_by("-starts_at", "-pk")


def hearings_timeline(case, limit: int) -> list[TimelineItem]:
    """Timeline source: the case's newest hearings, at most `limit`, in one query."""
    return [
        TimelineItem(
            at=hearing.starts_at,
            kind="Court",
            title=hearing.get_kind_display(),
            detail="Bail conditions set" if hearing.bail_conditions else "",
            url=reverse("outcomes:hearing_detail", kwargs={"pk": hearing.pk}),
        )
        for hearing in case.court_hearings.order_by("-starts_at", "-pk").only(
            "case_id", "starts_at", "kind", "bail_conditions"
        )[:limit]
    ]


def hearings_diary_source(user, cases, start, end, caseworker_ids=None) -> list[DiaryEntry]:
    """Diary source: the hearings between start and end of the given cases (of the cases those
    caseworkers hold, when given); one query. Type and case reference only."""
    rows = CourtHearing.objects.filter(case__in=cases, starts_at__gte=start, starts_at__lt=end)
    if caseworker_ids is not None:
        rows = rows.filter(case__caseworker_id__in=caseworker_ids)
    return [
        DiaryEntry(
            at=row.starts_at,
            kind="Court",
            title=row.get_kind_display(),
            reference=row.case.reference,
            url=reverse("outcomes:hearing_detail", kwargs={"pk": row.pk}),
            caseworker_id=row.case.caseworker_id,
        )
        for row in rows.select_related("case").only(
            "case_id", "starts_at", "kind", "case__reference", "case__caseworker_id"
        )
    ]
