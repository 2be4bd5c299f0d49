"""Writing a case bundle: the cases (and referrals that opened no case) a user may see.

1. Scope: the services where the user may view cases (optionally narrowed to some of them), a
   restricted case only for the users named on it (cases.selectors.cases_visible_to).
2. Lines in date order (case opened, or referral received when no case was opened), so that a
   MARAC referral comes after the earlier one it repeats.
3. Every part is read in one query per relation for each chunk of cases, never per case.
4. One EXPORT audit event names the user, the services and the counts, never a client.
"""

import datetime
import heapq
import json
import uuid
from collections import Counter

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts import access
from accounts.audit import record_event
from accounts.models import AuditEvent
from cases.selectors import cases_visible_to
from outcomes.models import CriminalJusticeForm, PoliceReport
from referrals.selectors import referrals_visible_to
from riskassessment.models import Assessment
from support.models import SafetyPlan

from .fields import PARTS, dump
from .models import ImportedRecord
from .schema import FORMAT, VERSION

CHUNK = 500
ID_NAMESPACE = uuid.UUID("9a5b7c1e-4f0e-4d7a-9a51-6c2b0d1e8f30")


class ExportScopeError(Exception):
    """The user asked for a service they may not export from."""


def _relations(part_name: str, prefix: str = "") -> list[str]:
    return [f"{prefix}{field.name}" for field in PARTS[part_name].fields() if field.is_relation]


def _case_prefetches() -> list:
    lookups = ["client__consents", "referral", "children", "perpetrators"]
    lookups += _relations("client", "client__")
    lookups += _relations("consent", "client__consents__")
    lookups += _relations("referral", "referral__")
    lookups += _relations("case")
    lookups += _relations("child", "children__")
    lookups += _relations("perpetrator", "perpetrators__")
    simple = {
        "contacts": "contact",
        "area_support": "support",
        "interventions": "intervention",
        "risk_decisions": "risk_decision",
        "intake_forms": "intake",
        "review_forms": "review",
        "exit_forms": "exit",
        "criminal_justice_forms": "criminal_justice",
        "civil_justice_forms": "civil_justice",
        "civil_justice_forms__orders": "civil_order",
        "follow_ups": "follow_up",
        "marac_referrals": "marac_referral",
        "marac_hearings": "marac_hearing",
        "marac_hearings__actions": "marac_action",
    }
    for path, part in simple.items():
        lookups += [path, *_relations(part, f"{path}__")]
    lookups += [
        Prefetch(
            "safety_plans",
            SafetyPlan.objects.prefetch_related(
                "versions", *_relations("safety_plan_version", "versions__")
            ),
        ),
        *_relations("safety_plan", "safety_plans__"),
        Prefetch(
            "risk_assessments",
            Assessment.objects.select_related("version__checklist").prefetch_related(
                "answers__question", "answers__option"
            ),
        ),
        *_relations("assessment", "risk_assessments__"),
        Prefetch(
            "criminal_justice_forms__police_reports",
            PoliceReport.objects.prefetch_related("incidents", *_relations("police_report")),
        ),
        "marac_referrals__repeat_of",
        "marac_hearings__meeting",
    ]
    return lookups


def _by_pk(rows):
    return sorted(rows, key=lambda row: row.pk)


def _id(kind: str, obj, provider_name: str) -> str:
    """A stable id for a row of this system: the same row always gets the same id, rows of
    different providers never share one, and the id does not reveal the row's database key."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{provider_name}|{kind}|{obj.pk}"))


class Exporter:
    def __init__(self, *, user, services, date_from=None, date_to=None):
        self.user = user
        self.services = services
        self.date_from = date_from
        self.date_to = date_to
        self.counts = Counter()
        self.imported_lines: dict = {}
        self.imported_clients: dict = {}

    # --- What is exported ---

    def cases(self):
        cases = cases_visible_to(self.user).filter(service__in=self.services)
        if self.date_from:
            cases = cases.filter(opened_on__gte=self.date_from)
        if self.date_to:
            cases = cases.filter(opened_on__lte=self.date_to)
        return cases.select_related("client__provider", "service__provider").order_by(
            "opened_on", "pk"
        )

    def referrals_without_case(self):
        referrals = referrals_visible_to(self.user).filter(
            service__in=self.services, case__isnull=True
        )
        if self.date_from:
            referrals = referrals.filter(received_at__date__gte=self.date_from)
        if self.date_to:
            referrals = referrals.filter(received_at__date__lte=self.date_to)
        return (
            referrals.select_related("client__provider", "service__provider")
            .prefetch_related(
                "client__consents",
                *_relations("client", "client__"),
                *_relations("consent", "client__consents__"),
                *_relations("referral"),
            )
            .order_by("received_at", "pk")
        )

    # --- Lines ---

    def _client(self, client) -> dict:
        client_id = self.imported_clients.get(client.pk) or _id(
            "client", client, client.provider.name
        )
        consents = [dump(consent, PARTS["consent"]) for consent in _by_pk(client.consents.all())]
        return {"id": client_id, **dump(client, PARTS["client"]), "consents": consents}

    def _referral(self, referral) -> dict:
        return {"reference": referral.reference, **dump(referral, PARTS["referral"])}

    def referral_line(self, referral) -> dict:
        self.counts["referrals"] += 1
        line_id = self.imported_lines.get(("referral", referral.pk)) or _id(
            "referral", referral, referral.service.provider.name
        )
        return {
            "id": line_id,
            "service": referral.service.code,
            "reference": referral.reference,
            "client": self._client(referral.client),
            "referral": self._referral(referral),
            "case": None,
        }

    def case_line(self, case) -> dict:
        self.counts["cases"] += 1
        referral = getattr(case, "referral", None)
        if referral is not None:
            self.counts["referrals"] += 1
        assessments = _by_pk(case.risk_assessments.all())
        refs = {assessment.pk: f"a{index}" for index, assessment in enumerate(assessments, 1)}
        marac_referrals = _by_pk(case.marac_referrals.all())
        marac_refs = {item.pk: f"m{index}" for index, item in enumerate(marac_referrals, 1)}
        self.counts["assessments"] += len(assessments)
        contacts = _by_pk(case.contacts.all())
        self.counts["contacts"] += len(contacts)
        return {
            "id": self.imported_lines.get(("case", case.pk))
            or _id("case", case, case.service.provider.name),
            "service": case.service.code,
            "reference": case.reference,
            "client": self._client(case.client),
            "referral": self._referral(referral) if referral is not None else None,
            "case": {
                "reference": case.reference,
                **dump(case, PARTS["case"]),
                "children": [dump(child, PARTS["child"]) for child in _by_pk(case.children.all())],
                "perpetrators": [
                    dump(item, PARTS["perpetrator"]) for item in _by_pk(case.perpetrators.all())
                ],
            },
            "assessments": [self._assessment(item, refs) for item in assessments],
            "risk_decisions": [
                dump(item, PARTS["risk_decision"]) for item in _by_pk(case.risk_decisions.all())
            ],
            "forms": self._forms(case),
            "contacts": [dump(item, PARTS["contact"]) for item in contacts],
            "support": [dump(item, PARTS["support"]) for item in _by_pk(case.area_support.all())],
            "interventions": [
                dump(item, PARTS["intervention"]) for item in _by_pk(case.interventions.all())
            ],
            "safety_plans": [
                {
                    **dump(plan, PARTS["safety_plan"]),
                    "versions": [
                        {
                            **dump(version, PARTS["safety_plan_version"]),
                            "assessment": refs.get(version.assessment_id),
                        }
                        for version in sorted(plan.versions.all(), key=lambda v: v.number)
                    ],
                }
                for plan in _by_pk(case.safety_plans.all())
            ],
            "marac": {
                "referrals": [
                    {
                        "ref": marac_refs[item.pk],
                        **dump(item, PARTS["marac_referral"]),
                        "assessment": refs.get(item.assessment_id),
                        "repeat_of_referred_on": (
                            item.repeat_of.referred_on.isoformat() if item.repeat_of else None
                        ),
                    }
                    for item in marac_referrals
                ],
                "hearings": [
                    {
                        **dump(hearing, PARTS["marac_hearing"]),
                        "meeting": {
                            "area": hearing.meeting.marac.name,
                            "held_on": hearing.meeting.held_on.isoformat(),
                        },
                        "referral": marac_refs.get(hearing.referral_id),
                        "actions": [
                            dump(action, PARTS["marac_action"])
                            for action in _by_pk(hearing.actions.all())
                        ],
                    }
                    for hearing in _by_pk(case.marac_hearings.all())
                ],
            },
        }

    def _assessment(self, assessment, refs) -> dict:
        answers = {
            str(answer.question.number): {
                "option": answer.option.key if answer.option else None,
                "detail": answer.detail,
                "comment": answer.comment,
            }
            for answer in sorted(assessment.answers.all(), key=lambda a: a.question.number)
        }
        return {
            "ref": refs[assessment.pk],
            "checklist": assessment.version.checklist.key,
            "checklist_version": assessment.version.number,
            "parent": refs.get(assessment.parent_id),
            "supersedes": refs.get(assessment.supersedes_id),
            **dump(assessment, PARTS["assessment"]),
            "answers": answers,
        }

    def _forms(self, case) -> dict:
        def one(rows, part):
            rows = _by_pk(rows)
            return dump(rows[0], PARTS[part]) if rows else None

        criminal = _by_pk(case.criminal_justice_forms.all())
        civil = _by_pk(case.civil_justice_forms.all())
        return {
            "intake": one(case.intake_forms.all(), "intake"),
            "reviews": [dump(item, PARTS["review"]) for item in _by_pk(case.review_forms.all())],
            "exit": one(case.exit_forms.all(), "exit"),
            "criminal_justice": self._criminal(criminal[0]) if criminal else None,
            "civil_justice": (
                {
                    **dump(civil[0], PARTS["civil_justice"]),
                    "orders": [
                        dump(order, PARTS["civil_order"]) for order in _by_pk(civil[0].orders.all())
                    ],
                }
                if civil
                else None
            ),
            "follow_up": one(case.follow_ups.all(), "follow_up"),
        }

    def _criminal(self, form: CriminalJusticeForm) -> dict:
        return {
            **dump(form, PARTS["criminal_justice"]),
            "police_reports": [
                {
                    **dump(report, PARTS["police_report"]),
                    "incidents": [
                        dump(incident, PARTS["incident"])
                        for incident in _by_pk(report.incidents.all())
                    ],
                }
                for report in _by_pk(form.police_reports.all())
            ],
        }

    # --- The whole file ---

    def _load_imported_ids(self, case_ids, referral_ids, client_ids):
        """Rows that came in from a bundle keep the id they came with."""
        records = ImportedRecord.objects.filter(
            case_id__in=case_ids
        ) | ImportedRecord.objects.filter(referral_id__in=referral_ids, case__isnull=True)
        for record in records.filter(kind=ImportedRecord.Kind.LINE):
            if record.case_id:
                self.imported_lines[("case", record.case_id)] = record.external_id
            else:
                self.imported_lines[("referral", record.referral_id)] = record.external_id
        for record in ImportedRecord.objects.filter(
            kind=ImportedRecord.Kind.CLIENT, client_id__in=client_ids
        ):
            self.imported_clients[record.client_id] = record.external_id

    def lines(self):
        """Yields the line dicts in date order; the header is written by write()."""
        cases = self.cases()
        referrals = self.referrals_without_case()
        self._load_imported_ids(
            list(cases.values_list("pk", flat=True)),
            list(referrals.values_list("pk", flat=True)),
            set(cases.values_list("client_id", flat=True))
            | set(referrals.values_list("client_id", flat=True)),
        )
        case_rows = cases.prefetch_related(*_case_prefetches()).iterator(chunk_size=CHUNK)
        referral_rows = referrals.iterator(chunk_size=CHUNK)

        def dated_cases():
            for case in case_rows:
                yield (case.opened_on, 0, case.pk), case

        def dated_referrals():
            for referral in referral_rows:
                yield (timezone.localtime(referral.received_at).date(), 1, referral.pk), referral

        for (_key, kind, _pk), row in heapq.merge(
            dated_cases(), dated_referrals(), key=lambda item: item[0]
        ):
            yield self.case_line(row) if kind == 0 else self.referral_line(row)


def _header(services, date_from, date_to, counts) -> dict:
    period = None
    if date_from or date_to:
        period = {
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
        }
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "services": sorted(service.code for service in services),
        "period": period,
        "counts": counts,
    }


def exportable_services(user, codes=()):
    """The services named (all the user may view cases in, when none are named); a code the
    user may not view raises ExportScopeError, whether or not the service exists."""
    visible = access.services_with(user, access.Capability.VIEW_CASES)
    if not codes:
        return list(visible.order_by("code"))
    found = {service.code: service for service in visible.filter(code__in=codes)}
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ExportScopeError(f"You cannot export from {', '.join(missing)}.")
    return [found[code] for code in sorted(found)]


@transaction.atomic
def cases_export(
    *,
    user,
    out,
    service_codes=(),
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict:
    """Writes the bundle to the text stream `out` and records the export; returns the counts.

    The lines are written to `out` after the header, which carries their counts: they are
    built first (a bundle is read back whole by the importer anyway).
    """
    services = exportable_services(user, service_codes)
    exporter = Exporter(user=user, services=services, date_from=date_from, date_to=date_to)
    lines = [json.dumps(line, ensure_ascii=False) for line in exporter.lines()]
    counts = {"lines": len(lines), **dict(sorted(exporter.counts.items()))}
    # One write per line, newline included (a management command's stdout adds its own
    # ending only to writes that lack one).
    out.write(json.dumps(_header(services, date_from, date_to, counts), ensure_ascii=False) + "\n")
    for line in lines:
        out.write(line + "\n")
    for service in services or [None]:
        record_event(
            actor=user,
            action=AuditEvent.Action.EXPORT,
            service=service,
            label="Case bundle",
            detail={
                "kind": "case_bundle",
                "services": [item.code for item in services],
                "period": [
                    date_from.isoformat() if date_from else None,
                    date_to.isoformat() if date_to else None,
                ],
                "counts": counts,
            },
        )
    return counts
