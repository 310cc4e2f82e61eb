"""Training the coaches: programmes, cohorts, sessions, applications, enrolment, attendance."""

import uuid

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from coachprog.accounts.models import Directorate

DEFAULT_PREREQUISITES = ["Pocket QI", "Improvement Leaders Programme"]


def default_prerequisites() -> list[str]:
    return list(DEFAULT_PREREQUISITES)


class Programme(models.Model):
    """A coach development programme that runs a cohort each year."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    prerequisite_courses = models.JSONField(
        default=default_prerequisites,
        blank=True,
        help_text="Courses an applicant must have completed, e.g. “Pocket QI”.",
    )
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_programmes", verbose_name="programme leads"
    )

    # A renamed programme or changed prerequisites alter what applicants are asked: keep who and when.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CurriculumTopic(models.Model):
    """One of the programme's curriculum topics (the Q programme has five)."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.CheckConstraint(condition=Q(number__gte=1), name="topic_number_positive")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class CohortStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    OPEN = "open", "Open for applications"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Cohort(models.Model):
    Status = CohortStatus
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    number = models.PositiveSmallIntegerField(help_text="Cohort 10 has number 10.")
    name = models.CharField(max_length=200, blank=True, help_text="Optional, e.g. “Autumn 2024”.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    capacity = models.PositiveSmallIntegerField(default=24, help_text="Most participants who can enrol.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNING)
    applications_close_on = models.DateField(null=True, blank=True)
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_cohorts")
    topics = models.ManyToManyField(
        CurriculumTopic, blank=True, related_name="cohorts", verbose_name="curriculum topics"
    )
    # The completion rule. By default: every workshop day, every action learning set, one induction.
    completion_inductions = models.PositiveSmallIntegerField(
        "inductions to attend",
        default=1,
        help_text="How many induction sessions each participant must attend (0 for none).",
    )
    completion_all_workshops = models.BooleanField("every workshop day", default=True)
    completion_all_action_learning_sets = models.BooleanField("every action learning set", default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="cohort_number_unique_per_programme"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="cohort_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
            # PostgreSQL's small integers stop at 32,767; SQLite would store more, so say it here too.
            models.CheckConstraint(
                condition=Q(capacity__lte=32767),
                name="cohort_capacity_fits_column",
                violation_error_message="A cohort's capacity is at most 32,767.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=32767),
                name="cohort_number_in_range",
                violation_error_message="A cohort's number is a whole number from 1 to 32,767.",
            ),
            models.CheckConstraint(
                condition=Q(completion_inductions__lte=10), name="cohort_completion_inductions_sane"
            ),
            models.CheckConstraint(condition=Q(status__in=CohortStatus.values), name="cohort_status_valid"),
        ]

    def __str__(self) -> str:
        label = f"Cohort {self.number}"
        return f"{label} ({self.name})" if self.name else label

    def get_absolute_url(self) -> str:
        return reverse("cohorts:detail", args=[self.pk])


class SessionKind(models.TextChoices):
    INDUCTION = "induction", "Induction"
    WORKSHOP = "workshop", "Workshop day"
    ACTION_LEARNING_SET = "action_learning_set", "Action learning set"
    WEBINAR = "webinar", "Webinar / learning session"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Session(models.Model):
    """A scheduled session of a cohort. Times are stored in UTC and shown in Europe/London."""

    Kind = SessionKind
    Status = SessionStatus
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200, help_text="e.g. “Workshop Day 1”.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    online_url = models.URLField("online joining link", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_sessions"
    )
    topics = models.ManyToManyField(
        CurriculumTopic, blank=True, related_name="sessions", verbose_name="curriculum topics"
    )
    notes = models.TextField(blank=True)
    # iCalendar identity: the UID never changes, SEQUENCE rises with each change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(venue_name="") | ~Q(online_url=""), name="session_has_venue_or_link"
            ),
            models.CheckConstraint(condition=Q(kind__in=SessionKind.values), name="session_kind_valid"),
        ]
        indexes = [models.Index(fields=["cohort", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.cohort})"

    def get_absolute_url(self) -> str:
        return reverse("cohorts:session", args=[self.cohort_id, self.pk])

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.venue_name


# Teaching materials people open in an office suite or a browser; nothing a browser would run.
MATERIAL_EXTENSIONS = [
    "pdf",
    "pptx",
    "ppt",
    "docx",
    "doc",
    "xlsx",
    "xls",
    "odt",
    "odp",
    "ods",
    "txt",
    "png",
    "jpg",
]
MATERIAL_MAX_BYTES = 20 * 1024 * 1024


class SessionMaterial(models.Model):
    """Teaching material for a session: an uploaded file or a link (never both)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    file = models.FileField(
        upload_to="materials/%Y/",
        blank=True,
        validators=[FileExtensionValidator(MATERIAL_EXTENSIONS)],
        help_text=f"Up to {MATERIAL_MAX_BYTES // (1024 * 1024)} MB: {', '.join(MATERIAL_EXTENSIONS)}.",
    )
    url = models.URLField("link", blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="material_has_file_or_url"),
            models.CheckConstraint(condition=Q(file="") | Q(url=""), name="material_file_or_url_not_both"),
        ]

    def __str__(self) -> str:
        return self.title


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    MANAGER_APPROVED = "manager_approved", "Approved by line manager"
    MANAGER_DECLINED = "manager_declined", "Declined by line manager"
    ACCEPTED = "accepted", "Accepted"
    WAITLISTED = "waitlisted", "Wait-listed"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(models.Model):
    """Someone's application to join a cohort."""

    Status = ApplicationStatus
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="applications")
    role_title = models.CharField("job role", max_length=200)
    prerequisites_completed = models.JSONField(
        default=list,
        blank=True,
        help_text="The programme's prerequisite courses the applicant has completed.",
    )
    is_service_user_or_carer = models.BooleanField("service user or carer", default=False)
    people_participation_lead = models.CharField(
        max_length=200, blank=True, help_text="Required for service users and carers."
    )
    line_manager_name = models.CharField(max_length=200)
    line_manager_email = models.EmailField("line manager's e-mail address")
    availability_confirmed = models.BooleanField(
        default=False,
        help_text=(
            "The applicant can attend at least one induction and every workshop and action learning set."
        ),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The request to the line manager named above (line_manager_name, line_manager_email).
    manager_asked_at = models.DateTimeField(
        "line manager first asked", null=True, blank=True, help_text="When this line manager was first asked."
    )
    manager_last_asked_at = models.DateTimeField(
        "latest link sent", null=True, blank=True, help_text="When the latest approval link was sent to them."
    )
    manager_times_asked = models.PositiveSmallIntegerField(
        "times asked", default=0, help_text="How many approval links this line manager has been sent."
    )
    # Each approval link carries this number, so passing the request to another line manager
    # stops every link sent before.
    manager_reassignments = models.PositiveSmallIntegerField(
        "line manager reassignments",
        default=0,
        help_text="How many times a programme lead has passed the request to another line manager.",
    )
    manager_approved = models.BooleanField(
        "line manager's answer",
        null=True,
        blank=True,
        help_text="Yes (approved), no (declined), or no answer.",
    )
    manager_responded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The wait-list's order: a freed place goes to the application that has waited longest.
    waitlisted_at = models.DateTimeField(
        "on the wait-list since",
        null=True,
        blank=True,
        help_text="When the application joined the wait-list (on sending, if the cohort was full).",
    )
    # Accepting an application that lacks the line manager's approval or a prerequisite is a
    # programme lead's explicit decision: what it lacked then, and why they accepted it anyway.
    override_unmet = models.TextField(
        "accepted without",
        blank=True,
        help_text="What the application lacked when it was accepted, one rule a line.",
    )
    override_reason = models.TextField(
        "reason for accepting anyway",
        blank=True,
        help_text="Why a programme lead accepted the application although it did not meet the rules.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "applicant"], name="application_unique_per_cohort"),
            models.CheckConstraint(
                condition=Q(is_service_user_or_carer=False) | ~Q(people_participation_lead=""),
                name="application_service_user_has_ppl",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="withdrawn") | Q(availability_confirmed=True),
                name="application_submitted_confirms_availability",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            # A CHECK passes when its test is NULL, hence the explicit "is not null" tests below.
            models.CheckConstraint(
                condition=Q(
                    manager_times_asked=0, manager_asked_at__isnull=True, manager_last_asked_at__isnull=True
                )
                | Q(
                    manager_times_asked__gte=1,
                    manager_asked_at__isnull=False,
                    manager_last_asked_at__isnull=False,
                    manager_last_asked_at__gte=F("manager_asked_at"),
                ),
                name="application_manager_requests_consistent",
                violation_error_message="The times the line manager was asked do not add up.",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted")
                | Q(manager_times_asked__gte=1, manager_approved__isnull=True),
                name="application_awaiting_manager_was_asked",
                violation_error_message="An application awaiting its line manager must have asked them.",
            ),
            models.CheckConstraint(
                condition=(
                    ~Q(status="manager_approved") | Q(manager_approved__isnull=False, manager_approved=True)
                )
                & (~Q(status="manager_declined") | Q(manager_approved__isnull=False, manager_approved=False)),
                name="application_manager_answer_matches_status",
                violation_error_message="The status must match the line manager's answer.",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="application_waitlisted_since_when",
                violation_error_message="A wait-listed application must say since when it has waited.",
            ),
            models.CheckConstraint(
                condition=Q(override_unmet="") | ~Q(override_reason=""),
                name="application_override_has_a_reason",
                violation_error_message="Accepting against the rules needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.cohort}"

    @property
    def awaits_manager(self) -> bool:
        """The line manager was asked and has not answered, and the answer still matters: the
        application is sent, or on the wait-list (a freed place needs their approval)."""
        return (
            self.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED)
            and self.manager_approved is None
            and self.manager_times_asked > 0
        )

    @property
    def override_unmet_rules(self) -> list[str]:
        return [line for line in self.override_unmet.splitlines() if line.strip()]


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    WITHDRAWN = "withdrawn", "Withdrawn"
    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not_completed", "Did not complete"


class Enrolment(models.Model):
    """A participant's place on a cohort."""

    Status = EnrolmentStatus
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolment"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ENROLLED)
    enrolled_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort", "participant__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "participant"], name="enrolment_unique_per_cohort"),
            models.CheckConstraint(
                condition=Q(status__in=EnrolmentStatus.values), name="enrolment_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.cohort}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    LEFT_EARLY = "left_early", "Left early"
    ABSENT = "absent", "Absent"
    APOLOGIES = "apologies", "Apologies"


class Attendance(models.Model):
    """Whether a participant came to a session."""

    Status = AttendanceStatus
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session"),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.participant} at {self.session}: {self.get_status_display()}"

    @property
    def attended(self) -> bool:
        return self.status in {self.Status.PRESENT, self.Status.LATE, self.Status.LEFT_EARLY}


class CalendarToken(models.Model):
    """The secret in a person's private calendar feed URL; replacing or deleting it revokes the old link."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=43, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar link for {self.person}"


class CohortCalendarToken(models.Model):
    """The secret in a cohort's subscribable calendar feed URL, which its leads share (with the
    participants, or on an intranet page); replacing or deleting it revokes the old link."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=43, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar link for {self.cohort}"
