"""Keeps the reporting read model (reporting.read_model) current: every save or delete of a row
the facts read recomputes its case's row, in the same transaction as the write.

Receivers rather than calls in each app's services because the apps whose rows are counted
must not import reporting (lint-imports), and because every write path passes them (services,
the admin, a shell): the facts cannot drift from the data. Writers that send no signals
(bulk_create, queryset.update(), raw SQL) call reporting.read_model.refresh_cases themselves.
"""

from django.db.models.signals import post_delete, post_save


def _refresh_case_of_row(sender, instance, using, **kwargs):
    from .read_model import refresh_cases

    refresh_cases([instance.case_id], using=using)


def _refresh_case(sender, instance, using, **kwargs):
    from .read_model import refresh_cases

    refresh_cases([instance.pk], using=using)


def _refresh_cases_heard(sender, instance, using, **kwargs):
    # A meeting's date decides which hearings were known at intake: every case heard at it.
    from .read_model import refresh_cases

    refresh_cases(instance.hearings.using(using).values_list("case_id", flat=True), using=using)


def connect_read_model_receivers() -> None:
    from cases.models import Case, ChildInCase, Contact
    from outcomes.models import (
        CivilJusticeForm,
        CriminalJusticeForm,
        ExitForm,
        IntakeForm,
        ReviewForm,
    )
    from riskassessment.models import Assessment, MaracHearing, MaracMeeting
    from support.models import AreaSupport

    rows_of_a_case = (
        Contact,
        ChildInCase,
        IntakeForm,
        ExitForm,
        ReviewForm,
        CriminalJusticeForm,
        CivilJusticeForm,
        Assessment,
        MaracHearing,
        AreaSupport,
    )
    for model in rows_of_a_case:
        for signal in (post_save, post_delete):
            signal.connect(
                _refresh_case_of_row, sender=model, dispatch_uid=f"read_model_{model.__name__}"
            )
    for signal in (post_save, post_delete):
        signal.connect(_refresh_case, sender=Case, dispatch_uid="read_model_Case")
    post_save.connect(
        _refresh_cases_heard, sender=MaracMeeting, dispatch_uid="read_model_MaracMeeting"
    )
