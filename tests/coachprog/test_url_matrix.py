"""Object-level authorisation, proved by a matrix: every URL pattern × every role × GET and POST.

The URL patterns come from the resolver, so a new view cannot be forgotten: a pattern
missing from MATRIX fails `test_every_url_pattern_is_in_the_matrix`. Each row names the
objects its URL is about (in the demo programme: the discharge project's team, coach and
sponsor, and Cohort 10, where the coach trained) and the status each role must get, in
the order of ROLES:

    anonymous, team member, coach, other coach, sponsor, other sponsor, QI lead, programme lead

"302" for anonymous always means a redirect to the sign-in page (checked). POSTs carry no
form data: an allowed user gets the form back with its errors (200 or 400), or the action
and a redirect (302); each role's request is rolled back before the next.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.coachprog.world import World, build_world, client_for, kw, literal

ROLES = ["anonymous", "member", "coach", "other_coach", "sponsor", "other_sponsor", "qi_lead", "lead"]
# Pages that answer without a login (tests/coachprog/test_login_required.py says why each is public).
PUBLIC = {
    "healthz",
    "cohorts:personal_calendar",
    "cohorts:cohort_calendar_feed",
    "cohorts:application_manager_respond",
    "accounts:invitation_accept",
    "outbox:unsubscribe",
}
# Third-party URL trees with their own tests (allauth, the Django admin).
SKIPPED_PREFIXES = ("accounts/", "admin/")


@pytest.fixture(scope="module")
def world(demo, django_db_blocker) -> World:
    with django_db_blocker.unblock():
        return build_world()


@dataclass
class Row:
    kwargs: Callable[[World], dict]
    get: str
    post: str


NONE = literal()

# Common answers, in ROLES order. Read each row as: who may see this, who may change it.
EVERYONE = "302 200 200 200 200 200 200 200"
LEAD_ONLY_403 = "302 403 403 403 403 403 403 200"
NOT_ALLOWED = "302 405 405 405 405 405 405 405"  # the method is refused before anything is looked up
# Cohort 10: the coach and the other coach trained in it; only programme leads run it.
COHORT_MEMBERS = "302 404 200 200 404 404 404 200"
COHORT_LEADS = "302 404 403 403 404 404 404 200"
COHORT_LEADS_ACT = "302 404 403 403 404 404 404 302"  # the action done, then back to the page
# Cohort 11: the coach co-facilitates an induction, so sees the cohort; the other coach does not.
COHORT11_LEADS = "302 404 403 404 404 404 404 200"
# The discharge project: its team and coach edit; its sponsor and the QI lead read; others never see it.
PROJECT_READERS = "302 200 200 404 200 404 200 200"
PROJECT_EDITORS = "302 200 200 404 403 404 403 200"
PROJECT_EDITORS_ACT = "302 302 302 404 403 404 403 302"
PROJECT_CHANGERS = "302 403 200 404 403 404 200 200"
PROJECT_STARTERS = "302 403 200 200 403 403 200 200"
# Coaching: the coach's own pages; the coaching overview for programme and QI leads.
COACHES = "302 403 200 200 403 403 403 403"
THE_COACH = "302 403 200 404 403 404 403 403"
LEADS_AND_QI_LEADS = "302 403 403 403 403 403 200 200"

MATRIX: dict[str, Row] = {
    "healthz": Row(NONE, "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "object_history": Row(
        lambda w: {"label": "projects.project", "pk": w.values["project"]}, LEAD_ONLY_403, NOT_ALLOWED
    ),
    "person_list": Row(NONE, LEAD_ONLY_403, NOT_ALLOWED),
    "person_export": Row(kw(pk="member"), LEAD_ONLY_403, NOT_ALLOWED),
    "person_erase": Row(kw(pk="member"), LEAD_ONLY_403, "302 403 403 403 403 403 403 400"),
    # Everyone downloads their own data; the lead's export of someone else is person_export.
    "my_data": Row(NONE, EVERYONE, NOT_ALLOWED),
    "my_data_export": Row(NONE, EVERYONE, NOT_ALLOWED),
    "accounts:invitation_list": Row(NONE, LEAD_ONLY_403, NOT_ALLOWED),
    "accounts:invitation_create": Row(NONE, NOT_ALLOWED, "302 403 403 403 403 403 403 400"),
    "accounts:invitation_revoke": Row(kw(pk="invitation"), NOT_ALLOWED, "302 403 403 403 403 403 403 302"),
    "accounts:access_policy": Row(NONE, LEAD_ONLY_403, "302 403 403 403 403 403 403 400"),
    # Directorates, their QI leads and the programme leads: programme leads only.
    "accounts:directorate_list": Row(NONE, LEAD_ONLY_403, NOT_ALLOWED),
    "accounts:directorate_create": Row(NONE, NOT_ALLOWED, "302 403 403 403 403 403 403 400"),
    "accounts:directorate": Row(kw(pk="directorate"), LEAD_ONLY_403, NOT_ALLOWED),
    "accounts:directorate_rename": Row(kw(pk="directorate"), NOT_ALLOWED, "302 403 403 403 403 403 403 400"),
    "accounts:directorate_qi_lead_add": Row(
        kw(pk="directorate"), NOT_ALLOWED, "302 403 403 403 403 403 403 400"
    ),
    "accounts:directorate_qi_lead_remove": Row(
        kw(pk="directorate", person_pk="qi_lead_user"), NOT_ALLOWED, "302 403 403 403 403 403 403 302"
    ),
    "accounts:programme_leads": Row(NONE, LEAD_ONLY_403, NOT_ALLOWED),
    "accounts:programme_lead_add": Row(NONE, NOT_ALLOWED, "302 403 403 403 403 403 403 400"),
    # The demo's only programme lead: refused (never the last one), with a message and a redirect.
    "accounts:programme_lead_remove": Row(kw(pk="lead_user"), NOT_ALLOWED, "302 403 403 403 403 403 403 302"),
    # Public: the signed link opens sign-up for the invited address (signed-in people are sent home).
    "accounts:invitation_accept": Row(
        kw(token="invitation_token"), "302 302 302 302 302 302 302 302", "405 405 405 405 405 405 405 405"
    ),
    "outbox:notifications": Row(NONE, EVERYONE, NOT_ALLOWED),
    "outbox:notification": Row(kw(pk="notification"), "302 404 200 404 404 404 404 404", NOT_ALLOWED),
    "outbox:preferences": Row(NONE, EVERYONE, EVERYONE),
    # Public: a GET shows a button, a POST (one click, from the e-mail) unsubscribes; the token is the key.
    "outbox:unsubscribe": Row(
        kw(token="unsubscribe_token"), "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"
    ),
    "outbox:status": Row(NONE, LEAD_ONLY_403, NOT_ALLOWED),
    "outbox:resend": Row(kw(pk="failed_message"), NOT_ALLOWED, "302 403 403 403 403 403 403 302"),
    "cohorts:list": Row(NONE, EVERYONE, NOT_ALLOWED),
    "cohorts:detail": Row(kw(pk="cohort"), COHORT_MEMBERS, NOT_ALLOWED),
    "cohorts:programme_list": Row(NONE, LEAD_ONLY_403, NOT_ALLOWED),
    "cohorts:programme_create": Row(NONE, LEAD_ONLY_403, "302 403 403 403 403 403 403 400"),
    "cohorts:programme_update": Row(kw(pk="programme"), LEAD_ONLY_403, "302 403 403 403 403 403 403 400"),
    "cohorts:session": Row(kw(cohort_pk="cohort", pk="session"), COHORT_MEMBERS, NOT_ALLOWED),
    "cohorts:material": Row(
        kw(cohort_pk="cohort", session_pk="session", pk="material"),
        "302 404 302 302 404 404 404 302",
        NOT_ALLOWED,
    ),
    "cohorts:cohort_calendar": Row(kw(pk="cohort"), COHORT_MEMBERS, NOT_ALLOWED),
    "cohorts:sessions": Row(NONE, EVERYONE, NOT_ALLOWED),
    "cohorts:calendar_link": Row(NONE, EVERYONE, NOT_ALLOWED),
    "cohorts:calendar_link_issue": Row(NONE, NOT_ALLOWED, "302 302 302 302 302 302 302 302"),
    "cohorts:calendar_link_revoke": Row(NONE, NOT_ALLOWED, "302 302 302 302 302 302 302 302"),
    "cohorts:personal_calendar": Row(
        kw(token="calendar_token"), "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"
    ),
    # Public: Cohort 10's shared calendar link, which calendar apps fetch without an account.
    "cohorts:cohort_calendar_feed": Row(
        kw(token="cohort_calendar_token"),
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "cohorts:cohort_calendar_link_issue": Row(kw(pk="cohort"), NOT_ALLOWED, COHORT_LEADS_ACT),
    "cohorts:cohort_calendar_link_revoke": Row(kw(pk="cohort"), NOT_ALLOWED, COHORT_LEADS_ACT),
    "cohorts:planner_create": Row(NONE, LEAD_ONLY_403, LEAD_ONLY_403),
    # The planner's people type-ahead: for those who choose cohort leads and facilitators (here the lead);
    # without a field's name it is a bad request (tests/cohorts/test_planner.py asks it properly).
    "cohorts:planner_people": Row(NONE, "302 403 403 403 403 403 403 400", NOT_ALLOWED),
    "cohorts:planner": Row(kw(pk="cohort"), COHORT_LEADS, NOT_ALLOWED),
    "cohorts:planner_details": Row(kw(pk="cohort"), COHORT_LEADS, COHORT_LEADS),
    "cohorts:planner_session_add": Row(kw(pk="cohort"), COHORT_LEADS, COHORT_LEADS),
    "cohorts:planner_material_add": Row(
        kw(pk="cohort", session_pk="session"),
        COHORT_LEADS,
        "302 404 403 403 404 404 404 400",
    ),
    "cohorts:planner_material_remove": Row(
        kw(pk="cohort", material_pk="material"), NOT_ALLOWED, COHORT_LEADS_ACT
    ),
    "cohorts:planner_session_edit": Row(
        kw(pk="cohort", session_pk="session"),
        COHORT_LEADS,
        COHORT_LEADS,
    ),
    "cohorts:planner_session_cancel": Row(
        kw(pk="cohort", session_pk="session"), NOT_ALLOWED, COHORT_LEADS_ACT
    ),
    "cohorts:copy": Row(kw(pk="cohort"), COHORT_LEADS, COHORT_LEADS),
    "cohorts:apply": Row(kw(pk="cohort11"), EVERYONE, "302 400 400 400 400 400 400 400"),
    "cohorts:applications": Row(kw(pk="cohort"), COHORT_LEADS, COHORT_LEADS),
    "cohorts:applications_export": Row(
        lambda w: {"pk": w.values["cohort"], "fmt": "xlsx"}, COHORT_LEADS, NOT_ALLOWED
    ),
    # An application awaiting its line manager: only the people who run Cohort 11 see it or act on it.
    "cohorts:application": Row(
        kw(pk="cohort11", application_pk="pending_application"), COHORT11_LEADS, NOT_ALLOWED
    ),
    # Deciding needs a choice (and, against the rules, a reason): an empty post is the form again.
    "cohorts:application_decide": Row(
        kw(pk="cohort11", application_pk="pending_application"),
        NOT_ALLOWED,
        "302 404 403 404 404 404 404 400",
    ),
    "cohorts:application_manager_resend": Row(
        kw(pk="cohort11", application_pk="pending_application"),
        NOT_ALLOWED,
        "302 404 403 404 404 404 404 302",
    ),
    "cohorts:application_manager_reassign": Row(
        kw(pk="cohort11", application_pk="pending_application"),
        NOT_ALLOWED,
        "302 404 403 404 404 404 404 400",
    ),
    "cohorts:my_applications": Row(NONE, EVERYONE, NOT_ALLOWED),
    "cohorts:participants": Row(kw(pk="cohort"), COHORT_LEADS, NOT_ALLOWED),
    "cohorts:participants_export": Row(
        lambda w: {"pk": w.values["cohort"], "fmt": "csv"}, COHORT_LEADS, NOT_ALLOWED
    ),
    "cohorts:participant_withdraw": Row(
        kw(pk="cohort", enrolment_pk="enrolment"), NOT_ALLOWED, COHORT_LEADS_ACT
    ),
    "cohorts:application_manager_respond": Row(
        kw(token="manager_token"), "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"
    ),
    "cohorts:register": Row(kw(cohort_pk="cohort", pk="session"), COHORT_LEADS, NOT_ALLOWED),
    "cohorts:register_record": Row(
        kw(cohort_pk="cohort", pk="session", enrolment_pk="enrolment"),
        NOT_ALLOWED,
        COHORT_LEADS_ACT,
    ),
    "cohorts:register_all_present": Row(kw(cohort_pk="cohort", pk="session"), NOT_ALLOWED, COHORT_LEADS_ACT),
    "cohorts:attendance_matrix": Row(kw(pk="cohort"), COHORT_LEADS, NOT_ALLOWED),
    "cohorts:attendance_export": Row(
        lambda w: {"pk": w.values["cohort"], "fmt": "csv"}, COHORT_LEADS, NOT_ALLOWED
    ),
    "cohorts:my_attendance": Row(kw(pk="cohort"), "302 404 200 200 404 404 404 404", NOT_ALLOWED),
    "cohorts:apologies": Row(
        kw(pk="cohort", session_pk="session"), NOT_ALLOWED, "302 404 302 302 404 404 404 404"
    ),
    "projects:list": Row(NONE, EVERYONE, NOT_ALLOWED),
    "projects:export": Row(literal(fmt="csv"), EVERYONE, NOT_ALLOWED),
    "projects:detail": Row(kw(pk="project"), PROJECT_READERS, NOT_ALLOWED),
    "projects:progress_score": Row(kw(pk="project"), NOT_ALLOWED, PROJECT_EDITORS_ACT),
    # Coaches (anywhere), QI leads (their directorates) and programme leads start projects.
    "projects:create": Row(NONE, PROJECT_STARTERS, PROJECT_STARTERS),
    # A project's details, team and status: its coach, its directorate's QI lead and programme leads.
    "projects:update": Row(kw(pk="project"), PROJECT_CHANGERS, PROJECT_CHANGERS),
    "projects:close": Row(kw(pk="project"), PROJECT_CHANGERS, PROJECT_CHANGERS),
    "projects:team": Row(kw(pk="project"), PROJECT_READERS, PROJECT_CHANGERS),
    "projects:team_remove": Row(
        kw(pk="project", membership_pk="membership"), NOT_ALLOWED, "302 403 302 404 403 404 302 302"
    ),
    # Only a programme lead reopens an archived project; its readers are refused, others never see it.
    "projects:reopen": Row(kw(pk="closed_project"), NOT_ALLOWED, "302 403 403 404 403 404 403 302"),
    "projects:measure_create": Row(kw(project_pk="project"), PROJECT_EDITORS, PROJECT_EDITORS),
    "projects:measure": Row(kw(project_pk="project", pk="measure"), PROJECT_READERS, NOT_ALLOWED),
    "projects:measure_update": Row(
        kw(project_pk="project", pk="measure"),
        PROJECT_EDITORS,
        PROJECT_EDITORS,
    ),
    "projects:driver_diagram": Row(kw(project_pk="project"), PROJECT_READERS, NOT_ALLOWED),
    "projects:driver_node_create": Row(kw(project_pk="project"), NOT_ALLOWED, PROJECT_EDITORS_ACT),
    "projects:driver_node_edit": Row(kw(project_pk="project", pk="node"), NOT_ALLOWED, PROJECT_EDITORS_ACT),
    "projects:pdsa_list": Row(kw(project_pk="project"), PROJECT_READERS, NOT_ALLOWED),
    "projects:pdsa_create": Row(kw(project_pk="project"), PROJECT_EDITORS, PROJECT_EDITORS),
    "projects:pdsa": Row(kw(project_pk="project", pk="pdsa"), PROJECT_READERS, NOT_ALLOWED),
    "projects:pdsa_export": Row(
        lambda w: {"project_pk": w.values["project"], "fmt": "csv"}, PROJECT_READERS, NOT_ALLOWED
    ),
    "projects:pdsa_update": Row(
        kw(project_pk="project", pk="pdsa"),
        PROJECT_EDITORS,
        PROJECT_EDITORS,
    ),
    "projects:data_add": Row(kw(project_pk="project", pk="measure"), NOT_ALLOWED, PROJECT_EDITORS_ACT),
    "projects:data_import": Row(
        kw(project_pk="project", pk="measure"),
        PROJECT_EDITORS,
        PROJECT_EDITORS,
    ),
    "projects:data_remove": Row(
        kw(project_pk="project", pk="measure", point_pk="point"), PROJECT_EDITORS, PROJECT_EDITORS_ACT
    ),
    "projects:data_export": Row(
        lambda w: {"project_pk": w.values["project"], "pk": w.values["measure"], "fmt": "csv"},
        PROJECT_READERS,
        NOT_ALLOWED,
    ),
    "projects:baseline_freeze": Row(kw(project_pk="project", pk="measure"), NOT_ALLOWED, PROJECT_EDITORS_ACT),
    "projects:baseline_clear": Row(kw(project_pk="project", pk="measure"), NOT_ALLOWED, PROJECT_EDITORS_ACT),
    "projects:phase_add": Row(kw(project_pk="project", pk="measure"), NOT_ALLOWED, PROJECT_EDITORS_ACT),
    "projects:phase_remove": Row(
        kw(project_pk="project", pk="measure", phase_pk="phase"),
        NOT_ALLOWED,
        PROJECT_EDITORS_ACT,
    ),
    "projects:note_add": Row(kw(project_pk="project", pk="measure"), NOT_ALLOWED, PROJECT_EDITORS_ACT),
    "home": Row(NONE, "302 302 302 302 302 302 302 302", NOT_ALLOWED),
    "coaching:welcome": Row(NONE, EVERYONE, NOT_ALLOWED),
    "coaching:programme_overview": Row(NONE, LEAD_ONLY_403, NOT_ALLOWED),
    "coaching:coach_home": Row(NONE, "302 403 200 200 403 403 403 403", NOT_ALLOWED),
    "coaching:qi_lead_home": Row(NONE, "302 403 403 403 403 403 200 403", NOT_ALLOWED),
    "coaching:meeting": Row(kw(pk="meeting"), PROJECT_READERS, NOT_ALLOWED),
    # Downloads: all the meetings a coach or lead sees; one team's for whoever sees the project;
    # the monthly updates each person may open; supervision dates for coaches and leads.
    "coaching:meeting_export": Row(literal(fmt="csv"), "302 403 200 200 403 403 200 200", NOT_ALLOWED),
    "coaching:project_meeting_export": Row(
        lambda w: {"project_pk": w.values["project"], "fmt": "csv"}, PROJECT_READERS, NOT_ALLOWED
    ),
    "coaching:monthly_update_export": Row(literal(fmt="csv"), EVERYONE, NOT_ALLOWED),
    "coaching:supervision_export": Row(literal(fmt="csv"), "302 403 200 200 403 403 200 200", NOT_ALLOWED),
    "coaching:supervision": Row(kw(pk="supervision"), "302 404 200 404 404 404 200 200", NOT_ALLOWED),
    "coaching:monthly_update": Row(kw(pk="update"), PROJECT_READERS, NOT_ALLOWED),
    # The team's coach writes the update; programme leads read the draft, nobody else sees it.
    "coaching:monthly_update_write": Row(
        kw(project_pk="project"), NOT_ALLOWED, "302 403 302 404 403 404 403 403"
    ),
    "coaching:monthly_update_edit": Row(
        kw(pk="draft"), "302 404 200 404 404 404 404 403", "302 404 200 404 404 404 404 403"
    ),
    # Only the sponsor acknowledges; comments are between the sponsor, the coach and leads.
    "coaching:monthly_update_acknowledge": Row(
        kw(pk="update"), NOT_ALLOWED, "302 403 403 404 302 404 403 403"
    ),
    "coaching:monthly_update_comment": Row(kw(pk="update"), NOT_ALLOWED, "302 403 302 404 302 404 302 302"),
    "coaching:assignment_end": Row(kw(pk="assignment"), NOT_ALLOWED, "302 403 403 404 403 404 302 302"),
    "coaching:coach_capacity": Row(kw(pk="coach_profile"), NOT_ALLOWED, "302 404 403 404 404 404 302 302"),
    # The coach's supervisor (the QI lead) and programme leads change the coach profile; the coach reads it.
    "coaching:coach_update": Row(
        kw(pk="coach_profile"), "302 404 403 404 404 404 200 200", "302 404 403 404 404 404 400 400"
    ),
    # People: programme leads see everyone; the QI lead the people of their directorates (the member).
    "coaching:people": Row(NONE, LEADS_AND_QI_LEADS, NOT_ALLOWED),
    "coaching:person": Row(kw(pk="member"), LEADS_AND_QI_LEADS, NOT_ALLOWED),
    "coaching:coach_create": Row(kw(pk="member"), LEADS_AND_QI_LEADS, "302 403 403 403 403 403 400 400"),
    "coaching:coach_load": Row(NONE, LEADS_AND_QI_LEADS, NOT_ALLOWED),
    "coaching:overview": Row(NONE, LEADS_AND_QI_LEADS, NOT_ALLOWED),
    "coaching:overview_export": Row(literal(fmt="csv"), LEADS_AND_QI_LEADS, NOT_ALLOWED),
    "coaching:health": Row(NONE, LEAD_ONLY_403, NOT_ALLOWED),
    "coaching:health_export": Row(literal(fmt="csv"), LEAD_ONLY_403, NOT_ALLOWED),
    "coaching:meeting_create": Row(kw(project_pk="project"), THE_COACH, THE_COACH),
    "coaching:meeting_update": Row(kw(pk="meeting"), THE_COACH, THE_COACH),
    "coaching:project_coaches": Row(
        kw(project_pk="project"), PROJECT_READERS, "302 403 403 404 403 404 200 200"
    ),
    "coaching:supervision_create": Row(NONE, COACHES, COACHES),
    "coaching:supervision_list": Row(NONE, "302 403 200 200 403 403 200 200", NOT_ALLOWED),
    "coaching:supervision_note": Row(kw(pk="supervision"), NOT_ALLOWED, "302 404 403 404 404 404 302 403"),
    "coaching:supervision_update": Row(
        kw(pk="supervision"), "302 404 200 404 404 404 403 403", "302 404 200 404 404 404 403 403"
    ),
    "coaching:sponsor_home": Row(NONE, "302 403 403 403 200 200 403 403", NOT_ALLOWED),
}


def url_patterns(patterns=None, prefix="", namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and not route.startswith(SKIPPED_PREFIXES):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


ALL_NAMES = sorted(set(url_patterns()))


def test_every_url_pattern_is_in_the_matrix():
    assert [name for name in ALL_NAMES if name not in MATRIX] == []
    assert [name for name in MATRIX if name not in ALL_NAMES] == []


def _clients() -> dict[str, Client]:
    return {role: client_for(role) for role in ROLES}


def _observe(world: World, name: str, row: Row | None, method: str) -> str:
    url = reverse(name, kwargs=row.kwargs(world) if row else {})
    codes = []
    clients = _clients()
    for role in ROLES:
        with transaction.atomic():
            response = getattr(clients[role], method)(url)
            transaction.set_rollback(True)
        if role == "anonymous" and response.status_code == 302 and name not in PUBLIC:
            assert response["Location"].startswith(reverse("account_login")), (name, response["Location"])
        codes.append(str(response.status_code))
    return " ".join(codes)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_each_role_gets_the_expected_answer(demo_db, world, name):
    row = MATRIX.get(name)
    if row is None:
        pytest.fail(f"{name} is not in MATRIX: add a row saying what each role must get")
    observed = {"get": _observe(world, name, row, "get"), "post": _observe(world, name, row, "post")}
    assert observed == {"get": row.get, "post": row.post}


def test_the_people_type_ahead_names_people_only_to_those_who_choose_them(demo_db, world):
    """The planner's type-ahead, asked properly: only the lead gets names and addresses back."""
    url = reverse("cohorts:planner_people")
    query = {"name": "facilitators", "facilitators_add": "example.org"}
    answers = {}
    for role, client in _clients().items():
        response = client.get(url, query)
        answers[role] = (response.status_code, "@example.org" in response.content.decode())

    assert answers == {
        role: (403, False) if role != "lead" else (200, True) for role in ROLES if role != "anonymous"
    } | {"anonymous": (302, False)}
