"""Which roles a person holds, worked out from their relations in one query.

Only programme leads are a group; a coach holds a coach profile or an
assignment, a sponsor sponsors a project, and so on. The home page and the
navigation use this; access to objects is decided by the permission layer.
"""

from enum import StrEnum

from django.db.models import Exists, OuterRef
from django.urls import reverse

from coaching.models import Assignment, CoachProfile
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


# Where each role starts, most demanding first: a person with several roles lands on the first.
ROLE_HOMES = {
    Role.PROGRAMME_LEAD: "coaching:programme_overview",
    Role.QI_LEAD: "coaching:qi_lead_home",
    Role.COACH: "coaching:coach_home",
    Role.SPONSOR: "coaching:sponsor_home",
    Role.TEAM_MEMBER: "projects:list",
    Role.PARTICIPANT: "cohorts:list",
}


def roles_for(user) -> list[Role]:
    """The user's roles in priority order (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if hasattr(user, "_coachprog_roles"):
        return user._coachprog_roles
    person = User.objects.filter(pk=user.pk)
    flags = person.annotate(
        qi_lead=Exists(Directorate.qi_leads.through.objects.filter(user_id=OuterRef("pk")))
        | Exists(CoachProfile.objects.filter(supervisor_id=OuterRef("pk"))),
        coach=Exists(CoachProfile.objects.filter(coach_id=OuterRef("pk")))
        | Exists(Assignment.objects.filter(coach_id=OuterRef("pk"))),
        sponsor=Exists(Project.objects.filter(sponsor_id=OuterRef("pk"))),
        team_member=Exists(TeamMembership.objects.filter(person_id=OuterRef("pk"))),
        participant=Exists(Enrolment.objects.filter(participant_id=OuterRef("pk")))
        | Exists(Application.objects.filter(applicant_id=OuterRef("pk"))),
    ).values("qi_lead", "coach", "sponsor", "team_member", "participant")[0]
    roles = [Role.PROGRAMME_LEAD] if is_programme_lead(user) else []
    roles += [role for role in Role if role != Role.PROGRAMME_LEAD and flags[role.value]]
    user._coachprog_roles = roles
    return roles


def home_url_for(user) -> str:
    roles = roles_for(user)
    return reverse(ROLE_HOMES[roles[0]]) if roles else reverse("coaching:welcome")
