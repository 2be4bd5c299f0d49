"""`manage.py subject_access CASE_REFERENCE --user EMAIL --output DIR`: a subject access answer
for the client of a case, from the command line, as that user may see it and audited as them."""

import re
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditEvent, User
from cases import selectors as case_selectors
from cases.models import Case
from dataprotection import selectors, services


class Command(BaseCommand):
    help = (
        "Writes DIR/<case reference>-subject-access.pdf and .json: everything held about the "
        "client of the case that the user may see, with the request's redactions. Uses the "
        "case's open subject access request, or opens one received today."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The case reference")
        parser.add_argument(
            "--user", required=True, help="The e-mail of the team leader or manager"
        )
        parser.add_argument("--output", required=True, help="The directory the files go to")

    def handle(self, *args, reference, user, output, **options):
        actor = User.objects.filter(email__iexact=user, is_active=True).first()
        if actor is None:
            raise CommandError("No active user has that e-mail address.")
        found = Case.objects.filter(reference=reference).values_list("pk", flat=True).first()
        try:
            # The same scoped lookup as the pages: a case the user may not see is refused
            # (and the refusal audited) exactly as one that does not exist.
            if found is None:
                raise Http404
            case = case_selectors.case_get_for_user(actor, found)
            sar = selectors.subject_access_requests_of_case(case).exclude(status="sent").first()
            if sar is None:
                sar = services.subject_access_open(
                    actor=actor, case=case, received_on=timezone.localdate()
                )
            summary = services.subject_access_build(request_id=sar.pk, user_id=actor.pk)
        except Http404:
            raise CommandError("No case with that reference that this user may see.") from None
        except PermissionDenied:
            raise CommandError("This user may not answer data-rights requests there.") from None
        sar.refresh_from_db()
        directory = Path(output)
        directory.mkdir(parents=True, exist_ok=True)
        # The reference only, made safe as a file name: never the client's name.
        stem = re.sub(r"[^A-Za-z0-9_-]", "_", case.reference) + "-subject-access"
        written = []
        for kind in ("pdf", "json"):
            path = directory / f"{stem}.{kind}"
            with getattr(sar, kind).open("rb") as stored:
                path.write_bytes(stored.read())
            written.append(path)
            record_event(
                actor=actor,
                action=AuditEvent.Action.DOWNLOAD,
                service=case.service_id,
                case_id=case.pk,
                obj=sar,
                detail={"subject_access": "download", "kind": kind, "by": "command"},
            )
        self.stdout.write(
            f"{sar.audit_label}: wrote {written[0]} and {written[1]} "
            f"(due {sar.due_on:%Y-%m-%d}): {summary['records']} records"
        )
        if summary["not_visible"]:
            self.stdout.write(
                f"{summary['not_visible']} records are in cases this user cannot see: "
                "their service's manager must answer for those (see the request's page)."
            )
