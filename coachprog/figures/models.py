"""One version per topic of data that cached figures read (see the package's docstring)."""

from django.db import models


class Topic(models.TextChoices):
    """Kinds of data that cached figures read; each is bumped by the services that write it."""

    PROGRESS_SCORES = "progress_scores", "Projects' start dates and progress scores"
    MEETINGS = "meetings", "Meeting logs"
    ASSIGNMENTS = "assignments", "Assignments"
    ENROLMENTS = "enrolments", "Enrolments' completion and cohorts' dates"


class DataVersion(models.Model):
    """The current version of a topic: a new random token each time its data changes."""

    topic = models.CharField(max_length=40, primary_key=True)  # a Topic
    # Random, not a counter: a version never comes back, even if the row is lost and made again.
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.topic}: {self.token}"
