"""docs/scaling.md: its measured-figures table keeps a row for each benchmark the issue names,
and the files it points to exist (a renamed file would leave the doc pointing nowhere)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "scaling.md").read_text()
BENCHMARK_COMMANDS = [
    "benchmarks/insights_report.py --cases 100000",
    "benchmarks/insights_report.py --cases 1000000",
    "benchmarks/import_bundle.py",
    "benchmarks/generate_cases.py",
    "benchmarks/load.py",
    "benchmarks/insights_page.py",
    "benchmarks/case_page_contacts.py",
]


def _figures_rows():
    section = DOC.split("## Measured figures", 1)[1]
    return [
        line for line in section.splitlines() if line.startswith("| ") and "benchmarks/" in line
    ]


def test_every_benchmark_has_a_row_with_its_command():
    rows = _figures_rows()
    for command in BENCHMARK_COMMANDS:
        assert [row for row in rows if f"`.venv/bin/python {command}`" in row], command


def test_every_row_has_a_figures_column():
    for row in _figures_rows():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 4, row
        assert cells[-1], row  # a figure, or "to be filled from the benchmark's printed output"


def test_the_files_it_names_exist():
    named = set(re.findall(r"`([\w/.-]+\.(?:py|conf|md|yml|sh))`", DOC))
    # The benchmarks are checked by their rows above; some are written alongside this doc.
    named = {path for path in named if not path.startswith("benchmarks/")}
    assert named, "the doc names no files"
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing
