"""Coaching's downloads: meeting logs, monthly updates and supervision dates, as tables.

Each holds only what the downloading person may read on the pages, by the rules in
coaching.permissions, worked out for all rows at once so a download costs the same few
queries whatever its size: a meeting's notes only for those who read them in full, who came
and what was worked on only for the team and its coaches, a draft update only for its
writers and leads, and a supervision log's date, kind and people, never its words.
"""

from collections import defaultdict

from django.db.models import Q, QuerySet

from coaching.models import Assignment, MeetingLog, MonthlyUpdate
from coaching.permissions import visible_meeting_logs, visible_supervision_logs
from coachprog.permissions import is_programme_lead
from projects.models import Project, TeamMembership
from projects.permissions import visible_projects

Table = tuple[list[str], list[list[object]]]

MEETING_HEADERS = [
    "Date",
    "Project",
    "Coach",
    "Progress score",
    "Duration (minutes)",
    "Mode",
    "Who attended",
    "Worked on",
    "Notes",
]


def exported_meeting_logs(user, project: Project | None = None) -> QuerySet[MeetingLog]:
    """The meetings whose summary (date, coach, score) the user sees (meeting_log_access): those of
    the projects they see, and those they read in full (their own, their supervisees')."""
    if is_programme_lead(user) and user.is_active:
        meetings = MeetingLog.objects.all()  # every meeting: no need to ask the database which
    else:
        meetings = MeetingLog.objects.filter(
            Q(project__in=visible_projects(user)) | Q(pk__in=visible_meeting_logs(user).values("pk"))
        )
    return meetings if project is None else meetings.filter(project=project)


def _names_by_meeting(links: QuerySet, *fields: str) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for meeting, *values in links.values_list("meetinglog_id", *fields):
        names[meeting].append(next((value for value in values if value), ""))
    return names


def meeting_log_table(user, project: Project | None = None) -> Table:
    """Read as plain values in five queries, with subqueries rather than lists of ids: a lead's
    download holds every meeting of the programme (100,000 at a network's size)."""
    meetings = exported_meeting_logs(user, project)
    chosen = meetings.values("pk")
    # The notes: the rule of meeting_log_access (READ and up), for every row at once.
    with_notes = set(visible_meeting_logs(user).filter(pk__in=chosen).order_by().values_list("pk", flat=True))
    # Who came and what was worked on: the team and its coaches too (can_see_meeting_details).
    teams = set(TeamMembership.objects.filter(person=user).values_list("project_id", flat=True))
    teams |= set(Assignment.objects.filter(coach=user).values_list("project_id", flat=True))
    # str(person) is their display name, or their address when they have none.
    attendees = _names_by_meeting(
        MeetingLog.attendees.through.objects.filter(meetinglog_id__in=chosen).order_by(
            "user__display_name", "user__email"
        ),
        "user__display_name",
        "user__email",
    )
    focuses = _names_by_meeting(
        MeetingLog.focuses.through.objects.filter(meetinglog_id__in=chosen).order_by(
            "meetingfocus__position"
        ),
        "meetingfocus__name",
    )
    modes = dict(MeetingLog.Mode.choices)
    rows = []
    for (
        pk,
        met_on,
        project_id,
        title,
        coach_name,
        coach_email,
        score,
        minutes,
        mode,
        notes,
    ) in meetings.order_by("-met_on", "project__title", "-pk").values_list(
        "pk",
        "met_on",
        "project_id",
        "project__title",
        "coach__display_name",
        "coach__email",
        "progress_score",
        "duration_minutes",
        "mode",
        "notes",
    ):
        details = pk in with_notes or project_id in teams
        rows.append(
            [
                met_on,
                title,
                coach_name or coach_email,
                score,
                minutes if details else None,
                modes.get(mode, mode) if details else None,
                ", ".join(attendees.get(pk, ())) if details else None,
                ", ".join(focuses.get(pk, ())) if details else None,
                notes if pk in with_notes else None,
            ]
        )
    return MEETING_HEADERS, rows


def exported_monthly_updates(user) -> QuerySet[MonthlyUpdate]:
    """Every version the user may open (monthly_update_access): ready ones of the projects they see,
    drafts only for the project's current coaches, the draft's author and programme leads."""
    updates = MonthlyUpdate.objects.filter(project__in=visible_projects(user))
    if is_programme_lead(user):
        return updates
    writes = Assignment.objects.current().filter(coach=user).values("project_id")
    return updates.filter(Q(status=MonthlyUpdate.Status.READY) | Q(author=user) | Q(project__in=writes))


def monthly_update_table(user) -> Table:
    headers = [
        "Project",
        "Month",
        "Version",
        "Status",
        "RAG status",
        "Progress score",
        "Narrative",
        "What the team needs from the sponsor",
        "Run-chart signals in the month",
        "Author",
        "Ready",
        "Acknowledged by the sponsor",
    ]
    updates = exported_monthly_updates(user).select_related("project", "author")
    rows = [
        [
            update.project.title,
            f"{update.month:%b %Y}",
            update.version,
            update.get_status_display(),
            update.get_rag_display(),
            update.progress_score,
            update.narrative,
            update.sponsor_ask,
            update.signal_count,
            str(update.author),
            update.ready_at,
            update.acknowledged_at,
        ]
        for update in updates.order_by("project__title", "-month", "-version")
    ]
    return headers, rows


def supervision_table(user) -> Table:
    """The dates, kinds and people of the supervision the user may see; never what was said or reflected."""
    logs = visible_supervision_logs(user).select_related("coach", "supervisor").order_by("-held_on", "-pk")
    headers = ["Date", "Kind", "Coach", "Supervisor"]
    rows = [[log.held_on, log.get_kind_display(), str(log.coach), str(log.supervisor or "")] for log in logs]
    return headers, rows
