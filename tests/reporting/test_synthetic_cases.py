"""generate_cases (issue 20, target 1): fast bulk writes that keep the data's shape."""

import datetime
import io
import uuid

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import AuditEvent, Role, Service
from cases.models import Case, Client, Contact
from outcomes.models import ExitForm, IntakeForm
from referrals.models import Referral, ReferralRoute
from reporting import synthetic
from reporting.models import CaseFacts
from reporting.read_model import rebuild
from riskassessment.models import Answer, Assessment, ChecklistVersion
from support.models import AreaSupport, Intervention
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
    # Where the time went, per phase, the whole batch first.
    phases = output.split("Time per phase of the batches", 1)[1].splitlines()[1:]
    assert phases[0].startswith("  batch, in all: ") and "s CPU here" in phases[0]
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.ADMIN, detail__bulk_write__startswith="generate_cases"
        ).count()
        == 2
    )


@pytest.mark.django_db
def test_the_read_model_rows_written_with_the_cases_equal_a_rebuild(service):
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user
    _generate(service, user, 12, seed=5)
    cases = Case.objects.filter(service=service)
    written = list(CaseFacts.objects.filter(case__in=cases).order_by("case_id").values())
    assert [row["case_id"] for row in written] == sorted(cases.values_list("pk", flat=True))
    assert sum(row["contacts"] for row in written) > 0
    rebuild()
    assert list(CaseFacts.objects.filter(case__in=cases).order_by("case_id").values()) == written


@pytest.mark.django_db
def test_copy_text_keeps_tabs_newlines_backslashes_and_percent_signs(service):
    from reporting.synthetic import _Table, _Writer

    name = "Tab\there, back\\slash,\nnew line, 100%s \\N"
    writer = _Writer(transaction.get_connection())
    table = _Table(Client, now=timezone.now())
    written = writer.write(
        table,
        ("service_id", "first_name", "provider_id", "date_of_birth"),
        [(service.pk, name, service.provider_id, None)],
    )
    assert written == 1
    client = Client.objects.get(service=service)
    assert client.first_name == name
    assert client.date_of_birth is None


def _fingerprint() -> list[tuple]:
    """Every generated case's data, with the generated rows' ids left out (they come from the
    sequences, in whatever order the processes drew them)."""
    moving = {"id", "created_at", "updated_at", "submitted_at", "case_id", "client_id"}

    def rows(model, **lookup):
        return sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k not in moving))
            for row in model.objects.filter(**lookup).values()
        )

    cases = []
    for case in Case.objects.filter(reference__startswith="SYN-").order_by("reference"):
        forms = []
        for model in (IntakeForm, ExitForm):
            for form in model.objects.filter(case=case):
                chosen = {
                    field.name: sorted(getattr(form, field.name).values_list("pk", flat=True))
                    for field in model._meta.many_to_many
                }
                forms.append((model.__name__, rows(model, pk=form.pk), chosen))
        cases.append(
            (
                case.reference,
                rows(Case, pk=case.pk),
                rows(Client, pk=case.client_id),
                rows(Referral, case=case),
                rows(Contact, case=case),
                rows(Intervention, case=case),
                rows(Assessment, case=case),
                sorted(
                    Answer.objects.filter(assessment__case=case).values_list(
                        "assessment__stage", "question_id", "option_id"
                    )
                ),
                forms,
                rows(AreaSupport, case=case),
            )
        )
    return cases


@pytest.mark.django_db
def test_a_batch_is_the_same_whichever_order_the_batches_are_written_in(service):
    """Each batch draws from a generator seeded by the run's seed and its first case number,
    so a case's data do not depend on which batches were written before it (nor, so, on
    which process writes it)."""
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user

    def written(order):
        generator = synthetic.Generator(
            services=[service],
            actor=user,
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2026, 6, 30),
            seed=7,
        )
        with transaction.atomic():
            for first_number in order:
                generator.write_batch(first_number, 3)
            data = _fingerprint()
            transaction.set_rollback(True)
        return data

    in_order = written([0, 3, 6])
    assert len(in_order) == 9
    assert any(case[4] for case in in_order)  # contacts
    assert any(case[7] for case in in_order)  # answers
    assert written([6, 0, 3]) == in_order


# The two-process run happens in a process of its own, as `manage.py generate_cases --workers 2`
# would: a pytest worker that has run Celery tests holds broker connections, which a forked
# child must not inherit. Outside a transaction, so that it sees this test's committed rows.
TWO_PROCESSES = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from reporting import synthetic
synthetic.BATCH = synthetic.FIRST_BATCH = 3
calls = []
in_parallel = synthetic._in_parallel
def counted(generator, batches, workers):
    calls.append((len(batches), workers))
    yield from in_parallel(generator, batches, workers)
synthetic._in_parallel = counted
call_command("generate_cases", cases=9, service=[sys.argv[1]], user=sys.argv[2], seed=4,
             workers=2)
print(json.dumps(calls))
"""


@pytest.mark.django_db(transaction=True)
def test_a_case_is_the_same_whichever_process_writes_it(service, monkeypatch):
    """With --workers 2, outside a transaction, the batches after the first are written by two
    processes, and the data equal those of one process writing them all."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    if not (
        ReferralRoute.objects.exists()
        and ChecklistVersion.objects.filter(checklist__key="dash", status="published").exists()
    ):
        pytest.skip("The migrations' referral routes and DASH checklist are gone.")
    monkeypatch.setattr(synthetic, "BATCH", 3)
    monkeypatch.setattr(synthetic, "FIRST_BATCH", 3)
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user
    with transaction.atomic():
        output = _generate(service, user, 9, seed=4)
        by_one_process = _fingerprint()
        transaction.set_rollback(True)
    assert len(by_one_process) == 9 and "9 of 9 cases" in output
    assert any(case[7] for case in by_one_process)  # answers

    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
    }
    environment.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run(  # noqa: S603 - the test's own script
        [sys.executable, "-c", TWO_PROCESSES, service.code, user.email],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [[2, 2]]
    assert _fingerprint() == by_one_process


def test_the_phases_times_add_up_over_batches_and_the_short_ones_share_a_line():
    first, second, totals = (synthetic.GeneratedCounts() for _ in range(3))
    first.spend("riskassessment_answer", 10.0, 0.5, 6.0)
    first.spend("cases_contact", 2.0, 0.5, 1.0)
    second.spend("riskassessment_answer", 8.0, 0.5, 5.0)
    second.spend("commit", 0.04, 0.0, 0.01)
    second.spend("analyse", 0.05, 0.0, 0.05)
    totals.add(first)
    totals.add(second)
    assert totals.phases["riskassessment_answer"] == [18.0, 1.0, 11.0]
    assert totals.phase_lines() == [
        "  riskassessment_answer: 18.0 s wall, 1.0 s CPU here, 11.0 s PostgreSQL CPU",
        "  cases_contact: 2.0 s wall, 0.5 s CPU here, 1.0 s PostgreSQL CPU",
        "  2 others: 0.1 s wall, 0.0 s CPU here, 0.1 s PostgreSQL CPU",
    ]


def _dangling_foreign_keys() -> dict[str, int]:
    """Rows of the generated tables whose foreign key names no row, by table and column (none
    is the answer PostgreSQL's own per-row checks would have enforced)."""
    dangling = {}
    models = {model for model in apps.get_models() if model._meta.db_table in _written()}
    for model in models:
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.target_field
            missing = (
                model.objects.exclude(**{f"{field.attname}__isnull": True})
                .exclude(
                    **{
                        f"{field.attname}__in": target.model.objects.values(target.attname),
                    }
                )
                .count()
            )
            if missing:
                dangling[f"{model._meta.db_table}.{field.column}"] = missing
    return dangling


def _written() -> set[str]:
    return set(synthetic._written_tables())


@pytest.mark.django_db
def test_with_per_row_foreign_key_checks_off_every_row_pointed_at_exists(service):
    """The tests' connection is a superuser's, as the benchmarks' is: the batches turn
    PostgreSQL's per-row foreign-key checks off and check each row pointed at once instead."""
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user
    output = _generate(service, user, 9, seed=3)

    assert "foreign keys, once per row pointed at" in output
    assert Answer.objects.filter(assessment__case__service=service).exists()
    assert _dangling_foreign_keys() == {}
    # Back on for whatever the transaction writes next.
    with transaction.get_connection().cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


@pytest.mark.django_db
def test_a_row_pointing_at_no_row_is_refused_when_the_per_row_checks_are_off(service):
    from reporting.foreign_keys import ReferenceCheck, per_row_checks_off
    from reporting.synthetic import _Table, _Writer

    connection = transaction.get_connection()
    missing_service = Service.objects.order_by("-pk").first().pk + 1000
    with pytest.raises(IntegrityError, match="accounts_service"), transaction.atomic():
        assert per_row_checks_off(connection)
        writer = _Writer(connection)
        writer.references = ReferenceCheck()
        writer.write(
            _Table(Client, now=timezone.now()),
            ("service_id", "first_name", "provider_id"),
            [(service.pk, "Pointing at a service", service.provider_id)],
        )
        writer.write(
            _Table(Client, now=timezone.now()),
            ("service_id", "first_name", "provider_id"),
            [(missing_service, "Pointing at nothing", service.provider_id)],
        )
        writer.references.verify(connection)
    assert not Client.objects.filter(first_name__startswith="Pointing at").exists()


@pytest.mark.django_db
def test_a_role_not_allowed_to_turn_the_checks_off_keeps_them():
    from reporting.foreign_keys import per_row_checks_off

    connection = transaction.get_connection()
    role = f"lantern_synthetic_{uuid.uuid4().hex[:12]}"
    with transaction.atomic(), connection.cursor() as cursor:
        # Roles are the cluster's, but CREATE ROLE is transactional: rolled back with the test.
        cursor.execute(f"CREATE ROLE {role} NOSUPERUSER")
        cursor.execute(f"SET LOCAL ROLE {role}")
        assert per_row_checks_off(connection) is False
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
        cursor.execute("RESET ROLE")
        transaction.set_rollback(True)
