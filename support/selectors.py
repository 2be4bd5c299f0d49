"""Reads of safety plans, support by area of need and interventions, always through the signed-in
user's scope (cases.selectors), the assessments a plan can answer, and the Safety in Numbers
count of different interventions (one database expression, which the reporting app uses too)."""

import datetime
import functools
import re
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.db.models import Case as Choose
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format

from accounts import access, lookup
from accounts.models import AuditEvent
from cases.models import Case, Option
from cases.selectors import cases_visible_to, require_case_capability
from catalogue.safety_in_numbers import INTERVENTION_BANDS
from riskassessment.models import MaracReferral
from riskassessment.scoring import latest_submitted

from .models import AreaSupport, Intervention, SafetyPlan, SafetyPlanVersion
from .models.areas import SupportArea
from .models.interventions import INTERVENTION_TYPES, MARAC_REFERRAL

# --- Scoped lookups -----------------------------------------------------------------------------


def plan_get_for_user(user, pk, *, capability=access.Capability.VIEW_CASES) -> SafetyPlan:
    """The plan if its case is visible to the user (with `capability`); otherwise 404, audited,
    exactly as for a plan that does not exist."""
    return lookup.get_in_scope(
        SafetyPlan.objects.filter(case__in=cases_visible_to(user, capability)).select_related(
            "case", "case__service", "case__client"
        ),
        pk,
        user=user,
        capability=capability,
    )


def intervention_get_for_user(user, pk, *, capability=access.Capability.VIEW_CASES) -> Intervention:
    return lookup.get_in_scope(
        Intervention.objects.filter(case__in=cases_visible_to(user, capability)).select_related(
            "case", "case__service", "agency"
        ),
        pk,
        user=user,
        capability=capability,
    )


def intervention_get_for_editing(user, pk, *, read: lookup.Read = False) -> Intervention:
    """The intervention for a page that changes it: 404 outside the user's scope, 403 (audited)
    for a user who may only read its case; `read`: the page shows it, audited here."""
    intervention = intervention_get_for_user(user, pk)
    case = intervention.case
    require_case_capability(user, case)
    lookup.record_read(user, intervention, read=read, service_id=case.service_id, case_id=case.pk)
    return intervention


def area_support_get(user, case: Case, area: str, *, read: lookup.Read = False):
    """The case's support row for an area (None before any is recorded), for a page that the
    caller has already checked the user may open; `read`: the page shows it, audited here."""
    row = AreaSupport.objects.filter(case=case, area=area).first()
    if row is not None:
        lookup.record_read(user, row, read=read, service_id=case.service_id, case_id=case.pk)
    return row


def plan_version(
    plan: SafetyPlan,
    number=None,
    *,
    user=None,
    read: lookup.Read = False,
    action=AuditEvent.Action.VIEW,
) -> SafetyPlanVersion:
    """A version of the plan by number (the latest when None); 404 when there is none.
    `read`: a page shows (or `action`: downloads) it, audited here."""
    versions = plan.versions.select_related("made_by")
    if number is None:
        version = versions.order_by("-number").first()
    else:
        version = versions.filter(number=lookup.pk_or_404(number)).first()
    if version is None:
        raise Http404("No such version.")
    version.plan = plan  # already loaded with its case: saves a query per use of audit_scope
    lookup.record_read(
        user,
        version,
        read=read,
        action=action,
        service_id=plan.case.service_id,
        case_id=plan.case_id,
    )
    return version


# --- Lists for a case ---------------------------------------------------------------------------


def plans_for_case(case: Case) -> QuerySet[SafetyPlan]:
    """The case's plans, each with its versions (newest first) and their authors: 2 queries."""
    return case.safety_plans.prefetch_related(
        Prefetch(
            "versions",
            queryset=SafetyPlanVersion.objects.select_related("made_by").order_by("-number"),
        )
    )


def interventions_for_case(case: Case) -> QuerySet[Intervention]:
    return case.interventions.select_related("agency", "recorded_by")


def area_support_for_case(case: Case) -> list[tuple[str, str, AreaSupport | None]]:
    """(area key, area label, the case's row or None) for every area, in the Insights order;
    2 queries whatever the number of rows."""
    rows = {
        row.area: row for row in case.area_support.prefetch_related("outcomes", "cyps_involvement")
    }
    return [(key, label, rows.get(key)) for key, label in SupportArea.choices]


def options_offered(list_key: str, *, chosen=()) -> QuerySet[Option]:
    """The options a form offers: those not retired, plus any already on the record (a retired
    option stays on the records that chose it)."""
    chosen_ids = [option.pk for option in chosen]
    return Option.objects.of(list_key).filter(Q(is_retired=False) | Q(pk__in=chosen_ids))


# --- Safety in Numbers: the number of different interventions --------------------------------


def intervention_band(count: int) -> str:
    """The Safety in Numbers band ("0-1", "2-5", "6-10", "11+") of a number of different
    interventions (Figure 8)."""
    if count < 0:
        raise ValueError("A count of interventions cannot be negative.")
    for low, high, label in INTERVENTION_BANDS:
        if count >= low and (high is None or count <= high):
            return label
    raise ValueError(count)  # unreachable: the last band is open-ended


_TYPES_COUNTED_AS: dict[str, list[str]] = {}
for _item in INTERVENTION_TYPES:
    if _item.kind and _item.kind != _item.key:
        _TYPES_COUNTED_AS.setdefault(_item.kind, []).append(_item.key)


def different_interventions(case_ref: str = "pk"):
    """The number of different interventions a case received, as Safety in Numbers counted them,
    as a database expression on any query whose `case_ref` column is the case's id: the distinct
    kinds of intervention recorded (a TAU marker requested and placed is one kind), plus safety
    planning where the case has a safety plan, plus a MARAC referral made on the risk pages
    (riskassessment.MaracReferral) where none is recorded as an intervention. The case page and
    the reports both count with it."""
    case_id = OuterRef(case_ref)
    # Only the types counted under another kind's name need a branch: every other type is its
    # own kind (the default). A branch per type made this expression the costliest part of the
    # case page to build and compile.
    kind = Choose(
        *[When(type__in=keys, then=Value(kind)) for kind, keys in _TYPES_COUNTED_AS.items()],
        default="type",
    )
    recorded = Coalesce(
        Subquery(
            Intervention.objects.filter(case_id=case_id)
            .annotate(kind=kind)
            .order_by()
            .values("case_id")
            .annotate(kinds=Count("kind", distinct=True))
            .values("kinds")[:1]
        ),
        Value(0),
    )
    safety_planning = Choose(
        When(Exists(SafetyPlan.objects.filter(case_id=case_id)), then=Value(1)), default=Value(0)
    )
    marac_referral = Choose(
        When(
            Exists(MaracReferral.objects.filter(case_id=case_id))
            & ~Exists(Intervention.objects.filter(case_id=case_id, type=MARAC_REFERRAL)),
            then=Value(1),
        ),
        default=Value(0),
    )
    return recorded + safety_planning + marac_referral


def intervention_counts(case_ids) -> dict[int, int]:
    """Number of different interventions per case (different_interventions): one query whatever
    the number of cases; cases with none are 0."""
    case_ids = list(case_ids)
    counted = dict(_cases_with_different_interventions().filter(pk__in=case_ids))
    return {case_id: counted.get(case_id, 0) for case_id in case_ids}


@functools.cache
def _cases_with_different_interventions() -> QuerySet:
    """(case id, different_interventions) of every case: built once per process and never
    evaluated itself, only narrowed (each filter is a copy), since building and resolving the
    expression on every case page cost more than running the query."""
    return Case.objects.annotate(different_interventions=different_interventions("pk")).values_list(
        "pk", "different_interventions"
    )


def intervention_count(case: Case) -> int:
    return intervention_counts([case.pk])[case.pk]


# --- The assessments a plan answers --------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentChoice:
    pk: int
    label: str  # says which checklist, when and what risk: nothing identifying
    assessed_on: datetime.date
    url: str = ""


def assessments_for_plan(case: Case) -> list[AssessmentChoice]:
    """The case's submitted main assessments, the latest first, that a safety plan of the case
    can answer: one query."""
    assessments = latest_submitted(case.risk_assessments.all()).select_related("version__checklist")
    choices = []
    for assessment in assessments:
        level = assessment.risk_level_label or assessment.get_risk_level_display() or "no level"
        choices.append(
            AssessmentChoice(
                pk=assessment.pk,
                label=f"{assessment.version.checklist.name}, "
                f"{date_format(assessment.assessed_on)}: {level}"
                # Mostly "Not asked": a plan may still answer it, but should know (issue 18).
                + (" (incomplete: mostly not asked)" if assessment.is_incomplete else ""),
                assessed_on=assessment.assessed_on,
                url=reverse("riskassessment:assessment_detail", args=[assessment.pk]),
            )
        )
    return choices


# --- The client's printable plan ----------------------------------------------------------------

# Words that must not appear on the client's copy: someone else may see it. The staff page warns
# when the caseworker's own text contains one.
INDISCREET_WORDS = (
    "abuse",
    "abusive",
    "abuser",
    "violence",
    "violent",
    "domestic",
    "idva",
    "perpetrator",
    "marac",
    "refuge",
    "safelives",
    "lantern",
)
_INDISCREET = re.compile(r"\b(" + "|".join(INDISCREET_WORDS) + r")\b", re.IGNORECASE)


def indiscreet_words(version: SafetyPlanVersion, *, extra=()) -> list[tuple[str, str]]:
    """(section heading, word) for each section whose text names the service or the abuse.
    `extra`: further words to look for, such as the service's own name."""
    found = []
    patterns = [_INDISCREET, *(re.compile(re.escape(w), re.IGNORECASE) for w in extra if w)]
    for heading, text in version.sections():
        words = {}
        for pattern in patterns:
            for match in pattern.finditer(text):
                words.setdefault(match.group(0).lower(), match.group(0))
        found.extend((heading, word) for word in words.values())
    return found


def plan_print_html(version: SafetyPlanVersion) -> str:
    """The client's copy as HTML: no service name, logo or wording about abuse."""
    return render_to_string("support/print.html", {"version": version, "for_pdf": False})


def plan_pdf(version: SafetyPlanVersion) -> bytes:
    """The client's copy as a PDF (WeasyPrint). Separate from the view so a task can call it."""
    from weasyprint import CSS, HTML

    html = render_to_string("support/print.html", {"version": version, "for_pdf": True})
    stylesheet = finders.find("css/print-plan.css")
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=stylesheet)])
