"""Attendance reads: the completion rule, the register rows and the cohort's attendance matrix.

The completion rule is set per cohort (`CompletionRule.for_cohort`). By default a
participant completes when they attended every workshop day, every action learning set
and at least one induction. "Attended" means present, late or left early.

- Cancelled sessions never count, and are left out of the matrix.
- A session held before the participant enrolled is "not yet enrolled": never absent,
  and not required of them (if every induction was before they enrolled, they need none).
- A participant is *at risk* when they missed (absent or apologies) a required workshop
  or action learning set, or too few inductions are left for them to reach the number
  the rule asks for: they can no longer meet the rule. A past session without a record
  is "not recorded", which does not make anyone at risk (the register may simply not be
  taken yet).
- Two consecutive absences alert the lead. Only "absent" counts: apologies were agreed
  in advance, so they break no streak but do not extend it either; a session without
  a record breaks the streak.
- Withdrawn participants are left out of the register and the matrix.

Every function here runs a fixed number of queries, whatever the number of
participants and sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cohorts.models import Attendance, Cohort, Enrolment, Session

MISSED = {Attendance.Status.ABSENT, Attendance.Status.APOLOGIES}

# Cell states beyond the attendance statuses.
NOT_YET_ENROLLED = "not_yet_enrolled"
NOT_RECORDED = "not_recorded"
UPCOMING = "upcoming"
CELL_LABELS = {
    **dict(Attendance.Status.choices),
    NOT_YET_ENROLLED: "Not yet enrolled",
    NOT_RECORDED: "Not recorded",
    UPCOMING: "Upcoming",
}

COMPLETE = "complete"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
COMPLETION_LABELS = {COMPLETE: "Complete", ON_TRACK: "On track", AT_RISK: "At risk"}


@dataclass(frozen=True)
class CompletionRule:
    """What a participant must attend to complete their cohort."""

    inductions: int = 1
    all_workshops: bool = True
    all_action_learning_sets: bool = True

    @classmethod
    def for_cohort(cls, cohort: Cohort) -> CompletionRule:
        return cls(
            inductions=cohort.completion_inductions,
            all_workshops=cohort.completion_all_workshops,
            all_action_learning_sets=cohort.completion_all_action_learning_sets,
        )

    @property
    def required_kinds(self) -> set[str]:
        """Kinds of session every one of which must be attended."""
        kinds = set()
        if self.all_workshops:
            kinds.add(Session.Kind.WORKSHOP)
        if self.all_action_learning_sets:
            kinds.add(Session.Kind.ACTION_LEARNING_SET)
        return kinds

    def describe(self) -> str:
        parts = []
        if self.all_workshops:
            parts.append("every workshop day")
        if self.all_action_learning_sets:
            parts.append("every action learning set")
        if self.inductions:
            parts.append(f"at least {self.inductions} induction{'s' if self.inductions > 1 else ''}")
        if not parts:
            return "No attendance is required to complete."
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"To complete, attend {listed}."


DEFAULT_RULE = CompletionRule()


def active_enrolments(cohort: Cohort) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(cohort=cohort)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("participant")
        .order_by("participant__display_name", "pk")
    )


def counted_sessions(cohort: Cohort) -> QuerySet[Session]:
    sessions = Session.objects.filter(cohort=cohort).exclude(status=Session.Status.CANCELLED)
    return sessions.order_by("starts_at")


def before_enrolment(session: Session, enrolment: Enrolment) -> bool:
    return timezone.localdate(session.starts_at) < enrolment.enrolled_on


def is_own_apologies(attendance: Attendance | None) -> bool:
    """Apologies the participant sent themselves (the lead's notification)."""
    return bool(
        attendance
        and attendance.status == Attendance.Status.APOLOGIES
        and attendance.recorded_by_id == attendance.enrolment.participant_id
    )


@dataclass
class Cell:
    session: Session
    state: str
    attendance: Attendance | None = None

    @property
    def label(self) -> str:
        return CELL_LABELS[self.state]


@dataclass
class MatrixRow:
    enrolment: Enrolment
    cells: list[Cell]
    completion: str = ON_TRACK
    attended: int = 0
    required: int = 0
    consecutive_absences: list[Session] = field(default_factory=list)

    @property
    def completion_label(self) -> str:
        return COMPLETION_LABELS[self.completion]

    @property
    def at_risk(self) -> bool:
        return self.completion == AT_RISK


def cell_for(session: Session, enrolment: Enrolment, attendance: Attendance | None, now: datetime) -> Cell:
    if before_enrolment(session, enrolment):
        return Cell(session, NOT_YET_ENROLLED, attendance)
    if attendance is not None:
        return Cell(session, attendance.status, attendance)
    return Cell(session, NOT_RECORDED if session.starts_at <= now else UPCOMING)


def _attended(cell: Cell) -> bool:
    return bool(cell.attendance and cell.attendance.attended)


def completion(cells: list[Cell], rule: CompletionRule = DEFAULT_RULE) -> tuple[str, int, int]:
    """(completion status, required sessions attended, required sessions) under the rule."""
    counted = [c for c in cells if c.state != NOT_YET_ENROLLED]
    required = [c for c in counted if c.session.kind in rule.required_kinds]
    inductions = [c for c in counted if c.session.kind == Session.Kind.INDUCTION]
    # Inductions held before someone enrolled are not asked of them: they need at most those left.
    inductions_needed = min(rule.inductions, len(inductions))
    inductions_attended = min(sum(1 for c in inductions if _attended(c)), inductions_needed)
    inductions_open = sum(1 for c in inductions if c.state in (UPCOMING, NOT_RECORDED))
    needed = len(required) + inductions_needed
    done = sum(1 for c in required if _attended(c)) + inductions_attended
    missed_required = any(c.state in MISSED for c in required)
    too_few_inductions_left = inductions_attended + inductions_open < inductions_needed
    if missed_required or too_few_inductions_left:
        return AT_RISK, done, needed
    if needed and done == needed:
        return COMPLETE, done, needed
    return ON_TRACK, done, needed


def consecutive_absences(cells: list[Cell]) -> list[Session]:
    """The latest run of two or more consecutive absences, or an empty list."""
    run: list[Session] = []
    latest: list[Session] = []
    for cell in cells:
        if cell.state == NOT_YET_ENROLLED:
            continue
        if cell.state == Attendance.Status.ABSENT:
            run.append(cell.session)
            if len(run) >= 2:
                latest = list(run)
        else:
            run = []
    return latest


@dataclass
class Matrix:
    cohort: Cohort
    sessions: list[Session]
    rows: list[MatrixRow]
    rule: CompletionRule = DEFAULT_RULE

    @property
    def alerts(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.consecutive_absences]

    @property
    def apologies(self) -> list[Cell]:
        """Apologies participants sent themselves, in session order (the lead's notifications)."""
        cells = [cell for row in self.rows for cell in row.cells if is_own_apologies(cell.attendance)]
        return sorted(cells, key=lambda cell: cell.session.starts_at)


def attendance_matrix(cohort: Cohort, *, now: datetime | None = None) -> Matrix:
    """Participants × sessions, with completion and alerts, in three queries."""
    now = now or timezone.now()
    rule = CompletionRule.for_cohort(cohort)
    sessions = list(counted_sessions(cohort))
    enrolments = list(active_enrolments(cohort))
    by_pk = {e.pk: e for e in enrolments}
    records = {}
    for attendance in Attendance.objects.filter(session__cohort=cohort):
        if attendance.enrolment_id in by_pk:  # withdrawn participants are left out
            attendance.enrolment = by_pk[attendance.enrolment_id]
            records[attendance.session_id, attendance.enrolment_id] = attendance
    rows = []
    for enrolment in enrolments:
        cells = [cell_for(s, enrolment, records.get((s.pk, enrolment.pk)), now) for s in sessions]
        status, done, needed = completion(cells, rule)
        rows.append(
            MatrixRow(
                enrolment=enrolment,
                cells=cells,
                completion=status,
                attended=done,
                required=needed,
                consecutive_absences=consecutive_absences(cells),
            )
        )
    return Matrix(cohort=cohort, sessions=sessions, rows=rows, rule=rule)


def register_enrolments(session: Session) -> list[Enrolment]:
    """The session's register: active enrolments, each with `.record` (its Attendance or None)."""
    enrolments = list(
        active_enrolments(session.cohort).prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.filter(session=session).select_related("recorded_by"),
                to_attr="at_session",
            )
        )
    )
    for enrolment in enrolments:
        register_row_prepare(enrolment, session)
    return enrolments


def register_row_prepare(enrolment: Enrolment, session: Session) -> Enrolment:
    enrolment.record = enrolment.at_session[0] if enrolment.at_session else None
    if enrolment.record is not None:
        enrolment.record.enrolment = enrolment
    enrolment.not_yet_enrolled = before_enrolment(session, enrolment)
    return enrolment


def export_rows(matrix: Matrix) -> tuple[list[str], list[list[object]]]:
    """One row per participant per session, with the session's date, start, end and duration."""
    headers = [
        "Participant",
        "E-mail",
        "Session",
        "Kind",
        "Date",
        "Start",
        "End",
        "Duration (hours)",
        "Attendance",
        "Completion",
    ]
    rows = []
    for row in matrix.rows:
        for cell in row.cells:
            starts = timezone.localtime(cell.session.starts_at)
            ends = timezone.localtime(cell.session.ends_at)
            hours = (cell.session.ends_at - cell.session.starts_at).total_seconds() / 3600
            rows.append(
                [
                    row.enrolment.participant.display_name,
                    row.enrolment.participant.email,
                    cell.session.title,
                    cell.session.get_kind_display(),
                    starts.date(),
                    starts.strftime("%H:%M"),
                    ends.strftime("%H:%M"),
                    Decimal(f"{hours:.2f}".rstrip("0").rstrip(".")),  # a number in Excel, "7.5" in CSV
                    cell.label,
                    row.completion_label,
                ]
            )
    return headers, rows
