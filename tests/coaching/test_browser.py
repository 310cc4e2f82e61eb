"""A coach on a phone (390×844) logs a team meeting in one form submission.

Drives Debian's chromium through Playwright; it fails, never skips, when chromium is missing.
"""

import os
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import sync_playwright

from coaching.models import MeetingLog
from tests.factories import (
    AssignmentFactory,
    CoachProfileFactory,
    MeetingLogFactory,
    NextStepFactory,
    ProjectFactory,
    TeamMembershipFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in this thread; the test's database calls are synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_coach_logs_a_meeting_on_a_phone_in_one_submission(live_server):
    coach = UserFactory(display_name="Tom Okafor")
    CoachProfileFactory(coach=coach)
    project = ProjectFactory(title="Timely discharge summaries")
    AssignmentFactory(coach=coach, project=project)
    asha = TeamMembershipFactory(project=project, person=UserFactory(display_name="Asha Patel")).person
    TeamMembershipFactory(project=project, person=UserFactory(display_name="Ben Carter"))
    earlier = MeetingLogFactory(coach=coach, project=project, met_on=timezone.localdate().replace(day=1))
    old_step = NextStepFactory(meeting=earlier, description="Agree the operational definition")
    signed_in = Client()
    signed_in.force_login(coach)
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    assert os.path.exists(CHROMIUM), f"Chromium is needed at {CHROMIUM} for the browser tests."

    posts = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            )
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
            page = context.new_page()
            page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

            page.goto(f"{live_server.url}/coaching/")
            page.get_by_role("link", name="Log a meeting with Timely discharge summaries").tap()
            page.wait_for_url(f"**/coaching/teams/{project.pk}/meetings/new/")
            # Phone-friendly: nothing sticks out sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390

            page.get_by_label("Duration (minutes)").fill("50")
            page.get_by_label("Online").check()
            page.get_by_label("Asha Patel").check()
            page.get_by_label("PDSA planning").check()
            page.get_by_label("The team's progress score now").select_option("2.5")
            page.get_by_label("Notes").fill("Planned PDSA 1 on the discharge checklist.")
            page.get_by_label("Agree the operational definition").check()
            page.get_by_role("button", name="Another next step").tap()
            page.locator("#id_steps-0-description").fill("Run PDSA 1 on ward 4")
            page.locator("#id_steps-0-owner").fill("Asha")
            page.locator("#id_steps-3-description").fill("Share the run chart")
            page.locator("#id_steps-3-owner").fill("Tom")
            page.get_by_role("button", name="Save the meeting").tap()
            page.wait_for_url(f"{live_server.url}/coaching/")
            assert "logged" in page.locator(".alert").first.inner_text()
        finally:
            browser.close()

    assert posts == [f"{live_server.url}/coaching/teams/{project.pk}/meetings/new/"]
    meeting = MeetingLog.objects.exclude(pk=earlier.pk).get()
    assert (meeting.met_on, meeting.duration_minutes, meeting.mode, meeting.progress_score) == (
        timezone.localdate(),
        50,
        "online",
        Decimal("2.5"),
    )
    assert list(meeting.attendees.all()) == [asha]
    assert list(meeting.focuses.values_list("name", flat=True)) == ["PDSA planning"]
    assert list(meeting.next_steps.order_by("pk").values_list("description", "owner")) == [
        ("Run PDSA 1 on ward 4", "Asha"),
        ("Share the run chart", "Tom"),
    ]
    old_step.refresh_from_db()
    assert old_step.done_on == timezone.localdate()
