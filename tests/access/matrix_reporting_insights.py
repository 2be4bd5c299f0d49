"""Access rows for the Insights tables: managers only, in their own services."""

import datetime

from reporting.periods import last_complete_quarter

from .matrix import MANAGER, Entry, only


def _export_form(world):
    return {
        "period_kind": "quarter",
        "quarter": last_complete_quarter(datetime.date.today()).start.isoformat(),  # noqa: DTZ011
        "compare": "previous",
        "services": world.service.pk,
        "format": "csv",
        "table": "referral_route",
    }


ENTRIES = [
    Entry("reporting:insights", expected=only(200, {MANAGER}, others=403)),
    Entry("reporting:insights_at_a_glance", expected=only(200, {MANAGER}, others=403)),
    Entry("reporting:insights_key_findings", expected=only(200, {MANAGER}, others=403)),
    Entry(
        "reporting:insights_export",
        method="post",
        data=_export_form,
        expected=only(302, {MANAGER}, others=403),
    ),
]
