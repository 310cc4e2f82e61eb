"""Every state change is a POST with a CSRF token.

The URL patterns come from the resolver, so a new view is covered the day it is added:
a POST without a token is refused with 403 on every URL (signed in or not), and a GET of
every URL, by a programme lead and by a coach, leaves every table as it was.
"""

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.sessions.models import Session as BrowserSession
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from projects.models import Project
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CohortFactory,
    DataPointFactory,
    DriverNodeFactory,
    EnrolmentFactory,
    MeasureFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    PDSACycleFactory,
    ProgrammeFactory,
    ProjectFactory,
    SessionFactory,
    SupervisionLogFactory,
)

# Views that accept a POST without a CSRF token on purpose, and why.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST to the link with no page and no cookie;
    # the signed token in the path is the key.
    "outbox:unsubscribe",
}

# Values for the URL patterns' placeholders: 1 for ids (the world below has an object with
# id 1 of each kind the URLs name), a known format, and a junk token.
PLACEHOLDERS = {"fmt": "csv", "token": "not-a-valid-token", "label": "cohorts.cohort"}


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(URL name, concrete path) for every pattern in the project."""
    found = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            found += _patterns(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: PLACEHOLDERS.get(m.group(1), "1"), pattern)
            path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)  # the admin's regex patterns
            path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
            if "(" not in path and "[" not in path:
                name = ":".join(filter(None, [namespace, entry.name or ""]))
                found.append((name, "/" + path))
    return found


PATTERNS = sorted(set(_patterns(get_resolver())))
# The admin has hundreds of URLs, all Django's own views; a sample of them is enough.
OURS = [(name, path) for name, path in PATTERNS if not path.startswith("/admin/")]
SAMPLE = OURS + [
    p for p in PATTERNS if p[1] in {"/admin/", "/admin/logout/", "/admin/accounts/user/1/change/"}
]


def test_enumeration_finds_write_urls_of_every_app():
    paths = {path for _, path in PATTERNS}

    for expected in [
        "/projects/1/measures/1/data/add/",
        "/coaching/supervision/new/",
        "/cohorts/1/planner/",
        "/people/invitations/new/",
        "/accounts/login/",
    ]:
        assert expected in paths


def _refused_for_csrf(response) -> bool:
    return response.status_code == 403 and b"CSRF verification failed" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), SAMPLE, ids=[path for _, path in SAMPLE])
def test_post_without_csrf_token_is_refused(programme_lead, name, path):
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(programme_lead)
    anonymous = Client(enforce_csrf_checks=True)

    as_lead = signed_in.post(path, {"anything": "1"})
    as_anonymous = anonymous.post(path, {"anything": "1"})

    if name in CSRF_EXEMPT:
        assert not _refused_for_csrf(as_anonymous), f"{name} is listed as exempt but is not"
    else:
        assert _refused_for_csrf(as_lead), (path, as_lead.status_code)
        assert _refused_for_csrf(as_anonymous), (path, as_anonymous.status_code)


def test_every_csrf_exemption_is_a_real_url():
    assert CSRF_EXEMPT - {name for name, _ in PATTERNS} == set()


@pytest.mark.django_db
def test_post_with_the_csrf_token_gets_through(programme_lead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(programme_lead)
    page = client.get("/people/access/")

    response = client.post(
        "/people/access/",
        {"csrfmiddlewaretoken": page.context["csrf_token"], "allowed_signup_domains": "nhs.net"},
    )

    assert response.status_code == 302


# --- GET never changes anything ------------------------------------------------------------------


@pytest.fixture
def world(programme_lead, coach, project_a):
    """One object with id 1 of each kind the URLs name, on a project the coach coaches."""
    # project_a itself may have id 1 (a fresh sequence); otherwise make project 1 the coach's too.
    project = Project.objects.filter(pk=1).first() or ProjectFactory(pk=1)
    if project != project_a:
        AssignmentFactory(coach=coach, project=project)
    cohort = CohortFactory(pk=1, programme=ProgrammeFactory(pk=1))
    session = SessionFactory(pk=1, cohort=cohort)
    enrolment = EnrolmentFactory(pk=1, cohort=cohort, participant=coach)
    AttendanceFactory(pk=1, session=session, enrolment=enrolment, recorded_by=programme_lead)
    measure = MeasureFactory(pk=1, project=project)
    DataPointFactory(pk=1, measure=measure, value=Decimal("30"), recorded_by=coach)
    DriverNodeFactory(pk=1, project=project)
    PDSACycleFactory(pk=1, project=project)
    MeetingLogFactory(pk=1, coach=coach, project=project)
    SupervisionLogFactory(pk=1, coach=coach)
    MonthlyUpdateFactory(pk=1, project=project, author=coach)
    return project


def _snapshot() -> dict[str, list[dict]]:
    """Every row of every table, except browser sessions (saved on every request by design)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model is not BrowserSession
    }


def _sign_in(client, user) -> None:
    # Real accounts have their address in allauth's table (allauth would add it on first sight).
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client.force_login(user)
    client.get("/")


def _paths_whose_get_changed_something(client) -> list[str]:
    changed = []
    for _, path in OURS:
        before = _snapshot()
        client.get(path)
        if _snapshot() != before:
            changed.append(path)
    return changed


@pytest.mark.django_db
def test_get_changes_nothing_for_a_programme_lead(client, programme_lead, world):
    _sign_in(client, programme_lead)
    # The world is really there: the lead's GETs reach objects, not a wall of 404s.
    assert client.get("/projects/1/measures/1/").status_code == 200
    assert client.get("/cohorts/1/sessions/1/").status_code == 200

    assert _paths_whose_get_changed_something(client) == []


@pytest.mark.django_db
def test_get_changes_nothing_for_a_coach(client, coach, world):
    _sign_in(client, coach)

    assert _paths_whose_get_changed_something(client) == []
