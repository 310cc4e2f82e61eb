from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachprog.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Registers the project's security system checks (coachprog/security.py).
        from coachprog import security  # noqa: F401
