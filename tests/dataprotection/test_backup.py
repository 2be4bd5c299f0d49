"""Backups and restore (issue 21, item 6): an encrypted copy of the database and the generated
files that restores into an empty database with the same Insights report and case pages."""

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import AuditEvent, Role
from cases.models import Case
from dataprotection import backup
from tests.dataprotection.snapshot import snapshot
from tests.factories import MembershipFactory

# The restore runs in another process, which sees committed rows only.
committed = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "keys" / "backup.key"
    path.parent.mkdir()
    call_command("backup", generate_key=str(path), stdout=io.StringIO())
    return path


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "exports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "exports" / "export-1.csv").write_bytes(b"reference,status\n")
    return settings.MEDIA_ROOT


@pytest.fixture
def empty_database():
    """A new, empty database beside the test database, dropped afterwards."""
    base = connection.settings_dict
    name = f"{base['NAME']}_restore"
    admin = psycopg.connect(
        host=base["HOST"],
        port=base["PORT"] or 5432,
        user=base["USER"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT'] or 5432}/{name}"
    yield url
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _in_other_process(args, database_url, media_root):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    environment.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(  # noqa: S603 - the project's own commands
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def records(service):
    user = MembershipFactory(service=service, role=Role.CASEWORKER).user
    call_command(
        "generate_cases",
        cases=12,
        service=[service.code],
        user=user.email,
        seed=3,
        stdout=io.StringIO(),
    )
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True)[:3])
    return user, case_ids


@committed
def test_a_restored_backup_gives_the_same_report_case_pages_and_files(
    records, key_file, media_root, empty_database, tmp_path
):
    user, case_ids = records
    today = datetime.date.today()  # noqa: DTZ011
    start = today - datetime.timedelta(days=730)
    before = snapshot(case_ids=case_ids, user_id=user.pk, start=start, end=today)
    assert before["insights"]["tables"]
    assert all(status == 200 for status, _ in before["pages"].values())

    output = io.StringIO()
    call_command(
        "backup", output_dir=str(tmp_path / "backups"), key_file=str(key_file), stdout=output
    )
    (directory,) = (tmp_path / "backups").iterdir()
    assert directory.name.startswith("lantern-backup-") and "Backup written" in output.getvalue()
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["media_files"] == 1
    assert manifest["migrations"]["cases"]
    # Encrypted: neither the dump's nor the tar's plain markers are in the files.
    assert b"PGDMP" not in (directory / "database.dump.gpg").read_bytes()[:4096]
    assert b"reference,status" not in (directory / "media.tar.gpg").read_bytes()
    assert AuditEvent.objects.filter(detail__kind="backup").count() == 1

    restored_media = tmp_path / "restored-media"
    restore = _in_other_process(
        ["manage.py", "restore", str(directory), "--key-file", str(key_file)],
        empty_database,
        restored_media,
    )
    assert restore.returncode == 0, restore.stderr
    assert (restored_media / "exports" / "export-1.csv").read_bytes() == b"reference,status\n"
    # The record of the backup is inside it, and the restore adds its own.
    with psycopg.connect(empty_database) as restored:
        kinds = restored.execute(
            "SELECT detail->>'kind' FROM accounts_auditevent WHERE detail ? 'kind' ORDER BY id"
        ).fetchall()
    assert kinds == [("backup",), ("restore",)]

    copy = _in_other_process(
        [
            "-m",
            "tests.dataprotection.snapshot",
            *map(str, case_ids),
            "--user",
            str(user.pk),
            "--from",
            start.isoformat(),
            "--to",
            today.isoformat(),
        ],
        empty_database,
        restored_media,
    )
    assert copy.returncode == 0, copy.stderr
    after = json.loads(copy.stdout)
    assert after["insights"] == json.loads(json.dumps(before["insights"], default=str))
    assert after["pages"] == before["pages"]


@committed
def test_the_wrong_key_opens_nothing_and_a_used_database_is_never_restored_over(
    records, key_file, media_root, tmp_path, empty_database
):
    call_command(
        "backup", output_dir=str(tmp_path / "backups"), key_file=str(key_file), stdout=io.StringIO()
    )
    (directory,) = (tmp_path / "backups").iterdir()
    wrong_key = tmp_path / "wrong.key"
    call_command("backup", generate_key=str(wrong_key), stdout=io.StringIO())

    # This test database holds records: restoring over it is refused before anything is read.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(directory), key_file=str(key_file))

    wrong = _in_other_process(
        ["manage.py", "restore", str(directory), "--key-file", str(wrong_key)],
        empty_database,
        tmp_path / "other-media",
    )
    assert wrong.returncode != 0
    assert "does not open this backup" in wrong.stderr


@pytest.mark.django_db
def test_a_damaged_copy_is_found_before_restoring(records, key_file, media_root, tmp_path):
    call_command(
        "backup", output_dir=str(tmp_path / "backups"), key_file=str(key_file), stdout=io.StringIO()
    )
    (directory,) = (tmp_path / "backups").iterdir()
    dump = directory / "database.dump.gpg"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(directory), verify_only=True, stdout=io.StringIO())


def test_keys_are_never_overwritten_or_short(tmp_path, key_file):
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("backup", generate_key=str(key_file), stdout=io.StringIO())
    short = tmp_path / "short.key"
    short.write_text("too short\n")
    with pytest.raises(CommandError, match="shorter than"):
        call_command("backup", output_dir=str(tmp_path), key_file=str(short))


@pytest.mark.django_db
def test_keep_leaves_the_newest_backups(key_file, media_root, tmp_path):
    output_dir = tmp_path / "backups"
    for day in (1, 2, 3):
        backup.backup_create(
            output_dir=output_dir,
            key_file=key_file,
            now=datetime.datetime(2026, 11, day, 2, 0, tzinfo=datetime.UTC),
        )
    removed = backup.backups_prune(output_dir, keep=2)
    assert [path.name for path in removed] == ["lantern-backup-2026-11-01T020000Z"]
    assert sorted(path.name for path in output_dir.iterdir()) == [
        "lantern-backup-2026-11-02T020000Z",
        "lantern-backup-2026-11-03T020000Z",
    ]
