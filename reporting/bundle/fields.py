"""Which model fields a bundle carries, and how each is written in JSON.

Every part of a line (client, case, contact, intake form, ...) is one model. Its fields are read
from the model itself, so a field added to a model is carried (and appears in the generated JSON
Schema) without a change here; the structural links (the case a contact belongs to, an
assessment's checklist version, the assessment a plan version answers) are excluded here and
written by hand in export.py and importer.py.

Values: stored values as they are (for every Insights question that is the seed's label),
multi-selects as lists of cases.Option labels, people by e-mail, services by code, agencies,
referral routes and teams by name. Never a database id.
"""

import datetime
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Service, Team, User
from cases.models import (
    Agency,
    Case,
    ChildInCase,
    Client,
    ConsentRecord,
    Contact,
    Option,
    Perpetrator,
)
from outcomes.models import (
    CivilJusticeForm,
    CivilOrder,
    CriminalJusticeForm,
    ExitForm,
    FollowUp,
    Incident,
    IntakeForm,
    PoliceReport,
    ReviewForm,
)
from referrals.models import Referral, ReferralRoute
from riskassessment.models import (
    Assessment,
    MaracAction,
    MaracHearing,
    MaracReferral,
    RiskDecision,
)
from support.models import AreaSupport, Intervention, SafetyPlan, SafetyPlanVersion

# Kept out of every part: bookkeeping of the row in this database (`version` counts saves for
# the edit forms' conflict check: an imported row starts anew).
ALWAYS_EXCLUDED = frozenset({"id", "created_at", "updated_at", "version"})


@dataclass(frozen=True)
class Part:
    name: str
    model: type[models.Model]
    # Links written by hand (parents, references within the line), or re-made on import.
    structural: frozenset[str] = frozenset()

    def fields(self) -> tuple[models.Field, ...]:
        # Worked out once per part: the import asks for every row it builds.
        return _part_fields(self.model, self.structural)


@cache
def _part_fields(model, structural: frozenset[str]) -> tuple[models.Field, ...]:
    excluded = ALWAYS_EXCLUDED | structural
    found = [
        field
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and field.name not in excluded
    ]
    found += [field for field in model._meta.many_to_many if field.name not in excluded]
    # many_to_many fields are concrete too: keep the first occurrence only.
    unique = {}
    for field in found:
        unique.setdefault(field.name, field)
    return tuple(unique.values())


_FORM = frozenset({"case"})
PARTS = {
    part.name: part
    for part in (
        # The client's recording service and provider are the line's service (or --service).
        # A merge (cases.services_duplicates) is this database's bookkeeping: a merged-away
        # record is not exported as a client of its own, and an imported one starts unmerged.
        Part(
            "client",
            Client,
            frozenset({"provider", "service", "merged_into", "merged_at", "merged_by"}),
        ),
        Part("consent", ConsentRecord, frozenset({"client"})),
        # The reference is re-numbered on import (see README); the line's service is used.
        Part("referral", Referral, frozenset({"service", "reference", "client", "case"})),
        Part("case", Case, frozenset({"service", "reference", "client"})),
        Part("child", ChildInCase, _FORM),
        Part("perpetrator", Perpetrator, _FORM),
        Part("contact", Contact, _FORM),
        Part("support", AreaSupport, _FORM),
        Part("intervention", Intervention, _FORM),
        Part("safety_plan", SafetyPlan, _FORM),
        Part("safety_plan_version", SafetyPlanVersion, frozenset({"plan", "assessment"})),
        Part("assessment", Assessment, frozenset({"case", "version", "parent", "supersedes"})),
        # A reasoned decision to lower the risk: the current-risk rule reads it beside the
        # assessments, so a case without it would be recomputed at its older, higher level.
        Part("risk_decision", RiskDecision, _FORM),
        Part("intake", IntakeForm, _FORM),
        Part("review", ReviewForm, _FORM),
        Part("exit", ExitForm, _FORM),
        Part("criminal_justice", CriminalJusticeForm, _FORM),
        Part("police_report", PoliceReport, frozenset({"case", "form"})),
        Part("incident", Incident, frozenset({"case", "report"})),
        Part("civil_justice", CivilJusticeForm, _FORM),
        Part("civil_order", CivilOrder, frozenset({"case", "form"})),
        Part("follow_up", FollowUp, _FORM),
        Part("marac_referral", MaracReferral, frozenset({"case", "assessment", "repeat_of"})),
        Part("marac_hearing", MaracHearing, frozenset({"case", "meeting", "referral"})),
        Part("marac_action", MaracAction, frozenset({"case", "hearing"})),
    )
}

# How a relation is named in the bundle: related model -> (kind, attribute written).
REFERENCES = {
    User: ("user", "email"),
    Agency: ("agency", "name"),
    ReferralRoute: ("route", "name"),
    Team: ("team", "name"),
    Service: ("service", "code"),
    Option: ("option", "label"),
}


class UnsupportedField(Exception):
    """A model gained a relation the bundle does not know how to name: add it to REFERENCES
    or to the part's structural fields."""


def reference_kind(field) -> str:
    related = field.related_model
    for model, (kind, _attribute) in REFERENCES.items():
        if related is model or (isinstance(related, type) and issubclass(related, model)):
            return kind
    raise UnsupportedField(f"{field.model.__name__}.{field.name} -> {related}")


def option_list_key(field, row_values: dict | None = None) -> str | None:
    """The cases.Option list a many-to-many field takes its labels from. Support outcomes
    depend on the row's area (support_<area>_outcomes); None when it cannot be told."""
    limit = field.remote_field.limit_choices_to or {}
    if "list_key" in limit:
        return limit["list_key"]
    if field.model is AreaSupport and field.name == "outcomes":
        area = (row_values or {}).get("area")
        return f"support_{area}_outcomes" if area else None
    return None


# --- Values out -------------------------------------------------------------------------------


def dump_value(field, value):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(field, models.DateField):
        return value.isoformat()
    if isinstance(field, models.DecimalField):
        return str(value)
    return value


def dump(obj, part: Part, m2m_cache: dict | None = None) -> dict:
    """The part's fields of one row, in model order. `m2m_cache` maps (field name, pk) to the
    labels or e-mails, read beforehand in one query per field."""
    out = {}
    for field in part.fields():
        if field.many_to_many:
            if m2m_cache is not None:
                out[field.name] = sorted(m2m_cache.get((field.name, obj.pk), []))
            else:
                _kind, attribute = REFERENCES[_model_key(field)]
                out[field.name] = sorted(
                    getattr(item, attribute) for item in getattr(obj, field.name).all()
                )
        elif field.is_relation:
            _kind, attribute = REFERENCES[_model_key(field)]
            related = getattr(obj, field.name)
            out[field.name] = getattr(related, attribute) if related is not None else None
        else:
            out[field.name] = dump_value(field, getattr(obj, field.attname))
    return out


def _model_key(field):
    reference_kind(field)  # raises for an unknown relation
    related = field.related_model
    return next(model for model in REFERENCES if issubclass(related, model))


# --- Values in --------------------------------------------------------------------------------


class BadValue(Exception):
    """A value that does not fit its field; the message is shown after the field's path."""


def load_value(field, value):
    """A JSON value as the field's Python value (schema validation has checked its type)."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise BadValue("is not a date and time (YYYY-MM-DDTHH:MM:SS+00:00).")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
    if isinstance(field, models.DateField):
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise BadValue("is not a date (YYYY-MM-DD).") from None
    return value
