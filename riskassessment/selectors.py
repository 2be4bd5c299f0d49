"""Reads for risk assessment and MARAC, always through the signed-in user's scope.

Assessments and MARAC rows are case data: they are reached through cases.selectors, so a row of a
case the user may not see answers 404 exactly like a row that does not exist.
"""

import datetime
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from accounts import access, lookup
from accounts.audit import record_event
from accounts.models import AuditEvent, Marac, Service
from cases.models import Case, RiskLevel
from cases.selectors import cases_visible_to, references_shown_to, require_case_capability
from catalogue.marac import REPEAT_MARAC_WINDOW_MONTHS

from .filters import MeetingFilter
from .models import (
    Assessment,
    Checklist,
    ChecklistVersion,
    MaracAction,
    MaracHearing,
    MaracMeeting,
    MaracReferral,
    RiskDecision,
)
from .scoring import latest_submitted_value

# --- Checklists ------------------------------------------------------------------------------


def published_versions(*, follow_ups: bool = False) -> QuerySet[ChecklistVersion]:
    return (
        ChecklistVersion.objects.published()
        .filter(checklist__is_follow_up=follow_ups)
        .select_related("checklist")
        .order_by("checklist__name", "-number")
    )


def published_version_of(checklist: Checklist) -> ChecklistVersion | None:
    return checklist.versions.published().order_by("-number").first()


def versions_for_admin() -> QuerySet[ChecklistVersion]:
    return ChecklistVersion.objects.select_related("checklist").order_by(
        "checklist__name", "-number"
    )


# --- Assessments -----------------------------------------------------------------------------


def assessments_visible_to(user, capability=access.Capability.VIEW_CASES) -> QuerySet[Assessment]:
    return Assessment.objects.filter(case__in=cases_visible_to(user, capability))


def assessment_get_for_user(
    user, pk, *, capability=access.Capability.VIEW_CASES, read: lookup.Read = False
) -> Assessment:
    """The assessment if the user may see its case; otherwise 404, audited like a case.
    `read`: the page shows it, and its view is audited here."""
    assessment = lookup.get_in_scope(
        assessments_visible_to(user, capability).select_related(
            "case__client", "case__service", "version__checklist", "assessor"
        ),
        pk,
        user=user,
        capability=capability,
    )
    lookup.record_read(
        user,
        assessment,
        read=read,
        service_id=assessment.case.service_id,
        case_id=assessment.case_id,
    )
    return assessment


def assessment_get_for_editing(user, pk, *, read: lookup.Read = False) -> Assessment:
    """The assessment for its edit page: 404 outside the user's scope, 403 (audited) for a user
    who may only read its case. `read`: the form shows it, and its view is audited here, unless
    it was submitted (the page then sends the person to the submitted assessment instead)."""
    assessment = assessment_get_for_user(user, pk)
    require_case_capability(user, assessment.case)
    if not assessment.is_submitted:
        lookup.record_read(
            user,
            assessment,
            read=read,
            service_id=assessment.case.service_id,
            case_id=assessment.case_id,
        )
    return assessment


def answers_for(assessment: Assessment):
    """The answers with their questions and options: three queries whatever the length."""
    return list(
        assessment.answers.select_related("question__opens_checklist", "option")
        .prefetch_related("question__options")
        .order_by("question__order", "question__number")
    )


def assessments_for_case(case: Case) -> QuerySet[Assessment]:
    return case.risk_assessments.select_related("version__checklist", "assessor").order_by(
        "-assessed_on", "-pk"
    )


def risk_decisions_for_case(case: Case) -> QuerySet[RiskDecision]:
    """The case's reasoned decisions to lower its risk, newest first."""
    return case.risk_decisions.select_related("decided_by")


def can_lower_risk(user, case: Case) -> bool:
    """Whether the user may record a reasoned decision to lower the case's risk: a team leader
    of its service (access.Capability.LOWER_RISK)."""
    return access.can(user, access.Capability.LOWER_RISK, case.service_id)


def follow_ups_opened(answers) -> list:
    """The follow-up checklists this assessment's answers opened (a tick on a question that
    opens one), each once."""
    opened = []
    for answer in answers:
        checklist = answer.question.opens_checklist
        ticked = answer.option is not None and answer.option.counts_as_tick
        if checklist and ticked and checklist not in opened:
            opened.append(checklist)
    return opened


def with_dash_change(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotates `dash_intake` (the latest submitted intake DASH score; a second intake assessment
    supersedes the first, as in the Insights tables), `dash_exit` (the latest submitted exit DASH
    score) and `dash_change` (exit minus intake; negative means fewer ticks)
    on each case, in one query: "change in Dash score between intake and exit" for reports.
    Cases without both have None."""
    return cases.annotate(
        dash_intake=latest_submitted_value("score", stage=Assessment.Stage.INTAKE, dash=True),
        dash_exit=latest_submitted_value("score", stage=Assessment.Stage.EXIT, dash=True),
    ).annotate(dash_change=F("dash_exit") - F("dash_intake"))


def dash_change_between_intake_and_exit(cases: QuerySet[Case]) -> dict[int, dict]:
    """{case_id: {"intake": n, "exit": n, "change": n}} for cases with both scores."""
    rows = (
        with_dash_change(cases)
        .filter(dash_intake__isnull=False, dash_exit__isnull=False)
        .values("pk", "dash_intake", "dash_exit", "dash_change")
    )
    return {
        row["pk"]: {
            "intake": row["dash_intake"],
            "exit": row["dash_exit"],
            "change": row["dash_change"],
        }
        for row in rows
    }


# --- MARAC -----------------------------------------------------------------------------------


def earlier_referral_within_window(
    *, client_id: int, on_date: datetime.date, exclude_pk=None
) -> MaracReferral | None:
    """The client's latest MARAC referral (from any case, by any agency) in the 12 months up to
    `on_date`: a referral on `on_date` makes a repeat of it. A referral exactly 12 months earlier
    still counts; one day more does not."""
    since = on_date - relativedelta(months=REPEAT_MARAC_WINDOW_MONTHS)
    earlier = MaracReferral.objects.filter(
        case__client_id=client_id, referred_on__gte=since, referred_on__lte=on_date
    )
    if exclude_pk is not None:
        earlier = earlier.exclude(pk=exclude_pk)
    return earlier.order_by("-referred_on", "-pk").first()


def hearing_facts_from_case(case: Case, on_date: datetime.date) -> dict:
    """What the case record already says about the MARAC partnership's counts (seed 004), as
    the starting values of a hearing's facts; the coordinator corrects them at the meeting.
    Only facts the record states are filled: anything else stays None (not known).

    1. Pregnancy and disability: the client's record ("Yes" / "No"; other answers unknown).
    2. Victim over 65: 65 or older on the meeting day, if the date of birth is known.
    3. Children in the household: the case's children who live with the client or the
       perpetrator (those in care, with other family or on their own are not in it).
    4. Alcohol, drugs, mental health: the primary perpetrator's recorded needs.
    Coercive control is not on the case record: the coordinator records it.
    """
    from cases.models import ChildInCase

    def yes_no(value):
        return {"Yes": True, "No": False}.get(value)

    client = case.client
    facts = dict.fromkeys(MaracHearing.FACT_FIELDS)
    facts["pregnancy"] = yes_no(client.pregnant)
    facts["disability"] = yes_no(client.disability)
    if client.date_of_birth:
        facts["victim_over_65"] = relativedelta(on_date, client.date_of_birth).years >= 65
    in_household = (
        ChildInCase.LivesWith.CLIENT,
        ChildInCase.LivesWith.PERPETRATOR,
        ChildInCase.LivesWith.BOTH,
    )
    children = list(case.children.values_list("lives_with", flat=True))
    if children:
        facts["children_in_household"] = sum(1 for lives in children if lives in in_household)
    perpetrator = case.perpetrators.filter(is_primary=True).first()
    if perpetrator is not None:
        facts["alcohol"] = yes_no(perpetrator.need_alcohol)
        facts["drugs"] = yes_no(perpetrator.need_drugs)
        facts["mental_health"] = yes_no(perpetrator.need_mental_health)
    return facts


def referrals_for_case(case: Case) -> QuerySet[MaracReferral]:
    return case.marac_referrals.select_related("referring_agency", "referred_by")


def latest_referral_of(case: Case) -> MaracReferral | None:
    """The case's latest MARAC referral (when and whether a repeat: nothing it links to)."""
    return case.marac_referrals.only("case_id", "referred_on", "is_repeat").first()


def _actions_with_agency():
    return Prefetch("actions", queryset=MaracAction.objects.select_related("agency"))


def hearings_for_case(case: Case) -> list[MaracHearing]:
    """The case's hearings with their actions: two queries."""
    return list(
        case.marac_hearings.select_related("meeting__marac").prefetch_related(
            _actions_with_agency()
        )
    )


def marac_ids_for(user) -> set[int]:
    """The MARACs a coordinator runs: the active MARACs their services belong to. Only
    Service.marac counts, which a service's own admin cannot set (accounts.admin)."""
    service_ids = access.service_ids_with(user, access.Capability.MANAGE_MARAC)
    if not service_ids:
        return set()
    return set(
        Service.objects.filter(pk__in=service_ids, marac__is_active=True).values_list(
            "marac_id", flat=True
        )
    )


def maracs_for(user) -> QuerySet[Marac]:
    return Marac.objects.filter(pk__in=marac_ids_for(user))


def meetings_visible_to(user) -> QuerySet[MaracMeeting]:
    return MaracMeeting.objects.filter(marac_id__in=marac_ids_for(user)).select_related("marac")


def meeting_get_for_user(user, pk) -> MaracMeeting:
    """A meeting of a MARAC the user coordinates; otherwise 404, audited. A meeting belongs to
    no service, so a refusal is recorded in the user's own (accounts.lookup)."""
    return lookup.get_in_scope(meetings_visible_to(user), pk, user=user, case=None, service=None)


MEETING_LIST_LIMIT = 200


def meeting_list_for(user, params) -> tuple[MeetingFilter, QuerySet[MaracMeeting]]:
    """The coordinator's meetings, latest first (at most MEETING_LIST_LIMIT), narrowed by the
    query string's filters (riskassessment.filters.MeetingFilter), each with `hearing_count`
    and `repeat_count` counted in the database. Filters that do not validate list nothing (the
    page shows why). The list names no case, so it is not audited as a read of one."""
    meetings = meetings_visible_to(user).annotate(
        hearing_count=Count("hearings", distinct=True),
        repeat_count=Count("hearings", filter=Q(hearings__is_repeat=True), distinct=True),
    )
    filters = MeetingFilter(params, queryset=meetings, maracs=maracs_for(user))
    listed = filters.qs if filters.is_valid() else meetings.none()
    return filters, listed.order_by("-held_on", "marac__name")[:MEETING_LIST_LIMIT]


def hearings_for_meeting(user, meeting: MaracMeeting) -> list[MaracHearing]:
    """The meeting page's hearings with their actions, each with `case_name` (as
    `marac_case_names` names it for this user), and the page's read audited here.

    The page shows each heard case's outcome and actions: one VIEW event of the meeting per
    page, in each service whose cases it shows (so that each service's managers see it), naming
    those cases by id only. A meeting with no hearings shows no case data and is not audited.
    """
    hearings = list(
        meeting.hearings.select_related("case__service", "referral__referring_agency")
        .prefetch_related(_actions_with_agency())
        .order_by("pk")
    )
    names = marac_case_names(user, [hearing.case_id for hearing in hearings])
    shown: dict[int, list[int]] = defaultdict(list)
    for hearing in hearings:
        hearing.case_name = names[hearing.case_id]
        shown[hearing.case.service_id].append(hearing.case_id)
    for service_id, case_ids in shown.items():
        record_event(
            actor=user,
            action=AuditEvent.Action.VIEW,
            service=service_id,
            obj=meeting,
            detail={"page": "marac meeting", "cases": sorted(set(case_ids))},
        )
    return hearings


RESTRICTED_CASE = "Restricted case"


def marac_case_names(user, case_ids) -> dict[int, str]:
    """How a MARAC page names each case for this user: "Case <reference>", or "Restricted case" for
    a restricted case the user is not named on. The coordinator still runs its hearing (the
    MARAC must hear it) but does not learn which case it is."""
    return {
        case_id: f"Case {reference}" if reference else RESTRICTED_CASE
        for case_id, reference in references_shown_to(user, case_ids).items()
    }


def referrals_awaiting_hearing(meeting: MaracMeeting) -> QuerySet[MaracReferral]:
    """Referrals from cases of the meeting's MARAC's services not yet heard at any meeting."""
    return (
        MaracReferral.objects.filter(case__service__marac_id=meeting.marac_id)
        .filter(~Exists(MaracHearing.objects.filter(referral_id=OuterRef("pk"))))
        .select_related("case")
        .order_by("referred_on", "pk")
    )


def hearing_get_for_user(user, pk) -> MaracHearing:
    """A hearing at a meeting of a MARAC the user coordinates; otherwise 404, audited."""
    return lookup.get_in_scope(
        MaracHearing.objects.filter(meeting__marac_id__in=marac_ids_for(user)).select_related(
            "meeting", "case__service"
        ),
        pk,
        user=user,
        capability=access.Capability.MANAGE_MARAC,
    )


def action_get_for_user(user, pk) -> MaracAction:
    """An action the user may mark done: as the MARAC's coordinator or an editor of the case;
    otherwise 404, audited."""
    editable_cases = cases_visible_to(user, access.Capability.EDIT_CASES)
    return lookup.get_in_scope(
        MaracAction.objects.filter(
            Q(hearing__meeting__marac_id__in=marac_ids_for(user)) | Q(case__in=editable_cases)
        ).select_related("hearing__meeting", "case"),
        pk,
        user=user,
        capability=access.Capability.EDIT_CASES,
    )


# --- Dashboard prompts -----------------------------------------------------------------------

PROMPT_LIMIT = 50


def high_risk_without_referral(cases: QuerySet[Case], *, now) -> QuerySet[Assessment]:
    """Submitted high-risk assessments of open cases, submitted over 48 hours ago, with no MARAC
    referral of the case on or after the assessment date."""
    referral_since = MaracReferral.objects.filter(
        case_id=OuterRef("case_id"), referred_on__gte=OuterRef("assessed_on")
    )
    return (
        Assessment.objects.filter(
            case__in=cases.filter(status=Case.Status.OPEN),
            status=Assessment.Status.SUBMITTED,
            risk_level=RiskLevel.HIGH,
            # The main checklist's level is the case's; a follow-up screen's is not.
            version__checklist__is_follow_up=False,
            submitted_at__lte=now - datetime.timedelta(hours=48),
            superseded_by__isnull=True,
        )
        .filter(~Exists(referral_since))
        .select_related("case")
        .order_by("submitted_at")[:PROMPT_LIMIT]
    )


def high_risk_without_contact(cases: QuerySet[Case], *, now) -> QuerySet[Case]:
    """Open high-risk cases, opened more than 7 days ago, with no successful contact in the
    last 7 days."""
    from cases.models import Contact

    since = now - datetime.timedelta(days=7)
    recent = Contact.objects.filter(
        case_id=OuterRef("pk"), outcome="successful", occurred_at__gte=since
    )
    return (
        cases.filter(status=Case.Status.OPEN, risk_level=RiskLevel.HIGH)
        .filter(~Exists(recent), opened_on__lte=since.date())
        .order_by("opened_on")[:PROMPT_LIMIT]
    )
