"""The support areas' outcome lists checked against the seed document itself (seed 002,
"Service outputs"), not a copy of it: each area's "What outcomes were achieved in this support
area?" table gives the built-in options Lantern seeds, in order, and their 2020 counts."""

from pathlib import Path

import pytest
from django.conf import settings

from cases.models import Option
from catalogue.insights import TABLES_BY_KEY
from support.models.areas import SupportArea, outcomes_list_key, supported_table_key

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "002_e8372b373708b8de.txt"
OUTCOMES_QUESTION = "What outcomes were achieved in this support area?"
SUPPORTED_QUESTION = "Have you supported the client with"


def _seed_outcome_tables() -> list[tuple[str, list[tuple[str, int]], tuple[int, int]]]:
    """For each area in the seed's order: (the area as the seed asks it, [(outcome, 2020 count)],
    (2020 Yes, 2020 No) of "Have you supported the client with ...?")."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    tables = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith(SUPPORTED_QUESTION):
            index += 1
            continue
        area = line[len(SUPPORTED_QUESTION) :].split("?")[0].strip()
        answers = {}
        index += 1
        while not lines[index].startswith(OUTCOMES_QUESTION):
            cells = lines[index].split("\t")
            if cells[0] in ("Yes", "No"):
                answers[cells[0]] = int(cells[1])
            index += 1
        while "Count" not in lines[index]:  # the n= line, then the column headings
            index += 1
        index += 1
        rows = []
        while lines[index].strip() and not lines[index].startswith("Missing"):
            label, count = lines[index].split("\t")[:2]
            rows.append((label, int(count)))
            index += 1
        tables.append((area, rows, (answers["Yes"], answers["No"])))
    return tables


@pytest.fixture(scope="module")
def seed_tables():
    if not SEED.exists():
        pytest.skip(f"the seed documents are not beside the repository ({SEED})")
    return _seed_outcome_tables()


def test_the_seed_asks_about_the_twelve_areas_in_lanterns_order(seed_tables):
    assert len(seed_tables) == len(SupportArea.values)
    for (asked, _rows, _answers), label in zip(seed_tables, SupportArea.labels, strict=True):
        # The seed asks "with parenting" in the area it heads "Children and parenting".
        assert asked in label.lower(), (asked, label)


def test_each_areas_built_in_outcomes_are_the_seeds_in_its_order(seed_tables):
    for area, (_asked, rows, _answers) in zip(SupportArea.values, seed_tables, strict=True):
        key = outcomes_list_key(area)
        built_in = Option.objects.of(key).filter(is_builtin=True).order_by("position")
        assert list(built_in.values_list("label", flat=True)) == [label for label, _ in rows], area
        assert TABLES_BY_KEY[key].seed_counts == tuple(count for _, count in rows), area


def test_each_areas_support_given_counts_are_the_seeds(seed_tables):
    for area, (_asked, _rows, answers) in zip(SupportArea.values, seed_tables, strict=True):
        table = TABLES_BY_KEY[supported_table_key(area)]
        assert table.options == ("Yes", "No")
        assert table.seed_counts == answers, area
