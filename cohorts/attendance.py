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
- Two consecutive absences alert the lead, once per streak: a third absence in a row
  extends the streak the lead already heard about. Only "absent" counts: apologies were
  agreed in advance, so they break no streak but do not extend it either; a session
  without a record breaks the streak.
- Withdrawn participants are left out of the register and the matrix.

One source of truth: `completion` is the only place a participant's completion is
worked out, and every page, export and e-mail reads it through `attendance_matrices`
(the cohort page, the matrix, the cohort list, the programme page, the coach record).
While a cohort runs, the computed state is the truth and `Enrolment.status` stays
"enrolled"; closing the cohort (status "completed") records each participant's
"completed" or "did not complete" from the same function (`enrolment_completion_record`
in `cohorts.services.attendance`), and any later correction of the register or the
rule records it again, so the stored status never disagrees with the pages.

Every function here runs a fixed number of queries, whatever the number of cohorts,
participants and sessions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

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

# While the cohort runs: met the rule already, can still meet it, can no longer meet it.
COMPLETE = "complete"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
# Once the cohort is completed (closed): the outcome, as Enrolment.status records it.
COMPLETED = Enrolment.Status.COMPLETED.value
NOT_COMPLETED = Enrolment.Status.NOT_COMPLETED.value
COMPLETION_LABELS = {
    COMPLETE: "Complete",
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    COMPLETED: Enrolment.Status.COMPLETED.label,
    NOT_COMPLETED: Enrolment.Status.NOT_COMPLETED.label,
}


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


def is_finished(cohort: Cohort) -> bool:
    """A completed cohort's participants have an outcome (completed or not), not a forecast."""
    return cohort.status == Cohort.Status.COMPLETED


def session_started(session: Session, now: datetime | None = None) -> bool:
    return session.starts_at <= (now or timezone.now())


def active_enrolments(cohort: Cohort) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(cohort=cohort)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("participant")
        .order_by("participant__display_name", "pk")
    )


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

    @property
    def needs_attention(self) -> bool:
        """At risk while the cohort runs, or did not complete once it closed."""
        return self.completion in {AT_RISK, NOT_COMPLETED}


def cell_for(session: Session, enrolment: Enrolment, attendance: Attendance | None, now: datetime) -> Cell:
    if before_enrolment(session, enrolment):
        return Cell(session, NOT_YET_ENROLLED, attendance)
    if attendance is not None:
        return Cell(session, attendance.status, attendance)
    return Cell(session, NOT_RECORDED if session.starts_at <= now else UPCOMING)


def _attended(cell: Cell) -> bool:
    return bool(cell.attendance and cell.attendance.attended)


def completion(
    cells: list[Cell], rule: CompletionRule = DEFAULT_RULE, *, finished: bool = False
) -> tuple[str, int, int]:
    """(completion state, required sessions attended, required sessions) under the rule.

    The one place completion is decided. While the cohort runs the state is complete,
    on track or at risk; once it is `finished` (completed), completed or not completed.
    """
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
    if finished:
        # What was not attended by the close can no longer be: the rule is met or it is not.
        return (COMPLETED if done == needed else NOT_COMPLETED), done, needed
    if missed_required or too_few_inductions_left:
        return AT_RISK, done, needed
    if needed and done == needed:
        return COMPLETE, done, needed
    return ON_TRACK, done, needed


def absence_runs(cells: list[Cell]) -> list[list[Session]]:
    """Each run of consecutive absences (of one or more), in session order.

    Sessions before the participant enrolled are skipped, neither breaking nor extending a run.
    """
    runs: list[list[Session]] = []
    run: list[Session] = []
    for cell in cells:
        if cell.state == NOT_YET_ENROLLED:
            continue
        if cell.state == Attendance.Status.ABSENT:
            run.append(cell.session)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def consecutive_absences(cells: list[Cell]) -> list[Session]:
    """The latest run of two or more consecutive absences, or an empty list."""
    streaks = [run for run in absence_runs(cells) if len(run) >= 2]
    return streaks[-1] if streaks else []


def streak_started_by(cells: list[Cell], session: Session) -> list[Session]:
    """The absence streak (two or more in a row) that the absence at `session` has just made, or [].

    A streak is alerted once: an absence that only lengthens a streak of two or more
    (before or after it) makes no new one, whatever order the registers are taken in.
    """
    for run in absence_runs(cells):
        pks = [s.pk for s in run]
        if session.pk not in pks:
            continue
        at = pks.index(session.pk)
        before, after = run[:at], run[at + 1 :]
        if len(run) >= 2 and len(before) < 2 and len(after) < 2:
            return run
        return []
    return []


@dataclass(frozen=True)
class EnrolmentCounts:
    """A cohort's places and its participants' completion, as every page shows them."""

    capacity: int
    enrolled: int  # holding a place: everyone not withdrawn (enrolled, completed or not)
    withdrawn: int
    finished: bool
    complete: int = 0  # met the rule (completed, once the cohort is completed)
    on_track: int = 0
    at_risk: int = 0
    not_completed: int = 0

    @property
    def places(self) -> str:
        """ "12 / 16": places taken out of the capacity."""
        return f"{self.enrolled} / {self.capacity}"

    @property
    def summary(self) -> str:
        """ "11 of 12 completed" once the cohort is completed; "1 complete, 9 on track, 2 at risk" before."""
        if not self.enrolled:
            return "Nobody enrolled"
        if self.finished:
            return f"{self.complete} of {self.enrolled} completed"
        return f"{self.complete} complete, {self.on_track} on track, {self.at_risk} at risk"


@dataclass
class Matrix:
    cohort: Cohort
    sessions: list[Session]
    rows: list[MatrixRow]
    rule: CompletionRule = DEFAULT_RULE
    withdrawn: int = 0

    @property
    def alerts(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.consecutive_absences]

    @property
    def apologies(self) -> list[Cell]:
        """Apologies participants sent themselves, in session order (the lead's notifications)."""
        cells = [cell for row in self.rows for cell in row.cells if is_own_apologies(cell.attendance)]
        return sorted(cells, key=lambda cell: cell.session.starts_at)

    @property
    def finished(self) -> bool:
        return is_finished(self.cohort)

    @cached_property
    def counts(self) -> EnrolmentCounts:
        states = [row.completion for row in self.rows]
        return EnrolmentCounts(
            capacity=self.cohort.capacity,
            enrolled=len(self.rows),
            withdrawn=self.withdrawn,
            finished=self.finished,
            complete=states.count(COMPLETE) + states.count(COMPLETED),
            on_track=states.count(ON_TRACK),
            at_risk=states.count(AT_RISK),
            not_completed=states.count(NOT_COMPLETED),
        )

    def row_for(self, enrolment_pk: int) -> MatrixRow | None:
        return next((row for row in self.rows if row.enrolment.pk == enrolment_pk), None)


def matrix_row(
    enrolment: Enrolment,
    sessions: list[Session],
    records: dict[tuple[int, int], Attendance],
    rule: CompletionRule,
    *,
    finished: bool,
    now: datetime,
) -> MatrixRow:
    cells = [cell_for(s, enrolment, records.get((s.pk, enrolment.pk)), now) for s in sessions]
    state, done, needed = completion(cells, rule, finished=finished)
    return MatrixRow(
        enrolment=enrolment,
        cells=cells,
        completion=state,
        attended=done,
        required=needed,
        consecutive_absences=consecutive_absences(cells),
    )


def attendance_matrices(cohorts: Iterable[Cohort], *, now: datetime | None = None) -> dict[int, Matrix]:
    """Each cohort's participants × sessions, with completion and alerts, by cohort id.

    Three queries however many cohorts, so list pages can show every cohort's figures.
    """
    now = now or timezone.now()
    cohorts = {cohort.pk: cohort for cohort in cohorts}
    if not cohorts:
        return {}
    sessions: dict[int, list[Session]] = {pk: [] for pk in cohorts}
    for session in (
        Session.objects.filter(cohort_id__in=cohorts)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("starts_at", "pk")
    ):
        session.cohort = cohorts[session.cohort_id]
        sessions[session.cohort_id].append(session)
    enrolments: dict[int, list[Enrolment]] = {pk: [] for pk in cohorts}
    withdrawn: dict[int, int] = dict.fromkeys(cohorts, 0)
    by_pk = {}
    for enrolment in (
        Enrolment.objects.filter(cohort_id__in=cohorts)
        .select_related("participant")
        .order_by("participant__display_name", "pk")
    ):
        enrolment.cohort = cohorts[enrolment.cohort_id]
        if enrolment.status == Enrolment.Status.WITHDRAWN:
            withdrawn[enrolment.cohort_id] += 1  # left out of the register and the matrix
            continue
        enrolments[enrolment.cohort_id].append(enrolment)
        by_pk[enrolment.pk] = enrolment
    records = {}
    for attendance in Attendance.objects.filter(session__cohort_id__in=cohorts):
        if attendance.enrolment_id in by_pk:  # withdrawn participants are left out
            attendance.enrolment = by_pk[attendance.enrolment_id]
            records[attendance.session_id, attendance.enrolment_id] = attendance
    matrices = {}
    for pk, cohort in cohorts.items():
        rule = CompletionRule.for_cohort(cohort)
        finished = is_finished(cohort)
        rows = [
            matrix_row(e, sessions[pk], records, rule, finished=finished, now=now) for e in enrolments[pk]
        ]
        matrices[pk] = Matrix(
            cohort=cohort, sessions=sessions[pk], rows=rows, rule=rule, withdrawn=withdrawn[pk]
        )
    return matrices


def attendance_matrix(cohort: Cohort, *, now: datetime | None = None) -> Matrix:
    """Participants × sessions, with completion and alerts, in three queries."""
    return attendance_matrices([cohort], now=now)[cohort.pk]


def enrolment_counts(cohorts: Iterable[Cohort], *, now: datetime | None = None) -> dict[int, EnrolmentCounts]:
    """Each cohort's places taken and completion figures, by cohort id, in three queries."""
    return {pk: matrix.counts for pk, matrix in attendance_matrices(cohorts, now=now).items()}


def participant_row(enrolment: Enrolment, *, now: datetime | None = None) -> MatrixRow:
    """One participant's row of their cohort's matrix, in two queries (for the register's services)."""
    return participant_rows([enrolment], now=now)[enrolment.pk]


def participant_rows(enrolments: Iterable[Enrolment], *, now: datetime | None = None) -> dict[int, MatrixRow]:
    """Each enrolment's row of its cohort's matrix, by enrolment id, in two queries however many cohorts.

    The same rows as `attendance_matrices`, for pages that show a few participants of many cohorts
    (the coach records) without building every one of those cohorts' whole matrices.
    """
    now = now or timezone.now()
    enrolments = {enrolment.pk: enrolment for enrolment in enrolments}
    if not enrolments:
        return {}
    cohorts = {enrolment.cohort_id: enrolment.cohort for enrolment in enrolments.values()}
    sessions: dict[int, list[Session]] = {pk: [] for pk in cohorts}
    for session in (
        Session.objects.filter(cohort_id__in=cohorts)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("starts_at", "pk")
    ):
        session.cohort = cohorts[session.cohort_id]
        sessions[session.cohort_id].append(session)
    records = {}
    for attendance in Attendance.objects.filter(enrolment_id__in=enrolments):
        attendance.enrolment = enrolments[attendance.enrolment_id]
        records[attendance.session_id, attendance.enrolment_id] = attendance
    return {
        pk: matrix_row(
            enrolment,
            sessions[enrolment.cohort_id],
            records,
            CompletionRule.for_cohort(enrolment.cohort),
            finished=is_finished(enrolment.cohort),
            now=now,
        )
        for pk, enrolment in enrolments.items()
    }


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
