from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "coachprog.outbox"
    label = "outbox"
    verbose_name = "E-mail outbox"
