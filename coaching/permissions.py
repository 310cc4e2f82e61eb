"""Who may see and change assignments, coach profiles, meeting logs, supervision logs and monthly updates.

A coach writes their own meeting logs while they coach the team, and reads them afterwards;
the team (and the team's other coaches) see what happened but not the private notes; a
sponsor sees only the date and the progress score. A supervision log's private reflection is
the coach's alone unless they share it with their supervisor. Programme leads, and QI leads
for their directorates, assign coaches; programme leads and a coach's supervisor set capacity.

Coaching also grants coaches access to the projects they are assigned to
(`project_grant`, registered with `projects.permissions` at start-up): past
assignments give read access, current ones write access.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from coaching.models import Assignment, CoachProfile, MeetingLog, MonthlyUpdate, SupervisionLog
from coaching.roles import Role, roles_for, with_role_flags
from coachprog.accounts.models import Directorate, User
from coachprog.permissions import Access, is_programme_lead, require
from projects.models import Project, TeamMembership
from projects.permissions import get_project_for_user, project_access, require_live


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def require_role(user, *roles: Role) -> None:
    """Each role's start page is for that role only: 403 for anyone else who is signed in."""
    if not set(roles) & set(roles_for(user)):
        raise PermissionDenied("This page is for another role.")


def project_grant(user) -> tuple[QuerySet, QuerySet]:
    mine = Assignment.objects.filter(coach=user)
    return mine.values("project_id"), mine.current().values("project_id")


def starts_projects_as_coach(user) -> bool:
    """A coach who may take a team (an active coach profile) may start a project, and then coaches it
    (registered with `projects.permissions` at start-up)."""
    return _active(user) and CoachProfile.objects.filter(coach=user, is_active=True).exists()


def becomes_lead_coach(user, project: Project) -> bool:
    """Whoever starts a project as its coach becomes its lead coach; programme leads and the
    directorate's QI leads start projects for others, and assign their coaches afterwards."""
    return (
        starts_projects_as_coach(user) and not is_programme_lead(user) and not is_qi_lead_for(user, project)
    )


def is_qi_lead_for(user, project: Project) -> bool:
    return _active(user) and project.directorate.qi_leads.filter(pk=user.pk).exists()


def supervises(user, coach_id: int) -> bool:
    return _active(user) and CoachProfile.objects.filter(coach_id=coach_id, supervisor=user).exists()


# --- Assignments ---------------------------------------------------------------


def can_assign_coaches(user, project: Project) -> bool:
    """Programme leads, and QI leads for their own directorate, assign coaches (never to an archive)."""
    return (
        _active(user)
        and not project.is_archived
        and (is_programme_lead(user) or is_qi_lead_for(user, project))
    )


def assignment_access(user, assignment: Assignment) -> Access:
    if can_assign_coaches(user, assignment.project):
        return Access.WRITE
    if project_access(user, assignment.project) >= Access.READ:
        return Access.READ
    return Access.NONE


def assignable_projects(user) -> QuerySet[Project]:
    """Projects whose coaches the user may assign: all for programme leads, a QI lead's directorates'."""
    if not _active(user):
        return Project.objects.none()
    if is_programme_lead(user):
        return Project.objects.all()
    return Project.objects.filter(directorate__qi_leads=user).distinct()


def get_project_for_assigning(user, pk: int) -> tuple[Project, Access]:
    """A project's coaches page: 404 for outsiders, read-only for others who see the project."""
    project, access = get_project_for_user(user, pk)
    return project, Access.WRITE if can_assign_coaches(user, project) else Access.READ


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
    # A UNION of indexed lookups from the user's own rows, not an OR across joins with a DISTINCT.
    ids = (
        MeetingLog.objects.filter(coach=user)
        .order_by()
        .values("pk")
        .union(
            MeetingLog.objects.filter(coach__coach_profile__supervisor=user).order_by().values("pk"),
            MeetingLog.objects.filter(project__directorate__qi_leads=user).order_by().values("pk"),
        )
    )
    return MeetingLog.objects.filter(pk__in=ids)


def coaches_now(user, project: Project) -> bool:
    return _active(user) and Assignment.objects.current().filter(coach=user, project=project).exists()


def meeting_log_access(user, meeting: MeetingLog) -> Access:
    """The coach writes their own logs while assigned (then reads them); leads and QI leads read them;
    the team and sponsor see a summary."""
    if not _active(user):
        return Access.NONE
    if meeting.coach_id == user.pk:
        live = not meeting.project.is_archived
        return Access.WRITE if live and coaches_now(user, meeting.project) else Access.READ
    if is_programme_lead(user) or supervises(user, meeting.coach_id) or is_qi_lead_for(user, meeting.project):
        return Access.READ
    if project_access(user, meeting.project) >= Access.READ:
        return Access.SUMMARY  # team members, sponsors, other coaches of the team: no private notes
    return Access.NONE


def can_see_meeting_details(user, meeting: MeetingLog) -> bool:
    """Beyond the summary: who came, what was worked on and the next steps (never the private notes).

    The team and the team's coaches see them; a sponsor sees only dates and progress scores.
    """
    if meeting_log_access(user, meeting) >= Access.READ:
        return True
    return _active(user) and (
        TeamMembership.objects.filter(project=meeting.project, person=user).exists()
        or Assignment.objects.filter(project=meeting.project, coach=user).exists()
    )


def get_project_for_meeting_log(user, project_pk: int) -> Project:
    """The team a coach logs a meeting for: 404 for outsiders, 403 unless they coach it now."""
    project, _ = get_project_for_user(user, project_pk)
    require_live(project)
    if not coaches_now(user, project):
        raise PermissionDenied("You are not assigned to this team now, so you cannot log its meetings.")
    return project


def get_meeting_log_for_user(user, pk: int, need: Access = Access.READ) -> tuple[MeetingLog, Access]:
    meeting = get_object_or_404(
        MeetingLog.objects.select_related("project__directorate", "project__sponsor", "coach"), pk=pk
    )
    return meeting, require(meeting_log_access(user, meeting), need)


# --- Coach profiles and the lead views -------------------------------------------------


def visible_coach_profiles(user) -> QuerySet[CoachProfile]:
    """Programme leads see every coach; a QI lead their supervisees and the coaches in their directorates."""
    if not _active(user):
        return CoachProfile.objects.none()
    if is_programme_lead(user):
        return CoachProfile.objects.all()
    in_directorates = Assignment.objects.current().filter(project__directorate__qi_leads=user)
    # No join, so no duplicates to remove: a DISTINCT here only made every count sort its rows.
    return CoachProfile.objects.filter(Q(supervisor=user) | Q(coach__in=in_directorates.values("coach_id")))


def can_set_capacity(user, profile: CoachProfile) -> bool:
    return _active(user) and (is_programme_lead(user) or profile.supervisor_id == user.pk)


def _is_qi_lead_of_unit(user, directorate_id: int | None) -> bool:
    return bool(directorate_id) and Directorate.objects.filter(pk=directorate_id, qi_leads=user).exists()


def can_manage_coach(user, profile: CoachProfile) -> bool:
    """Capacity, supervisor and standing down: programme leads, the coach's supervisor, and the QI
    leads of the directorate the coach works in."""
    return can_set_capacity(user, profile) or (
        _active(user) and _is_qi_lead_of_unit(user, profile.coach.organisation_unit_id)
    )


def coach_profile_access(user, profile: CoachProfile) -> Access:
    """Programme leads, the coach's supervisor and their directorate's QI leads change it; the coach
    and other QI leads who see the coach read it."""
    if not _active(user):
        return Access.NONE
    if can_manage_coach(user, profile):
        return Access.WRITE
    if profile.coach_id == user.pk or visible_coach_profiles(user).filter(pk=profile.pk).exists():
        return Access.READ
    return Access.NONE


def get_coach_profile_for_user(user, pk: int, need: Access = Access.READ) -> tuple[CoachProfile, Access]:
    profile = get_object_or_404(CoachProfile.objects.select_related("coach", "supervisor"), pk=pk)
    return profile, require(coach_profile_access(user, profile), need)


# --- People ----------------------------------------------------------------------------


def visible_people(user) -> QuerySet[User]:
    """The people page's people: everyone for programme leads; for a QI lead, the people who work in
    their directorates and the coaches they already see (supervisees, coaches of their directorates'
    teams). Nobody else has the page."""
    if not _active(user):
        return User.objects.none()
    if is_programme_lead(user):
        return User.objects.all()
    return User.objects.filter(
        Q(organisation_unit__in=Directorate.objects.filter(qi_leads=user))
        | Q(pk__in=visible_coach_profiles(user).values("coach_id"))
    )


def get_person_for_user(user, pk: int) -> User:
    """A person's page: 403 for roles without the people page, 404 for people a QI lead does not see.

    The person comes with their role flags (`coaching.roles.roles_of`)."""
    require_role(user, Role.PROGRAMME_LEAD, Role.QI_LEAD)
    return get_object_or_404(with_role_flags(visible_people(user)).select_related("organisation_unit"), pk=pk)


def can_make_coach(user, person: User) -> bool:
    """Programme leads make anyone a coach; a QI lead the people who work in their directorates."""
    return _active(user) and (
        is_programme_lead(user) or _is_qi_lead_of_unit(user, person.organisation_unit_id)
    )


def get_person_for_making_coach(user, pk: int) -> User:
    """The person to make a coach: 404 for people the user does not see, 403 unless they may."""
    person = get_person_for_user(user, pk)
    if not can_make_coach(user, person):
        raise PermissionDenied(
            "Only programme leads, and QI leads of the person's directorate, make coaches."
        )
    return person


def overview_projects(user) -> QuerySet[Project]:
    """The teams a lead view covers: all for programme leads, a QI lead's directorates' for QI leads."""
    return assignable_projects(user)


# --- Supervision logs ----------------------------------------------------------------


def visible_supervision_logs(user) -> QuerySet[SupervisionLog]:
    if not _active(user):
        return SupervisionLog.objects.none()
    if is_programme_lead(user):
        return SupervisionLog.objects.all()
    ids = (
        SupervisionLog.objects.filter(coach=user)
        .order_by()
        .values("pk")
        .union(
            SupervisionLog.objects.filter(supervisor=user).order_by().values("pk"),
            SupervisionLog.objects.filter(coach__coach_profile__supervisor=user).order_by().values("pk"),
        )
    )
    return SupervisionLog.objects.filter(pk__in=ids)


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


def can_write_monthly_update(user, project: Project) -> bool:
    """The project's current coaches write its monthly updates (leads read them), until it is closed."""
    return not project.is_archived and coaches_now(user, project)


def monthly_update_access(user, update: MonthlyUpdate) -> Access:
    """The project's current coaches write drafts; a ready update is locked, read by everyone who sees
    the project (its coaches change it by opening a new version); a draft is read by leads and its author."""
    if project_access(user, update.project) == Access.NONE:
        return Access.NONE
    if update.status == MonthlyUpdate.Status.DRAFT:
        if can_write_monthly_update(user, update.project):
            return Access.WRITE
        if is_programme_lead(user) or update.author_id == user.pk:
            return Access.READ
        return Access.NONE  # sponsors and teams see an update once it is ready
    return Access.READ


def can_discuss_update(user, update: MonthlyUpdate) -> bool:
    """The sponsor, the coaches and the leads read and write an update's comments (not the team)."""
    if not _active(user) or update.status != MonthlyUpdate.Status.READY:
        return False
    project = update.project
    return (
        project.sponsor_id == user.pk
        or update.author_id == user.pk
        or coaches_now(user, project)
        or is_programme_lead(user)
        or is_qi_lead_for(user, project)
    )


def get_monthly_update_for_user(user, pk: int, need: Access = Access.READ) -> tuple[MonthlyUpdate, Access]:
    update = get_object_or_404(
        MonthlyUpdate.objects.select_related("project__directorate", "project__sponsor", "author"), pk=pk
    )
    return update, require(monthly_update_access(user, update), need)


def get_update_for_sponsor(user, pk: int) -> MonthlyUpdate:
    """A ready update its project's sponsor acknowledges: 404 for outsiders, 403 for other readers."""
    update, _ = get_monthly_update_for_user(user, pk)
    require_live(update.project)
    if update.status != MonthlyUpdate.Status.READY or update.project.sponsor_id != user.pk:
        raise PermissionDenied("Only the project's sponsor acknowledges its monthly update.")
    return update


def get_update_for_comment(user, pk: int) -> MonthlyUpdate:
    """An update to comment on: 404 for outsiders, 403 for readers outside the conversation (the team)."""
    update, _ = get_monthly_update_for_user(user, pk)
    require_live(update.project)
    if not can_discuss_update(user, update):
        raise PermissionDenied("Comments on a monthly update are between the sponsor, the coaches and leads.")
    return update


def get_project_for_monthly_update(user, project_pk: int) -> Project:
    """The team whose update is written: 404 for outsiders, 403 unless they coach it now."""
    project, _ = get_project_for_user(user, project_pk)
    require_live(project)
    if not can_write_monthly_update(user, project):
        raise PermissionDenied("Only the team's current coaches write its monthly update.")
    return project
