"""python manage.py export_all <file>: every row of the site as one JSON file (see docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from coachprog.accounts.management.backup import write_backup


class Command(BaseCommand):
    help = "Write every row of the database to a JSON file that import_all can restore."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the backup, e.g. coachprog-2025-01-31.json.")

    def handle(self, *args, file: str, **options) -> None:
        if not file.endswith(".json"):
            raise CommandError("The backup file's name must end in .json, so that import_all can read it.")
        with transaction.atomic(), open(file, "w", encoding="utf-8") as stream:
            if connection.vendor == "postgresql":
                # One snapshot for every table, however long the dump takes, while people keep working.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            write_backup(stream)
        self.stdout.write(f"Wrote the backup to {file}.")
