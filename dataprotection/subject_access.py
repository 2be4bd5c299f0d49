"""Everything held about one client, gathered for a subject access request (UK GDPR article 15).

One structure of plain dicts, lists and strings, built here and used by the review page, the PDF
and the JSON file alike, so that the three always agree:

    {"sections": [{"key", "title", "records": [{"key", "model", "pk", "title", "case",
                   "flag", "redacted", "fields": [{"name", "label", "value", "flag",
                   "redacted"}], "children": [record, ...]}]}],
     "not_visible": [{"service", "records", "ask"}], ...}

Which records: every kind of case data (each model derived from accounts.audit.CaseDataModel)
that hangs from the client or from one of their cases, found from the models themselves so that
a kind added later is not forgotten, and the rows hanging from those (an assessment's answers, a
safety plan's versions) as their children. The answer is the provider's: it covers all the
client's cases, but a user sees only the cases they may see; the records of the others are
counted (with whom to ask), never shown. Another client's rows are never reached: every row is
found through this client or their cases, and links to other cases or clients are not followed.
"""

import functools
import json
import logging
import re
from collections import Counter

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from accounts import access
from accounts.audit import CaseDataModel
from accounts.models import AuditEvent, Membership, Role, Service, User
from cases.models import Case, Client
from cases.models.case import ChildInCase, Perpetrator
from cases.selectors import cases_visible_to

# WeasyPrint logs every layout step at INFO: the worker's log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

REDACTED = "[redacted: third-party information]"
SCHEMA = "lantern.subject-access/1"

# Not the client's data: a caseworker's "not the same person" names another client; a redaction
# is the answer's own working.
EXCLUDED_MODELS = {"cases.clientmatchdismissal", "dataprotection.subjectaccessredaction"}
# Bookkeeping columns, not information about the person.
SKIPPED_FIELDS = {"id", "created_at", "updated_at", "pdf", "json"}
# Records that are someone else's as a whole.
THIRD_PARTY_RECORDS = {
    Perpetrator._meta.label_lower: "A perpetrator's details",
    ChildInCase._meta.label_lower: "A child's details",
}
# Fields that are someone else's wherever they are filled in.
THIRD_PARTY_FIELDS = {
    "referrals.referral": {
        "referrer_name": "The referrer's details",
        "referrer_phone": "The referrer's details",
        "referrer_email": "The referrer's details",
        "referrer_risk_information": "Information given by the referrer",
    },
}
# The order the sections are printed in; kinds not named here follow, by title.
SECTION_ORDER = [
    "cases.client",
    "cases.clientalias",
    "cases.consentrecord",
    "cases.case",
    "cases.perpetrator",
    "cases.childincase",
    "referrals.referral",
    "cases.contact",
    "cases.contactrevision",
    "riskassessment.assessment",
    "support.safetyplan",
    "outcomes.intakeform",
    "outcomes.reviewform",
    "outcomes.exitform",
    "support.areasupport",
    "support.intervention",
    "riskassessment.maracreferral",
    "riskassessment.marachearing",
    "cases.informationsharing",
    "dataprotection.rectificationrequest",
]
ACCESS_HISTORY = "accounts.auditevent"
# A name part shorter than this ("Jo", "Al") matches too much ordinary text to be worth a flag.
SHORTEST_NAME_PART = 3


def _label(model) -> str:
    return model._meta.label_lower


def _relations_to(model, target) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is target
    ]


@functools.cache
def record_models() -> tuple[list, dict]:
    """(the kinds of record hanging from a client or a case, {kind: [(child kind, link)]}):
    every CaseDataModel, found once per process."""
    data_models = [
        model
        for model in apps.get_models()
        if issubclass(model, CaseDataModel)
        and _label(model) not in EXCLUDED_MODELS
        and model not in (Case, Client)
    ]
    roots = [
        model for model in data_models if _relations_to(model, Case) or _relations_to(model, Client)
    ]
    children: dict = {}
    for model in data_models:
        if model in roots:
            continue
        # A child belongs to the row its required link names (a plan version to its plan, not
        # to the assessment it may answer), so it is printed once.
        for root in roots:
            for link in _relations_to(model, root):
                if not link.null:
                    children.setdefault(root, []).append((model, link))
    return roots, children


# --- One record as labels and values -----------------------------------------------------------


def _capitalised(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _shown(value) -> str:
    """A value as printed: dates in the one date format, yes/no, the related row's label."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False) if value else ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "j M Y, H:i")
    if hasattr(value, "year") and hasattr(value, "day"):
        return date_format(value, "j M Y")
    return str(value)


def _related_text(related) -> str:
    # A checklist question prints its whole wording, not its shortened name.
    text = getattr(related, "text", None)
    return text if isinstance(text, str) and text else str(related)


def _skipped(field, parent_link=None) -> bool:
    if field.name in SKIPPED_FIELDS or field.primary_key or field is parent_link:
        return True
    if isinstance(field, models.FileField):
        return True
    if field.is_relation:
        # The case and the client are the record's place in the answer, not a value; a link to
        # another case or client is never followed.
        return field.related_model in (Case, Client)
    # The edit counter of accounts.concurrency.
    return field.name == "version" and isinstance(field, models.PositiveIntegerField)


def _is_text(field) -> bool:
    return isinstance(field, models.CharField | models.TextField) and not field.choices


def _field_values(obj, parent_link=None) -> list[tuple[models.Field, str]]:
    values = []
    for field in obj._meta.concrete_fields:
        if _skipped(field, parent_link):
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            value = _related_text(related) if related is not None else ""
        elif field.choices:
            raw = getattr(obj, field.attname)
            value = "" if raw in (None, "") else obj._get_FIELD_display(field)
        else:
            value = _shown(getattr(obj, field.attname))
        if value != "":
            values.append((field, str(value)))
    for field in obj._meta.many_to_many:
        if field.related_model is User:
            continue  # who may open a restricted case: the service's access list, not the client's
        chosen = ", ".join(_related_text(item) for item in getattr(obj, field.name).all())
        if chosen:
            values.append((field, chosen))
    return values


class _NameFlags:
    """Known names of other people (the case's perpetrators and children, the provider's staff)
    in free text: capitalised words in general would flag every sentence."""

    def __init__(self, client: Client, case_ids):
        own = {part.lower() for part in (client.first_name, client.last_name) if part}
        perpetrators = Perpetrator.objects.filter(case_id__in=case_ids).values_list(
            "name", flat=True
        )
        children = ChildInCase.objects.filter(case_id__in=case_ids).values_list(
            "first_name", flat=True
        )
        staff = (
            User.objects.filter(memberships__service__provider_id=client.provider_id)
            .exclude(full_name="")
            .values_list("full_name", flat=True)
            .distinct()
        )
        self.patterns = [
            (reason, pattern)
            for reason, pattern in (
                ("Names a perpetrator", self._pattern(perpetrators, own, parts=True)),
                ("Names a child", self._pattern(children, own, parts=True)),
                ("Names a professional", self._pattern(staff, own, parts=False)),
            )
            if pattern is not None
        ]

    @staticmethod
    def _pattern(names, own: set[str], *, parts: bool):
        words = set()
        for name in names:
            name = (name or "").strip()
            if len(name) >= SHORTEST_NAME_PART and name.lower() not in own:
                words.add(name)
            if parts:
                words |= {
                    part
                    for part in name.split()
                    if len(part) >= SHORTEST_NAME_PART and part.lower() not in own
                }
        if not words:
            return None
        alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
        return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)

    def reason(self, text: str) -> str:
        return next((reason for reason, pattern in self.patterns if pattern.search(text)), "")


def _record(obj, *, case_refs, flags, redactions, parent_link=None, children=()) -> dict:
    label = _label(type(obj))
    key = f"{label}:{obj.pk}"
    whole_flag = THIRD_PARTY_RECORDS.get(label, "")
    whole_redacted = (label, str(obj.pk), "") in redactions
    fields = []
    for field, value in _field_values(obj, parent_link):
        flag = ""
        if not whole_flag:
            flag = THIRD_PARTY_FIELDS.get(label, {}).get(field.name, "")
            if not flag and _is_text(field):
                flag = flags.reason(value)
        redacted = whole_redacted or (label, str(obj.pk), field.name) in redactions
        fields.append(
            {
                "name": field.name,
                "label": _capitalised(field.verbose_name),
                "value": value,
                "flag": flag,
                "redacted": redacted,
            }
        )
    case_id = getattr(obj, "case_id", None)
    return {
        "key": key,
        "model": label,
        "pk": str(obj.pk),
        "title": _title(getattr(obj, "audit_label", "") or key),
        "case": case_refs.get(case_id, "") if case_id else "",
        "flag": whole_flag,
        "redacted": whole_redacted,
        "fields": fields,
        "children": [
            _record(
                child,
                case_refs=case_refs,
                flags=flags,
                redactions=redactions,
                parent_link=link,
            )
            for child, link in children
        ],
    }


# --- The whole answer ---------------------------------------------------------------------------


def _title(text) -> str:
    # Verbose names made from class names say "Marac"; the partnership is written MARAC.
    return re.sub(r"\bmarac\b", "MARAC", _capitalised(text), flags=re.IGNORECASE)


def _section(model, records) -> dict:
    return {
        "key": _label(model),
        "title": _title(model._meta.verbose_name_plural),
        "records": records,
    }


def _order(section) -> tuple:
    key = section["key"]
    if key == ACCESS_HISTORY:
        return (2, 0, "")
    if key in SECTION_ORDER:
        return (0, SECTION_ORDER.index(key), "")
    return (1, 0, section["title"])


def _managers_of(service_id: int) -> str:
    names = (
        Membership.objects.filter(service_id=service_id, role=Role.SERVICE_MANAGER)
        .select_related("user")
        .order_by("user__full_name")
    )
    return ", ".join(str(membership.user) for membership in names) or "the service's manager"


def _access_history(client: Client, case_ids, case_refs) -> dict:
    """Who read (searched, exported, downloaded...) the client's record and cases, and when."""
    events = (
        AuditEvent.objects.filter(
            Q(case_id__in=case_ids) | Q(object_type=_label(Client), object_id=str(client.pk))
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    records = []
    for event in events:
        who = str(event.actor) if event.actor else event.actor_email
        fields = [
            ("at", "When", _shown(event.at)),
            ("actor", "Who", who),
            ("action", "What", event.get_action_display()),
            ("object_label", "Record", event.object_label),
        ]
        records.append(
            {
                "key": f"{ACCESS_HISTORY}:{event.pk}",
                "model": ACCESS_HISTORY,
                "pk": str(event.pk),
                "title": f"{event.get_action_display()} {_shown(event.at)}",
                "case": case_refs.get(event.case_id, "") if event.case_id else "",
                "flag": "",
                "redacted": False,
                "fields": [
                    {"name": n, "label": lab, "value": v, "flag": "", "redacted": False}
                    for n, lab, v in fields
                    if v
                ],
                "children": [],
            }
        )
    return {"key": ACCESS_HISTORY, "title": "Access history", "records": records}


def gather(user, request) -> dict:
    """Everything held about the client of `request`'s case that `user` may see, with the
    third-party flags and the request's redactions marked (not yet applied: see for_output).

    1. The client's cases in the provider, split into those the user may see and the others.
    2. Each kind of record, found through the client or those cases; a row of a case the user
       may not see (or a referral of a service they are not in) is counted, not shown.
    3. Free text checked against the known names of other people.
    4. The access history of the cases shown and of the client record.
    """
    client = request.case.client
    all_cases = {case.pk: case for case in Case.objects.filter(client=client)}
    visible_ids = set(cases_visible_to(user).filter(client=client).values_list("pk", flat=True))
    hidden_ids = set(all_cases) - visible_ids
    viewable_services = access.service_ids_with(user, access.Capability.VIEW_CASES)
    case_refs = {pk: case.reference for pk, case in all_cases.items() if pk in visible_ids}
    redactions = {redaction.key for redaction in request.redactions.all()}
    flags = _NameFlags(client, visible_ids)
    hidden: Counter = Counter()

    sections = [
        _section(
            Client, [_record(client, case_refs=case_refs, flags=flags, redactions=redactions)]
        ),
        _section(
            Case,
            [
                _record(case, case_refs=case_refs, flags=flags, redactions=redactions)
                for case in Case.objects.filter(pk__in=visible_ids).select_related(
                    "service", "team", "caseworker"
                )
            ],
        ),
    ]
    for case_id in hidden_ids:
        hidden[all_cases[case_id].service_id] += 1

    roots, children_of = record_models()
    for model in roots:
        records = []
        for obj in _rows_of(model, client):
            case_id = getattr(obj, "case_id", None)
            service_id = getattr(obj, "service_id", None)
            if case_id in hidden_ids or (
                case_id is None and service_id is not None and service_id not in viewable_services
            ):
                hidden[all_cases[case_id].service_id if case_id else service_id] += 1
                continue
            children = [
                (child, link)
                for child_model, link in children_of.get(model, [])
                for child in _children_rows(child_model, link, obj)
            ]
            records.append(
                _record(
                    obj,
                    case_refs=case_refs,
                    flags=flags,
                    redactions=redactions,
                    children=children,
                )
            )
        if records:
            sections.append(_section(model, records))
    sections.append(_access_history(client, visible_ids, case_refs))
    sections.sort(key=_order)

    services = Service.objects.in_bulk(list(hidden))
    return {
        "schema": SCHEMA,
        "case_reference": request.case.reference,
        "provider": str(client.provider),
        "request": {
            "received_on": _shown(request.received_on),
            "due_on": _shown(request.due_on),
        },
        "generated_at": _shown(timezone.now()),
        "lawful_basis": client.get_lawful_basis_display() if client.lawful_basis else "",
        "sections": sections,
        "not_visible": [
            {
                "service": services[service_id].name,
                "records": count,
                "ask": _managers_of(service_id),
            }
            for service_id, count in sorted(hidden.items())
        ],
    }


def _rows_of(model, client: Client):
    condition = Q()
    for link in _relations_to(model, Client):
        condition |= Q(**{link.name: client})
    for link in _relations_to(model, Case):
        condition |= Q(**{f"{link.name}__client": client})
    related = [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model not in (Case, Client)
    ]
    return model._base_manager.filter(condition).select_related(*related).distinct()


def _children_rows(model, link, parent):
    related = [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field is not link and field.related_model not in (Case, Client)
    ]
    rows = model._base_manager.filter(**{link.name: parent}).select_related(*related)
    return rows.order_by(*(model._meta.ordering or ["pk"]))


# --- Reading the structure ---------------------------------------------------------------------


def iter_records(gathered: dict):
    """Every record and child record of the answer, depth first."""

    def walk(records):
        for record in records:
            yield record
            yield from walk(record["children"])

    for section in gathered["sections"]:
        yield from walk(section["records"])


def redactable_keys(gathered: dict) -> set[tuple[str, str, str]]:
    """(model, pk, field) of every value shown (field "" for a whole record): what a redaction
    may name. The access history is Lantern's own record of its staff, not redacted."""
    keys = set()
    for record in iter_records(gathered):
        if record["model"] == ACCESS_HISTORY:
            continue
        keys.add((record["model"], record["pk"], ""))
        keys |= {(record["model"], record["pk"], field["name"]) for field in record["fields"]}
    return keys


def flagged_items(gathered: dict) -> list[dict]:
    """What the review page offers to redact: each flagged record and value."""
    items = []
    for record in iter_records(gathered):
        if record["flag"]:
            summary = "; ".join(f"{f['label']}: {f['value']}" for f in record["fields"])
            items.append(_item(record, "", record["flag"], summary, record["redacted"]))
            continue
        for field in record["fields"]:
            if field["flag"]:
                items.append(
                    _item(record, field["name"], field["flag"], field["value"], field["redacted"])
                )
                items[-1]["field_label"] = field["label"]
    return items


def _item(record, field_name, flag, value, redacted) -> dict:
    return {
        "token": f"{record['model']}|{record['pk']}|{field_name}",
        "record": record["title"],
        "case": record["case"],
        "field_label": "Whole record",
        "flag": flag,
        "value": value,
        "redacted": redacted,
    }


def parse_token(token: str) -> tuple[str, str, str] | None:
    parts = token.split("|")
    return tuple(parts) if len(parts) == 3 else None


def counts(gathered: dict) -> list[dict]:
    return [
        {"title": section["title"], "count": len(section["records"])}
        for section in gathered["sections"]
    ]


def for_output(gathered: dict) -> dict:
    """The answer as given to the client: redactions applied, the review's flags and the note
    of what this user cannot see left out (both are the service's working, not the client's
    data)."""

    def record_out(record):
        return {
            "key": record["key"],
            "title": record["title"],
            "case": record["case"],
            "fields": [
                {
                    "name": field["name"],
                    "label": field["label"],
                    "value": REDACTED if field["redacted"] else field["value"],
                }
                for field in record["fields"]
            ],
            "children": [record_out(child) for child in record["children"]],
        }

    return {
        "schema": gathered["schema"],
        "case_reference": gathered["case_reference"],
        "provider": gathered["provider"],
        "request": gathered["request"],
        "generated_at": gathered["generated_at"],
        "lawful_basis": gathered["lawful_basis"],
        "sections": [
            {
                "key": section["key"],
                "title": section["title"],
                "records": [record_out(record) for record in section["records"]],
            }
            for section in gathered["sections"]
        ],
    }


def render_json(output: dict) -> bytes:
    return json.dumps(output, ensure_ascii=False, indent=2).encode()


def render_pdf(output: dict) -> bytes:
    """The same answer as a tagged PDF (WeasyPrint; called by the worker, or in-process)."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from weasyprint import HTML  # imported here: only the build renders, and it loads Pango

    html = render_to_string("dataprotection/subject_access_pdf.html", {"answer": output})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).render(
        pdf_variant="pdf/ua-1"
    )
    return document.write_pdf(pdf_variant="pdf/ua-1")
