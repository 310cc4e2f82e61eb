"""Coaching joins the other two apps: coaches (trained in cohorts) support project teams.

Assignments, meeting logs, supervision logs and the monthly updates that
coaches write for sponsors live here.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.models import PROGRESS_SCORES, Project, progress_score_check, progress_score_field

MAX_MEETING_MINUTES = 8 * 60


class CoachProfile(models.Model):
    """A trained coach's standing details: capacity and supervisor."""

    coach = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_profile"
    )
    hours_per_week = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("4.0"),
        help_text="Ring-fenced coaching time; half a day a week is about 4 hours.",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisees",
        help_text="The QI lead who supervises this coach.",
    )
    is_active = models.BooleanField("actively coaching", default=True)

    # Who made someone a coach, changed their supervisor or capacity, or stood them down, and when.
    history = HistoricalRecords()

    class Meta:
        ordering = ["coach__display_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=40), name="coach_hours_in_range"
            ),
            models.CheckConstraint(condition=~Q(supervisor=F("coach")), name="coach_not_own_supervisor"),
        ]

    def __str__(self) -> str:
        return str(self.coach)


class AssignmentQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> "AssignmentQuerySet":
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


class Assignment(models.Model):
    """A coach supports a project team from a date, and later to a date. History is never overwritten."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead coach"
        SECOND = "second", "Second coach"

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.LEAD)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(role__in=["lead", "second"]), name="assignment_role_valid"),
            # One open assignment per role per team, and a coach holds one open role per team.
            models.UniqueConstraint(
                fields=["project", "role"],
                condition=Q(ends_on__isnull=True),
                name="assignment_one_open_per_role",
            ),
            models.UniqueConstraint(
                fields=["project", "coach"],
                condition=Q(ends_on__isnull=True),
                name="assignment_one_open_per_coach",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} → {self.project} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.ends_on is None


class MeetingFocus(models.Model):
    """What a meeting worked on (aim, driver diagram, measurement …); a fixed, seeded list."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "meeting focuses"

    def __str__(self) -> str:
        return self.name


class MeetingLog(models.Model):
    """A coach's record of one meeting with a project team."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_logs")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="meeting_logs")
    met_on = models.DateField("date")
    duration_minutes = models.PositiveSmallIntegerField("duration (minutes)")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="meetings_attended", verbose_name="who attended"
    )
    focuses = models.ManyToManyField(
        MeetingFocus, blank=True, related_name="meetings", verbose_name="worked on"
    )
    progress_score = progress_score_field(help_text="The team's progress score at this meeting.")
    notes = models.TextField(blank=True, help_text="Private to coaches and leads; never shown to sponsors.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-met_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=MAX_MEETING_MINUTES),
                name="meeting_duration_in_range",
            ),
            progress_score_check("progress_score", "meeting_progress_score_on_scale"),
            models.CheckConstraint(condition=Q(mode__in=["in_person", "online"]), name="meeting_mode_valid"),
        ]
        indexes = [
            models.Index(fields=["project", "-met_on"]),
            models.Index(fields=["coach", "-met_on"]),
            # The programme-wide "met lately" questions (teams not met for weeks, active coaches).
            models.Index(fields=["met_on"], name="meeting_by_date"),
        ]

    def __str__(self) -> str:
        return f"{self.project} on {self.met_on:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("coaching:meeting", args=[self.pk])


class NextStep(models.Model):
    """An action agreed at a meeting, with an owner and a due date."""

    meeting = models.ForeignKey(MeetingLog, on_delete=models.CASCADE, related_name="next_steps")
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=150, help_text="Who will do it.")
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description


class SupervisionLog(models.Model):
    """A coach's supervision with a QI lead, or a trust-wide support session."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "1:1"
        GROUP = "group", "Group"
        TRUST_WIDE = "trust_wide", "Trust-wide support session"

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_logs"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_given",
    )
    held_on = models.DateField("date")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ONE_TO_ONE)
    themes = models.TextField(blank=True)
    will_try = models.TextField("what I will try", blank=True)
    reflection = models.TextField(
        "private reflection",
        blank=True,
        help_text="Only you see this, unless you share it with your supervisor.",
    )
    reflection_shared = models.BooleanField("share my reflection with my supervisor", default=False)
    supervisor_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["reflection"])

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["one_to_one", "group", "trust_wide"]), name="supervision_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(supervisor=F("coach")), name="supervision_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.coach}: {self.get_kind_display()} on {self.held_on:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("coaching:supervision", args=[self.pk])


class MonthlyUpdate(models.Model):
    """The coach's monthly report to a project's sponsor. A ready version is locked; edits make a new one."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        READY = "ready", "Ready"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="monthly_updates")
    month = models.DateField(help_text="The first day of the month reported on.")
    version = models.PositiveSmallIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="monthly_updates"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    narrative = models.TextField(blank=True)
    sponsor_ask = models.TextField("what the team needs from the sponsor", blank=True)
    rag = models.CharField("RAG status", max_length=10, choices=Rag.choices, blank=True)
    progress_score = progress_score_field(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    signal_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Run-chart signals that appeared in the month, counted when the update was marked ready.",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month", "version"], name="monthly_update_version_unique"
            ),
            models.UniqueConstraint(
                fields=["project", "month"], condition=Q(status="draft"), name="monthly_update_one_draft"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_update_first_of_month"),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(ready_at__isnull=False) & ~Q(rag="")),
                name="monthly_update_ready_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "ready"]), name="monthly_update_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress_score__isnull=True) | Q(progress_score__in=PROGRESS_SCORES),
                name="monthly_update_score_on_scale",
            ),
            # Only a ready update reaches the sponsor, so only a ready one can be acknowledged.
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(status="ready"),
                name="monthly_update_acknowledged_when_ready",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}, {self.month:%B %Y} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("coaching:monthly_update", args=[self.pk])


class UpdateComment(models.Model):
    """A reply on a ready monthly update: the sponsor answers the coach (or the coach the sponsor)."""

    update = models.ForeignKey(MonthlyUpdate, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="update_comment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.update}"

    def get_absolute_url(self) -> str:
        return f"{self.update.get_absolute_url()}#comment-{self.pk}"
