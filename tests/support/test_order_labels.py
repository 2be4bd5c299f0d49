"""Issue 18, item 10: intervention labels from the seed's wording. The Insights Safety outcomes
print "Domestic violence prevention order (DVPO) issued" and "Domestic violence protection
notice (DVPO) issued": a DVPN is a notice and a DVPO a protection order. The screen says so; the
stored option and the Insights report keep the seed's text for reporting."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Option
from catalogue.insights import TABLES_BY_KEY
from support import services as support_services
from support.forms import AreaSupportForm
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

SEED_ORDER = "Domestic violence prevention order (DVPO) issued"
SEED_NOTICE = "Domestic violence protection notice (DVPO) issued"
SHOWN_ORDER = "Domestic violence protection order (DVPO) issued"
SHOWN_NOTICE = "Domestic violence protection notice (DVPN) issued"


@pytest.fixture
def case(service):
    return CaseFactory(service=service, opened_on=timezone.localdate() - datetime.timedelta(days=9))


def _safety_options():
    return Option.objects.of("support_safety_outcomes")


def test_the_support_form_offers_the_notice_and_the_order_by_their_right_names():
    offered = [label for _pk, label in AreaSupportForm(area="safety").fields["outcomes"].choices]
    assert SHOWN_ORDER in offered and SHOWN_NOTICE in offered
    assert SEED_ORDER not in offered and SEED_NOTICE not in offered
    # Every other outcome as the seed prints it.
    seed = TABLES_BY_KEY["support_safety_outcomes"].options
    assert len(offered) == len(seed)
    assert set(offered) - {SHOWN_ORDER, SHOWN_NOTICE} == set(seed) - {
        SEED_ORDER,
        SEED_NOTICE,
    }


def test_recorded_outcomes_read_right_on_the_support_page(client_for, case, caseworker):
    chosen = list(_safety_options().filter(label__in=[SEED_ORDER, SEED_NOTICE]))
    support_services.area_support_record(
        case=case, actor=caseworker, area="safety", supported="Yes", outcomes=chosen
    )
    page = client_for(caseworker).get(reverse("support:support_list", args=[case.pk]))
    text = page.content.decode()
    assert SHOWN_ORDER in text and SHOWN_NOTICE in text
    assert "prevention order" not in text and "notice (DVPO)" not in text


def test_the_stored_values_and_the_insights_options_keep_the_seed_wording():
    labels = set(_safety_options().values_list("label", flat=True))
    assert {SEED_ORDER, SEED_NOTICE} <= labels
    assert SHOWN_ORDER not in labels and SHOWN_NOTICE not in labels
    options = TABLES_BY_KEY["support_safety_outcomes"].options
    assert SEED_ORDER in options and SEED_NOTICE in options
