from django.core.management.base import BaseCommand

from coaching.demo import DEMO_ACCOUNTS, demo_data_load


class Command(BaseCommand):
    help = (
        "Load a realistic demo programme (cohorts, projects, coaching) and the demo accounts. Safe to re-run."
    )

    def handle(self, *args, **options) -> None:
        result = demo_data_load()
        self.stdout.write(self.style.SUCCESS(result.message))
        for email, _, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<24} {role}")
