"""Imports a checklist version from a JSON file (format: riskassessment/checklists/README.md)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from riskassessment.services import checklist_import_file


class Command(BaseCommand):
    help = (
        "Import a checklist (or a new version of one, e.g. a licensed full DASH wording) from a "
        "lantern-checklist/1 JSON file. The new version stays a draft unless --publish is given "
        "or the file says so."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path to the JSON file.")
        parser.add_argument("--publish", action="store_true", help="Publish the new version.")

    def handle(self, *args, path, publish, **options):
        try:
            version = checklist_import_file(path=path, publish=publish)
        except ValidationError as error:
            messages = error.message_dict.get("file", error.messages)
            raise CommandError("The file was not imported:\n- " + "\n- ".join(messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {version} as a {version.get_status_display().lower()} version."
            )
        )
