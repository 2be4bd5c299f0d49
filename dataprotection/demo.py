"""Demo data-rights work: in each demo service, a correction request waiting for its answer and
a case kept on legal hold, so the dashboard's reminder, the case page's panel and the pages
behind them have something to show. A second run adds nothing."""

import datetime

from django.utils import timezone

from accounts.models import Membership, Role
from cases.models import Case

from .models import LegalHold, RectificationRequest
from .services import legal_hold_place, rectification_record


def seed_demo_data_rights(*, services, stdout=None) -> None:
    today = timezone.localdate()
    added = 0
    for service in services.values():
        if RectificationRequest.objects.filter(case__service=service).exists():
            continue
        leader = (
            Membership.objects.filter(service=service, role=Role.TEAM_LEADER)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        cases = list(
            Case.objects.filter(service=service, status=Case.Status.OPEN, caseworker__isnull=False)
            .select_related("caseworker")
            .order_by("pk")[:2]
        )
        if leader is None or len(cases) < 2:
            continue
        first, second = cases
        rectification_record(
            actor=first.caseworker,
            case=first,
            received_on=today - datetime.timedelta(days=12),
            requested=(
                "The client says the date her partner moved out is wrong on the intake form, "
                "and asks for her previous address to be removed."
            ),
        )
        if not LegalHold.objects.filter(case=second, lifted_on__isnull=True).exists():
            legal_hold_place(
                actor=leader.user,
                case=second,
                reason=LegalHold.Reason.COURT,
                reason_note="Trial listed at the Crown Court: the file may be needed as evidence.",
                placed_on=today - datetime.timedelta(days=30),
            )
        added += 1
    if stdout is not None:
        stdout.write(f"Data rights: a correction request and a legal hold in {added} service(s).")
