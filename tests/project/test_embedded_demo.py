"""The embedded demo (README's first command): SQLite, seeded with seed_demo, reports too.

The rest of the suite runs on PostgreSQL, where the report engine takes other paths (two lanes,
medians inside the aggregate). This runs the real commands on a SQLite file, in subprocesses,
so the demo's own database is exercised end to end.
"""

import contextlib
import datetime
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from reporting.insights.tables import SPECS_BY_KEY

ROOT = Path(__file__).resolve().parents[2]

COUNT_FORMS = """
import json
from outcomes.models import ExitForm, IntakeForm, ReviewForm
submitted = {"status": "submitted"}
print(json.dumps({
    "Intake forms": IntakeForm.objects.filter(
        completed_on__range=("%(start)s", "%(end)s"), **submitted).count(),
    "Review forms": ReviewForm.objects.filter(
        reviewed_on__range=("%(start)s", "%(end)s"), **submitted).count(),
    "Exit forms": ExitForm.objects.filter(
        exit_date__range=("%(start)s", "%(end)s"), case__intake_forms__status="submitted",
        **submitted).distinct().count(),
}))
"""


def _manage(database: Path, *arguments: str) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    environment |= {
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    finished = subprocess.run(  # noqa: S603 - this interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout


TIMELINES = (
    "from cases.models import Case\n"
    "from cases.selectors import case_timeline\n"
    "print(sum(len(case_timeline(case).items) for case in Case.objects.all()))"
)


def test_demo_on_sqlite_seeds_and_reports_every_table(tmp_path):
    database = tmp_path / "demo.sqlite3"
    _manage(database, "migrate", "--noinput")
    _manage(database, "createcachetable")
    _manage(database, "seed_demo")
    end = datetime.date.today()  # noqa: DTZ011 - the demo's dates are relative to today
    start = end - datetime.timedelta(days=364)
    before_end = start - datetime.timedelta(days=1)
    before_start = before_end - datetime.timedelta(days=364)

    output = _manage(
        database,
        "insights_report",
        "--from",
        start.isoformat(),
        "--to",
        end.isoformat(),
        "--compare-from",
        before_start.isoformat(),
        "--compare-to",
        before_end.isoformat(),
        "--format",
        "json",
    )
    report = json.loads(output)
    tables = {table["key"]: table for table in report["tables"]}
    assert set(tables) == set(SPECS_BY_KEY)

    counted = json.loads(
        _manage(database, "shell", "--no-imports", "-c", COUNT_FORMS % {"start": start, "end": end})
    )
    forms_used = {row["label"]: row["count"] for row in tables["cases_used"]["current"]["rows"]}
    assert counted["Intake forms"] > 0
    for label, count in counted.items():
        assert forms_used[label] == count, label

    for table in tables.values():
        for figures in (table["current"], table["comparison"]):
            options = [row for row in figures["rows"] if row["kind"] == "option"]
            if figures["n"]:
                assert all(row["count"] <= figures["n"] for row in options), table["key"]
    # Medians are worked out on SQLite by their own queries: the demo's exits have lengths.
    assert tables["case_length"]["current"]["statistics"]["median_weeks"] is not None

    # Every case's timeline reads on SQLite too (it refuses a LIMIT inside a UNION).
    shown = _manage(database, "shell", "--no-imports", "-c", TIMELINES)
    assert int(shown) > 0


def test_the_demo_database_lets_people_work_at_once(tmp_path):
    """WAL (reads beside a write), a writer that waits and takes the write lock up front: several
    demo users at once must not get "database is locked"."""
    database = tmp_path / "demo.sqlite3"
    _manage(database, "migrate", "--noinput")
    options = _manage(
        database,
        "shell",
        "-c",
        "from django.db import connection as c; o = c.settings_dict['OPTIONS']; "
        "print(o['transaction_mode'], o['timeout'])",
    )

    with contextlib.closing(sqlite3.connect(database)) as connection:
        (journal_mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    assert journal_mode == "wal"
    assert options.strip().splitlines()[-1].split() == ["IMMEDIATE", "20"]


def test_the_demo_shows_no_debug_pages_and_still_serves_its_static_files(tmp_path):
    """A debug page would show settings, the signed-in user and the page's data to whoever is at
    the screen; without DEBUG, runserver serves no static files, so WhiteNoise must."""
    database = tmp_path / "demo.sqlite3"
    output = _manage(
        database,
        "shell",
        "-c",
        "from django.conf import settings; from django.test import Client; "
        "r = Client().get('/static/css/lantern.css'); print(settings.DEBUG, r.status_code)",
    )
    assert output.strip().splitlines()[-1].split() == ["False", "200"]
