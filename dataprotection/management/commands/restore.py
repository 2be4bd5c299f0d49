"""`manage.py restore`: a backup restored into an empty database, then migrated."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.audit import record_event
from accounts.models import AuditEvent
from dataprotection.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restores a backup made by `manage.py backup` into an empty database and an empty "
        "MEDIA_ROOT, then migrates it to this version of Lantern."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup's directory (lantern-backup-...)")
        parser.add_argument(
            "--key-file",
            default=settings.BACKUP_KEY_FILE,
            help="The file holding the passphrase (BACKUP_KEY_FILE)",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Only check the backup's files against its manifest",
        )

    def handle(self, *args, **options):
        directory = Path(options["backup"])
        try:
            if options["verify_only"]:
                manifest = backup_verify(directory)
                self.stdout.write(f"{directory.name}: every file matches its manifest.")
                return
            if not options["key_file"]:
                raise CommandError("Give --key-file (or set BACKUP_KEY_FILE).")
            manifest = backup_restore(directory=directory, key_file=Path(options["key_file"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {directory.name} (made {manifest['created_at']}, "
            f"{manifest['media_files']} files). Migrating to this version:"
        )
        call_command("migrate", interactive=False, verbosity=1, stdout=self.stdout)
        record_event(
            actor=None,
            action=AuditEvent.Action.ADMIN,
            label="Restored from a backup",
            detail={"kind": "restore", "backup": directory.name},
        )
        self.stdout.write("Done.")
