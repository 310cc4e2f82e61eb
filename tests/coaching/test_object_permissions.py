"""The coaching permission rules as a matrix: every role × every coaching object.

The people and projects are the shared ones (tests/conftest.py). The objects: the current
coach's meeting log, the former coach's own meeting log (from their past assignment), the
current coach's supervision log (reflection not shared, then shared), the coach's profile and
assignment, and project A's coaches page.
"""

import pytest

from coaching.models import Assignment, CoachProfile
from coaching.permissions import (
    assignment_access,
    can_add_supervisor_note,
    can_read_reflection,
    can_see_meeting_details,
    coach_profile_access,
    get_project_for_assigning,
    meeting_log_access,
    supervision_log_access,
)
from coachprog.permissions import Access
from tests.factories import MeetingLogFactory, SupervisionLogFactory

pytestmark = pytest.mark.django_db

N, S, R, W = Access.NONE, Access.SUMMARY, Access.READ, Access.WRITE
ROLES = (
    "programme_lead", "qi_lead", "coach", "former_coach", "other_coach", "sponsor", "team_member",
    "unrelated_user", "inactive_user", "anonymous",
)  # fmt: skip

# fmt: off
ACCESS = {
    #                      lead qi   coach former other sponsor team unrel. inactive anon
    "meeting_log":        (R,   R,   W,    S,     N,    S,      S,   N,     N,       N),
    "former_meeting_log": (R,   R,   S,    R,     N,    S,      S,   N,     N,       N),
    "supervision_log":    (R,   R,   W,    N,     N,    N,      N,   N,     N,       N),
    "coach_profile":      (W,   W,   R,    N,     N,    N,      N,   N,     N,       N),
    "assignment":         (W,   W,   R,    R,     N,    R,      R,   N,     N,       N),
}
BOOLEANS = {
    #                           lead   qi     coach  former other  sponsor team   unrel. inactive anon
    "meeting_details":         (True,  True,  True,  True,  False, False,  True,  False, False,   False),
    "private_reflection":      (False, False, True,  False, False, False,  False, False, False,   False),
    "shared_reflection":       (False, True,  True,  False, False, False,  False, False, False,   False),
    "supervisor_note":         (False, True,  False, False, False, False,  False, False, False,   False),
}
# fmt: on


@pytest.fixture
def objects(coach, former_coach, qi_lead, project_a):
    return {
        "meeting_log": MeetingLogFactory(coach=coach, project=project_a),
        "former_meeting_log": MeetingLogFactory(coach=former_coach, project=project_a),
        "supervision_log": SupervisionLogFactory(coach=coach, supervisor=qi_lead),
        "shared_log": SupervisionLogFactory(coach=coach, supervisor=qi_lead, reflection_shared=True),
        "coach_profile": CoachProfile.objects.get(coach=coach),
        "assignment": Assignment.objects.get(coach=coach),
    }


ACCESS_RULES = {
    "meeting_log": meeting_log_access,
    "former_meeting_log": meeting_log_access,
    "supervision_log": supervision_log_access,
    "coach_profile": coach_profile_access,
    "assignment": assignment_access,
}


@pytest.mark.parametrize("kind", sorted(ACCESS))
@pytest.mark.parametrize("role", ROLES)
def test_access_follows_the_matrix(request, objects, other_coach, sponsor, team_member, kind, role):
    user = request.getfixturevalue(role)

    assert ACCESS_RULES[kind](user, objects[kind]) == ACCESS[kind][ROLES.index(role)]


@pytest.mark.parametrize("rule", sorted(BOOLEANS))
@pytest.mark.parametrize("role", ROLES)
def test_the_finer_rules_follow_the_matrix(request, objects, other_coach, sponsor, team_member, rule, role):
    user = request.getfixturevalue(role)
    checks = {
        "meeting_details": lambda: can_see_meeting_details(user, objects["meeting_log"]),
        "private_reflection": lambda: can_read_reflection(user, objects["supervision_log"]),
        "shared_reflection": lambda: can_read_reflection(user, objects["shared_log"]),
        "supervisor_note": lambda: can_add_supervisor_note(user, objects["supervision_log"]),
    }

    assert checks[rule]() is BOOLEANS[rule][ROLES.index(role)]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("programme_lead", W), ("qi_lead", W), ("coach", R), ("sponsor", R), ("team_member", R)],
)
def test_only_leads_may_assign_coaches_to_a_team(request, project_a, role, expected):
    _, access = get_project_for_assigning(request.getfixturevalue(role), project_a.pk)

    assert access == expected
