"""Access rows for safety plans, support by area of need and interventions (support/urls.py).

Readers of the case's service (caseworker, read-only caseworker, team leader, manager) see the
pages; only those who may edit cases reach the edit pages (the others who can see the case get
403); everyone else gets 404, as for a case that does not exist."""

from tests.factories import CaseFactory
from tests.factories_support import InterventionFactory, SafetyPlanFactory, SafetyPlanVersionFactory

from .matrix import CASEWORKER, MANAGER, READ_ONLY, TEAM_LEADER, Entry, only

READERS = {CASEWORKER, READ_ONLY, TEAM_LEADER, MANAGER}
EDITORS = {CASEWORKER, TEAM_LEADER}


def read(status=200):
    return only(status, READERS)


def edit(status=200):
    return {**only(status, EDITORS), READ_ONLY: 403, MANAGER: 403}


def build(world):
    world.plans_case = CaseFactory(service=world.service)
    world.plans_plan = SafetyPlanFactory(case=world.plans_case)
    SafetyPlanVersionFactory(plan=world.plans_plan, number=1)
    world.plans_intervention = InterventionFactory(case=world.plans_case)


BUILDERS = dict.fromkeys(("plans_case", "plans_plan", "plans_intervention"), build)


def _case(world):
    return {"case_pk": world.plans_case.pk}


def _plan(world):
    return {"pk": world.plans_plan.pk}


def _version(world):
    return {"pk": world.plans_plan.pk, "number": 1}


ENTRIES = [
    Entry("support:plan_list", _case, read()),
    Entry("support:plan_create", _case, edit()),
    # An empty form comes back with its errors.
    Entry("support:plan_create", _case, edit(), method="post"),
    Entry("support:plan_detail", _plan, read()),
    Entry("support:plan_version", _version, read()),
    Entry("support:plan_review", _plan, edit()),
    Entry("support:plan_review", _plan, edit(), method="post"),
    Entry("support:plan_print", _version, read()),
    Entry("support:plan_pdf", _version, read()),
    Entry("support:support_list", _case, read()),
    Entry("support:support_edit", lambda w: {**_case(w), "area": "housing"}, edit()),
    # Every support field is optional ("not answered"), so an empty form saves.
    Entry(
        "support:support_edit",
        lambda w: {**_case(w), "area": "housing"},
        edit(302),
        method="post",
    ),
    Entry("support:intervention_list", _case, read()),
    Entry("support:intervention_add", _case, edit()),
    Entry("support:intervention_add", _case, edit(), method="post"),
    Entry("support:intervention_delete", lambda w: {"pk": w.plans_intervention.pk}, edit()),
    # Without the confirmation box ticked nothing is removed and the page asks again.
    Entry(
        "support:intervention_delete",
        lambda w: {"pk": w.plans_intervention.pk},
        edit(),
        method="post",
    ),
]
