"""A programme set up from nothing in a browser, without the Django admin (issue 12's acceptance).

The database starts empty but for one programme lead's account. In Debian's chromium, through
Playwright, the lead signs in and sets up two-factor authentication (required by default), adds
a directorate, a programme and a cohort with a session, invites a colleague and makes them a
coach; the coach signs up from the invitation, starts a project, adds a measure and enters this
week's value, and sees it on the chart. No page under /admin/ is ever requested.
"""

import os
import re
from datetime import date, timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from coaching.models import CoachProfile
from coachprog.accounts.services import programme_lead_add, user_create
from coachprog.outbox.models import Message
from cohorts.models import Cohort, Programme, Session
from projects.models import DataPoint, Project

# Playwright's sync API runs an event loop in this thread; the test's database calls are synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a-long-and-unusual-passphrase-1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.no_saved_policy,  # a new site: two-factor is required of programme leads
    pytest.mark.django_db(transaction=True),
]


def _totp_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7 or 7)


def _invitation_link(address: str) -> str:
    """The sign-up link in the invitation e-mail to `address`, taken from its outbox row.

    Playwright's sync API runs this code in a greenlet, which Django's connection handling treats
    as a context of its own: the query opens a second connection, closed here so that none is
    left open when the test database is dropped.
    """
    try:
        text = Message.objects.get(to_address=address).text
    finally:
        connections.close_all()
    return re.search(r"https?://\S+(/people/invitations/accept/\S+/)", text)[1]


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_lead_sets_up_a_programme_and_a_coach_starts_a_project_without_the_admin(live_server):
    assert os.path.exists(CHROMIUM), f"Chromium is needed at {CHROMIUM} for the browser tests."
    lead = user_create(
        email="amina.yusuf@nhs.net", display_name="Amina Yusuf", password=PASSWORD, email_verified=True
    )
    programme_lead_add(user=lead)
    base = live_server.url
    today = timezone.localdate()
    requested = []

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            lead_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            lead_page.on("request", lambda r: requested.append(r.url))

            # 1. Signing in, the lead is asked to set up an authenticator app before anything else.
            _sign_in(lead_page, base, lead.email)
            lead_page.wait_for_url("**/accounts/reauthenticate/**")
            lead_page.get_by_label("Password").fill(PASSWORD)
            lead_page.get_by_role("button", name="Confirm").click()
            lead_page.wait_for_url("**/accounts/2fa/totp/activate/")
            secret = lead_page.locator("#authenticator_secret").input_value()
            lead_page.get_by_label("Authenticator code").fill(_totp_code(secret))
            lead_page.get_by_role("button", name="Activate").click()
            lead_page.wait_for_url(re.compile(r".*/accounts/2fa/(recovery-codes/)?$"))

            # 2. From the programme page: a directorate, then a programme.
            lead_page.goto(f"{base}/programme/")
            lead_page.get_by_role("link", name="Directorates and QI leads").click()
            lead_page.get_by_role("textbox", name=re.compile("^Name")).fill("Newham Community Health")
            lead_page.get_by_role("button", name="Add directorate").click()
            expect(lead_page.get_by_text("Newham Community Health").first).to_be_visible()

            lead_page.goto(f"{base}/programme/")
            lead_page.get_by_role("link", name="Programmes").first.click()
            lead_page.get_by_role("link", name="Add a programme").first.click()
            lead_page.get_by_role("textbox", name=re.compile("^Name")).fill("Improvement Coaching Programme")
            lead_page.get_by_label("Prerequisite courses").fill("Pocket QI")
            lead_page.get_by_role("button", name="Add programme").click()
            expect(lead_page.get_by_text("Improvement Coaching Programme").first).to_be_visible()

            # 3. A cohort, planned on the planner, with one workshop day.
            starts = _next_weekday(today + timedelta(days=30), 1)  # a Tuesday a month or so away
            lead_page.goto(f"{base}/programme/")
            lead_page.get_by_role("link", name="Plan a cohort").click()
            lead_page.get_by_label("Programme").select_option(label="Improvement Coaching Programme")
            lead_page.get_by_label("Number").fill("1")
            lead_page.get_by_label("Starts on").fill(starts.isoformat())
            lead_page.get_by_label("Ends on").fill((starts + timedelta(days=150)).isoformat())
            lead_page.get_by_label("Capacity").fill("16")
            lead_page.get_by_role("button", name="Create cohort").click()
            lead_page.wait_for_url("**/planner/")
            session_form = lead_page.locator("form", has=lead_page.get_by_label("Start time"))
            session_form.get_by_label("Kind").select_option(label="Workshop day")
            session_form.get_by_label("Title").fill("Workshop Day 1")
            session_form.get_by_label("Date").fill(_next_weekday(starts, 2).isoformat())
            session_form.get_by_label("Start time").fill("09:00")
            session_form.get_by_label("End time").fill("17:00")
            session_form.get_by_label("Venue", exact=True).fill("Trust headquarters")
            session_form.get_by_role("button", name="Add session").click()
            expect(lead_page.get_by_text("Workshop Day 1").first).to_be_visible()

            # 4. The lead invites a colleague, who signs up from the e-mailed link.
            lead_page.goto(f"{base}/programme/")
            lead_page.get_by_role("link", name="Invite people").click()
            lead_page.get_by_label("E-mail address").fill("tom.okafor@nhs.net")
            lead_page.get_by_role("button", name="Send invitation").click()
            expect(lead_page.get_by_text("tom.okafor@nhs.net").first).to_be_visible()
            link = _invitation_link("tom.okafor@nhs.net")

            coach_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            coach_page.on("request", lambda r: requested.append(r.url))
            coach_page.goto(base + link)
            coach_page.wait_for_url("**/accounts/signup/**")
            coach_page.locator("#id_password1").fill(PASSWORD)
            coach_page.get_by_label("Password (again)").fill(PASSWORD)
            coach_page.get_by_role("button", name="Sign Up").click()
            coach_page.wait_for_url(re.compile(rf"^{re.escape(base)}/(?!accounts/signup).*"))

            # 5. The lead finds them on the people page and makes them a coach.
            lead_page.goto(f"{base}/programme/")
            lead_page.get_by_role("link", name="People and coaches").click()
            lead_page.get_by_role("searchbox").fill("tom.okafor")
            lead_page.get_by_role("button", name="Search").click()
            lead_page.get_by_role("link", name=re.compile("tom.okafor@nhs.net|Tom")).first.click()
            lead_page.get_by_role("link", name="Make coach").click()
            lead_page.get_by_label("Hours a week").fill("4")
            lead_page.get_by_role("button", name="Make coach").click()
            expect(lead_page.get_by_text("Coach", exact=True).first).to_be_visible()

            # 6. The coach starts a project, adds a measure and enters this week's value.
            coach_page.goto(f"{base}/projects/")
            coach_page.get_by_role("link", name="Start a project").first.click()
            coach_page.get_by_label("Title").fill("Fewer falls on Ward 3")
            coach_page.get_by_label("Directorate").select_option(label="Newham Community Health")
            coach_page.get_by_label("Sponsor").fill("amina.yusuf@nhs.net")
            coach_page.get_by_label("Aim: what will improve, for whom").fill("Reduce falls among inpatients")
            coach_page.get_by_label("Aim: how much").fill("by 30%")
            coach_page.get_by_label("Aim: by when").fill((today + timedelta(days=365)).isoformat())
            coach_page.get_by_role("button", name="Start the project").click()
            coach_page.wait_for_url(re.compile(r".*/projects/\d+/$"))
            coach_page.get_by_role("link", name="Add a measure").click()
            coach_page.get_by_label("Name").fill("Falls per week")
            coach_page.get_by_label("Kind").select_option(label="Outcome")
            coach_page.get_by_label("Operational definition").fill(
                "Falls recorded on Datix for Ward 3, by week."
            )
            coach_page.get_by_label("Better direction").select_option(label="Lower is better")
            coach_page.get_by_role("button", name="Add the measure").click()
            coach_page.wait_for_url(re.compile(r".*/projects/\d+/measures/\d+/$"))
            coach_page.get_by_label(re.compile("^Value")).fill("7")
            coach_page.get_by_role("button", name="Add", exact=True).click()
            expect(coach_page.get_by_text("7", exact=True).first).to_be_visible()
        finally:
            browser.close()

    # What the pages did, as the database sees it; and not one request went to the admin.
    assert not [url for url in requested if "/admin/" in url]
    programme = Programme.objects.get()
    cohort = Cohort.objects.get(programme=programme)
    assert (programme.name, programme.prerequisite_courses) == (
        "Improvement Coaching Programme",
        ["Pocket QI"],
    )
    assert (cohort.number, cohort.capacity) == (1, 16)
    assert list(Session.objects.filter(cohort=cohort).values_list("title", flat=True)) == ["Workshop Day 1"]
    coach = CoachProfile.objects.get().coach
    assert coach.email == "tom.okafor@nhs.net"
    project = Project.objects.get()
    assert (project.title, project.directorate.name, project.sponsor) == (
        "Fewer falls on Ward 3",
        "Newham Community Health",
        lead,
    )
    assert list(project.assignments.values_list("coach", flat=True)) == [coach.pk]
    point = DataPoint.objects.get(measure__project=project)
    assert (point.value, point.period, point.recorded_by) == (
        7,
        today - timedelta(days=today.weekday()),
        coach,
    )
