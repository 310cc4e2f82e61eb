from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from coaching.demo import DEMO_ACCOUNTS, demo_data_load


class Command(BaseCommand):
    help = (
        "Load a realistic demo programme (cohorts, projects, coaching) and the demo accounts. Safe to re-run."
    )

    def handle(self, *args, **options) -> None:
        # The demo's applicants and line managers are invented: keep their e-mails in memory.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            result = demo_data_load()
        self.stdout.write(self.style.SUCCESS(result.message))
        for email, _, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<24} {role}")
