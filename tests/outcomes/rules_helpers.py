"""What the rules tests of the outcome forms share (test_outcomes_rules*.py)."""

import datetime

from django.utils import timezone

from cases.models import Case, Option
from outcomes import services
from tests.factories_outcomes import complete_values

TODAY = timezone.localdate()


def timedelta(days):
    return datetime.timedelta(days=days)


def closed(case, *, closed_on=None, closure_type="Planned closure"):
    case.status = Case.Status.CLOSED
    case.closed_on = closed_on or TODAY
    case.closure_type = closure_type
    case.save()
    return case


def option(list_key, label):
    return Option.objects.get(list_key=list_key, label=label)


def submitted_intake(case, actor, **overrides):
    intake = services.outcome_form_start(kind="intake", case=case, actor=actor)
    values = complete_values("intake", completed_on=case.opened_on, **overrides)
    return services.outcome_form_save(form=intake, actor=actor, values=values, submit=True)
