"""Who may see and change projects and everything inside them (measures, data, PDSA cycles).

`projects` knows nothing of coaching, yet coaches see the projects they are
assigned to. Coaching registers that grant here at start-up (see
`register_project_grant`), so the rule lives in one place and the
dependency still runs one way. Coaching likewise says who counts as a coach,
and so may start a project (`register_project_starter`).

A completed or closed project is a read-only archive: nobody writes to it, or to
anything in it, until a programme lead reopens it (`project_access` gives at most
READ, and asking for more is refused with the reason).
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from coachprog.accounts.models import Directorate
from coachprog.permissions import Access, is_programme_lead, require
from projects.models import ARCHIVED_STATUSES, Measure, PDSACycle, Project, TeamMembership

# Each grant maps a user to (ids of projects they may read, ids they may write), as querysets.
ProjectGrant = Callable[[object], tuple[QuerySet, QuerySet]]
_grants: list[ProjectGrant] = []


def register_project_grant(grant: ProjectGrant) -> None:
    if grant not in _grants:
        _grants.append(grant)


# Each starter answers: does this user count as a coach, who may start a project (and then coaches it)?
ProjectStarter = Callable[[object], bool]
_starters: list[ProjectStarter] = []


def register_project_starter(starter: ProjectStarter) -> None:
    if starter not in _starters:
        _starters.append(starter)


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _granted(user) -> tuple[list[QuerySet], list[QuerySet]]:
    """The registered grants' project ids (readable, writable), unordered so they can be UNIONed."""
    readable, writable = [], []
    for grant in _grants:
        read_ids, write_ids = grant(user)
        readable.append(read_ids.order_by())
        writable.append(write_ids.order_by())
    return readable, writable


def _any_of(id_sets: list[QuerySet]) -> QuerySet:
    """One subquery of project ids: the UNION of `id_sets`, each a small indexed lookup from the user's
    own rows. `pk__in` this touches only those projects, where an OR across joins and a DISTINCT would
    scan every project in the database."""
    first, *rest = id_sets
    return first.union(*rest) if rest else first


def _team_project_ids(user) -> QuerySet:
    return TeamMembership.objects.filter(person=user).order_by().values("project_id")


def visible_projects(user) -> QuerySet[Project]:
    """Leads see all; QI leads their directorates'; sponsors, team members and coaches their own."""
    if not _active(user):
        return Project.objects.none()
    if is_programme_lead(user):
        return Project.objects.all()
    readable, _ = _granted(user)
    ids = _any_of(
        [
            _team_project_ids(user),
            Project.objects.filter(sponsor=user).order_by().values("pk"),
            Project.objects.filter(directorate__qi_leads=user).order_by().values("pk"),
            *readable,
        ]
    )
    return Project.objects.filter(pk__in=ids)


def editable_projects(user) -> QuerySet[Project]:
    """Leads, the team and currently assigned coaches edit live projects; sponsors and QI leads read."""
    if not _active(user):
        return Project.objects.none()
    live = Project.objects.exclude(status__in=ARCHIVED_STATUSES)
    if is_programme_lead(user):
        return live
    _, writable = _granted(user)
    return live.filter(pk__in=_any_of([_team_project_ids(user), *writable]))


def project_access(user, project: Project) -> Access:
    if editable_projects(user).filter(pk=project.pk).exists():
        return Access.WRITE
    if visible_projects(user).filter(pk=project.pk).exists():
        return Access.READ
    return Access.NONE


def archived_message(project: Project) -> str:
    """Why nothing in an archived project can change, and who can change that."""
    return (
        f"{project} was {project.get_status_display().lower()} on {project.closed_on:%-d %b %Y} and is a "
        "read-only archive: nothing in it can change. A programme lead can reopen it."
    )


def require_live(project: Project) -> None:
    """Refuse any write to an archived project (or anything in it), saying why."""
    if project.is_archived:
        raise PermissionDenied(archived_message(project))


def _require_project(user, project: Project, need: Access) -> Access:
    access = project_access(user, project)
    if need >= Access.WRITE and access >= Access.READ:
        require_live(project)  # an insider asking to write to an archive is told why, not just "no"
    return require(access, need)


def get_project_for_user(user, pk: int, need: Access = Access.READ) -> tuple[Project, Access]:
    project = get_object_or_404(Project.objects.select_related("directorate", "sponsor"), pk=pk)
    return project, _require_project(user, project, need)


def get_measure_for_user(
    user, project_pk: int, pk: int, need: Access = Access.READ
) -> tuple[Measure, Access]:
    measure = get_object_or_404(Measure.objects.select_related("project"), project_id=project_pk, pk=pk)
    return measure, _require_project(user, measure.project, need)


def get_pdsa_cycle_for_user(
    user, project_pk: int, pk: int, need: Access = Access.READ
) -> tuple[PDSACycle, Access]:
    cycle = get_object_or_404(PDSACycle.objects.select_related("project"), project_id=project_pk, pk=pk)
    return cycle, _require_project(user, cycle.project, need)


# --- Starting a project, and changing its details, team and status ---------------------------------


def starts_projects_as_coach(user) -> bool:
    """Whether the user counts as a coach (coaching says so), who may start a project and coach it."""
    return _active(user) and any(starter(user) for starter in _starters)


def startable_directorates(user) -> QuerySet[Directorate]:
    """Where the user may start a project: programme leads and coaches anywhere, QI leads in their own
    directorates."""
    if not _active(user):
        return Directorate.objects.none()
    if is_programme_lead(user) or starts_projects_as_coach(user):
        return Directorate.objects.all()
    return Directorate.objects.filter(qi_leads=user)


def can_start_projects(user) -> bool:
    return startable_directorates(user).exists()


def is_project_qi_lead(user, project: Project) -> bool:
    return _active(user) and project.directorate.qi_leads.filter(pk=user.pk).exists()


def can_change_project(user, project: Project) -> bool:
    """Its current coaches, its directorate's QI leads and programme leads change a project's details,
    team and status (the team and sponsor do not); anyone who sees an archived project only reads it."""
    if not _active(user) or project.is_archived:
        return False
    if is_programme_lead(user) or is_project_qi_lead(user, project):
        return True
    _, writable = _granted(user)
    return bool(writable) and Project.objects.filter(pk=project.pk, pk__in=_any_of(writable)).exists()


def project_details_access(user, project: Project) -> Access:
    if can_change_project(user, project):
        return Access.WRITE
    return Access.READ if visible_projects(user).filter(pk=project.pk).exists() else Access.NONE


def get_project_details_for_user(user, pk: int) -> Project:
    """A project whose details, team or status the user changes: 404 for outsiders, 403 (with the reason)
    for everyone else who sees it."""
    project = get_object_or_404(Project.objects.select_related("directorate", "sponsor"), pk=pk)
    access = project_details_access(user, project)
    if access >= Access.READ:
        require_live(project)
        if access < Access.WRITE:
            raise PermissionDenied(
                "Only the project's coaches, its directorate's QI leads and programme leads change its "
                "details, team and status."
            )
    require(access, Access.WRITE)
    return project


def get_project_for_reopening(user, pk: int) -> Project:
    """An archived project a programme lead reopens: 404 for outsiders, 403 for anyone else."""
    project = get_object_or_404(Project.objects.select_related("directorate", "sponsor"), pk=pk)
    require(
        Access.READ if visible_projects(user).filter(pk=project.pk).exists() else Access.NONE, Access.READ
    )
    if not is_programme_lead(user):
        raise PermissionDenied("Only a programme lead can reopen a project.")
    return project


def get_membership_for_user(user, project_pk: int, pk: int) -> TeamMembership:
    """A team membership to remove: the project's rule for changing its team."""
    project = get_project_details_for_user(user, project_pk)
    return get_object_or_404(TeamMembership.objects.select_related("person"), project=project, pk=pk)
