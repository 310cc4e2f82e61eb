"""The improvement work: projects, aims, driver diagrams, measures, data points and PDSA cycles.

This app knows nothing of cohorts or coaching. Coaches see projects through
their assignments, which live in `coaching` (see `projects.permissions`).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from coachprog.accounts.models import Directorate
from coachprog.bounds import DATE_RANGE_TEXT, date_range_check


class ProgressScore(models.TextChoices):
    """The IHI project assessment scale, 0.5 to 5.0."""

    S0_5 = "0.5", "0.5 Intent to participate"
    S1_0 = "1.0", "1.0 Team formed"
    S1_5 = "1.5", "1.5 Planning begun"
    S2_0 = "2.0", "2.0 Activity but no changes"
    S2_5 = "2.5", "2.5 Changes tested but no improvement"
    S3_0 = "3.0", "3.0 Modest improvement"
    S3_5 = "3.5", "3.5 Improvement"
    S4_0 = "4.0", "4.0 Significant improvement"
    S4_5 = "4.5", "4.5 Sustainable improvement"
    S5_0 = "5.0", "5.0 Outstanding sustainable results"


PROGRESS_SCORES = [Decimal(v) for v in ProgressScore.values]


def progress_score_field(**kwargs) -> models.DecimalField:
    """A decimal field holding one of the IHI scale's values (the check constraint lives on the model)."""
    return models.DecimalField(
        max_digits=2,
        decimal_places=1,
        choices=[(Decimal(v), label) for v, label in ProgressScore.choices],
        **kwargs,
    )


def progress_score_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": PROGRESS_SCORES}), name=name)


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"


# A live project is worked on; an archived one (completed or closed) is read-only until a lead reopens it.
LIVE_STATUSES = (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)
ARCHIVED_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.CLOSED)


class Project(models.Model):
    """A QI project in a directorate, with an aim, a sponsor and a team."""

    Status = ProjectStatus

    title = models.CharField(max_length=200)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="projects")
    aim_what = models.TextField("aim: what", help_text="What will improve, for whom.")
    aim_how_much = models.CharField("aim: how much", max_length=200, help_text="e.g. “by 30%”, “to 90%”.")
    aim_by_when = models.DateField("aim: by when")
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsored_projects"
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="team_projects", blank=True
    )
    status = models.CharField(max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    started_on = models.DateField("start date")
    progress_score = progress_score_field(default=Decimal("0.5"))
    created_at = models.DateTimeField(auto_now_add=True)
    # Closing: what the project achieved, and when it became a read-only archive.
    outcome_summary = models.TextField(
        blank=True, help_text="What the project achieved and learned; written when it is closed."
    )
    closed_on = models.DateField("closed on", null=True, blank=True)
    reopen_reason = models.CharField(
        "reason for reopening", max_length=300, blank=True, help_text="Why a lead last reopened the project."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        # Lists page through projects by title: read in index order, the first 25 of 10,000 cost
        # 0.4 ms instead of a join and sort of every live project (17 ms).
        indexes = [models.Index(fields=["title"], name="project_by_title")]
        constraints = [
            models.UniqueConstraint(
                fields=["directorate", "title"], name="project_title_unique_per_directorate"
            ),
            progress_score_check("progress_score", "project_progress_score_on_scale"),
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            # A live project has no closing date; an archived one has its date and its outcome.
            models.CheckConstraint(
                condition=Q(status__in=LIVE_STATUSES, closed_on__isnull=True)
                | (Q(status__in=ARCHIVED_STATUSES, closed_on__isnull=False) & ~Q(outcome_summary="")),
                name="project_archived_has_date_and_outcome",
                violation_error_message="A completed or closed project needs its closing date and an "
                "outcome summary; a live project has no closing date.",
            ),
            models.CheckConstraint(
                condition=date_range_check("closed_on", nullable=True),
                name="project_closed_on_in_range",
                violation_error_message=f"A project's closing date must be in the years {DATE_RANGE_TEXT}.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def aim_statement(self) -> str:
        return f"{self.aim_what.rstrip('.')} {self.aim_how_much} by {self.aim_by_when:%-d %b %Y}."

    @property
    def is_archived(self) -> bool:
        """Completed or closed: kept and listed, but nothing in it changes until a lead reopens it."""
        return self.status in ARCHIVED_STATUSES


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Project lead"
        MEMBER = "member", "Team member"
        SERVICE_USER = "service_user", "Service user or carer"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "role", "person__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="team_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}, {self.project})"


class ProgressScoreChange(models.Model):
    """One change of a project's progress score: who, when and why. Never edited."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="score_changes")
    score = progress_score_field()
    previous_score = progress_score_field(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["project", "changed_at"]
        get_latest_by = "changed_at"
        # A project's score history in order: its page, the sponsor report and programme health's series.
        indexes = [models.Index(fields=["project", "changed_at"], name="score_change_by_project_time")]
        constraints = [
            progress_score_check("score", "score_change_score_on_scale"),
            models.CheckConstraint(
                condition=Q(previous_score__isnull=True) | Q(previous_score__in=PROGRESS_SCORES),
                name="score_change_previous_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.previous_score} → {self.score}"


class DriverNodeKind(models.TextChoices):
    PRIMARY = "primary", "Primary driver"
    SECONDARY = "secondary", "Secondary driver"
    CHANGE_IDEA = "change_idea", "Change idea"


class DriverNode(models.Model):
    """A node of a project's driver diagram: aim → primary → secondary → change ideas."""

    Kind = DriverNodeKind

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="driver_nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(max_length=20, choices=DriverNodeKind.choices)
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "pk"]
        constraints = [
            # Primary drivers hang from the aim itself; everything else has a parent.
            models.CheckConstraint(
                condition=(Q(kind="primary") & Q(parent__isnull=True))
                | (~Q(kind="primary") & Q(parent__isnull=False)),
                name="driver_node_parent_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DriverNodeKind.values), name="driver_node_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Measure(models.Model):
    class Kind(models.TextChoices):
        OUTCOME = "outcome", "Outcome"
        PROCESS = "process", "Process"
        BALANCING = "balancing", "Balancing"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"
        NEITHER = "neither", "Neither"

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    class ValueType(models.TextChoices):
        VALUE = "value", "A value"
        PROPORTION = "proportion", "A proportion (numerator / denominator)"

    class Chart(models.TextChoices):
        RUN = "run", "Run chart (median)"
        SPC = "spc", "SPC chart (XmR, or P chart for a proportion)"

    class RunRules(models.TextChoices):
        ANHOEJ = "anhoej", "Anhøj rules (recommended)"
        IHI = "ihi", "IHI run-chart rules"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="measures")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    operational_definition = models.TextField(
        help_text="Exactly what is counted, how and when, so anyone would collect the same number."
    )
    unit = models.CharField(max_length=50, blank=True, help_text="e.g. “days”, “%”, “patients”.")
    better_direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.UP)
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    # The valid range (`projects.data_rules`): 0 or more unless the measure says otherwise.
    lowest_value = models.DecimalField(
        "lowest value", max_digits=14, decimal_places=4, null=True, blank=True, default=Decimal(0)
    )
    highest_value = models.DecimalField(
        "highest value", max_digits=14, decimal_places=4, null=True, blank=True
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    value_type = models.CharField(max_length=20, choices=ValueType.choices, default=ValueType.VALUE)
    chart = models.CharField(max_length=10, choices=Chart.choices, default=Chart.RUN)
    run_rules = models.CharField(
        "run-chart rules", max_length=10, choices=RunRules.choices, default=RunRules.ANHOEJ
    )
    # A frozen baseline: the centre line (and limits) come from the first N points only.
    # Only ever set by a person, with who, when and why recorded.
    baseline_points = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_reason = models.CharField(max_length=300, blank=True)
    baseline_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    baseline_set_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="measure_name_unique_per_project"),
            models.CheckConstraint(
                condition=Q(kind__in=["outcome", "process", "balancing"]), name="measure_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(better_direction__in=["up", "down", "neither"]), name="measure_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(value_type__in=["value", "proportion"]), name="measure_value_type_valid"
            ),
            models.CheckConstraint(condition=Q(chart__in=["run", "spc"]), name="measure_chart_valid"),
            models.CheckConstraint(
                condition=Q(run_rules__in=["anhoej", "ihi"]), name="measure_run_rules_valid"
            ),
            models.CheckConstraint(
                condition=Q(value_type="value") | Q(target__isnull=True) | Q(target__gte=0, target__lte=1),
                name="measure_proportion_target_is_a_fraction",
                violation_error_message="A proportion's target is a fraction from 0 to 1 (0.9 for 90%).",
            ),
            models.CheckConstraint(
                condition=Q(lowest_value__isnull=True)
                | Q(highest_value__isnull=True)
                | Q(lowest_value__lte=F("highest_value")),
                name="measure_valid_range_in_order",
                violation_error_message="The lowest value cannot be above the highest value.",
            ),
            models.CheckConstraint(
                condition=Q(value_type="value")
                | (
                    (Q(lowest_value__isnull=True) | Q(lowest_value__gte=0, lowest_value__lte=1))
                    & (Q(highest_value__isnull=True) | Q(highest_value__gte=0, highest_value__lte=1))
                ),
                name="measure_proportion_range_is_a_fraction",
                violation_error_message=(
                    "A proportion's valid range is in fractions from 0 to 1 (0.9 for 90%)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(baseline_points__isnull=True)
                | (Q(baseline_points__gte=1) & Q(baseline_set_by__isnull=False) & ~Q(baseline_reason="")),
                name="measure_baseline_is_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:measure", args=[self.project_id, self.pk])


class MeasurePhase(models.Model):
    """A recalculation (rebase): from this period on, the chart's centre line and limits start afresh.

    Never made automatically: a person chooses the point and records why.
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="phases")
    starts_on = models.DateField(help_text="The first period of the new phase.")
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "starts_on"], name="measure_phase_once_per_period"),
            models.CheckConstraint(condition=~Q(reason=""), name="measure_phase_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: new phase from {self.starts_on:%-d %b %Y}"


class ChartNote(models.Model):
    """A free-text note shown on a measure's chart at a date (e.g. "new rota started")."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="chart_notes")
    on = models.DateField("date")
    text = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure", "on"]

    def __str__(self) -> str:
        return f"{self.on:%-d %b %Y}: {self.text}"


class DataPoint(models.Model):
    """A measure's value for one period; for proportions, a numerator and a denominator."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="data_points")
    period = models.DateField(help_text="The first day of the period the value describes.")
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="Shown on the chart at this point.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="data_point_once_per_period"),
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(numerator__isnull=True) & Q(denominator__isnull=True))
                | (
                    Q(value__isnull=True)
                    & Q(numerator__isnull=False)
                    & Q(denominator__gt=0)
                    & Q(numerator__lte=F("denominator"))
                ),
                name="data_point_value_or_proportion",
            ),
            # Charts step from period to period; a date at the calendar's edge would overflow.
            models.CheckConstraint(
                condition=date_range_check("period"),
                name="data_point_period_in_range",
                violation_error_message=f"A period must be in the years {DATE_RANGE_TEXT}.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.period:%-d %b %Y}: {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.value is not None:
            return f"{self.value.normalize():f}"
        return f"{self.numerator}/{self.denominator}"

    @property
    def number(self) -> Decimal:
        """The value to chart: the value itself, or the proportion."""
        if self.value is not None:
            return self.value
        return Decimal(self.numerator) / Decimal(self.denominator)


class PDSACycle(models.Model):
    """A Plan-Do-Study-Act test of a change idea."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DOING = "doing", "Doing"
        STUDYING = "studying", "Studying"
        ACTING = "acting", "Acting"
        COMPLETED = "completed", "Completed"

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="pdsa_cycles")
    number = models.PositiveSmallIntegerField(help_text="PDSA 1, PDSA 2 … within the project.")
    title = models.CharField(max_length=200)
    change_idea = models.ForeignKey(
        DriverNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pdsa_cycles",
        limit_choices_to={"kind": DriverNodeKind.CHANGE_IDEA},
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        help_text="The cycle this one builds on, forming a ramp.",
    )
    measures = models.ManyToManyField(Measure, blank=True, related_name="pdsa_cycles")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    # Plan
    plan_question = models.TextField("question", blank=True)
    plan_prediction = models.TextField("prediction", blank=True)
    plan_who = models.CharField("who", max_length=300, blank=True)
    plan_what = models.TextField("what", blank=True)
    plan_where = models.CharField("where", max_length=300, blank=True)
    plan_when = models.CharField("when", max_length=300, blank=True)
    plan_data = models.TextField("data to collect", blank=True)
    # Do
    do_what_happened = models.TextField("what happened", blank=True)
    do_observations = models.TextField("observations", blank=True)
    # Study
    study_results = models.TextField("results against the prediction", blank=True)
    # Act
    act_decision = models.CharField("decision", max_length=10, choices=Decision.choices, blank=True)
    act_next_step = models.TextField("next step", blank=True)
    starts_on = models.DateField("start date", null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "PDSA cycle"
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="pdsa_number_unique_per_project"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(starts_on__isnull=False, completed_on__gte=F("starts_on")),
                name="pdsa_completed_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | ~Q(act_decision=""),
                name="pdsa_completed_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "doing", "studying", "acting", "completed"]),
                name="pdsa_status_valid",
            ),
            models.CheckConstraint(condition=~Q(follows=F("pk")), name="pdsa_does_not_follow_itself"),
            # The cycles are drawn on their measures' charts at these dates.
            models.CheckConstraint(
                condition=date_range_check("starts_on", nullable=True)
                & date_range_check("completed_on", nullable=True),
                name="pdsa_dates_in_range",
                violation_error_message=f"A PDSA cycle's dates must be in the years {DATE_RANGE_TEXT}.",
            ),
        ]

    def __str__(self) -> str:
        return f"PDSA {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:pdsa", args=[self.project_id, self.pk])
