"""python manage.py import_all <file>: restore an export_all backup into an empty, migrated database."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from coachprog.accounts.management.backup import tables_with_data


class Command(BaseCommand):
    help = "Load a backup written by export_all into an empty database (run migrate first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A backup written by export_all.")

    def handle(self, *args, file: str, **options) -> None:
        if not file.endswith(".json"):
            raise CommandError("The backup file's name must end in .json, as export_all requires.")
        if not Path(file).is_file():
            raise CommandError(f"There is no file {file}.")
        # All or nothing: a backup that fails half-way leaves the database as empty as it was.
        with transaction.atomic():
            occupied = tables_with_data()
            if occupied:
                raise CommandError(
                    "The database is not empty, so the backup was not loaded (it would mix two sites' data). "
                    f"Tables with rows: {', '.join(sorted(occupied)[:10])}. "
                    "Restore into a new database: create it, run migrate, then import_all."
                )
            call_command("loaddata", file, verbosity=0)
        self.stdout.write(f"Restored the backup from {file}.")
