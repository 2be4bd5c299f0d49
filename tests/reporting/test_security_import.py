"""Issue 16, item 19: a case bundle that is not UTF-8, has a line over the size limit, or is cut
in the middle of a line is refused as a whole, with a clear message and nothing imported."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role
from cases.models import Case
from reporting.bundle.export import cases_export
from tests.factories import CaseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle_user(service):
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user
    MembershipFactory(service=service, role=Role.SERVICE_MANAGER, user=user)
    return user


def _bundle(user, service, cases=3) -> list[str]:
    """An exported bundle of `cases` cases, as its lines (each ending in a newline). Imported
    into the same database, its lines make new cases (their line ids are new here)."""
    for _ in range(cases):
        CaseFactory(service=service)
    out = io.StringIO()
    cases_export(user=user, out=out)
    lines = out.getvalue().splitlines(keepends=True)
    assert len(lines) == cases + 1
    return lines


def _import(path, user, **options):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "import_cases", str(path), user=user.email, stdout=stdout, stderr=stderr, **options
    )
    return stdout.getvalue()


def test_item_19_a_file_that_is_not_utf8_gets_a_clear_error(service, bundle_user, tmp_path):
    lines = _bundle(bundle_user, service)
    source = tmp_path / "latin1.jsonl"
    # A spreadsheet's export in Windows-1252: "é" is one byte, 0xE9, not UTF-8.
    line = json.loads(lines[2])
    line["client"]["first_name"] = "Zoé"
    source.write_bytes(
        "".join(lines[:2]).encode() + (json.dumps(line, ensure_ascii=False) + "\n").encode("cp1252")
    )
    cases_before = Case.objects.count()

    with pytest.raises(CommandError, match=r"Nothing imported\. line 3: not UTF-8 text"):
        _import(source, bundle_user, skip_invalid=True, rejects=str(tmp_path / "rejects.jsonl"))
    assert Case.objects.count() == cases_before


def test_item_19_a_line_over_the_size_limit_is_refused(service, bundle_user, tmp_path, settings):
    settings.CASE_BUNDLE_MAX_LINE_BYTES = 64 * 1024
    lines = _bundle(bundle_user, service)
    line = json.loads(lines[3])
    line["client"]["first_name"] = "A" * (100 * 1024)
    source = tmp_path / "huge.jsonl"
    source.write_text("".join(lines[:3]) + json.dumps(line) + "\n", encoding="utf-8")
    cases_before = Case.objects.count()

    with pytest.raises(CommandError, match="line 4: longer than the limit of 65,536 bytes"):
        _import(source, bundle_user, skip_invalid=True, rejects=str(tmp_path / "rejects.jsonl"))
    assert Case.objects.count() == cases_before


def test_item_19_the_size_limit_is_read_without_holding_the_line(service, settings):
    """The reader takes at most one byte past the limit of a line before refusing it."""
    from reporting.bundle.importer import BundleFileError, bundle_lines

    settings.CASE_BUNDLE_MAX_LINE_BYTES = 1000

    class CountingStream(io.BytesIO):
        largest_read = 0

        def readline(self, size=-1):
            data = super().readline(size)
            CountingStream.largest_read = max(CountingStream.largest_read, len(data))
            return data

    stream = CountingStream(b'{"format": "x"}\n' + b"x" * 50_000 + b"\n")
    with pytest.raises(BundleFileError, match="line 2: longer than the limit"):
        list(bundle_lines(stream))
    assert CountingStream.largest_read == 1001


def test_item_19_a_file_cut_in_the_middle_of_a_line_imports_nothing(service, bundle_user, tmp_path):
    lines = _bundle(bundle_user, service)
    source = tmp_path / "cut.jsonl"
    # The copy stopped part-way through the last line: the header's count still matches.
    source.write_text("".join(lines[:3]) + lines[3][: len(lines[3]) // 2], encoding="utf-8")
    cases_before = Case.objects.count()

    with pytest.raises(CommandError, match="line 4: the file ends in the middle of this line"):
        _import(source, bundle_user, skip_invalid=True, rejects=str(tmp_path / "rejects.jsonl"))
    assert Case.objects.count() == cases_before
    assert not (tmp_path / "rejects.jsonl").exists()


def test_item_19_a_cut_inside_a_character_is_reported_as_cut(service, bundle_user, tmp_path):
    lines = _bundle(bundle_user, service)
    line = json.loads(lines[3])
    line["client"]["first_name"] = "Zoé"
    encoded = (json.dumps(line, ensure_ascii=False)).encode()
    cut = encoded[: encoded.index("é".encode()) + 1]  # half of the two bytes of "é"
    source = tmp_path / "cut.jsonl"
    source.write_bytes("".join(lines[:3]).encode() + cut)
    with pytest.raises(CommandError, match="line 4: the file ends in the middle of this line"):
        _import(source, bundle_user, skip_invalid=True, rejects=str(tmp_path / "rejects.jsonl"))


def test_item_19_a_whole_file_without_a_final_newline_still_imports(service, bundle_user, tmp_path):
    lines = _bundle(bundle_user, service)
    source = tmp_path / "no-final-newline.jsonl"
    source.write_text("".join(lines).rstrip("\n"), encoding="utf-8")
    cases_before = Case.objects.count()
    assert "Imported 3 line(s)" in _import(source, bundle_user)
    assert Case.objects.count() == cases_before + 3
