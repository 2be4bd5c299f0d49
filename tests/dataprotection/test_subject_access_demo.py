"""`manage.py subject_access` on the embedded demo (SQLite, a fresh seed_demo, tasks in-process),
as README's first command leaves it: both files written, named by the case reference, and
nothing in the command's output names the client."""

import json

from tests.project.test_embedded_demo import _manage

FIRST_CASE = (
    "from cases.models import Case\n"
    "case = Case.objects.filter(service__code='CID').order_by('pk').first()\n"
    "print(case.reference, case.client.first_name, case.client.last_name, sep='|')"
)


def test_subject_access_runs_on_a_fresh_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    database = tmp_path / "demo.sqlite3"
    _manage(database, "migrate", "--noinput")
    _manage(database, "createcachetable")
    _manage(database, "seed_demo")
    reference, first_name, last_name = (
        _manage(database, "shell", "--no-imports", "-c", FIRST_CASE).strip().split("|")
    )
    output = tmp_path / "out"
    printed = _manage(
        database,
        "subject_access",
        reference,
        "--user",
        "teamleader@demo.lantern.test",
        "--output",
        str(output),
    )
    assert sorted(path.name for path in output.iterdir()) == [
        f"{reference}-subject-access.json",
        f"{reference}-subject-access.pdf",
    ]
    answer = json.loads((output / f"{reference}-subject-access.json").read_text())
    client = next(s for s in answer["sections"] if s["key"] == "cases.client")["records"][0]
    assert {"label": "First name", "name": "first_name", "value": first_name} in client["fields"]
    assert answer["lawful_basis"]
    assert (output / f"{reference}-subject-access.pdf").read_bytes().startswith(b"%PDF")
    assert first_name not in printed and last_name not in printed
