"""import_cases shows its progress: lines done of the header's count, the rate, the time left
(issue 20, target 1)."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Role
from cases.models import Case
from reporting.bundle import importer
from tests.factories import MembershipFactory, ServiceFactory


@pytest.mark.django_db
def test_import_prints_lines_done_rate_and_time_left(service, tmp_path, monkeypatch):
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user
    MembershipFactory(service=service, role=Role.SERVICE_MANAGER, user=user)
    call_command(
        "generate_cases",
        cases=5,
        service=[service.code],
        user=user.email,
        stdout=io.StringIO(),
    )
    bundle = tmp_path / "cases.jsonl"
    call_command(
        "export_cases",
        user=user.email,
        service=[service.code],
        output=str(bundle),
        stdout=io.StringIO(),
    )
    elsewhere = ServiceFactory(name="Elsewhere Idva")
    importing = MembershipFactory(service=elsewhere, role=Role.CASEWORKER).user
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)

    stdout = io.StringIO()
    call_command(
        "import_cases",
        str(bundle),
        user=importing.email,
        service=elsewhere.code,
        stdout=stdout,
        stderr=io.StringIO(),
    )

    lines = stdout.getvalue().splitlines()
    progress = [line for line in lines if " of 5 lines" in line]
    assert [line.split(" of ")[0].strip() for line in progress] == ["2", "4", "5"]
    assert all("/s, about " in line and line.endswith("s left") for line in progress)
    assert lines[-1].startswith("Imported 5 line(s)")
    assert Case.objects.filter(service=elsewhere).count() == 5
