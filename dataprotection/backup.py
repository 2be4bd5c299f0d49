"""Encrypted backups of Lantern's PostgreSQL database and generated files, and their restore.

A backup is one directory named by its UTC time, `lantern-backup-YYYY-MM-DDTHHMMSSZ/`, holding:

- `database.dump.gpg`: `pg_dump --format=custom` of the whole database, encrypted;
- `media.tar.gpg`: the files under MEDIA_ROOT (generated reports, exports), encrypted;
- `manifest.json`: when, from which schema (each app's latest migration), the tools' versions,
  and each encrypted file's size and SHA-256. It holds nothing about any person.

Encryption is OpenPGP symmetric (AES-256) with a passphrase kept in a key file the service holds
apart from the backups, so a copy can be opened with plain `gpg --decrypt` on any machine even
without Lantern. Nothing unencrypted touches the disk: pg_dump and tar stream straight into gpg,
and back out of it on restore. The passphrase goes to gpg through an inherited pipe, never on a
command line, and the database password through the environment (PGPASSWORD), never in argv.
"""

import datetime
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "lantern-backup/1"
DATABASE_FILE = "database.dump.gpg"
MEDIA_FILE = "media.tar.gpg"
MANIFEST_FILE = "manifest.json"
# A passphrase shorter than this is refused: the key file is all that protects the copies.
MIN_KEY_LENGTH = 32
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a message for the operator."""


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    manifest: dict


# --- The key ---------------------------------------------------------------------------------


def key_generate(path: Path) -> None:
    """Writes a new random passphrase to `path` (readable by its owner only); never overwrites."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise BackupError(f"{path} exists: a key file is never overwritten.") from error
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(secrets.token_urlsafe(48) + "\n")


def read_key(path: Path) -> bytes:
    try:
        key = Path(path).read_bytes().strip()
    except OSError as error:
        raise BackupError(f"Cannot read the key file {path}: {error.strerror}.") from error
    if len(key) < MIN_KEY_LENGTH:
        raise BackupError(
            f"The key in {path} is shorter than {MIN_KEY_LENGTH} characters; "
            "make one with `scripts/backup --generate-key FILE`."
        )
    return key


# --- gpg, pg_dump and pg_restore -------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"`{name}` is not installed (scripts/install-system-deps installs it).")
    return found


def _tool_version(name: str) -> str:
    output = subprocess.run(  # noqa: S603 - a fixed tool, no input in the arguments
        [_tool(name), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return output.splitlines()[0].strip()


@contextmanager
def _gpg(key: bytes, *, decrypt: bool, stdin, stdout):
    """A gpg process encrypting (or decrypting) from `stdin` to `stdout`, its passphrase given
    through a pipe of its own, and a throwaway GNUPGHOME (no keyring of the user's is read or
    written)."""
    read_end, write_end = os.pipe()
    with tempfile.TemporaryDirectory(prefix="lantern-gpg-") as home:
        arguments = [
            _tool("gpg"),
            "--homedir",
            home,
            "--batch",
            "--quiet",
            "--no-tty",
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            str(read_end),
        ]
        if decrypt:
            arguments.append("--decrypt")
        else:
            arguments += ["--symmetric", "--cipher-algo", "AES256", "--compress-algo", "none"]
        process = subprocess.Popen(  # noqa: S603 - fixed arguments; the key goes through a pipe
            arguments, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, pass_fds=(read_end,)
        )
        os.close(read_end)
        with os.fdopen(write_end, "wb") as passphrase:
            passphrase.write(key + b"\n")
        try:
            yield process
        except BaseException:
            # The caller's failure is the one to report (gpg dies of the broken pipe it left).
            process.kill()
            process.wait()
            raise
        finally:
            for stream in (process.stdin, process.stdout):
                if stream and not stream.closed:
                    stream.close()
        error = process.stderr.read().decode(errors="replace").strip()
        if process.wait() != 0:
            if decrypt and "decryption failed" in error.lower():
                raise BackupError("The key does not open this backup (wrong key file?).")
            raise BackupError(f"gpg failed: {error or 'no message'}")


def _libpq_environment(alias: str) -> dict[str, str]:
    """The environment pg_dump and pg_restore connect with: the alias's settings as PG*
    variables (the password never on a command line)."""
    connection_settings = settings.DATABASES[alias]
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        value = connection_settings.get(key)
        if value:
            environment[variable] = str(value)
        else:
            environment.pop(variable, None)
    return environment


def _check_postgresql(alias: str) -> None:
    vendor = connections[alias].vendor
    if vendor != "postgresql":
        raise BackupError(
            f"Backups are of a PostgreSQL database; this one is {vendor} (the embedded demo "
            "holds no real records: run Lantern on PostgreSQL before it holds any)."
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _latest_migrations(alias: str) -> dict[str, str]:
    recorder = MigrationRecorder(connections[alias])
    latest: dict[str, str] = {}
    for app, name in recorder.applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# --- Backup ----------------------------------------------------------------------------------


def backup_create(
    *, output_dir: Path, key_file: Path, alias: str = DEFAULT_DB_ALIAS, now=None, on_start=None
) -> BackupResult:
    """Writes an encrypted backup of the database and MEDIA_ROOT into a new directory under
    `output_dir`. A failed backup leaves no directory behind. `on_start` is called once the
    database and key are found fit, before the dump (to record the backup inside itself)."""
    _check_postgresql(alias)
    key = read_key(key_file)
    if on_start is not None:
        on_start()
    now = now or datetime.datetime.now(datetime.UTC)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    directory = output_dir / f"lantern-backup-{now:%Y-%m-%dT%H%M%SZ}"
    if directory.exists():
        raise BackupError(f"{directory} exists already.")
    partial = directory.with_name(directory.name + ".partial")
    partial.mkdir(mode=0o700)
    try:
        _dump_database(alias, key, partial / DATABASE_FILE)
        media_files = _archive_media(Path(settings.MEDIA_ROOT), key, partial / MEDIA_FILE)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "migrations": _latest_migrations(alias),
            "media_files": media_files,
            "tools": {name: _tool_version(name) for name in ("pg_dump", "gpg")},
            "files": {
                name: {"bytes": (partial / name).stat().st_size, "sha256": _sha256(partial / name)}
                for name in (DATABASE_FILE, MEDIA_FILE)
            },
        }
        (partial / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupResult(directory=directory, manifest=manifest)


def _dump_database(alias: str, key: bytes, target: Path) -> None:
    with target.open("wb") as encrypted:
        dump = subprocess.Popen(  # noqa: S603 - fixed arguments; the connection is in the env
            [_tool("pg_dump"), "--format=custom", "--compress=6", "--no-password"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_libpq_environment(alias),
        )
        with _gpg(key, decrypt=False, stdin=dump.stdout, stdout=encrypted):
            dump.stdout.close()  # gpg holds its own copy of the pipe
            error = dump.stderr.read().decode(errors="replace").strip()
            if dump.wait() != 0:
                raise BackupError(f"pg_dump failed: {error or 'no message'}")


def _archive_media(media_root: Path, key: bytes, target: Path) -> int:
    """Streams a tar of MEDIA_ROOT's files into gpg; returns how many files it holds."""
    count = 0
    with (
        target.open("wb") as encrypted,
        _gpg(key, decrypt=False, stdin=subprocess.PIPE, stdout=encrypted) as gpg,
    ):
        with tarfile.open(fileobj=gpg.stdin, mode="w|") as archive:
            if media_root.is_dir():
                for path in sorted(media_root.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        archive.add(path, arcname=str(path.relative_to(media_root)))
                        count += 1
        gpg.stdin.close()
    return count


def backups_prune(output_dir: Path, *, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` complete backups in `output_dir` (their names sort by
    date); returns those deleted. Partial ones (a backup that was interrupted) go too."""
    if keep < 1:
        raise BackupError("Keep at least one backup.")
    complete = sorted(
        path
        for path in Path(output_dir).glob("lantern-backup-*")
        if path.is_dir() and (path / MANIFEST_FILE).is_file()
    )
    partial = [path for path in Path(output_dir).glob("lantern-backup-*.partial") if path.is_dir()]
    removed = complete[:-keep] + partial
    for path in removed:
        shutil.rmtree(path)
    return removed


# --- Restore ---------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict:
    try:
        manifest = json.loads((Path(directory) / MANIFEST_FILE).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{directory} holds no readable {MANIFEST_FILE}.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{directory} is not a {FORMAT} backup.")
    return manifest


def backup_verify(directory: Path) -> dict:
    """Checks every file of a backup against its manifest (size and SHA-256)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from {directory}.")
        if path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match the manifest: the copy is damaged.")
    return manifest


def _database_is_empty(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        )
        return cursor.fetchone()[0] == 0


def backup_restore(*, directory: Path, key_file: Path, alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Restores a backup into an empty database and an empty (or missing) MEDIA_ROOT, after
    checking the copy against its manifest. The objects are owned by the role restoring (the
    migration owner); the caller then runs `migrate`, which brings the schema up to this
    version's and grants the app role its rights (accounts.database_roles)."""
    _check_postgresql(alias)
    key = read_key(key_file)
    directory = Path(directory)
    manifest = backup_verify(directory)
    if not _database_is_empty(alias):
        raise BackupError(
            "The database is not empty: restore into a new, empty database (createdb), never "
            "over one in use."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"MEDIA_ROOT ({media_root}) is not empty: restore into an empty one.")
    connections[alias].close()  # pg_restore works on its own connection
    _restore_database(alias, key, directory / DATABASE_FILE)
    _restore_media(media_root, key, directory / MEDIA_FILE)
    return manifest


def _restore_database(alias: str, key: bytes, source: Path) -> None:
    with (
        source.open("rb") as encrypted,
        _gpg(key, decrypt=True, stdin=encrypted, stdout=subprocess.PIPE) as gpg,
    ):
        restore = subprocess.run(  # noqa: S603 - fixed arguments; the connection in the env
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--no-password",
                "--dbname",
                _libpq_environment(alias).get("PGDATABASE", ""),
            ],
            stdin=gpg.stdout,
            capture_output=True,
            env=_libpq_environment(alias),
            check=False,
        )
        if restore.returncode != 0 and _decrypted_whole(gpg):
            message = restore.stderr.decode(errors="replace").strip()
            raise BackupError(f"pg_restore failed: {message or 'no message'}")


def _restore_media(media_root: Path, key: bytes, source: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    with (
        source.open("rb") as encrypted,
        _gpg(key, decrypt=True, stdin=encrypted, stdout=subprocess.PIPE) as gpg,
    ):
        try:
            with tarfile.open(fileobj=gpg.stdout, mode="r|") as archive:
                # The "data" filter refuses absolute paths, links out of the tree and devices.
                archive.extractall(media_root, filter="data")
        except tarfile.TarError as error:
            if _decrypted_whole(gpg):
                raise BackupError(f"The files' archive cannot be read: {error}.") from error


def _decrypted_whole(gpg) -> bool:
    """Whether gpg decrypted its input without fault. When it did not (a wrong key, say), the
    reader's failure is only its echo: _gpg reports gpg's own on leaving."""
    gpg.stdout.close()
    return gpg.wait() == 0
