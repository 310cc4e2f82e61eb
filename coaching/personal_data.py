"""Who may read coaching's free text in a person's data export: the rules the coaching pages use
(registered with coachprog.privacy at start-up)."""

from coaching.models import (
    Assignment,
    MeetingFocus,
    MeetingLog,
    MonthlyUpdate,
    NextStep,
    SupervisionLog,
    UpdateComment,
)
from coaching.permissions import (
    assignment_access,
    can_discuss_update,
    can_read_reflection,
    can_see_meeting_details,
    meeting_log_access,
    monthly_update_access,
    supervision_log_access,
)
from coachprog.permissions import Access
from coachprog.privacy import Confidential, PersonalData


def _reads_assignment(person, assignment: Assignment) -> bool:
    return assignment_access(person, assignment) >= Access.READ


def _has_ended(assignment: Assignment) -> bool:
    return not assignment.is_open


def _reads_meeting_notes(person, meeting: MeetingLog) -> bool:
    # The meeting page shows the notes from READ up; the team and sponsor get a summary.
    return meeting_log_access(person, meeting) >= Access.READ


def _reads_next_step(person, step: NextStep) -> bool:
    return can_see_meeting_details(person, step.meeting)


def _reads_supervision_log(person, log: SupervisionLog) -> bool:
    return supervision_log_access(person, log) >= Access.READ


def _reads_monthly_update(person, update: MonthlyUpdate) -> bool:
    return monthly_update_access(person, update) >= Access.READ


def _reads_comment(person, comment: UpdateComment) -> bool:
    return _reads_monthly_update(person, comment.update) and can_discuss_update(person, comment.update)


SUPERVISION = "A supervision log is for the coach, their supervisor and programme leads."

COACHING_PERSONAL_DATA = (
    PersonalData(MeetingFocus, open_text=("slug", "name")),
    PersonalData(
        Assignment,
        confidential=(
            Confidential(
                ("end_reason",),
                _reads_assignment,
                why="Why an assignment ended is for the people who see the project or assign its coaches.",
                shown_when=_has_ended,  # the pages give the reason beside an ended assignment's dates
            ),
        ),
    ),
    PersonalData(
        MeetingLog,
        confidential=(
            Confidential(
                ("notes",),
                _reads_meeting_notes,
                why="A meeting's notes are for the coach who wrote them, their supervisor, the "
                "directorate's QI leads and programme leads; never for the team or the sponsor.",
                writer="coach",
            ),
            Confidential(
                ("duration_minutes", "mode", "attendees", "focuses"),
                can_see_meeting_details,
                why="Who came to a meeting and what it worked on are for the team and its coaches; "
                "a sponsor sees the date and the progress score.",
            ),
        ),
    ),
    PersonalData(
        NextStep,
        confidential=(
            Confidential(
                ("description", "owner"),
                _reads_next_step,
                why="A meeting's next steps are for the team and its coaches.",
            ),
        ),
    ),
    PersonalData(
        SupervisionLog,
        confidential=(
            Confidential(
                ("reflection",),
                can_read_reflection,
                why="A private reflection is the coach's alone, unless they share it with their supervisor.",
                writer="coach",
            ),
            Confidential(("themes", "will_try"), _reads_supervision_log, why=SUPERVISION, writer="coach"),
            Confidential(("supervisor_note",), _reads_supervision_log, why=SUPERVISION, writer="supervisor"),
        ),
    ),
    PersonalData(
        MonthlyUpdate,
        confidential=(
            Confidential(
                ("narrative", "sponsor_ask"),
                _reads_monthly_update,
                why="A draft monthly update is for the team's coaches, its author and programme leads; "
                "once ready, for everyone who sees the project.",
                writer="author",
            ),
        ),
    ),
    PersonalData(
        UpdateComment,
        confidential=(
            Confidential(
                ("body",),
                _reads_comment,
                why="Comments on a monthly update are between the sponsor, the coaches and leads.",
                writer="author",
            ),
        ),
    ),
)
