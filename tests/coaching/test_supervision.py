"""Supervision logs: the coach records them, the supervisor reads them and adds a note, and the
private reflection never reaches anyone else's screen."""

import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone

from coaching.models import SupervisionLog
from coaching.services import supervision_log_create
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    NextStepFactory,
    SessionFactory,
    SupervisionLogFactory,
)

pytestmark = pytest.mark.django_db

PRIVATE = "PRIVATE-REFLECTION-never-shown-7f3a"
SHARED = "SHARED-REFLECTION-for-the-supervisor-2b9c"


def _form(**overrides) -> dict:
    return {
        "held_on": timezone.localdate().isoformat(),
        "kind": "one_to_one",
        "themes": "Holding back when the team goes quiet.",
        "will_try": "Wait ten seconds before speaking.",
        "reflection": PRIVATE,
    } | overrides


def test_a_coach_logs_supervision_with_their_supervisor_preselected(coach_client, coach, qi_lead):
    page = coach_client.get("/coaching/supervision/new/")
    assert page.context["form"].initial["supervisor"] == qi_lead

    response = coach_client.post("/coaching/supervision/new/", _form(supervisor=qi_lead.email))

    log = SupervisionLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/coaching/supervision/{log.pk}/"
    assert (log.coach, log.supervisor, log.kind, log.reflection, log.reflection_shared) == (
        coach,
        qi_lead,
        "one_to_one",
        PRIVATE,
        False,
    )


def test_supervision_in_the_future_is_refused_on_the_date(coach_client):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = coach_client.post("/coaching/supervision/new/", _form(held_on=tomorrow))

    assert response.context["form"].errors["held_on"] == [
        "Supervision cannot be logged for a date in the future."
    ]
    assert SupervisionLog.objects.count() == 0


def test_the_coach_edits_their_log_and_the_history_keeps_the_themes_but_never_the_reflection(
    coach_client, coach, qi_lead
):
    log = supervision_log_create(
        coach=coach, held_on=timezone.localdate(), supervisor=qi_lead, themes="Old themes", reflection=PRIVATE
    )

    response = coach_client.post(
        f"/coaching/supervision/{log.pk}/edit/", _form(themes="New themes", supervisor=qi_lead.email)
    )

    assert response.status_code == 302
    log.refresh_from_db()
    assert log.themes == "New themes"
    assert list(log.history.order_by("history_date").values_list("themes", flat=True)) == [
        "Old themes",
        "New themes",
    ]
    assert not hasattr(log.history.model, "reflection") or "reflection" not in [
        f.name for f in log.history.model._meta.fields
    ]


def test_the_supervisor_reads_the_log_without_the_private_reflection_and_adds_a_note(
    qi_lead_client, coach, qi_lead
):
    log = SupervisionLogFactory(coach=coach, supervisor=qi_lead, reflection=PRIVATE)

    page = qi_lead_client.get(f"/coaching/supervision/{log.pk}/")
    assert page.status_code == 200
    assert "Handling a stuck team." in page.content.decode()
    assert PRIVATE not in page.content.decode()

    response = qi_lead_client.post(
        f"/coaching/supervision/{log.pk}/note/", {"supervisor_note": "Good progress."}
    )

    assert response.status_code == 302
    log.refresh_from_db()
    assert log.supervisor_note == "Good progress."
    assert log.reflection == PRIVATE


def test_a_shared_reflection_is_shown_to_the_supervisor(qi_lead_client, coach, qi_lead):
    log = SupervisionLogFactory(coach=coach, supervisor=qi_lead, reflection=SHARED, reflection_shared=True)

    assert SHARED in qi_lead_client.get(f"/coaching/supervision/{log.pk}/").content.decode()


def test_the_qi_lead_lists_their_supervisees_logs(qi_lead_client, coach, qi_lead, other_coach):
    mine = SupervisionLogFactory(coach=coach, supervisor=qi_lead)
    SupervisionLogFactory(coach=other_coach)

    response = qi_lead_client.get("/coaching/supervision/")

    assert list(response.context["logs"]) == [mine]


@pytest.mark.parametrize("role", ["coach", "sponsor", "programme_lead"])
def test_only_the_supervisor_adds_a_note(request, role, client, coach, qi_lead):
    log = SupervisionLogFactory(coach=coach, supervisor=qi_lead)
    client.force_login(request.getfixturevalue(role))

    response = client.post(f"/coaching/supervision/{log.pk}/note/", {"supervisor_note": "Sneaky."})

    assert response.status_code in {403, 404}
    log.refresh_from_db()
    assert log.supervisor_note == ""


def test_a_coach_cannot_open_another_coachs_supervision(client, coach, other_coach):
    log = SupervisionLogFactory(coach=other_coach)
    client.force_login(coach)

    assert client.get(f"/coaching/supervision/{log.pk}/").status_code == 404
    assert client.get(f"/coaching/supervision/{log.pk}/edit/").status_code == 404


# --- the private reflection, across every page another person can reach -----------------------

LINK = re.compile(r'href="([^"#]+)"')
SKIP = ("/static/", "/accounts/logout/", "/admin/")


def _crawl(client, start: str = "/", limit: int = 300) -> dict[str, str]:
    """Every page reachable by following links from `start`, as {path: body}.

    A few query-string variants per path are enough (calendars link month after month forever).
    """
    seen: dict[str, str] = {}
    variants: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        target = queue.pop(0)
        if target in seen:
            continue
        response = client.get(target, follow=True)
        body = response.content.decode("utf-8", errors="replace")
        seen[target] = body
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for href in LINK.findall(body):
            url = urlsplit(urljoin(target, href.replace("&amp;", "&")))
            if (url.netloc and url.netloc != "testserver") or url.path.startswith(SKIP):
                continue
            link = url.path + (f"?{url.query}" if url.query else "")
            if link in seen or link in queue:
                continue
            if url.query:
                if variants.get(url.path, 0) >= 3:
                    continue
                variants[url.path] = variants.get(url.path, 0) + 1
            queue.append(link)
    assert not queue, f"The crawl stopped at {limit} pages with {len(queue)} left"
    return seen


@pytest.fixture
def everything_around_the_coach(coach, qi_lead, project_a, team_member, sponsor):
    """Supervision logs with private and shared reflections, and the coaching records around them."""
    today = timezone.localdate()
    SupervisionLogFactory(coach=coach, supervisor=qi_lead, reflection=PRIVATE, held_on=today)
    SupervisionLogFactory(coach=coach, supervisor=qi_lead, reflection=SHARED, reflection_shared=True)
    SupervisionLogFactory(
        coach=coach, supervisor=None, kind="trust_wide", reflection=PRIVATE, held_on=today - timedelta(days=3)
    )
    meeting = MeetingLogFactory(coach=coach, project=project_a, met_on=today - timedelta(days=2))
    NextStepFactory(meeting=meeting)
    MonthlyUpdateFactory(project=project_a, author=coach, ready=True)
    cohort = CohortFactory(starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60))
    EnrolmentFactory(cohort=cohort, participant=coach)
    SessionFactory(cohort=cohort)


@pytest.mark.parametrize("role", ["qi_lead", "sponsor", "programme_lead", "team_member", "other_coach"])
def test_the_private_reflection_never_appears_on_any_page_another_person_can_reach(
    request, role, client, everything_around_the_coach
):
    client.force_login(request.getfixturevalue(role))

    pages = _crawl(client)

    assert len(pages) > 3, pages.keys()  # the crawl really went somewhere
    leaks = [path for path, body in pages.items() if PRIVATE in body]
    assert leaks == []
    if role != "qi_lead":
        assert [path for path, body in pages.items() if SHARED in body] == []


def test_the_crawl_would_find_the_reflection_on_the_coachs_own_pages(
    client, coach, everything_around_the_coach
):
    client.force_login(coach)

    pages = _crawl(client)

    assert any(PRIVATE in body for body in pages.values())


def test_the_supervisor_reaches_the_shared_reflection_only(client, qi_lead, everything_around_the_coach):
    client.force_login(qi_lead)

    pages = _crawl(client)

    assert any(SHARED in body for body in pages.values())
