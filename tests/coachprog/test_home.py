"""Each demo account signs in and lands on its role's start page."""

import pytest
from django.core import mail

from coaching.demo import DEMO_PASSWORD

# Where each demo account lands, and a heading its start page shows.
LANDINGS = [
    ("lead@example.org", "/programme/", "Programme overview"),
    ("coach@example.org", "/coaching/", "My teams"),
    ("coach2@example.org", "/coaching/", "My teams"),
    ("sponsor@example.org", "/sponsor/", "My sponsored projects"),
    ("sponsor2@example.org", "/sponsor/", "My sponsored projects"),
    ("member@example.org", "/projects/", "Projects"),
    ("qilead@example.org", "/coaching/supervisees/", "My supervisees"),
]


@pytest.mark.parametrize(("email", "landing", "heading"), LANDINGS)
def test_demo_account_signs_in_and_lands_on_its_role_home(client, demo_db, email, landing, heading):
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD}, follow=True)

    assert [url for url, _ in response.redirect_chain] == ["/", landing]
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()
    assert mail.outbox == []  # verified addresses: no confirmation e-mail is sent


def test_person_without_a_role_is_welcomed(client, db):
    from coachprog.accounts.services import user_create

    user = user_create(email="new@example.org", display_name="New Person", email_verified=True)
    client.force_login(user)

    response = client.get("/", follow=True)

    assert [url for url, _ in response.redirect_chain] == ["/welcome/"]
    assert "You do not have a role in a programme yet" in response.content.decode()


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("coach@example.org", "/programme/"),
        ("sponsor@example.org", "/coaching/"),
        ("member@example.org", "/sponsor/"),
        ("coach@example.org", "/coaching/supervisees/"),
    ],
)
def test_role_start_page_refuses_other_roles(client, demo_db, email, path):
    client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})

    assert client.get(path).status_code == 403


# The navigation each role sees, in order (a person with no role yet still finds the open cohorts).
NAVIGATION = [
    (
        "lead@example.org",
        ["Programme", "Projects", "Coaching", "People", "Cohorts", "Notifications", "Outbox"],
    ),
    ("qilead@example.org", ["My supervisees", "Projects", "Coaching", "People", "Cohorts", "Notifications"]),
    ("coach@example.org", ["My teams", "Projects", "Cohorts", "Notifications"]),
    ("sponsor@example.org", ["My sponsored projects", "Projects", "Cohorts", "Notifications"]),
    ("member@example.org", ["Projects", "Cohorts", "Notifications"]),
]


@pytest.mark.parametrize(("email", "labels"), NAVIGATION)
def test_each_role_sees_its_own_navigation(client, demo_db, email, labels):
    client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})

    items = client.get("/cohorts/").context["nav_items"]

    assert [item["label"] for item in items] == labels
    assert [item["label"] for item in items if item["active"]] == ["Cohorts"]


def test_a_person_without_a_role_is_pointed_to_the_open_cohorts(client, db):
    from coachprog.accounts.services import user_create

    client.force_login(user_create(email="new@example.org", display_name="New Person", email_verified=True))

    page = client.get("/welcome/")

    assert [item["label"] for item in page.context["nav_items"]] == ["Cohorts", "Notifications"]
    assert 'href="/cohorts/">see the cohorts open for applications</a>' in page.content.decode()
