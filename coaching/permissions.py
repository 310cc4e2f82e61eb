"""Who may see and change assignments, meeting logs, supervision logs and monthly updates.

Coaching also grants coaches access to the projects they are assigned to
(`project_grant`, registered with `projects.permissions` at start-up): past
assignments give read access, current ones write access.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from coaching.models import Assignment, CoachProfile, MeetingLog, MonthlyUpdate, SupervisionLog
from coaching.roles import Role, roles_for
from coachprog.permissions import Access, is_programme_lead, require
from projects.models import Project
from projects.permissions import project_access


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def require_role(user, *roles: Role) -> None:
    """Each role's start page is for that role only: 403 for anyone else who is signed in."""
    if not set(roles) & set(roles_for(user)):
        raise PermissionDenied("This page is for another role.")


def project_grant(user) -> tuple[QuerySet, QuerySet]:
    mine = Assignment.objects.filter(coach=user)
    return mine.values("project_id"), mine.current().values("project_id")


def is_qi_lead_for(user, project: Project) -> bool:
    return _active(user) and project.directorate.qi_leads.filter(pk=user.pk).exists()


def supervises(user, coach_id: int) -> bool:
    return _active(user) and CoachProfile.objects.filter(coach_id=coach_id, supervisor=user).exists()


# --- Assignments ---------------------------------------------------------------


def can_assign_coaches(user, project: Project) -> bool:
    """Programme leads, and QI leads for their own directorate, assign coaches."""
    return _active(user) and (is_programme_lead(user) or is_qi_lead_for(user, project))


def assignment_access(user, assignment: Assignment) -> Access:
    if can_assign_coaches(user, assignment.project):
        return Access.WRITE
    if project_access(user, assignment.project) >= Access.READ:
        return Access.READ
    return Access.NONE


def get_assignment_for_user(user, pk: int, need: Access = Access.READ) -> tuple[Assignment, Access]:
    assignment = get_object_or_404(Assignment.objects.select_related("project__directorate", "coach"), pk=pk)
    return assignment, require(assignment_access(user, assignment), need)


# --- Meeting logs ------------------------------------------------------------------


def visible_meeting_logs(user) -> QuerySet[MeetingLog]:
    """Meeting logs a user may open in full (with notes): their own, their supervisees', or all for leads."""
    if not _active(user):
        return MeetingLog.objects.none()
    if is_programme_lead(user):
        return MeetingLog.objects.all()
    return MeetingLog.objects.filter(
        Q(coach=user) | Q(coach__coach_profile__supervisor=user) | Q(project__directorate__qi_leads=user)
    ).distinct()


def meeting_log_access(user, meeting: MeetingLog) -> Access:
    """The coach writes their own logs; leads and QI leads read them; the team and sponsor see a summary."""
    if not _active(user):
        return Access.NONE
    if meeting.coach_id == user.pk:
        return Access.WRITE
    if is_programme_lead(user) or supervises(user, meeting.coach_id) or is_qi_lead_for(user, meeting.project):
        return Access.READ
    if project_access(user, meeting.project) >= Access.READ:
        return Access.SUMMARY  # team members, sponsors, other coaches of the team: no private notes
    return Access.NONE


def get_meeting_log_for_user(user, pk: int, need: Access = Access.READ) -> tuple[MeetingLog, Access]:
    meeting = get_object_or_404(
        MeetingLog.objects.select_related("project__directorate", "project__sponsor", "coach"), pk=pk
    )
    return meeting, require(meeting_log_access(user, meeting), need)


# --- Supervision logs ----------------------------------------------------------------


def visible_supervision_logs(user) -> QuerySet[SupervisionLog]:
    if not _active(user):
        return SupervisionLog.objects.none()
    if is_programme_lead(user):
        return SupervisionLog.objects.all()
    return SupervisionLog.objects.filter(
        Q(coach=user) | Q(supervisor=user) | Q(coach__coach_profile__supervisor=user)
    ).distinct()


def supervision_log_access(user, log: SupervisionLog) -> Access:
    """The coach writes; the supervisor and programme leads read (the reflection is a separate rule)."""
    if not _active(user):
        return Access.NONE
    if log.coach_id == user.pk:
        return Access.WRITE
    if log.supervisor_id == user.pk or supervises(user, log.coach_id) or is_programme_lead(user):
        return Access.READ
    return Access.NONE


def can_read_reflection(user, log: SupervisionLog) -> bool:
    """A private reflection is the coach's alone, unless they share it with their supervisor."""
    if not _active(user):
        return False
    if log.coach_id == user.pk:
        return True
    return log.reflection_shared and (log.supervisor_id == user.pk or supervises(user, log.coach_id))


def can_add_supervisor_note(user, log: SupervisionLog) -> bool:
    return _active(user) and (log.supervisor_id == user.pk or supervises(user, log.coach_id))


def get_supervision_log_for_user(user, pk: int, need: Access = Access.READ) -> tuple[SupervisionLog, Access]:
    log = get_object_or_404(SupervisionLog.objects.select_related("coach", "supervisor"), pk=pk)
    return log, require(supervision_log_access(user, log), need)


# --- Monthly updates -------------------------------------------------------------------


def monthly_update_access(user, update: MonthlyUpdate) -> Access:
    """Coaches of the project write drafts; a ready update is read by everyone who sees the project."""
    project_level = project_access(user, update.project)
    if project_level == Access.NONE:
        return Access.NONE
    coaches_it = Assignment.objects.current().filter(project=update.project, coach=user).exists()
    if update.status == MonthlyUpdate.Status.DRAFT:
        if coaches_it:
            return Access.WRITE
        if is_programme_lead(user) or update.author_id == user.pk:
            return Access.READ
        return Access.NONE  # sponsors and teams see an update once it is ready
    return Access.READ


def get_monthly_update_for_user(user, pk: int, need: Access = Access.READ) -> tuple[MonthlyUpdate, Access]:
    update = get_object_or_404(
        MonthlyUpdate.objects.select_related("project__directorate", "project__sponsor", "author"), pk=pk
    )
    return update, require(monthly_update_access(user, update), need)
