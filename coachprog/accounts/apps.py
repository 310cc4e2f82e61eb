from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachprog.accounts"
    label = "accounts"
    verbose_name = "Accounts"
