"""Reading a case bundle into Lantern.

1. Line 1 must be a lantern-case-bundle/1 header; every other line is checked against the
   committed JSON Schema, then against this database (known services, users, agencies, routes,
   teams, option labels and checklist versions; dates in order), then by the models' own
   validation (full_clean) as each row is written.
2. Each line is written in a savepoint: an invalid line leaves nothing behind. Every error is
   reported as "line N: path.to.field: message".
3. The whole import is one transaction: any invalid line rolls everything back, unless
   skip_invalid is set, in which case the valid lines stay and the invalid ones are returned as
   rejects (written to a reject file by the command).
4. The file is read as it streams (bundle_lines): text that is not UTF-8, a line longer than
   settings.CASE_BUNDLE_MAX_LINE_BYTES (1 MiB), or a last line cut short (no newline and not
   JSON) refuses the whole file, whatever skip_invalid says, since a cut or garbled file
   cannot be trusted line by line.
5. A line whose id was imported before is skipped (re-importing a file adds nothing); a client
   id imported before links the line to that client instead of creating a second record.
6. Rows are saved one at a time through the models, so django-auditlog records each creation
   with the importing user as actor; one ADMIN audit event records the import and its counts.
"""

import datetime
import json
import time
from collections import Counter
from dataclasses import dataclass, field

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.audit import audited_bulk_write, record_event
from accounts.models import AuditEvent, Service
from cases.services import next_case_reference
from referrals.services import next_referral_reference

from .fields import PARTS, BadValue, load_value
from .models import ImportedRecord
from .reading import BundleFileError, _whole_lines, bundle_lines, max_line_bytes
from .records import CaseRecords
from .rows import LineInvalid
from .schema import FORMAT, VERSION, validators

__all__ = [
    "BundleFileError",
    "ImportResult",
    "Importer",
    "LineError",
    "bundle_lines",
    "cases_import",
    "max_line_bytes",
    "read_header",
    "schema_errors",
]

SHOWN_CHOICES = 6
# How often (in lines) cases_import reports its progress.
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class LineError:
    line: int
    path: str
    message: str

    def __str__(self):
        return (
            f"line {self.line}: {self.path}: {self.message}"
            if self.path
            else (f"line {self.line}: {self.message}")
        )


@dataclass
class ImportResult:
    imported: int = 0
    already_imported: int = 0
    errors: list[LineError] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)  # the raw text of each invalid line
    counts: Counter = field(default_factory=Counter)
    committed: bool = False

    @property
    def invalid_lines(self) -> int:
        return len({error.line for error in self.errors})


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_errors(validator, data) -> list[tuple[str, str]]:
    """The schema's complaints as (path, message), in a stable order."""
    found = []
    for error in validator.iter_errors(data):
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    found.append((_path([*path, name]), "is required."))
            continue
        if error.validator == "enum":
            allowed = [repr(value) for value in error.validator_value if value]
            shown = ", ".join(allowed[:SHOWN_CHOICES]) + (", ..." if len(allowed) > 6 else "")
            message = f"{error.instance!r} is not an allowed value ({shown})."
        elif error.validator == "oneOf" and error.context:
            # A nullable object: report what is wrong inside the object, not "not null".
            inner = [item for item in error.context if item.validator != "type"]
            for item in inner or error.context:
                found.append((_path([*path, *item.absolute_path]), item.message))
            continue
        else:
            message = error.message
        found.append((_path(path), message))
    return sorted(set(found))


class Importer(CaseRecords):
    """One line at a time: its service, client, case, referral and case records
    (reading.py streams the file, rows.py writes rows, records.py the case records)."""

    # --- One line ---

    def import_line(self, data: dict) -> str:
        """Writes one line; returns "imported" or "already_imported". Raises LineInvalid."""
        self.errors: list[tuple[str, str]] = []
        line_id = data["id"]
        if (
            line_id in self.seen_ids
            or ImportedRecord.objects.filter(
                kind=ImportedRecord.Kind.LINE, external_id=line_id
            ).exists()
        ):
            return "already_imported"
        service = self._service(data)
        self.check()
        client, new_client = self._client(data["client"], service)
        self.check()

        case = None
        if data.get("case") is not None:
            case = self._case(data["case"], data, client, service)
        elif self._has_case_parts(data):
            self.fail("case", "the line has case records (assessments, forms, ...) but no case.")
        self.check()

        referral = None
        if data.get("referral") is not None:
            referral = self._referral(data["referral"], client, case, service)
        self.check()
        if case is not None:
            self._case_records(data, case, service)
        self.check()

        now = timezone.now()
        if new_client:
            ImportedRecord.objects.create(
                kind=ImportedRecord.Kind.CLIENT,
                external_id=data["client"]["id"],
                client=client,
                imported_at=now,
                imported_by=self.user,
            )
        ImportedRecord.objects.create(
            kind=ImportedRecord.Kind.LINE,
            external_id=line_id,
            client=client,
            case=case,
            referral=referral,
            source_reference=data.get("reference", "")[:30],
            imported_at=now,
            imported_by=self.user,
        )
        self.seen_ids.add(line_id)
        return "imported"

    def _service(self, data):
        code = self.service_code or data["service"]
        path = "service"
        service = self._lookup("service", code, lambda: Service.objects.filter(code=code).first())
        if service is None:
            self.fail(path, f"no service has the code {code!r}.")
        elif not access.can(self.user, access.Capability.EDIT_CASES, service.pk):
            self.fail(path, f"you cannot add cases to the service {code}.")
        return service

    @staticmethod
    def _has_case_parts(data) -> bool:
        forms = data.get("forms") or {}
        marac = data.get("marac") or {}
        return (
            any(
                data.get(key)
                for key in ("assessments", "contacts", "support", "interventions", "safety_plans")
            )
            or any(forms.get(key) for key in forms)
            or any(marac.get(key) for key in marac)
        )

    def _client(self, values, service):
        record = (
            ImportedRecord.objects.filter(kind=ImportedRecord.Kind.CLIENT, external_id=values["id"])
            .select_related("client")
            .first()
        )
        if record is not None and record.client is not None:
            if record.client.provider_id != service.provider_id:
                self.fail("client.id", "this client was imported into another provider.")
            return record.client, False
        client = self.make(
            "client",
            values,
            "client",
            service,
            provider_id=service.provider_id,
            service=service,
        )
        self.check()
        for index, consent in enumerate(values.get("consents", [])):
            self.make("consent", consent, f"client.consents[{index}]", service, client=client)
        return client, True

    def _case(self, values, data, client, service):
        case, many = self.build("case", values, "case", service, client=client, service=service)
        received_on = self._received_on(data.get("referral") or {})
        if received_on and case.opened_on and case.opened_on < received_on:
            self.fail("case.opened_on", "is before the referral was received.")
        if case.opened_on and not self.errors:
            case.reference = next_case_reference(service, case.opened_on.year)
        self.save(case, "case", many)
        self.check()
        for index, child in enumerate(values.get("children", [])):
            self.make("child", child, f"case.children[{index}]", service, case=case)
        for index, item in enumerate(values.get("perpetrators", [])):
            self.make("perpetrator", item, f"case.perpetrators[{index}]", service, case=case)
        return case

    @staticmethod
    def _received_on(referral: dict) -> datetime.date | None:
        received_at = PARTS["referral"].model._meta.get_field("received_at")
        try:
            value = load_value(received_at, referral.get("received_at"))
        except BadValue:
            return None  # reported where the referral itself is built
        return timezone.localtime(value).date() if value else None

    def _referral(self, values, client, case, service):
        referral, many = self.build(
            "referral", values, "referral", service, client=client, service=service, case=case
        )
        if referral.received_at and not self.errors:
            referral.reference = next_referral_reference(
                service, timezone.localtime(referral.received_at).year
            )
        self.save(referral, "referral", many)
        return referral


def _count_parts(data: dict, counts: Counter) -> None:
    counts["lines"] += 1
    if data.get("case") is not None:
        counts["cases"] += 1
    if data.get("referral") is not None:
        counts["referrals"] += 1
    counts["assessments"] += len(data.get("assessments", []))
    counts["contacts"] += len(data.get("contacts", []))


def read_header(text: str) -> dict:
    try:
        header = json.loads(text)
    except json.JSONDecodeError as error:
        raise BundleFileError(f"line 1: not JSON ({error.msg}).") from None
    header_validator, _line_validator = validators()
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BundleFileError(f"line 1: format: this is not a {FORMAT} file.")
    if header.get("version") != VERSION:
        raise BundleFileError(
            f"line 1: version: version {header.get('version')!r} is not supported "
            f"(this Lantern reads version {VERSION})."
        )
    problems = schema_errors(header_validator, header)
    if problems:
        raise BundleFileError("; ".join(f"line 1: {path}: {message}" for path, message in problems))
    return header


def _import_lines(
    importer, iterator, line_validator, result: ImportResult, user, progress=None
) -> None:
    """Each line in its own savepoint; answers go in by bulk insert, which the audit trail
    records as one bulk write. `progress(lines_done)` is called every PROGRESS_EVERY lines."""
    with audited_bulk_write(actor=user, description="case bundle import: assessment answers"):
        for number, text in enumerate(iterator, start=2):
            if progress is not None and (number - 2) % PROGRESS_EVERY == 0 and number > 2:
                progress(number - 2)
            if not text.strip():
                continue
            problems = []
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                problems = [("", f"not JSON ({error.msg} at column {error.colno}).")]
                data = None
            if data is not None:
                problems = schema_errors(line_validator, data)
            if not problems:
                try:
                    # A savepoint per line: an invalid line leaves nothing behind.
                    with transaction.atomic():
                        outcome = importer.import_line(data)
                except LineInvalid:
                    problems = importer.errors
                except IntegrityError as error:
                    problems = [("", f"refused by the database ({error.__class__.__name__}).")]
                else:
                    if outcome == "imported":
                        result.imported += 1
                        _count_parts(data, result.counts)
                    else:
                        result.already_imported += 1
            if problems:
                result.errors += [LineError(number, path, message) for path, message in problems]
                result.rejects.append(text.rstrip("\n"))


def cases_import(
    *,
    user,
    lines,
    service_code: str | None = None,
    skip_invalid: bool = False,
    unknown_users_as_me: bool = False,
    progress=None,
) -> ImportResult:
    """Imports the bundle whose text lines are `lines` (an iterable of str). See the module
    docstring for the rules. Raises BundleFileError when the file cannot be read at all.

    `progress(done, total, seconds)`, if given, hears every PROGRESS_EVERY lines how many lines
    were read of the header's count, and how long it took."""
    iterator = _whole_lines(lines)
    first = next(iterator, None)
    if first is None or not first.strip():
        raise BundleFileError("line 1: the file is empty (a header line is expected).")
    header = read_header(first)
    _header_validator, line_validator = validators()
    importer = Importer(
        user=user, service_code=service_code, unknown_users_as_me=unknown_users_as_me
    )
    result = ImportResult()
    started = time.monotonic()
    report = None
    if progress is not None:

        def report(done):
            progress(done, header["counts"]["lines"], time.monotonic() - started)

    with transaction.atomic(), set_actor(user):
        _import_lines(importer, iterator, line_validator, result, user, report)
        if report is not None:
            report(result.imported + result.already_imported + len(result.rejects))
        expected = header["counts"]["lines"]
        seen = result.imported + result.already_imported + len(result.rejects)
        if seen != expected:
            result.errors.insert(
                0,
                LineError(
                    1,
                    "counts.lines",
                    f"the header counts {expected} lines but the file has {seen}: is it complete?",
                ),
            )
        fatal = bool(result.errors) and (not skip_invalid or seen != expected)
        if fatal:
            transaction.set_rollback(True)
            result.imported = 0
            result.counts = Counter()
        else:
            record_event(
                actor=user,
                action=AuditEvent.Action.ADMIN,
                service=Service.objects.filter(code=service_code).first() if service_code else None,
                label="Case bundle import",
                detail={
                    "case_bundle_import": {
                        "imported": result.imported,
                        "already_imported": result.already_imported,
                        "rejected": len(result.rejects),
                        **dict(result.counts),
                    }
                },
            )
            result.committed = True
    return result
