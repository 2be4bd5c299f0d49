"""Reading a case bundle into Lantern.

1. Line 1 must be a lantern-case-bundle/1 header; every other line is checked against the
   committed JSON Schema, then against this database (known services, users, agencies, routes,
   teams, option labels and checklist versions; dates in order), then by the models' own
   validation as each row is written (rows.RowWriter.save: in a batch, the unique and
   constraint checks are the database's).
2. Lines are written in batches of BATCH_LINES (batch.py): each line's rows are validated and
   queued, then bulk-inserted per model in one savepoint for the batch. A batch with an invalid
   line, or one the database refuses, is written again line by line, each line in a savepoint
   with its rows saved one at a time: an invalid line leaves nothing behind, and every error
   is reported as "line N: path.to.field: message", exactly as without batches.
3. The whole import is one transaction: any invalid line rolls everything back, unless
   skip_invalid is set, in which case the valid lines stay and the invalid ones are returned as
   rejects (written to a reject file by the command). A resumable import (for files too large
   to lose to an interruption) commits each batch instead: stopped part way, it keeps the lines
   written, and the same file imported again goes on after them (5).
4. The file is read as it streams (bundle_lines): text that is not UTF-8, a line longer than
   settings.CASE_BUNDLE_MAX_LINE_BYTES (1 MiB), or a last line cut short (no newline and not
   JSON) refuses the whole file, whatever skip_invalid says, since a cut or garbled file
   cannot be trusted line by line.
5. A line whose id was imported before is skipped (re-importing a file adds nothing); a client
   id imported before links the line to that client instead of creating a second record.
6. Every row written is in the change history, actor the importing user (batch.history_rows):
   the line's case and client (and a new MARAC or meeting) each have an auditlog CREATE as its
   signal would write it, and the case's lists every other row of the line by model and id;
   in one insert per batch, or per line on the line-by-line path (auditlog's signals off
   there), so both paths record the same. Each batch also records one ADMIN audit event
   listing every row's id by model; one ADMIN audit event records the import and its counts.
"""

import contextlib
import datetime
import gc
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog, set_actor
from auditlog.models import LogEntry
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.audit import audited_bulk_write, record_event
from accounts.models import AuditEvent, Service
from cases.models import Case
from cases.services import next_case_reference, reserve_case_references
from referrals.services import next_referral_reference, reserve_referral_references

from ..foreign_keys import ReferenceCheck, per_row_checks_off, per_row_checks_on
from ..freshness import mark_changed
from ..read_model import StatisticsKept, refresh_cases
from .batch import (
    HISTORY_FIELDS,
    Queued,
    history_rows,
    insert_in_rounds,
    insert_values,
    written_ids,
)
from .conformance import line_conforms
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
# Lines written together in bulk (their rows held in memory meanwhile).
BATCH_LINES = 500


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
    # A resumable import that stopped before the end of the file: why (the lines imported
    # before it are kept; running it again skips them).
    stopped: str = ""

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

    def __init__(self, **options):
        super().__init__(**options)
        # The read model's source tables analysed as the batches grow them (StatisticsKept).
        self.statistics = StatisticsKept()

    # --- One line ---

    def import_line(self, data: dict) -> str:
        """Writes one line; returns "imported" or "already_imported". Raises LineInvalid."""
        self.errors: list[tuple[str, str]] = []
        line_id = data["id"]
        if line_id in self.seen_ids or self._imported_before(line_id):
            return "already_imported"
        service = self._service(data)
        self.check()
        # The line's rows: queued from here on in a batch, else saved (RowWriter.saved).
        first_queued = len(self.queue) if self.queue is not None else None
        self.saved = []
        if self.batch_services is not None:
            self.batch_services.add(service.pk)
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
        records = []
        if new_client:
            records.append(
                ImportedRecord(
                    kind=ImportedRecord.Kind.CLIENT,
                    external_id=data["client"]["id"],
                    client=client,
                    imported_at=now,
                    imported_by=self.user,
                )
            )
            if self.batch_clients is not None:
                self.batch_clients[data["client"]["id"]] = client
        records.append(
            ImportedRecord(
                kind=ImportedRecord.Kind.LINE,
                external_id=line_id,
                client=client,
                case=case,
                referral=referral,
                source_reference=data.get("reference", "")[:30],
                imported_at=now,
                imported_by=self.user,
            )
        )
        for record in records:
            if self.queue is not None:
                self.queue.append(Queued(record))
            else:
                record.save()
                self.saved.append(Queued(record))
        self.lines_rows.append(self.queue[first_queued:] if self.queue is not None else self.saved)
        self.saved = []
        self.seen_ids.add(line_id)
        return "imported"

    # --- A batch of lines ---

    def start_batch(self, lines: list[dict]) -> None:
        """Looks up, in one query each, which of the batch's line ids and client ids were
        imported before; rows are then queued (RowWriter.queue) until write_batch."""
        self.queue = []
        self.lines_rows = []
        self.references_wanted = []
        self.batch_services = set()
        self.batch_line_ids = set(
            ImportedRecord.objects.filter(
                kind=ImportedRecord.Kind.LINE, external_id__in=[data["id"] for data in lines]
            ).values_list("external_id", flat=True)
        )
        self.batch_clients = {
            record.external_id: record.client
            for record in ImportedRecord.objects.filter(
                kind=ImportedRecord.Kind.CLIENT,
                external_id__in=[data["client"]["id"] for data in lines],
            ).select_related("client")
        }
        self._load_batch_marac(lines, list(self.batch_clients.values()))

    def end_batch(self) -> None:
        self.queue = self.batch_line_ids = self.batch_clients = self.batch_services = None
        self._end_batch_marac()

    def write_queued(self) -> list[Queued]:
        """Bulk-writes the rows queued so far (batch.py) and returns them. Where the
        connection's role may, PostgreSQL's per-row foreign-key checks are off for these
        writes, and each row they point at is checked once instead (foreign_keys.py): the
        per-row checks were an eighth of an import's time."""
        queued, self.queue = self.queue, []
        self._take_references()
        connection = transaction.get_connection()
        references = ReferenceCheck() if per_row_checks_off(connection) else None
        insert_in_rounds(queued, references)
        if references is not None:
            references.verify(connection)
            per_row_checks_on(connection)
        return queued

    def _reference(self, row, service, year: int) -> str:
        """The row's new reference; in a batch, a stand-in of the same form until write_queued
        takes the batch's references from the counter at once."""
        is_case = isinstance(row, Case)
        if self.queue is None:
            if is_case:
                return next_case_reference(service, year)
            return next_referral_reference(service, year)
        self.references_wanted.append((row, is_case, service, year))
        return f"{'' if is_case else 'R'}{service.code}-{year}-00000"

    def _take_references(self) -> None:
        wanted = defaultdict(list)
        for row, is_case, service, year in self.references_wanted:
            wanted[(is_case, service, year)].append(row)
        self.references_wanted = []
        for (is_case, service, year), rows in wanted.items():
            reserve = reserve_case_references if is_case else reserve_referral_references
            for row, reference in zip(rows, reserve(service, year, len(rows)), strict=True):
                row.reference = reference

    def _imported_before(self, line_id: str) -> bool:
        if self.batch_line_ids is not None:
            return line_id in self.batch_line_ids
        return ImportedRecord.objects.filter(
            kind=ImportedRecord.Kind.LINE, external_id=line_id
        ).exists()

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
                for key in (
                    "assessments",
                    "risk_decisions",
                    "contacts",
                    "support",
                    "interventions",
                    "safety_plans",
                )
            )
            or any(forms.get(key) for key in forms)
            or any(marac.get(key) for key in marac)
        )

    def _client(self, values, service):
        if self.batch_clients is not None:
            known = self.batch_clients.get(values["id"])
        else:
            record = (
                ImportedRecord.objects.filter(
                    kind=ImportedRecord.Kind.CLIENT, external_id=values["id"]
                )
                .select_related("client")
                .first()
            )
            known = record.client if record is not None else None
        if known is not None:
            if known.provider_id != service.provider_id:
                self.fail("client.id", "this client was imported into another provider.")
            return known, False
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
            case.reference = self._reference(case, service, case.opened_on.year)
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
            referral.reference = self._reference(
                referral, service, timezone.localtime(referral.received_at).year
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


def _parse(text: str, line_validator) -> tuple[dict | None, list[tuple[str, str]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [("", f"not JSON ({error.msg} at column {error.colno}).")]
    # The compiled check passes a valid line in a fraction of jsonschema's time; anything it
    # does not pass is put to jsonschema, which words the errors (conformance.py).
    if line_conforms()(data):
        return data, []
    return data, schema_errors(line_validator, data)


def write_history(importer) -> None:
    """The change history of the lines written since the last call (batch.history_rows)."""
    rows = history_rows(importer.take_lines_rows(), importer.user)
    if rows:
        insert_values(LogEntry, HISTORY_FIELDS, rows)


def check_references_now() -> None:
    """Checks the foreign keys of the rows written so far, here rather than at the import's
    commit. PostgreSQL defers Django's foreign keys to the end of the transaction, keeping an
    event per row in the server's memory until then: for one transaction of 100,000 lines that
    grows with the file, and a row pointing at nothing would refuse the whole import at its
    commit, naming no line. Checked per batch (and per line on the line-by-line path), the
    queue is one batch long and a refusal is the batch's, written again line by line."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        # SET CONSTRAINTS ALL IMMEDIATE, then back to DEFERRED: the checks queued so far run.
        connection.check_constraints()


def _import_one(importer, number: int, text: str, data, problems, result: ImportResult) -> None:
    """Today's path: the line in its own savepoint, its rows saved one at a time."""
    if not problems:
        try:
            # A savepoint per line: an invalid line leaves nothing behind. Its change history
            # is the batch path's (write_history), not auditlog's signal per row.
            with transaction.atomic(), disable_auditlog():
                outcome = importer.import_line(data)
                write_history(importer)
                check_references_now()
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


def _import_batch(importer, lines: list[dict], result: ImportResult, user) -> bool:
    """Writes a batch of valid lines in bulk, in a savepoint; False (nothing written, the
    importer as it was) if a line is invalid or the database refuses the batch, so that the
    caller writes it again line by line and reports each error as today."""
    line_ids = {data["id"] for data in lines}
    new_ids = line_ids - importer.seen_ids
    imported, already, counts = 0, 0, Counter()
    try:
        with transaction.atomic():
            importer.start_batch(lines)
            for data in lines:
                outcome = importer.import_line(data)
                if outcome == "imported":
                    imported += 1
                    _count_parts(data, counts)
                else:
                    already += 1
            written = importer.write_queued()
            write_history(importer)
            services = set(importer.batch_services)
            cases = {item.obj.pk for item in written if isinstance(item.obj, Case)}
            ids = written_ids(written)
            if written:
                record_event(
                    actor=user,
                    action=AuditEvent.Action.ADMIN,
                    service=next(iter(services)) if len(services) == 1 else None,
                    label="Case bundle import batch",
                    detail={"case_bundle_import_batch": ids},
                )
            # Bulk inserts send no signals: the read model and the services' data versions
            # are brought up to date here, in the batch's transaction.
            importer.statistics.rows_added({label: len(rows) for label, rows in ids.items()})
            refresh_cases(cases)
            mark_changed(services)
            check_references_now()
    except (LineInvalid, IntegrityError, DataError):
        importer.seen_ids -= new_ids
        return False
    finally:
        importer.end_batch()
    result.imported += imported
    result.already_imported += already
    result.counts.update(counts)
    return True


def _import_lines(
    importer,
    iterator,
    line_validator,
    result: ImportResult,
    user,
    progress=None,
    *,
    stop_at_invalid: bool = False,
) -> None:
    """The lines in batches of BATCH_LINES, each written in bulk (_import_batch); a batch with
    an invalid line is written line by line, each in its own savepoint, as before.
    `progress(lines_read)` is called every PROGRESS_EVERY lines. `stop_at_invalid`: a batch
    with an invalid line writes nothing and the import stops there (result.stopped)."""
    with (
        audited_bulk_write(actor=user, description="case bundle import"),
        _collected_per_batch() as collect,
    ):
        batch = []
        for number, text in enumerate(iterator, start=2):
            if progress is not None and (number - 2) % PROGRESS_EVERY == 0 and number > 2:
                progress(number - 2)
            if not text.strip():
                continue
            batch.append((number, text, *_parse(text, line_validator)))
            if len(batch) == BATCH_LINES:
                if not _write_batch(importer, batch, result, user, stop_at_invalid):
                    return
                batch = []
                collect()
        if batch:
            _write_batch(importer, batch, result, user, stop_at_invalid)


@contextlib.contextmanager
def _collected_per_batch():
    """Python's cycle collector run once per batch (over the objects the batch made) instead of
    whenever allocations pass its threshold: a batch makes hundreds of thousands of objects
    (its rows, their values), and the automatic collections, full ones among them scanning
    every object of the process, were a fifth of an import's CPU time. The rows a batch leaves
    behind (some in reference cycles) are freed at the batch's end, so memory stays one batch's.
    Yields the per-batch collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        # Every object made since the last collection is in the youngest generation.
        yield lambda: gc.collect(0)
    finally:
        if enabled:
            gc.enable()


def _write_batch(importer, batch, result: ImportResult, user, stop_at_invalid=False) -> bool:
    """Writes a batch in bulk, or else line by line; False when `stop_at_invalid` and a line
    of it is invalid: then nothing of the batch is written (its errors are reported)."""
    valid = all(not problems for _number, _text, _data, problems in batch)
    if valid and _import_batch(importer, [data for _n, _t, data, _p in batch], result, user):
        return True
    if not stop_at_invalid:
        for number, text, data, problems in batch:
            _import_one(importer, number, text, data, problems, result)
        return True
    # Line by line, to name every invalid line of the batch, in one transaction kept only if
    # none is invalid.
    before = (result.imported, result.already_imported, Counter(result.counts))
    seen_before, errors_before = set(importer.seen_ids), len(result.errors)
    with transaction.atomic():
        for number, text, data, problems in batch:
            _import_one(importer, number, text, data, problems, result)
        if len(result.errors) == errors_before:
            return True
        transaction.set_rollback(True)
    result.imported, result.already_imported, result.counts = before
    importer.seen_ids = seen_before
    first = result.errors[errors_before].line
    result.stopped = f"line {first} is invalid"
    return False


def cases_import(
    *,
    user,
    lines,
    service_code: str | None = None,
    skip_invalid: bool = False,
    unknown_users_as_me: bool = False,
    progress=None,
    resumable: bool = False,
) -> ImportResult:
    """Imports the bundle whose text lines are `lines` (an iterable of str). See the module
    docstring for the rules. Raises BundleFileError when the file cannot be read at all.

    `progress(done, total, seconds)`, if given, hears every PROGRESS_EVERY lines how many lines
    were read of the header's count, and how long it took.

    `resumable`: each batch is its own transaction, committed as it is written, so that an
    import stopped part way (an interruption, a file cut short, an invalid line: without
    skip_invalid, the batch holding it writes nothing and the import stops there) keeps the
    lines written before; the same file imported again skips them (their ids were recorded)
    and goes on. A file that cannot be read further stops it too (result.stopped), rather
    than raising."""
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

    with contextlib.nullcontext() if resumable else transaction.atomic(), set_actor(user):
        try:
            _import_lines(
                importer,
                iterator,
                line_validator,
                result,
                user,
                report,
                stop_at_invalid=resumable and not skip_invalid,
            )
        except BundleFileError as error:
            if not resumable:
                raise
            result.stopped = str(error)
        if report is not None:
            report(result.imported + result.already_imported + len(result.rejects))
        expected = header["counts"]["lines"]
        seen = result.imported + result.already_imported + len(result.rejects)
        if seen != expected and not result.stopped:
            incomplete = f"the header counts {expected} lines but the file has {seen}"
            result.errors.insert(0, LineError(1, "counts.lines", f"{incomplete}: is it complete?"))
            if resumable:
                result.stopped = incomplete
        fatal = bool(result.errors) and (not skip_invalid or seen != expected)
        if fatal and not resumable:
            transaction.set_rollback(True)
            result.imported = 0
            result.counts = Counter()
        else:
            # A resumable import records what it kept, whole or stopped part way.
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
                        **({"stopped": True} if result.stopped else {}),
                        **dict(result.counts),
                    }
                },
            )
            result.committed = True
    return result
