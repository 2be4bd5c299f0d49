"""`manage.py backup`: an encrypted backup of the database and the generated files."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.audit import record_event
from accounts.models import AuditEvent
from dataprotection.backup import (
    BackupError,
    backup_create,
    backups_prune,
    key_generate,
)


class Command(BaseCommand):
    help = (
        "Writes an encrypted backup (PostgreSQL custom-format dump and MEDIA_ROOT's files, "
        "OpenPGP AES-256 with the service's key file) to a new directory named by the date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=settings.BACKUP_DIR,
            help="Where backups go (BACKUP_DIR; default %(default)s)",
        )
        parser.add_argument(
            "--key-file",
            default=settings.BACKUP_KEY_FILE,
            help="The file holding the passphrase (BACKUP_KEY_FILE)",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Then delete all but the newest KEEP backups in the output directory",
        )
        parser.add_argument(
            "--generate-key",
            metavar="FILE",
            help="Write a new random key to FILE (never overwritten) and do nothing else",
        )

    def handle(self, *args, **options):
        try:
            if options["generate_key"]:
                key_generate(Path(options["generate_key"]))
                self.stdout.write(
                    f"Wrote a new key to {options['generate_key']}. Keep a copy somewhere safe "
                    "and apart from the backups: without it no backup can be opened."
                )
                return
            if not options["key_file"]:
                raise CommandError("Give --key-file (or set BACKUP_KEY_FILE).")
            if options["keep"] < 0:
                raise CommandError("--keep is a number of backups, 1 or more.")
            result = self._backup(options)
            if options["keep"]:
                for removed in backups_prune(Path(options["output_dir"]), keep=options["keep"]):
                    self.stdout.write(f"Removed the older backup {removed.name}")
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = result.manifest["files"]
        sizes = ", ".join(f"{name} {details['bytes']:,} bytes" for name, details in files.items())
        self.stdout.write(f"Backup written to {result.directory} ({sizes}).")
        if settings.STORAGE_BACKEND != "filesystem":
            self.stdout.write(
                "Generated files are kept in object storage, not MEDIA_ROOT: keep them by the "
                "bucket's own versioning and replication (README, 'Backups')."
            )

    def _backup(self, options):
        def record():
            # Before the dump, so that the backup itself holds the record of its making.
            record_event(
                actor=None,
                action=AuditEvent.Action.EXPORT,
                label="Backup of the database and files",
                detail={"kind": "backup", "output_dir": str(options["output_dir"])},
            )

        return backup_create(
            output_dir=Path(options["output_dir"]),
            key_file=Path(options["key_file"]),
            on_start=record,
        )
