"""Who may see and change projects and everything inside them (measures, data, PDSA cycles).

`projects` knows nothing of coaching, yet coaches see the projects they are
assigned to. Coaching registers that grant here at start-up (see
`register_project_grant`), so the rule lives in one place and the
dependency still runs one way.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from coachprog.permissions import Access, is_programme_lead, require
from projects.models import Measure, PDSACycle, Project, TeamMembership

# Each grant maps a user to (ids of projects they may read, ids they may write), as querysets.
ProjectGrant = Callable[[object], tuple[QuerySet, QuerySet]]
_grants: list[ProjectGrant] = []


def register_project_grant(grant: ProjectGrant) -> None:
    if grant not in _grants:
        _grants.append(grant)


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _granted(user) -> tuple[Q, Q]:
    readable, writable = Q(pk__in=[]), Q(pk__in=[])
    for grant in _grants:
        read_ids, write_ids = grant(user)
        readable |= Q(pk__in=read_ids)
        writable |= Q(pk__in=write_ids)
    return readable, writable


def visible_projects(user) -> QuerySet[Project]:
    """Leads see all; QI leads their directorates'; sponsors, team members and coaches their own."""
    if not _active(user):
        return Project.objects.none()
    if is_programme_lead(user):
        return Project.objects.all()
    readable, _ = _granted(user)
    return Project.objects.filter(
        Q(sponsor=user)
        | Q(pk__in=TeamMembership.objects.filter(person=user).values("project_id"))
        | Q(directorate__qi_leads=user)
        | readable
    ).distinct()


def editable_projects(user) -> QuerySet[Project]:
    """Leads, the team and currently assigned coaches edit; sponsors and QI leads read."""
    if not _active(user):
        return Project.objects.none()
    if is_programme_lead(user):
        return Project.objects.all()
    _, writable = _granted(user)
    return Project.objects.filter(
        Q(pk__in=TeamMembership.objects.filter(person=user).values("project_id")) | writable
    ).distinct()


def project_access(user, project: Project) -> Access:
    if editable_projects(user).filter(pk=project.pk).exists():
        return Access.WRITE
    if visible_projects(user).filter(pk=project.pk).exists():
        return Access.READ
    return Access.NONE


def get_project_for_user(user, pk: int, need: Access = Access.READ) -> tuple[Project, Access]:
    project = get_object_or_404(Project.objects.select_related("directorate", "sponsor"), pk=pk)
    return project, require(project_access(user, project), need)


def get_measure_for_user(
    user, project_pk: int, pk: int, need: Access = Access.READ
) -> tuple[Measure, Access]:
    measure = get_object_or_404(Measure.objects.select_related("project"), project_id=project_pk, pk=pk)
    return measure, require(project_access(user, measure.project), need)


def get_pdsa_cycle_for_user(
    user, project_pk: int, pk: int, need: Access = Access.READ
) -> tuple[PDSACycle, Access]:
    cycle = get_object_or_404(PDSACycle.objects.select_related("project"), project_id=project_pk, pk=pk)
    return cycle, require(project_access(user, cycle.project), need)
