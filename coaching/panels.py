"""The coaching panel on the project page: coaches, meetings and monthly updates."""

from django.http import HttpRequest

from coaching.models import Assignment, MeetingLog, MonthlyUpdate
from coaching.permissions import can_assign_coaches
from coachprog.permissions import Access, is_programme_lead
from projects.models import Project
from projects.panels import Panel


def project_coaching_panel(request: HttpRequest, project: Project, access: Access) -> Panel:
    user = request.user
    assignments = list(
        Assignment.objects.filter(project=project).select_related("coach").order_by("-starts_on")
    )
    # Everyone who sees the project sees when the team met and its score (a meeting log's
    # summary); the notes are on the meeting page, behind its own permission check.
    meetings = list(MeetingLog.objects.filter(project=project).select_related("coach")[:6])
    updates = (
        MonthlyUpdate.objects.filter(project=project).select_related("author").order_by("-month", "-version")
    )
    coaches_it = any(a.coach_id == user.pk and a.is_open for a in assignments)
    if not (coaches_it or is_programme_lead(user)):
        updates = updates.filter(status=MonthlyUpdate.Status.READY)
    return Panel(
        template="coaching/_project_panel.html",
        context={
            "current_assignments": [a for a in assignments if a.is_open],
            "past_assignments": [a for a in assignments if not a.is_open],
            "meetings": meetings,
            "updates": list(updates[:6]),
            "project": project,
            "can_assign": can_assign_coaches(user, project),
            "can_log_meeting": coaches_it,
            "can_write_update": coaches_it,
        },
    )
