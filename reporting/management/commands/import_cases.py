"""Reads a case bundle (reporting/bundle/README.md) into Lantern."""

from django.core.management.base import BaseCommand, CommandError

from reporting.bundle.importer import BundleFileError, bundle_lines, cases_import
from reporting.synthetic import progress_line

from .export_cases import active_user


class Command(BaseCommand):
    help = (
        "Imports a lantern-case-bundle/1 file. Every line is validated; any invalid line means "
        "nothing is imported, unless --skip-invalid (then invalid lines go to --rejects)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The bundle (JSON Lines)")
        parser.add_argument("--user", required=True, help="E-mail of the user importing")
        parser.add_argument(
            "--service", help="Import every line into this service (code), whatever it says"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid lines and write the invalid ones to --rejects",
        )
        parser.add_argument("--rejects", help="Where --skip-invalid writes the invalid lines")
        parser.add_argument(
            "--resumable",
            action="store_true",
            help="Commit every batch of lines as it is written: if the import stops (an "
            "interruption, an invalid line, a file cut short), the lines before stay imported "
            "and the same command run again skips them and goes on",
        )
        parser.add_argument(
            "--unknown-users-as-me",
            action="store_true",
            help="Record work by people who are not users here as done by the importing user",
        )

    def _progress(self, done, total, seconds):
        self.stdout.write(progress_line(done, total, seconds, "lines"))

    def handle(self, *args, **options):
        if options["skip_invalid"] and not options["rejects"]:
            raise CommandError("--skip-invalid needs --rejects FILE for the invalid lines.")
        user = active_user(options["user"])
        try:
            with open(options["file"], "rb") as bundle:
                result = cases_import(
                    user=user,
                    lines=bundle_lines(bundle),
                    service_code=options["service"],
                    skip_invalid=options["skip_invalid"],
                    unknown_users_as_me=options["unknown_users_as_me"],
                    progress=self._progress,
                    resumable=options["resumable"],
                )
        except KeyboardInterrupt:
            if not options["resumable"]:
                raise CommandError("Interrupted: nothing imported.") from None
            raise CommandError(
                "Interrupted. The batches of lines written before it are kept: run the same "
                "command again to go on after them."
            ) from None
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from error
        except BundleFileError as error:
            raise CommandError(f"Nothing imported. {error}") from error
        for error in result.errors:
            self.stderr.write(str(error))
        if options["rejects"] and result.rejects:
            with open(options["rejects"], "w", encoding="utf-8") as rejects:
                rejects.writelines(f"{line}\n" for line in result.rejects)
        if result.stopped:
            raise CommandError(
                f"Stopped: {result.stopped}. {result.imported} line(s) imported before it are "
                f"kept ({result.already_imported} were imported before). Correct the file and "
                "run the same command again: the lines already imported are skipped."
            )
        if not result.committed:
            raise CommandError(
                f"Nothing imported: {result.invalid_lines} invalid line(s). Fix them, or use "
                "--skip-invalid --rejects FILE to import the others."
            )
        self.stdout.write(
            f"Imported {result.imported} line(s); {result.already_imported} already imported; "
            f"{len(result.rejects)} rejected"
            + (f" (written to {options['rejects']})." if result.rejects else ".")
        )
