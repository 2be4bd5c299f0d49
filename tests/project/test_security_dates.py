"""Issue 16, item 18: dates in range everywhere (forms, services and the case-bundle importer)."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.validators import (
    validate_birth_date,
    validate_event_date,
    validate_scheduled_date,
)
from cases.models import Case, Client, Perpetrator
from referrals.models import Referral, ReferralRoute
from reporting.bundle.export import cases_export
from reporting.bundle.importer import cases_import
from riskassessment.models import Assessment
from tests.factories import CaseFactory, MembershipFactory
from tests.factories_riskassessment import dash_version

pytestmark = pytest.mark.django_db

# Always in the future, whatever today is (the example was 2031).
FUTURE_YEAR = timezone.localdate().year + 5


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker)


def test_item_18_perpetrator_born_in_9999_is_refused_by_the_form(client_for, caseworker, case):
    response = client_for(caseworker).post(
        reverse("cases:perpetrator_add", args=[case.pk]),
        {"is_primary": "on", "name": "P", "date_of_birth": "9999-01-01"},
    )
    assert response.status_code == 200
    assert "A date of birth cannot be in the future." in response.content.decode()
    assert not Perpetrator.objects.exists()


def test_item_18_client_born_in_year_1_is_refused_by_the_referral_form(client_for, caseworker):
    response = client_for(caseworker).post(
        reverse("referrals:referral_new"),
        {
            "client-first_name": "Ava",
            "client-last_name": "Stone",
            "client-date_of_birth": "0001-01-01",
            "client-safe_to_call": "unknown",
            "client-safe_to_leave_voicemail": "unknown",
            "client-safe_to_text": "unknown",
            "client-safe_to_email": "unknown",
            "referral-received_at": "2026-01-05T10:00",
            "referral-route": ReferralRoute.objects.get(name="Police").pk,
            "match": "new",
        },
    )
    assert response.status_code == 200
    assert "A date of birth cannot be before 1 Jan 1900." in response.content.decode()
    assert not Referral.objects.exists() and not Client.objects.exists()


def test_item_18_client_born_in_year_1_is_refused_by_the_client_record(
    client_for, caseworker, case
):
    from cases.forms import ClientForm

    client = case.client
    form = ClientForm(instance=client)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    data["date_of_birth"] = "0001-01-01"
    response = client_for(caseworker).post(reverse("cases:client_edit", args=[client.pk]), data)
    assert response.status_code == 200
    assert "A date of birth cannot be before 1 Jan 1900." in response.content.decode()
    client.refresh_from_db()
    assert client.date_of_birth.year > 1900


def test_item_18_assessment_in_year_1_is_refused_by_the_form(client_for, caseworker, case):
    response = client_for(caseworker).post(
        reverse("riskassessment:assessment_start", args=[case.pk]),
        {
            "version": dash_version().pk,
            "stage": "intake",
            "source": "police",
            "assessed_on": "0001-06-01",
        },
    )
    assert response.status_code == 200
    assert "This date cannot be before 1 Jan 2000." in response.content.decode()
    assert not Assessment.objects.exists()


def test_item_18_imported_case_opened_in_the_future_is_refused_by_line_and_field(service):
    exporter = MembershipFactory(service=service, role=Role.CASEWORKER).user
    MembershipFactory(service=service, role=Role.SERVICE_MANAGER, user=exporter)
    CaseFactory(service=service, opened_on=datetime.date(2026, 1, 10))
    out = io.StringIO()
    cases_export(user=exporter, out=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    lines[1]["case"]["opened_on"] = f"{FUTURE_YEAR}-01-10"
    cases_before = Case.objects.count()

    text = "".join(json.dumps(line) + "\n" for line in lines)
    result = cases_import(user=exporter, lines=io.StringIO(text))

    assert not result.committed
    assert "line 2: case.opened_on: This date cannot be in the future." in [
        str(error) for error in result.errors
    ]
    assert Case.objects.count() == cases_before


def test_item_18_the_rules_read_today_when_they_check():
    today = timezone.localdate()
    validate_birth_date(datetime.date(1900, 1, 1))
    validate_birth_date(today)
    validate_event_date(datetime.date(2000, 1, 1))
    validate_event_date(timezone.now() + datetime.timedelta(minutes=1))  # clock skew
    validate_scheduled_date(today + datetime.timedelta(days=365))
    for check, value in [
        (validate_birth_date, datetime.date(1899, 12, 31)),
        (validate_birth_date, today + datetime.timedelta(days=1)),
        (validate_event_date, datetime.date(1999, 12, 31)),
        (validate_event_date, today + datetime.timedelta(days=1)),
        (validate_event_date, timezone.now() + datetime.timedelta(hours=1)),
        (validate_scheduled_date, today + datetime.timedelta(days=366 * 6)),
        (validate_scheduled_date, datetime.date(1999, 1, 1)),
    ]:
        with pytest.raises(ValidationError):
            check(value)


def test_item_18_migrations_do_not_bake_in_a_date():
    from django.db.migrations.writer import MigrationWriter

    field = Case._meta.get_field("opened_on")
    text, _imports = MigrationWriter.serialize(field)
    assert "accounts.validators.validate_event_date" in text
    assert "datetime" not in text


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Europe/London", "Pacific/Pago_Pago"])
def test_an_event_date_is_judged_the_same_with_or_without_the_time_zone_shortcut(zone):
    """validate_event_date answers most values without reading the current time zone
    (accounts.validators._past_everywhere): around today and 1 January 2000, in the zones
    furthest ahead of and behind UTC, it refuses exactly what the full check refuses."""
    from accounts import validators

    def refused(check, value):
        try:
            check(value)
        except ValidationError:
            return True
        return False

    def full_check(value):
        # The check with the shortcut taken away.
        original = validators._past_everywhere
        validators._past_everywhere = lambda _value: False
        try:
            validators.validate_event_date(value)
        finally:
            validators._past_everywhere = original

    utc_now = datetime.datetime.now(datetime.UTC)
    days = [utc_now.date() + datetime.timedelta(days=n) for n in range(-3, 4)]
    days += [datetime.date(2000, 1, 1) + datetime.timedelta(days=n) for n in range(-2, 3)]
    moments = [utc_now + datetime.timedelta(hours=n) for n in range(-50, 51, 3)]
    moments += [
        datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=n)
        for n in range(-30, 31, 3)
    ]
    taken = 0
    with timezone.override(zone):
        for value in days + moments:
            taken += validators._past_everywhere(value)
            assert refused(validators.validate_event_date, value) == refused(full_check, value), (
                value
            )
    assert taken  # the shortcut was taken for some of them, and agreed
