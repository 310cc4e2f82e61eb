"""Which roles a person holds, worked out from their relations in one query.

Only programme leads are a group; a coach holds a coach profile or an
assignment, a sponsor sponsors a project, and so on. The home page and the
navigation use this; access to objects is decided by the permission layer.
"""

from enum import StrEnum

from django.conf import settings
from django.db.models import Exists, Expression, OuterRef, QuerySet
from django.urls import reverse

from coaching.models import Assignment, CoachProfile
from coachprog.accounts.flags import user_flags
from coachprog.accounts.models import Directorate, User
from coachprog.permissions import is_programme_lead
from cohorts.models import Application, Enrolment
from projects.models import Project, TeamMembership


class Role(StrEnum):
    PROGRAMME_LEAD = "programme_lead"
    QI_LEAD = "qi_lead"
    COACH = "coach"
    SPONSOR = "sponsor"
    TEAM_MEMBER = "team_member"
    PARTICIPANT = "participant"


ROLE_LABELS = {
    Role.PROGRAMME_LEAD: "Programme lead",
    Role.QI_LEAD: "QI lead",
    Role.COACH: "Coach",
    Role.SPONSOR: "Sponsor",
    Role.TEAM_MEMBER: "Team member",
    Role.PARTICIPANT: "Participant",
}

# Where each role starts, most demanding first: a person with several roles lands on the first.
ROLE_HOMES = {
    Role.PROGRAMME_LEAD: "coaching:programme_overview",
    Role.QI_LEAD: "coaching:qi_lead_home",
    Role.COACH: "coaching:coach_home",
    Role.SPONSOR: "coaching:sponsor_home",
    Role.TEAM_MEMBER: "projects:list",
    Role.PARTICIPANT: "cohorts:list",
}


def role_flag(role: Role) -> str:
    """The name of the annotation `with_role_flags` adds for a role, e.g. "role_coach"."""
    return f"role_{role.value}"


def role_flag_expressions(person: OuterRef) -> dict[str, Expression]:
    """One boolean per role for the person `person` points at, from their relations (subqueries).

    `role_programme_lead` is group membership only: superusers and the account being active
    are on the row itself (`roles_of` combines them).
    """
    return {
        role_flag(Role.PROGRAMME_LEAD): Exists(
            User.groups.through.objects.filter(user_id=person, group__name=settings.PROGRAMME_LEADS_GROUP)
        ),
        role_flag(Role.QI_LEAD): Exists(Directorate.qi_leads.through.objects.filter(user_id=person))
        | Exists(CoachProfile.objects.filter(supervisor_id=person)),
        role_flag(Role.COACH): Exists(CoachProfile.objects.filter(coach_id=person))
        | Exists(Assignment.objects.filter(coach_id=person)),
        role_flag(Role.SPONSOR): Exists(Project.objects.filter(sponsor_id=person)),
        role_flag(Role.TEAM_MEMBER): Exists(TeamMembership.objects.filter(person_id=person)),
        role_flag(Role.PARTICIPANT): Exists(Enrolment.objects.filter(participant_id=person))
        | Exists(Application.objects.filter(applicant_id=person)),
    }


def with_role_flags(people: QuerySet[User]) -> QuerySet[User]:
    """Each person with one boolean per role (`role_flag_expressions`): one query for any number."""
    return people.annotate(**role_flag_expressions(OuterRef("pk")))


def roles_of(person: User) -> list[Role]:
    """The roles of a person fetched through `with_role_flags`, in priority order, with no query.

    The relations decide, whether or not the person can sign in now (the people page says that
    separately); `roles_for` is the signed-in user's own, and is empty for a switched-off account.
    """
    return [
        role
        for role in Role
        if getattr(person, role_flag(role)) or (role == Role.PROGRAMME_LEAD and person.is_superuser)
    ]


def roles_for(user) -> list[Role]:
    """The signed-in user's roles in priority order.

    The flags come with the request's one query about its user (coachprog.accounts.flags, which
    coaching's AppConfig tells about the role flags), shared with the two-factor check.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    flags = user_flags(user)
    roles = [Role.PROGRAMME_LEAD] if is_programme_lead(user) else []
    return roles + [role for role in Role if role != Role.PROGRAMME_LEAD and flags[role_flag(role)]]


def home_url_for(user) -> str:
    roles = roles_for(user)
    return reverse(ROLE_HOMES[roles[0]]) if roles else reverse("coaching:welcome")
