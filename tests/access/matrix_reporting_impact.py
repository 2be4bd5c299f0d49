"""Access rows for the impact reports (see matrix.py): managers of the report's services only;
everyone else gets 403 on the list and 404 on a report (missing and forbidden look the same)."""

from reporting.impact.content import build_content
from tests.factories_impact import QUARTER, CaseStudyFactory, finished_report

from .matrix import MANAGER, Entry, only


def build_report(world):
    manager = world.users[MANAGER]
    world.impact_report = finished_report(world.service, manager)
    world.impact_report.figures = build_content(
        period=QUARTER, service_ids=(world.service.pk,), title="Matrix report"
    )
    world.impact_report.save()
    world.impact_study = CaseStudyFactory(
        report=world.impact_report, position=1, pseudonym="Wren", story="A story."
    )


def build_other_report(world):
    world.other_impact_report = finished_report(world.other_service)


BUILDERS = {
    "impact_report": build_report,
    "impact_study": build_report,
    "other_impact_report": build_other_report,
}


def _report(world):
    return {"pk": world.impact_report.pk}


def _fresh_report(world):
    # A state-changing row: each persona meets a finished report of its own.
    return {"pk": finished_report(world.service).pk}


MANAGER_ONLY = only(200, [MANAGER])

ENTRIES = [
    Entry("reporting:impact_list", expected=only(200, [MANAGER], others=403)),
    Entry("reporting:impact_create", method="post", expected=only(200, [MANAGER], others=403)),
    Entry("reporting:impact_detail", _report, MANAGER_ONLY),
    Entry(
        "reporting:impact_detail",
        lambda w: {"pk": w.other_impact_report.pk},
        only(200, []),
    ),
    Entry("reporting:impact_status", _report, MANAGER_ONLY),
    Entry("reporting:impact_download", _report, MANAGER_ONLY),
    Entry("reporting:impact_xlsx", _report, only(302, [MANAGER]), method="post"),
    Entry("reporting:impact_rebuild", _fresh_report, only(302, [MANAGER]), method="post"),
    Entry("reporting:impact_case_study_add", _report, MANAGER_ONLY),
    Entry(
        "reporting:impact_case_study_edit",
        lambda w: {"pk": w.impact_report.pk, "study_pk": w.impact_study.pk},
        MANAGER_ONLY,
    ),
]
