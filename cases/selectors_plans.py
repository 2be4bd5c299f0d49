"""Reads of safety plans, support by area of need and interventions, always through the signed-in
user's scope (cases.selectors), and the Safety in Numbers count of different interventions,
which the reporting app uses too."""

import re
from collections import defaultdict

from django.contrib.staticfiles import finders
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string

from accounts import access, lookup
from accounts.models import AuditEvent
from catalogue.safety_in_numbers import INTERVENTION_BANDS

from .hooks_plans import interventions_recorded_elsewhere
from .models import AreaSupport, Case, Intervention, Option, SafetyPlan, SafetyPlanVersion
from .models.interventions import SAFETY_PLANNING_KIND, intervention_kind
from .models.support import SupportArea
from .selectors import cases_visible_to, require_case_capability

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


def intervention_counts(case_ids) -> dict[int, int]:
    """Number of different interventions per case: the distinct kinds of intervention recorded
    (a TAU marker requested and placed is one kind), plus safety planning where the case has a
    safety plan, plus those other apps record (a MARAC referral made on the risk pages, through
    cases.hooks_plans), as Safety in Numbers counted them. A fixed number of queries whatever
    the number of cases (two, and one per registered source); cases with none are 0."""
    case_ids = list(case_ids)
    kinds: dict[int, set[str]] = defaultdict(set)
    recorded = Intervention.objects.filter(case_id__in=case_ids).values_list("case_id", "type")
    for case_id, type_key in [*recorded.distinct(), *interventions_recorded_elsewhere(case_ids)]:
        kinds[case_id].add(intervention_kind(type_key))
    for case_id in (
        SafetyPlan.objects.filter(case_id__in=case_ids).values_list("case_id", flat=True).distinct()
    ):
        kinds[case_id].add(SAFETY_PLANNING_KIND)
    return {case_id: len(kinds.get(case_id, ())) for case_id in case_ids}


def intervention_count(case: Case) -> int:
    return intervention_counts([case.pk])[case.pk]


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
    return render_to_string("cases/plans/print.html", {"version": version, "for_pdf": False})


def plan_pdf(version: SafetyPlanVersion) -> bytes:
    """The client's copy as a PDF (WeasyPrint). Separate from the view so a task can call it."""
    from weasyprint import CSS, HTML

    html = render_to_string("cases/plans/print.html", {"version": version, "for_pdf": True})
    stylesheet = finders.find("css/print-plan.css")
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=stylesheet)])
