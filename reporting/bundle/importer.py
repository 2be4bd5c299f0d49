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
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import access
from accounts.audit import audited_bulk_write, record_event
from accounts.models import AuditEvent, Marac, Service, Team, User
from cases.models import Agency, Option
from cases.services import next_case_reference
from referrals.models import ReferralRoute
from referrals.services import next_referral_reference
from riskassessment.models import Answer, ChecklistVersion, MaracMeeting, MaracReferral
from support.models import SafetyPlan

from .fields import PARTS, BadValue, load_value, option_list_key, reference_kind
from .models import ImportedRecord
from .schema import FORMAT, VERSION, validators

SHOWN_CHOICES = 6


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


class BundleFileError(Exception):
    """The file as a whole cannot be read (no header, another format): nothing is imported."""


def max_line_bytes() -> int:
    return settings.CASE_BUNDLE_MAX_LINE_BYTES


def _too_long(number: int, limit: int) -> BundleFileError:
    return BundleFileError(
        f"line {number}: longer than the limit of {limit:,} bytes; nothing imported."
    )


def bundle_lines(stream: BinaryIO) -> Iterator[str]:
    """The lines of a bundle file opened in binary mode, decoded as UTF-8 as they are read.

    Reads at most one byte past the limit of any line, so a huge line is refused without being
    held in memory whole. Raises BundleFileError for a line that is too long or not UTF-8 (a
    last line cut inside a character is reported as cut short, which is what it is).
    """
    limit = max_line_bytes()
    number = 0
    while raw := stream.readline(limit + 1):
        number += 1
        if len(raw) > limit:
            raise _too_long(number, limit)
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark some editors write: not part of the JSON
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if not raw.endswith(b"\n"):
                raise _cut_short(number) from None
            raise BundleFileError(
                f"line {number}: not UTF-8 text (byte {error.start + 1} of the line). "
                "Save the file as UTF-8 and import it again; nothing imported."
            ) from None


def _cut_short(number: int) -> BundleFileError:
    return BundleFileError(
        f"line {number}: the file ends in the middle of this line: it looks cut short. "
        "Nothing imported, even with skip-invalid."
    )


def _whole_lines(lines: Iterable[str]) -> Iterator[str]:
    """Refuses, as the whole file's error, a line over the size limit (for callers that pass
    text rather than a file) and a last line cut short: with no newline and not JSON."""
    limit = max_line_bytes()
    for number, text in enumerate(lines, start=1):
        if len(text) > limit // 4 and len(text.encode("utf-8")) > limit:
            raise _too_long(number, limit)
        if not text.endswith("\n") and text.strip():
            try:
                json.loads(text)
            except json.JSONDecodeError:
                raise _cut_short(number) from None
        yield text


class _LineInvalid(Exception):
    pass


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


class Importer:
    def __init__(self, *, user, service_code: str | None = None, unknown_users_as_me=False):
        self.user = user
        self.service_code = service_code
        self.unknown_users_as_me = unknown_users_as_me
        self._cache: dict = {}
        self.seen_ids: set[str] = set()
        self.errors: list[tuple[str, str]] = []

    # --- Looking up named things ---

    def _lookup(self, kind: str, key, load):
        cache_key = (kind, key)
        if cache_key not in self._cache:
            self._cache[cache_key] = load()
        return self._cache[cache_key]

    def user_by_email(self, email: str):
        found = self._lookup(
            "user", email.lower(), lambda: User.objects.filter(email__iexact=email).first()
        )
        if found is None and self.unknown_users_as_me:
            return self.user
        return found

    def resolve(self, kind: str, value, path: str, service):
        if kind == "user":
            found = self.user_by_email(value)
            missing = f"no user has the e-mail address {value!r}."
        elif kind == "agency":
            found = self._lookup(kind, value, lambda: Agency.objects.filter(name=value).first())
            missing = f"no agency is named {value!r}."
        elif kind == "route":
            # The service's provider's own route of that name before the national one.
            found = self._lookup(
                kind,
                (service.provider_id, value),
                lambda: (
                    ReferralRoute.objects.of_provider(service.provider_id)
                    .filter(name=value)
                    .order_by(F("provider").asc(nulls_last=True))
                    .first()
                ),
            )
            missing = f"no referral route is named {value!r}."
        elif kind == "team":
            found = self._lookup(
                kind,
                (service.pk, value),
                lambda: Team.objects.filter(service=service, name=value).first(),
            )
            missing = f"the service {service.code} has no team named {value!r}."
        elif kind == "service":
            found = self._lookup(kind, value, lambda: Service.objects.filter(code=value).first())
            missing = f"no service has the code {value!r}."
        else:  # pragma: no cover - fields.reference_kind names every kind
            raise ValueError(kind)
        if found is None:
            self.fail(path, missing)
        return found

    def option(self, list_key: str | None, label: str, path: str):
        if list_key is None:
            self.fail(path, "cannot tell which list the options belong to.")
            return None
        found = self._lookup(
            "option",
            (list_key, label),
            lambda: Option.objects.filter(list_key=list_key, label=label).first(),
        )
        if found is None:
            self.fail(path, f"{label!r} is not an option of the list {list_key!r}.")
        return found

    def checklist_version(self, key: str, number: int):
        def load():
            version = (
                ChecklistVersion.objects.filter(checklist__key=key, number=number)
                .prefetch_related("questions__options")
                .first()
            )
            if version is None:
                return None
            questions = {
                question.number: (
                    question,
                    {option.key: option for option in question.options.all()},
                )
                for question in version.questions.all()
            }
            return version, questions

        return self._lookup("checklist", (key, number), load)

    # --- Errors ---

    def fail(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def check(self) -> None:
        if self.errors:
            raise _LineInvalid

    # --- Building rows ---

    def build(self, part_name: str, values: dict, path: str, line_service, **fixed):
        """An unsaved row of the part from the line's values, and its many-to-many values."""
        part = PARTS[part_name]
        obj = part.model(**fixed)
        many = {}
        for model_field in part.fields():
            if model_field.name not in values:
                continue
            raw = values[model_field.name]
            field_path = f"{path}.{model_field.name}"
            if model_field.many_to_many:
                kind = reference_kind(model_field)
                if kind == "option":
                    list_key = option_list_key(model_field, values)
                    items = [
                        self.option(list_key, label, f"{field_path}[{index}]")
                        for index, label in enumerate(raw)
                    ]
                else:
                    items = [
                        self.resolve(kind, value, f"{field_path}[{index}]", line_service)
                        for index, value in enumerate(raw)
                    ]
                many[model_field.name] = [item for item in items if item is not None]
            elif model_field.is_relation:
                related = (
                    None
                    if raw is None
                    else self.resolve(reference_kind(model_field), raw, field_path, line_service)
                )
                setattr(obj, model_field.name, related)
            else:
                try:
                    setattr(obj, model_field.attname, load_value(model_field, raw))
                except BadValue as error:
                    self.fail(field_path, str(error))
        return obj, many

    def save(self, obj, path: str, many: dict | None = None) -> bool:
        """Validates and saves one row (and its many-to-many values); False if invalid."""
        if self.errors:
            return False
        # full_clean() less its foreign-key existence checks (one query per key): every
        # related row here was looked up by name a moment ago, or was just written.
        relations = {field.name for field in obj._meta.concrete_fields if field.is_relation}
        errors: dict = {}
        for step in (
            lambda: obj.clean_fields(exclude=relations),
            obj.clean,
            obj.validate_unique,
            obj.validate_constraints,
        ):
            try:
                step()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            for name, messages in errors.items():
                where = path if name == NON_FIELD_ERRORS else f"{path}.{name}"
                self.fail(where, " ".join(ValidationError(messages).messages))
            return False
        obj.save()
        for name, items in (many or {}).items():
            if items:  # a new row has none yet: add, rather than set's read-compare-write
                getattr(obj, name).add(*items)
        return True

    def make(self, part_name, values, path, line_service, **fixed):
        obj, many = self.build(part_name, values, path, line_service, **fixed)
        self.save(obj, path, many)
        return obj

    # --- One line ---

    def import_line(self, data: dict) -> str:
        """Writes one line; returns "imported" or "already_imported". Raises _LineInvalid."""
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

    def _date(self, value: str, path: str) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(path, f"{value!r} is not a date (YYYY-MM-DD).")
            return None

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

    def _case_records(self, data, case, service):
        refs = self._assessments(data.get("assessments", []), case, service)
        self.check()
        self._forms(data.get("forms") or {}, case, service)
        simple = (
            ("contacts", "contact"),
            ("support", "support"),
            ("interventions", "intervention"),
        )
        for key, part in simple:
            for index, values in enumerate(data.get(key, [])):
                self.make(part, values, f"{key}[{index}]", service, case=case)
        for index, values in enumerate(data.get("safety_plans", [])):
            path = f"safety_plans[{index}]"
            plan = self.make("safety_plan", values, path, service, case=case)
            if not isinstance(plan, SafetyPlan) or plan.pk is None:
                continue
            for number, version in enumerate(values.get("versions", [])):
                version_path = f"{path}.versions[{number}]"
                assessment = self._ref(
                    refs, version.get("assessment"), f"{version_path}.assessment"
                )
                self.make(
                    "safety_plan_version",
                    version,
                    version_path,
                    service,
                    plan=plan,
                    assessment_id=assessment.pk if assessment else None,
                )
        self._marac(data.get("marac") or {}, case, service, refs)

    def _ref(self, refs: dict, ref, path):
        if ref is None:
            return None
        if ref not in refs:
            self.fail(path, f"no earlier assessment in this line has the ref {ref!r}.")
            return None
        return refs[ref]

    def _assessments(self, items, case, service) -> dict:
        refs = {}
        for index, values in enumerate(items):
            path = f"assessments[{index}]"
            found = self.checklist_version(values["checklist"], values["checklist_version"])
            if found is None:
                self.fail(
                    f"{path}.checklist_version",
                    f"there is no version {values['checklist_version']} of the checklist "
                    f"{values['checklist']!r}.",
                )
                continue
            version, questions = found
            parent = self._ref(refs, values.get("parent"), f"{path}.parent")
            supersedes = self._ref(refs, values.get("supersedes"), f"{path}.supersedes")
            assessment, many = self.build(
                "assessment",
                values,
                path,
                service,
                case=case,
                version=version,
                parent=parent,
                supersedes=supersedes,
            )
            answers = []
            for number, answer in (values.get("answers") or {}).items():
                answer_path = f"{path}.answers.{number}"
                question, options = questions.get(int(number), (None, {}))
                if question is None:
                    self.fail(answer_path, f"the checklist version has no question {number}.")
                    continue
                key = answer.get("option")
                if key is not None and key not in options:
                    self.fail(
                        f"{answer_path}.option", f"{key!r} is not an answer to question {number}."
                    )
                    continue
                answers.append((answer_path, question, options.get(key) if key else None, answer))
            if values["ref"] in refs:
                self.fail(f"{path}.ref", "another assessment of this line has this ref.")
            if not self.save(assessment, path, many):
                continue
            refs[values["ref"]] = assessment
            # Questions and options were checked against the version above: the answers go in
            # one insert (inside the import's audited_bulk_write) instead of one per answer.
            Answer.objects.bulk_create(
                Answer(
                    assessment=assessment,
                    question=question,
                    option=option,
                    detail=answer.get("detail", ""),
                    comment=answer.get("comment", ""),
                )
                for _answer_path, question, option, answer in answers
            )
        return refs

    def _forms(self, forms, case, service):
        for kind in ("intake", "exit", "follow_up"):
            if forms.get(kind) is not None:
                self.make(kind, forms[kind], f"forms.{kind}", service, case=case)
        for index, values in enumerate(forms.get("reviews", [])):
            self.make("review", values, f"forms.reviews[{index}]", service, case=case)
        criminal = forms.get("criminal_justice")
        if criminal is not None:
            form = self.make(
                "criminal_justice", criminal, "forms.criminal_justice", service, case=case
            )
            for index, values in enumerate(criminal.get("police_reports", [])):
                path = f"forms.criminal_justice.police_reports[{index}]"
                report = self.make("police_report", values, path, service, case=case, form=form)
                for number, incident in enumerate(values.get("incidents", [])):
                    self.make(
                        "incident",
                        incident,
                        f"{path}.incidents[{number}]",
                        service,
                        case=case,
                        report=report,
                    )
        civil = forms.get("civil_justice")
        if civil is not None:
            form = self.make("civil_justice", civil, "forms.civil_justice", service, case=case)
            for index, values in enumerate(civil.get("orders", [])):
                path = f"forms.civil_justice.orders[{index}]"
                self.make("civil_order", values, path, service, case=case, form=form)

    def _marac(self, marac, case, service, assessment_refs):
        referral_refs = {}
        for index, values in enumerate(marac.get("referrals", [])):
            path = f"marac.referrals[{index}]"
            assessment = self._ref(assessment_refs, values.get("assessment"), f"{path}.assessment")
            repeat_of = None
            earlier = values.get("repeat_of_referred_on")
            earlier = earlier and self._date(earlier, f"{path}.repeat_of_referred_on")
            if earlier:
                repeat_of = (
                    MaracReferral.objects.filter(
                        case__client_id=case.client_id, referred_on=earlier
                    )
                    .order_by("-pk")
                    .first()
                )
                if repeat_of is None:
                    self.fail(
                        f"{path}.repeat_of_referred_on",
                        "the client has no MARAC referral on that date (it must come earlier "
                        "in the file or be in Lantern already).",
                    )
            referral = self.make(
                "marac_referral",
                values,
                path,
                service,
                case=case,
                assessment=assessment,
                repeat_of=repeat_of,
            )
            referral_refs[values["ref"]] = referral
        for index, values in enumerate(marac.get("hearings", [])):
            path = f"marac.hearings[{index}]"
            meeting_values = values["meeting"]
            held_on = self._date(meeting_values["held_on"], f"{path}.meeting.held_on")
            # The bundle names the MARAC; a name not yet known becomes a MARAC no service has
            # joined (only a superuser or the MARAC's admins join services to one).
            meeting = MaracMeeting.objects.filter(
                marac__name=meeting_values["area"], held_on=held_on
            ).first()
            if meeting is None and not self.errors:
                marac, _ = Marac.objects.get_or_create(name=meeting_values["area"])
                meeting = MaracMeeting.objects.create(
                    marac=marac, held_on=held_on, created_by=self.user
                )
            referral = None
            if values.get("referral") is not None:
                referral = referral_refs.get(values["referral"])
                if referral is None:
                    self.fail(
                        f"{path}.referral",
                        f"no MARAC referral of this line has the ref {values['referral']!r}.",
                    )
            hearing = self.make(
                "marac_hearing",
                values,
                path,
                service,
                case=case,
                meeting=meeting,
                referral=referral,
            )
            for number, action in enumerate(values.get("actions", [])):
                self.make(
                    "marac_action",
                    action,
                    f"{path}.actions[{number}]",
                    service,
                    case=case,
                    hearing=hearing,
                )


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


def _import_lines(importer, iterator, line_validator, result: ImportResult, user) -> None:
    """Each line in its own savepoint; answers go in by bulk insert, which the audit trail
    records as one bulk write."""
    with audited_bulk_write(actor=user, description="case bundle import: assessment answers"):
        for number, text in enumerate(iterator, start=2):
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
                except _LineInvalid:
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
) -> ImportResult:
    """Imports the bundle whose text lines are `lines` (an iterable of str). See the module
    docstring for the rules. Raises BundleFileError when the file cannot be read at all."""
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
    with transaction.atomic(), set_actor(user):
        _import_lines(importer, iterator, line_validator, result, user)
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
