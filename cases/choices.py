"""Choice lists taken from the seed catalogues, so that forms and reports share one set of labels.

Stored values are the seed's labels themselves: exports, imports and reports speak the same words
as the Insights dataset. "Don't know" is an answer; a blank value means the question is missing.
"""

from catalogue.insights import TABLES_BY_KEY

DONT_KNOW = "Don't know"
YES = "Yes"
NO = "No"


def insights_choices(table_key: str) -> list[tuple[str, str]]:
    """The table's options, plus "Don't know" where the seed reports it."""
    table = TABLES_BY_KEY[table_key]
    options = [(label, label) for label in table.options]
    if table.has_dont_know:
        options.append((DONT_KNOW, DONT_KNOW))
    return options


def labels(table_key: str) -> tuple[str, ...]:
    return TABLES_BY_KEY[table_key].options


YES_NO_DONT_KNOW = [(YES, YES), (NO, NO), (DONT_KNOW, DONT_KNOW)]
YES_NO = [(YES, YES), (NO, NO)]
