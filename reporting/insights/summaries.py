"""The seed's "At a glance" and "Key findings" pages (seed 002's opening pages; their wording in
catalogue.insights AT_A_GLANCE and KEY_FINDINGS), computed from the Insights report as it may be
shown (reporting.insights.shown): every figure is read from the report object, with the same
filters, scope and suppression as the tables, and none is written here. A figure the report
hides, or one with nothing to count, reads "n/a"."""

from dataclasses import dataclass, field

from catalogue.insights import AT_A_GLANCE, KEY_FINDINGS

from .shown import ShownReport
from .suppression import ShownFigures

NOT_SHOWN = "n/a"

_AT_A_GLANCE = dict(AT_A_GLANCE)
_KEY_FINDINGS = dict(KEY_FINDINGS)

# The tables each page reads (the report is built with these only).
AT_A_GLANCE_TABLES = ["cases_used", "cj_supported", "civil_supported"]
ABUSE_CHANGE_TABLES = (
    ("Physical", "change_level_physical"),
    ("Sexual", "change_level_sexual"),
    ("Harassment and stalking", "change_level_harassment_stalking"),
    ("Jealous and controlling", "change_level_jealous_controlling"),
)
REDUCED = "Reduced from Intake to Exit"
KEY_FINDINGS_TABLES = [
    "referral_route",
    "case_length",
    "contacts_count",
    "client_outcome_feel_safer",
    *(key for _, key in ABUSE_CHANGE_TABLES),
    "ongoing_contact_reason",
    "child_contact_conflict",
    "child_contact_abuse",
    "cj_nfa_reason",
    "cj_special_measures",
    "cj_idva_support",
]


@dataclass(frozen=True)
class Statement:
    text: str
    details: list[str] = field(default_factory=list)

    def __post_init__(self):
        # A hidden percentage reads "n/a", never "n/a%" (a commissioner reads these pages).
        object.__setattr__(self, "text", _plain_na(self.text))
        object.__setattr__(self, "details", [_plain_na(line) for line in self.details])


def _plain_na(text: str) -> str:
    return text.replace(f"{NOT_SHOWN}%", NOT_SHOWN)


def _fill(text: str, value) -> str:
    return text.replace("{n}", NOT_SHOWN if value is None else f"{value}")


def _count(figures: ShownFigures, label: str):
    """A row's count as shown ("<5" when hidden), None when the table has no such row."""
    found = figures.row(label)
    return None if found is None else found[0]


def _percent(figures: ShownFigures, label: str):
    """A row's percentage of its table's n, rounded, None when hidden or n is 0."""
    found = figures.row(label)
    if found is None or found[1] is None:
        return None
    return f"{found[1]:.0f}"


def _statistic(figures: ShownFigures, name: str):
    value = figures.statistics.get(name)
    if value is None or isinstance(value, str):
        return value
    return f"{value:.0f}"


def at_a_glance(report: ShownReport) -> list[Statement]:
    """Services, cases opened (intake forms) and closed (exit forms matched to an intake), and
    the clients supported with criminal and with civil justice (a client may have both, so
    the two are given apart rather than added)."""
    cases_used = report.table("cases_used").current
    criminal = _count(report.table("cj_supported").current, "Yes")
    civil = _count(report.table("civil_supported").current, "Yes")
    return [
        Statement(_fill(_AT_A_GLANCE["services"], len(report.service_names))),
        Statement(_fill(_AT_A_GLANCE["cases_opened"], _count(cases_used, "Intake forms"))),
        Statement(_fill(_AT_A_GLANCE["cases_closed"], _count(cases_used, "Exit forms"))),
        Statement(
            f"{NOT_SHOWN if criminal is None else criminal} clients supported with criminal "
            f"justice and {NOT_SHOWN if civil is None else civil} with civil justice (a client "
            "may have both)"
        ),
    ]


def _top_routes(figures: ShownFigures, how_many: int = 3) -> list[str]:
    """The referral routes with the most cases, largest first (hidden counts left out)."""
    rows = [
        (count, label, percent)
        for label, kind, count, percent in zip(
            figures.labels, figures.kinds, figures.counts, figures.percents, strict=True
        )
        if kind == "option" and isinstance(count, int) and count > 0
    ]
    rows.sort(key=lambda row: -row[0])
    return [
        f"{label} ({percent:.0f}%)" if percent is not None else label
        for _, label, percent in rows[:how_many]
    ]


def key_findings(report: ShownReport) -> list[Statement]:
    """The seed's key findings from the report's tables: the seed's statements, with each
    number from its table (the seed's "average" weeks and contacts are the tables' medians, and
    its "majority" and "less than 1 in 10" are given as the period's percentages)."""

    def table(key: str) -> ShownFigures:
        return report.table(key).current

    routes = _top_routes(table("referral_route"))
    safer = _percent(table("client_outcome_feel_safer"), "Total Agree")
    support = table("cj_idva_support")
    return [
        Statement(
            _KEY_FINDINGS["top_referral_routes"],
            routes or [f"{NOT_SHOWN}: no referral route to show"],
        ),
        Statement(
            f"Victims were supported for a median of "
            f"{_statistic(table('case_length'), 'median_weeks') or NOT_SHOWN} weeks"
        ),
        Statement(
            f"With a median of {_statistic(table('contacts_count'), 'median') or NOT_SHOWN} "
            "contacts"
        ),
        Statement(
            f"{safer or NOT_SHOWN}% of adult clients* at exit said they felt safer",
            [_KEY_FINDINGS["felt_safer_footnote"]],
        ),
        Statement(
            "Clients who saw a reduction in each abuse type after support from an Idva:",
            [
                f"{label}: {_percent(table(key), REDUCED) or NOT_SHOWN}%"
                for label, key in ABUSE_CHANGE_TABLES
            ],
        ),
        Statement(
            _fill(
                _KEY_FINDINGS["contact_due_to_children"],
                _percent(table("ongoing_contact_reason"), "Children"),
            ),
            [
                f"{_percent(table('child_contact_conflict'), 'Yes') or NOT_SHOWN}% "
                + _KEY_FINDINGS["child_contact_conflict"].lower(),
                f"{_percent(table('child_contact_abuse'), 'Yes') or NOT_SHOWN}% "
                + _KEY_FINDINGS["child_contact_abuse"].lower(),
            ],
        ),
        Statement(
            f"In {_percent(table('cj_nfa_reason'), 'Victim withdrew') or NOT_SHOWN}% of incidents "
            "with no further action the client withdrew their case"
        ),
        Statement(
            _fill(
                _KEY_FINDINGS["special_measures"],
                _percent(table("cj_special_measures"), "Granted"),
            )
        ),
        Statement(
            _KEY_FINDINGS["idva_support"],
            [
                _fill(
                    _KEY_FINDINGS["explained_cjs"],
                    _percent(support, "Explained criminal justice process"),
                ),
                _fill(
                    _KEY_FINDINGS["supported_through_cjs"],
                    _percent(support, "Supported client through criminal justice processes"),
                ),
                _fill(
                    _KEY_FINDINGS["court_updates"],
                    _percent(support, "Provided updates about court outcomes"),
                ),
            ],
        ),
    ]


PAGES = {
    "at_a_glance": ("At a glance", AT_A_GLANCE_TABLES, at_a_glance),
    "key_findings": ("Key findings", KEY_FINDINGS_TABLES, key_findings),
}
