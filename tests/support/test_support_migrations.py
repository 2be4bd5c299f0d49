"""The move of plans, support and interventions from the cases app into the support app keeps
every row: rows written through the models as they were before the move (cases.0005) are read
back through the support app's models after migrating forward, with their many-to-many values,
their change history and a real foreign key to the assessment each plan answers. The
migrations' repairs (a significant contact that did not reach the client; a plan naming no
assessment) are checked on the way."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import AuditEvent
from cases.models import Contact, Option
from support.models import AreaSupport, Intervention, SafetyPlan, SafetyPlanVersion
from tests.factories import CaseFactory
from tests.factories_riskassessment import submitted

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("cases", "0005_date_range_validators"),
    ("riskassessment", "0005_marac_meeting_marac_required"),
]
MOVED = ("safetyplan", "safetyplanversion", "areasupport", "intervention")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_moving_to_the_support_app_keeps_every_row(service, caseworker):
    case = CaseFactory(service=service, caseworker=caseworker)
    assessment = submitted(case, caseworker, on=case.opened_on)
    option = Option.objects.of("support_housing_outcomes").first()
    day = case.opened_on + datetime.timedelta(days=1)
    try:
        old = _migrate(BEFORE)
        old_plan = old.get_model("cases", "SafetyPlan").objects.create(
            case_id=case.pk, kind="personal", created_by_id=caseworker.pk
        )
        versions = old.get_model("cases", "SafetyPlanVersion").objects
        answered = versions.create(
            plan=old_plan,
            number=1,
            reviewed_on=day,
            made_by_id=caseworker.pk,
            assessment_id=assessment.pk,
            safe_places_people="The library.",
        )
        dangling = versions.create(
            plan=old_plan,
            number=2,
            reviewed_on=day,
            made_by_id=caseworker.pk,
            assessment_id=assessment.pk + 10_000,  # names no assessment
            safe_places_people="The library.",
        )
        support = old.get_model("cases", "AreaSupport").objects.create(
            case_id=case.pk, area="housing", supported="Yes", updated_by_id=caseworker.pk
        )
        support.outcomes.add(option.pk)
        intervention = old.get_model("cases", "Intervention").objects.create(
            case_id=case.pk, type="police_check", occurred_on=day, recorded_by_id=caseworker.pk
        )
        old_type = old.get_model("contenttypes", "ContentType").objects.get(
            app_label="cases", model="intervention"
        )
        LogEntry.objects.create(
            content_type_id=old_type.pk,
            object_pk=str(intervention.pk),
            object_id=intervention.pk,
            object_repr="x",
            action=0,
        )
        # Possible before the constraint: the case bundle importer could store one.
        bad_contact = old.get_model("cases", "Contact").objects.create(
            case_id=case.pk,
            occurred_at=case.created_at,
            contact_type="phone",
            outcome="attempted",
            is_significant=True,
            recorded_by_id=caseworker.pk,
        )
    finally:
        _migrate(_latest())

    plan = SafetyPlan.objects.get(pk=old_plan.pk)
    assert plan.case == case
    assert SafetyPlanVersion.objects.get(pk=answered.pk).assessment == assessment
    assert SafetyPlanVersion.objects.get(pk=dangling.pk).assessment is None
    assert list(AreaSupport.objects.get(pk=support.pk).outcomes.all()) == [option]
    moved = Intervention.objects.get(pk=intervention.pk)
    assert moved.type == "police_check"
    assert LogEntry.objects.get_for_object(moved).count() == 1
    assert not ContentType.objects.filter(app_label="cases", model__in=MOVED).exists()
    contact = Contact.objects.get(pk=bad_contact.pk)
    assert contact.outcome == "attempted" and not contact.is_significant
    assert AuditEvent.objects.filter(
        object_type="cases.contact", object_id=str(contact.pk), action="admin"
    ).exists()
