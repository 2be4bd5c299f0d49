"""generate_cases (issue 20, target 1): fast bulk writes that keep the data's shape."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from accounts.models import AuditEvent, Role
from cases.models import Case
from outcomes.models import ExitForm, IntakeForm
from referrals.models import Referral
from riskassessment.models import Assessment
from tests.factories import MembershipFactory


def _generate(service, user, cases, seed=1):
    stdout = io.StringIO()
    call_command(
        "generate_cases",
        cases=cases,
        service=[service.code],
        user=user.email,
        seed=seed,
        stdout=stdout,
    )
    return stdout.getvalue()


@pytest.mark.django_db
def test_each_case_has_its_rows_and_a_second_run_adds_cases(service):
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user
    output = _generate(service, user, 7)
    output += _generate(service, user, 5, seed=2)

    cases = Case.objects.filter(service=service)
    assert cases.count() == 12  # the second run numbers on from the first
    assert Referral.objects.filter(case__in=cases).count() == 12
    assert IntakeForm.objects.filter(case__in=cases).count() == 12
    closed = cases.filter(status=Case.Status.CLOSED).count()
    assert ExitForm.objects.filter(case__in=cases).count() == closed
    assert Assessment.objects.filter(case__in=cases).count() == 12 + closed
    # Every question answered, the "yes" answers as many as the stored score.
    for assessment in Assessment.objects.annotate(
        answered=Count("answers"),
        ticks=Count("answers", filter=Q(answers__option__counts_as_tick=True)),
    ):
        assert assessment.answered == assessment.version.questions.count()
        assert assessment.ticks == assessment.score
    assert "7 of 7 cases" in output and "/s" in output and "s left" in output
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.ADMIN, detail__bulk_write__startswith="generate_cases"
        ).count()
        == 2
    )
