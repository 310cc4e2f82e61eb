"""Every coaching URL × every role × GET and POST, generated from the URL resolver so that a new
view cannot be left out. Outsiders get 404, people who may look but not act get 403.

The scene is the shared one (tests/conftest.py): project A in directorate A, coached now by
`coach` (supervised by `qi_lead`, a QI lead of directorate A) and earlier by `former_coach`;
`other_coach` coaches project B only. The objects belong to project A and to `coach`.
"""

import pytest
from django.urls import get_resolver, reverse

from coaching.models import Assignment, CoachProfile
from tests.factories import MeetingLogFactory, MonthlyUpdateFactory, SupervisionLogFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "programme_lead",
    "qi_lead",
    "coach",
    "former_coach",
    "other_coach",
    "sponsor",
    "team_member",
    "unrelated_user",
)

# Expected status per role, in the order of ROLES, for GET and for an empty POST (read-only pages
# refuse POST with 405 before anything is looked up).
# fmt: off
EXPECTED = {
    #                    programme_lead  qi_lead  coach  former  other  sponsor  team  unrelated
    "welcome":            ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "programme_overview": ("200 403 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "health":             ("200 403 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "health_export":      ("200 403 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "coach_home":         ("403 403 200 200 200 403 403 403", "405 405 405 405 405 405 405 405"),
    "qi_lead_home":       ("403 200 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "overview":           ("200 200 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "overview_export":    ("200 200 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "coach_load":         ("200 200 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "coach_capacity":     ("405 405 405 405 405 405 405 405", "302 302 403 404 404 404 404 404"),
    "project_coaches":    ("200 200 200 200 404 200 200 404", "200 200 403 403 404 403 403 404"),
    "meeting_create":     ("403 403 200 403 404 403 403 404", "403 403 200 403 404 403 403 404"),
    "assignment_end":     ("405 405 405 405 405 405 405 405", "302 302 403 403 404 403 403 404"),
    "meeting":            ("200 200 200 200 404 200 200 404", "405 405 405 405 405 405 405 405"),
    "meeting_update":     ("403 403 200 403 404 403 403 404", "403 403 200 403 404 403 403 404"),
    "supervision_list":   ("200 200 200 200 200 403 403 403", "405 405 405 405 405 405 405 405"),
    "supervision_create": ("403 403 200 200 200 403 403 403", "403 403 200 200 200 403 403 403"),
    "supervision":        ("200 200 200 404 404 404 404 404", "405 405 405 405 405 405 405 405"),
    "supervision_update": ("403 403 200 404 404 404 404 404", "403 403 200 404 404 404 404 404"),
    "supervision_note":   ("405 405 405 405 405 405 405 405", "403 302 403 404 404 404 404 404"),
    "monthly_update":     ("200 200 200 200 404 200 200 404", "405 405 405 405 405 405 405 405"),
    "sponsor_home":       ("403 403 403 403 403 200 403 403", "405 405 405 405 405 405 405 405"),
    # Writing: the team's current coaches; a draft is read by them, its author and programme leads.
    "monthly_update_write": ("405 405 405 405 405 405 405 405", "403 403 302 403 404 403 403 404"),
    "monthly_update_edit":  ("403 404 200 404 404 404 404 404", "403 404 200 404 404 404 404 404"),
    # Only the sponsor acknowledges; the sponsor, coaches and leads talk in the comments (not the team).
    "monthly_update_acknowledge": ("405 405 405 405 405 405 405 405", "403 403 403 403 404 302 403 404"),
    "monthly_update_comment":     ("405 405 405 405 405 405 405 405", "302 302 302 403 404 302 403 404"),
    # Downloads: each holds what its reader may see on the matching pages (empty for nobody's).
    "meeting_export":         ("200 200 200 200 200 403 403 403", "405 405 405 405 405 405 405 405"),
    "project_meeting_export": ("200 200 200 200 404 200 200 404", "405 405 405 405 405 405 405 405"),
    "supervision_export":     ("200 200 200 200 200 403 403 403", "405 405 405 405 405 405 405 405"),
    "monthly_update_export":  ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    # People and coaches: programme leads, and QI leads for the people of their directorates.
    "people":       ("200 200 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "person":       ("200 200 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    "coach_create": ("200 404 403 403 403 403 403 403", "400 404 403 403 403 403 403 403"),
    "coach_update": ("200 200 403 404 404 404 404 404", "400 400 403 404 404 404 404 404"),
}
# fmt: on


def _coaching_patterns() -> dict:
    resolver = get_resolver()
    namespace = resolver.namespace_dict["coaching"][1]
    return {p.name: p for p in namespace.url_patterns}


def test_the_matrix_covers_every_coaching_url():
    assert set(_coaching_patterns()) == set(EXPECTED)


@pytest.fixture
def scene(coach, former_coach, other_coach, qi_lead, project_a, team_member, sponsor):
    meeting = MeetingLogFactory(coach=coach, project=project_a)
    ready = MonthlyUpdateFactory(project=project_a, author=coach, ready=True)
    return {
        "project_pk": project_a.pk,
        "meeting": meeting.pk,
        "meeting_update": meeting.pk,
        "supervision": SupervisionLogFactory(coach=coach, supervisor=qi_lead).pk,
        "monthly_update": ready.pk,
        "monthly_update_acknowledge": ready.pk,
        "monthly_update_comment": ready.pk,
        "monthly_update_edit": MonthlyUpdateFactory(project=project_a, author=coach).pk,
        "assignment_end": Assignment.objects.get(coach=coach).pk,
        "coach_capacity": CoachProfile.objects.get(coach=coach).pk,
        "coach_update": CoachProfile.objects.get(coach=coach).pk,
        "person": coach.pk,
        "coach_create": team_member.pk,  # not a coach yet, and in none of the QI lead's directorates
    }


def _path(name: str, scene: dict) -> str:
    pattern = _coaching_patterns()[name]
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "fmt":
            kwargs[key] = "csv"
        elif key == "project_pk":
            kwargs[key] = scene["project_pk"]
        else:  # pk: the object the view is about
            kwargs[key] = scene.get(name) or scene[name.replace("_update", "").replace("_note", "")]
    return reverse(f"coaching:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_role_gets_the_expected_answer(request, client, scene, name, method):
    path = _path(name, scene)
    expected = EXPECTED[name][0 if method == "get" else 1].split()
    got = []
    for role in ROLES:
        client.force_login(request.getfixturevalue(role))
        got.append(str(getattr(client, method)(path).status_code))
        client.logout()

    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_anonymous_visitors_are_sent_to_sign_in(client, scene, name):
    path = _path(name, scene)

    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
