"""Every page needs a login except an explicit, short list of public views."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Public by design: sign-in and sign-up flow pages (allauth), the health check, the private
# calendar feed that calendar apps fetch without a session, and a line manager's approval page
# (each of the last two authorised by its signed or secret token alone), and an e-mail's
# signed one-click unsubscribe link, and an invitation's signed link (it only opens sign-up for
# the invited address), and a cohort's calendar link, which its leads share and calendar apps
# fetch without a session (its secret token alone authorises it).
PUBLIC_PREFIXES = (
    "/accounts/",
    "/healthz",
    "/cohorts/calendar/1.ics",
    "/cohorts/calendar/cohort/1.ics",
    "/cohorts/applications/manager/",
    "/notifications/unsubscribe/",
    "/people/invitations/accept/",
)


def _all_paths(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every URL pattern in the project as a concrete path (placeholders filled with 1)."""
    paths = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            paths += _all_paths(entry, pattern)
        elif isinstance(entry, URLPattern):
            path = re.sub(r"<(?:\w+:)?\w+>", "1", pattern)
            path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)  # regex patterns (admin)
            path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
            if "(" not in path and "[" not in path:
                paths.append("/" + path)
    return paths


PATHS = sorted(set(_all_paths(get_resolver())))
PRIVATE = [p for p in PATHS if not p.startswith(PUBLIC_PREFIXES) and not p.startswith("/admin/")]


def test_url_enumeration_finds_the_apps_pages():
    for expected in [
        "/",
        "/programme/",
        "/coaching/",
        "/projects/",
        "/projects/1/",
        "/cohorts/1/sessions/1/",
    ]:
        assert expected in PRIVATE


@pytest.mark.django_db
@pytest.mark.parametrize("path", PRIVATE)
def test_private_page_redirects_anonymous_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_admin_sends_anonymous_to_a_login_page(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_sign_in_flow_pages_are_public(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_healthz_answers_without_login_after_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")
