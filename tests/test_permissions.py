"""The permission layer as a matrix: every role × every kind of object.

The people come from `tests/conftest.py`, placed around project A (in
directorate A) and project B (in directorate B). The objects below all
belong to project A or to the coach of A, who also trained in `cohort`.

The expected values follow the rules in the permission modules' docstrings
and DOMAIN.md: programme leads write everything in cohorts and projects and
read the coaches' logs and drafts; a coach writes their current teams'
projects and their own logs; a former coach reads; sponsors and QI leads read
projects (a QI lead also assigns coaches in their directorate); team members
write their project's data; meeting logs are a summary (no private notes) for
the team, sponsor and past coaches, and read in full by leads, supervisors
and the directorate's QI leads; supervision logs belong to the coach, read by
their supervisor and programme leads only; monthly update drafts are for the
project's coaches (and leads), and everyone who sees the project reads an
update once it is ready.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from coaching.permissions import (
    assignment_access,
    can_read_reflection,
    get_assignment_for_user,
    get_meeting_log_for_user,
    get_monthly_update_for_user,
    get_supervision_log_for_user,
    meeting_log_access,
    monthly_update_access,
    supervision_log_access,
    visible_meeting_logs,
    visible_supervision_logs,
)
from coachprog.permissions import Access
from cohorts.models import Application
from cohorts.permissions import (
    application_access,
    cohort_access,
    enrolment_access,
    get_cohort_for_user,
    get_session_for_user,
    session_access,
    visible_cohorts,
)
from projects.permissions import (
    editable_projects,
    get_measure_for_user,
    get_pdsa_cycle_for_user,
    get_project_for_user,
    project_access,
    visible_projects,
)
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    EnrolmentFactory,
    MeasureFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    PDSACycleFactory,
    SessionFactory,
    SupervisionLogFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

N, S, R, W = Access.NONE, Access.SUMMARY, Access.READ, Access.WRITE

# fmt: off
KINDS = (
    "cohort", "session", "application", "enrolment", "project", "measure", "pdsa_cycle",
    "assignment", "meeting_log", "supervision_log", "draft_update", "ready_update",
)
MATRIX = {
    #                 cohort session applic. enrol. project measure pdsa  assign. meeting superv. draft ready
    "programme_lead": (W,     W,      W,      W,     W,      W,      W,    W,      R,      R,      R,    R),
    "coach":          (R,     R,      R,      R,     W,      W,      W,    R,      W,      W,      W,    R),
    "other_coach":    (N,     N,      N,      N,     N,      N,      N,    N,      N,      N,      N,    N),
    "former_coach":   (N,     N,      N,      N,     R,      R,      R,    R,      S,      N,      N,    R),
    "sponsor":        (N,     N,      N,      N,     R,      R,      R,    R,      S,      N,      N,    R),
    "other_sponsor":  (N,     N,      N,      N,     N,      N,      N,    N,      N,      N,      N,    N),
    "team_member":    (N,     N,      N,      N,     W,      W,      W,    R,      S,      N,      N,    R),
    "qi_lead":        (N,     N,      N,      N,     R,      R,      R,    W,      R,      R,      N,    R),
    "unrelated_user": (N,     N,      N,      N,     N,      N,      N,    N,      N,      N,      N,    N),
    "anonymous":      (N,     N,      N,      N,     N,      N,      N,    N,      N,      N,      N,    N),
    "inactive_user":  (N,     N,      N,      N,     N,      N,      N,    N,      N,      N,      N,    N),
}
# fmt: on
EXPECTED = {kind: {role: row[column] for role, row in MATRIX.items()} for column, kind in enumerate(KINDS)}
ROLES = list(MATRIX)


# --- the objects -----------------------------------------------------------------------


@pytest.fixture
def application(coach):
    """The coach's accepted application to the cohort they trained in."""
    return ApplicationFactory(applicant=coach, status=Application.Status.ACCEPTED)


@pytest.fixture
def enrolment(application):
    return EnrolmentFactory(
        cohort=application.cohort, participant=application.applicant, application=application
    )


@pytest.fixture
def cohort(enrolment):
    return enrolment.cohort


@pytest.fixture
def session(cohort):
    return SessionFactory(cohort=cohort)


@pytest.fixture
def project(project_a):
    return project_a


@pytest.fixture
def measure(project_a):
    return MeasureFactory(project=project_a)


@pytest.fixture
def pdsa_cycle(project_a):
    return PDSACycleFactory(project=project_a)


@pytest.fixture
def assignment(coach):
    return coach.assignments.get()


@pytest.fixture
def meeting_log(coach, project_a):
    return MeetingLogFactory(coach=coach, project=project_a)


@pytest.fixture
def supervision_log(coach, qi_lead):
    return SupervisionLogFactory(coach=coach, supervisor=qi_lead, reflection_shared=False)


@pytest.fixture
def draft_update(coach, project_a):
    return MonthlyUpdateFactory(project=project_a, author=coach)


@pytest.fixture
def ready_update(coach, project_a):
    return MonthlyUpdateFactory(project=project_a, author=coach, ready=True)


# --- access to one object ----------------------------------------------------------------


def _access_through(get_for_user, user, *pks) -> Access:
    """Measures and PDSA cycles have no access function of their own: ask their getter."""
    try:
        _, access = get_for_user(user, *pks, need=Access.SUMMARY)
    except Http404:
        return Access.NONE
    return access


ACCESS = {
    "cohort": cohort_access,
    "session": session_access,
    "application": application_access,
    "enrolment": enrolment_access,
    "project": project_access,
    "measure": lambda user, m: _access_through(get_measure_for_user, user, m.project_id, m.pk),
    "pdsa_cycle": lambda user, c: _access_through(get_pdsa_cycle_for_user, user, c.project_id, c.pk),
    "assignment": assignment_access,
    "meeting_log": meeting_log_access,
    "supervision_log": supervision_log_access,
    "draft_update": monthly_update_access,
    "ready_update": monthly_update_access,
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_access_follows_the_matrix(request, role, kind):
    user = request.getfixturevalue(role)
    obj = request.getfixturevalue(kind)

    access = ACCESS[kind](user, obj)

    assert access == EXPECTED[kind][role]


# role: (reflection not shared, reflection shared)
CAN_READ_REFLECTION = {
    "programme_lead": (False, False),
    "coach": (True, True),
    "other_coach": (False, False),
    "former_coach": (False, False),
    "sponsor": (False, False),
    "other_sponsor": (False, False),
    "team_member": (False, False),
    "qi_lead": (False, True),
    "unrelated_user": (False, False),
    "anonymous": (False, False),
    "inactive_user": (False, False),
}


@pytest.mark.parametrize("shared", [False, True], ids=["not shared", "shared"])
@pytest.mark.parametrize("role", ROLES)
def test_can_read_reflection_only_for_the_coach_and_a_supervisor_it_is_shared_with(
    request, role, shared, supervision_log
):
    user = request.getfixturevalue(role)
    supervision_log.reflection_shared = shared
    supervision_log.save()

    readable = can_read_reflection(user, supervision_log)

    assert readable is CAN_READ_REFLECTION[role][shared]


# --- the getters views use ------------------------------------------------------------

GETTERS = {
    "cohort": lambda user, c, need: get_cohort_for_user(user, c.pk, need=need),
    "session": lambda user, s, need: get_session_for_user(user, s.cohort_id, s.pk, need=need),
    "project": lambda user, p, need: get_project_for_user(user, p.pk, need=need),
    "measure": lambda user, m, need: get_measure_for_user(user, m.project_id, m.pk, need=need),
    "pdsa_cycle": lambda user, c, need: get_pdsa_cycle_for_user(user, c.project_id, c.pk, need=need),
    "assignment": lambda user, a, need: get_assignment_for_user(user, a.pk, need=need),
    "meeting_log": lambda user, m, need: get_meeting_log_for_user(user, m.pk, need=need),
    "supervision_log": lambda user, s, need: get_supervision_log_for_user(user, s.pk, need=need),
    "draft_update": lambda user, u, need: get_monthly_update_for_user(user, u.pk, need=need),
    "ready_update": lambda user, u, need: get_monthly_update_for_user(user, u.pk, need=need),
}


def _pairs(*levels: Access) -> list[tuple[str, str]]:
    return [(kind, role) for kind in GETTERS for role in ROLES if EXPECTED[kind][role] in levels]


@pytest.mark.parametrize("kind", GETTERS)
@pytest.mark.parametrize("role", ["unrelated_user", "anonymous", "inactive_user"])
def test_get_for_user_raises_404_for_outsiders(request, role, kind):
    user = request.getfixturevalue(role)
    obj = request.getfixturevalue(kind)

    with pytest.raises(Http404):
        GETTERS[kind](user, obj, Access.READ)


@pytest.mark.parametrize(("kind", "role"), _pairs(S, R))
def test_get_for_user_raises_403_when_read_only_users_ask_to_write(request, kind, role):
    user = request.getfixturevalue(role)
    obj = request.getfixturevalue(kind)

    with pytest.raises(PermissionDenied):
        GETTERS[kind](user, obj, Access.WRITE)


@pytest.mark.parametrize(("kind", "role"), _pairs(S))
def test_get_for_user_raises_403_when_summary_users_ask_to_read(request, kind, role):
    user = request.getfixturevalue(role)
    obj = request.getfixturevalue(kind)

    with pytest.raises(PermissionDenied):
        GETTERS[kind](user, obj, Access.READ)


@pytest.mark.parametrize(("kind", "role"), _pairs(W))
def test_get_for_user_returns_the_object_to_writers(request, kind, role):
    user = request.getfixturevalue(role)
    obj = request.getfixturevalue(kind)

    found, access = GETTERS[kind](user, obj, Access.WRITE)

    assert (found, access) == (obj, Access.WRITE)


def test_get_project_for_user_raises_404_for_a_missing_project(programme_lead):
    with pytest.raises(Http404):
        get_project_for_user(programme_lead, 999_999)


# --- lists ---------------------------------------------------------------------------
# Each table names the fixtures a role sees; a role not listed sees nothing.

VISIBLE_COHORTS = {
    "programme_lead": {"cohort", "other_cohort"},
    "coach": {"cohort"},
}
VISIBLE_PROJECTS = {
    "programme_lead": {"project_a", "project_b"},
    "coach": {"project_a"},
    "other_coach": {"project_b"},
    "former_coach": {"project_a"},
    "sponsor": {"project_a"},
    "other_sponsor": {"project_b"},
    "team_member": {"project_a"},
    "qi_lead": {"project_a"},
}
EDITABLE_PROJECTS = {
    "programme_lead": {"project_a", "project_b"},
    "coach": {"project_a"},
    "other_coach": {"project_b"},
    "team_member": {"project_a"},
}
# Meeting logs listed in full, with their private notes: never for the team or sponsor.
VISIBLE_MEETING_LOGS = {
    "programme_lead": {"meeting_log", "meeting_log_b"},
    "coach": {"meeting_log"},
    "other_coach": {"meeting_log_b"},
    "qi_lead": {"meeting_log"},
}
VISIBLE_SUPERVISION_LOGS = {
    "programme_lead": {"supervision_log", "supervision_log_b"},
    "coach": {"supervision_log"},
    "other_coach": {"supervision_log_b"},
    "qi_lead": {"supervision_log"},
}
LISTS = {
    "visible_cohorts": (visible_cohorts, VISIBLE_COHORTS),
    "visible_projects": (visible_projects, VISIBLE_PROJECTS),
    "editable_projects": (editable_projects, EDITABLE_PROJECTS),
    "visible_meeting_logs": (visible_meeting_logs, VISIBLE_MEETING_LOGS),
    "visible_supervision_logs": (visible_supervision_logs, VISIBLE_SUPERVISION_LOGS),
}


@pytest.fixture
def other_cohort():
    return CohortFactory()


@pytest.fixture
def meeting_log_b(other_coach, project_b):
    return MeetingLogFactory(coach=other_coach, project=project_b)


@pytest.fixture
def supervision_log_b(other_coach):
    return SupervisionLogFactory(coach=other_coach, supervisor=UserFactory(display_name="QI lead of B"))


@pytest.fixture
def everything(request):
    """Every person and every listed object, so a list can be seen to leave the right ones out."""
    names = set(ROLES) | {"other_cohort", "meeting_log_b", "supervision_log_b"}
    for _, table in LISTS.values():
        for visible in table.values():
            names |= visible
    return {name: request.getfixturevalue(name) for name in sorted(names)}


@pytest.mark.parametrize("list_name", LISTS)
@pytest.mark.parametrize("role", ROLES)
def test_visible_lists_hold_exactly_what_the_role_may_see(everything, role, list_name):
    visible, table = LISTS[list_name]
    expected = {everything[name].pk for name in table.get(role, set())}

    listed = visible(everything[role])

    assert sorted(listed.values_list("pk", flat=True)) == sorted(expected)


# --- rules beyond the roles ---------------------------------------------------------------


def test_cohort_access_lets_the_cohorts_own_leads_write():
    cohort_lead = UserFactory()
    cohort = CohortFactory()
    cohort.leads.add(cohort_lead)

    assert cohort_access(cohort_lead, cohort) == Access.WRITE


def test_session_access_lets_a_facilitator_write_their_session_only():
    facilitator = UserFactory()
    session = SessionFactory()
    session.facilitators.add(facilitator)
    other_session = SessionFactory(cohort=session.cohort)

    assert (
        session_access(facilitator, session),
        session_access(facilitator, other_session),
        cohort_access(facilitator, session.cohort),
    ) == (Access.WRITE, Access.READ, Access.READ)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(Application.Status.DRAFT, Access.WRITE), (Application.Status.SUBMITTED, Access.READ)],
)
def test_application_access_lets_the_applicant_edit_only_a_draft(status, expected):
    application = ApplicationFactory(status=status)

    assert application_access(application.applicant, application) == expected


def test_monthly_update_access_lets_an_author_who_no_longer_coaches_read_their_draft(former_coach, project_a):
    draft = MonthlyUpdateFactory(project=project_a, author=former_coach)

    assert monthly_update_access(former_coach, draft) == Access.READ
