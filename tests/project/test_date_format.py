"""One date format everywhere (issue 18, item 9): "3 Dec 2026", with a time "3 Dec 2026, 14:05",
in every template's date filter, in `{{ date }}` without a filter, and in messages written in
Python. Form inputs (type=date) keep their own ISO values."""

import datetime
import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import formats, timezone

ROOT = Path(settings.BASE_DIR)
ALLOWED_FILTERS = {"j M Y", "j M Y, H:i", "j M Y, H:i:s", "H:i", "M Y"}
SKIP = {".venv", "node_modules", "staticfiles", ".git", "tests"}


def _files(pattern):
    for path in ROOT.rglob(pattern):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def test_every_template_date_filter_uses_the_one_format():
    odd = []
    for path in _files("*.html"):
        for match in re.finditer(r'\|date:"([^"]*)"', path.read_text()):
            if match.group(1) not in ALLOWED_FILTERS:
                odd.append(f"{path.relative_to(ROOT)}: {match.group(1)}")
    assert not odd, odd


def test_python_messages_do_not_write_dates_their_own_way():
    # strptime formats (reading what people type) are allowed; writing a date is not.
    odd = []
    for path in _files("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "strptime" in line or "for fmt in" in line:
                continue
            if re.search(r"%d/%m/%Y|:%d %b %Y|%d %b %Y", line):
                odd.append(f"{path.relative_to(ROOT)}:{number}")
    assert not odd, odd


def test_a_date_without_a_filter_reads_as_the_filters_write_it():
    day = datetime.date(2026, 12, 3)
    moment = datetime.datetime(2026, 12, 3, 14, 5, tzinfo=timezone.get_current_timezone())
    rendered = Template(
        "{{ day }}|{{ moment }}|{{ day|date:'SHORT_DATE_FORMAT' }}"
        "|{{ moment|date:'SHORT_DATETIME_FORMAT' }}"
    ).render(Context({"day": day, "moment": moment}))
    assert rendered == "3 Dec 2026|3 Dec 2026, 14:05|3 Dec 2026|3 Dec 2026, 14:05"
    assert formats.date_format(day) == "3 Dec 2026"


def test_date_inputs_still_read_what_people_type():
    from django import forms

    field = forms.DateField()
    assert field.clean("03/12/2026") == datetime.date(2026, 12, 3)
    assert field.clean("2026-12-03") == datetime.date(2026, 12, 3)
