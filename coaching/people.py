"""People and their roles across the programme: the people page, one person's record, and the
"make coach" action beside a cohort's participants.

Roles come from relations in every app (`coaching.roles`), so the people page lives in
`coaching`, the app that joins the others. Each part of a person's record shows only what
the reader may already see on that record's own page.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.urls import reverse

from coaching.models import Assignment, CoachProfile
from coaching.permissions import can_make_coach, can_manage_coach, visible_coach_profiles, visible_people
from coaching.roles import ROLE_LABELS, Role, role_flag, roles_of, with_role_flags
from coachprog.accounts.models import Directorate, User
from coachprog.permissions import is_programme_lead
from cohorts.models import Cohort, Enrolment
from cohorts.participant_actions import ParticipantAction
from cohorts.permissions import visible_enrolments
from projects.models import Project, TeamMembership
from projects.permissions import visible_projects

PEOPLE_PER_PAGE = 50


def people_directorates(user) -> QuerySet[Directorate]:
    """The directorates the people page filters by: all for programme leads, a QI lead's own."""
    if is_programme_lead(user):
        return Directorate.objects.order_by("name")
    return Directorate.objects.filter(qi_leads=user).order_by("name")


def people_list(
    user, *, query: str = "", role: str = "", directorate: Directorate | None = None
) -> QuerySet[User]:
    """The people the user may see, with their role flags, searched by name and e-mail address."""
    people = with_role_flags(visible_people(user)).select_related("organisation_unit")
    if query:
        people = people.filter(Q(display_name__icontains=query) | Q(email__icontains=query))
    if role == Role.PROGRAMME_LEAD:
        people = people.filter(Q(**{role_flag(Role.PROGRAMME_LEAD): True}) | Q(is_superuser=True))
    elif role in {r.value for r in Role}:
        people = people.filter(**{role_flag(Role(role)): True})
    if directorate is not None:
        people = people.filter(organisation_unit=directorate)
    return people.order_by("display_name", "email", "pk")


def people_page(found: QuerySet[User], number: str | None) -> Page:
    """A page of `people_list`, its people with their role flags.

    The page's ids are picked in a subquery (the role filter, if any, in its WHERE) and the flags
    worked out for those fifty alone: over the whole list, PostgreSQL hashed every row of every
    role's table to answer the flags of fifty people."""
    page = Paginator(found.values_list("pk", flat=True), PEOPLE_PER_PAGE).get_page(number)
    page.object_list = list(  # one query: the page's ids are a subquery (ORDER BY … LIMIT 50)
        with_role_flags(User.objects.filter(pk__in=page.object_list))
        .select_related("organisation_unit")
        .order_by("display_name", "email", "pk")
    )
    return page


def label_roles(people: Sequence[User]) -> None:
    """Attach `role_labels` to each person from their flags (no queries)."""
    for person in people:
        person.role_labels = [ROLE_LABELS[role] for role in roles_of(person)]


@dataclass
class PersonRecord:
    """What the reader may see of one person, section by section."""

    person: User
    roles: list[str]
    profile: CoachProfile | None
    can_make_coach: bool
    can_manage_coach: bool
    enrolments: list[Enrolment] = field(default_factory=list)
    completed: list[Enrolment] = field(default_factory=list)
    current_assignments: list[Assignment] = field(default_factory=list)
    past_assignments: list[Assignment] = field(default_factory=list)
    sponsored: list[Project] = field(default_factory=list)
    teams: list[TeamMembership] = field(default_factory=list)
    supervisees: list[CoachProfile] = field(default_factory=list)
    qi_lead_of: list[Directorate] = field(default_factory=list)


def person_record(reader, person: User) -> PersonRecord:
    """One person's roles, cohorts, teams coached, projects sponsored and supervisees, as far as
    `reader` may see each (the rules of the cohort, project and coaching pages). `person` comes
    from `get_person_for_user`, with its role flags."""
    profile = CoachProfile.objects.filter(coach=person).select_related("supervisor").first()
    if profile is not None:
        profile.coach = person  # for the permission check, without fetching the person again
    projects = visible_projects(reader)
    enrolments = list(
        visible_enrolments(reader)
        .filter(participant=person)
        .select_related("cohort__programme")
        .order_by("-cohort__starts_on", "pk")
    )
    assignments = list(
        Assignment.objects.filter(coach=person, project__in=projects)
        .select_related("project__directorate")
        .order_by("-starts_on", "-pk")
    )
    return PersonRecord(
        person=person,
        roles=[ROLE_LABELS[role] for role in roles_of(person)],
        profile=profile,
        can_make_coach=profile is None and person.is_active and can_make_coach(reader, person),
        can_manage_coach=profile is not None and can_manage_coach(reader, profile),
        enrolments=enrolments,
        completed=[e for e in enrolments if e.status == Enrolment.Status.COMPLETED],
        current_assignments=[a for a in assignments if a.is_open],
        past_assignments=[a for a in assignments if not a.is_open],
        sponsored=list(projects.filter(sponsor=person).select_related("directorate").order_by("title")),
        teams=list(
            TeamMembership.objects.filter(person=person, project__in=projects)
            .select_related("project")
            .order_by("project__title")
        ),
        supervisees=list(
            visible_coach_profiles(reader)
            .filter(supervisor=person)
            .select_related("coach")
            .order_by("coach__display_name", "coach__email")
        ),
        qi_lead_of=list(person.qi_lead_directorates.order_by("name")),
    )


def make_coach_actions(user, cohort: Cohort, enrolments: Sequence[Enrolment]) -> dict[int, list]:
    """Beside each participant who completed the cohort: "Make coach", or a link to their coach record."""
    completed = [e for e in enrolments if e.status == Enrolment.Status.COMPLETED]
    if not completed:
        return {}
    people = {e.participant_id for e in completed}
    coaches = set(CoachProfile.objects.filter(coach_id__in=people).values_list("coach_id", flat=True))
    visible = set(visible_people(user).filter(pk__in=people).values_list("pk", flat=True))
    # The rule of `can_make_coach`, for every participant shown at once.
    lead = is_programme_lead(user)
    units = set() if lead else set(Directorate.objects.filter(qi_leads=user).values_list("pk", flat=True))
    actions: dict[int, list[ParticipantAction]] = {}
    for enrolment in completed:
        person = enrolment.participant
        if person.pk not in visible:
            continue
        if person.pk in coaches:
            url = reverse("coaching:person", args=[person.pk])
            actions[enrolment.pk] = [ParticipantAction("Coach record", url)]
        elif person.is_active and (lead or person.organisation_unit_id in units):
            url = reverse("coaching:coach_create", args=[person.pk])
            actions[enrolment.pk] = [ParticipantAction("Make coach", url, primary=True)]
    return actions
