from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "coachprog.figures"
    label = "figures"
    verbose_name = "Cached figures"
