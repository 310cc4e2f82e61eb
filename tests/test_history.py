"""Every change to the programme's records is kept, with who made it and when."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse

from cohorts.models import Session
from projects.imports import ImportRow
from projects.models import DataPoint
from projects.services import data_points_import
from tests.cohorts.test_planner import session_post
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    MeasureFactory,
    SessionFactory,
    SupervisionLogFactory,
    UserFactory,
    london,
)

pytestmark = pytest.mark.django_db


def test_a_lead_moving_a_session_keeps_the_old_time_and_names_the_lead(lead_client, programme_lead):
    session = SessionFactory()
    url = reverse("cohorts:planner_session_edit", args=[session.cohort_id, session.pk])

    lead_client.post(url, session_post(title=session.title, day="2025-10-08", start="10:00", end="16:00"))

    latest, original = Session.history.filter(id=session.pk).order_by("-history_date")[:2]
    assert (latest.history_type, latest.history_user, latest.sequence) == ("~", programme_lead, 1)
    assert (original.history_type, original.sequence) == ("+", 0)
    assert original.starts_at == session.starts_at
    assert latest.starts_at == london(date(2025, 10, 8), time(10))


def test_an_import_records_each_new_and_changed_point_in_the_history(db):
    measure = MeasureFactory()
    analyst = UserFactory()
    rows = [
        ImportRow(line=2, period=date(2026, 1, 5), value=Decimal("3")),
        ImportRow(line=3, period=date(2026, 1, 12), value=Decimal("4")),
    ]
    data_points_import(measure=measure, rows=rows, recorded_by=analyst)
    data_points_import(
        measure=measure,
        rows=[ImportRow(line=2, period=date(2026, 1, 5), value=Decimal("5"))],
        recorded_by=analyst,
        replaces={date(2026, 1, 5): "3"},  # the value the preview showed it replaces
    )

    history = DataPoint.history.filter(measure=measure).order_by("history_id")
    assert [(h.history_type, h.value, h.history_user) for h in history] == [
        ("+", 3, analyst),
        ("+", 4, analyst),
        ("~", 5, analyst),
    ]


# --- the history page a programme lead reads ---------------------------------------------------------


def test_lead_reads_who_moved_a_session_and_from_when_to_when(lead_client, programme_lead):
    session = SessionFactory(title="Workshop Day 1")
    url = reverse("cohorts:planner_session_edit", args=[session.cohort_id, session.pk])
    lead_client.post(url, session_post(title="Workshop Day 1", day="2025-10-08", start="10:00", end="16:00"))

    page = lead_client.get(reverse("object_history", args=["cohorts.session", session.pk]))

    assert page.status_code == 200
    newest, created = page.context["versions"]
    assert (newest.kind, newest.who, created.kind) == ("Changed", programme_lead, "Created")
    changed = {c.field: (c.old, c.new) for c in newest.changes}
    # Shown in UK time, as everywhere else in the app.
    assert changed["starts at"] == ("1 Oct 2025, 09:00", "8 Oct 2025, 10:00")
    assert changed["ends at"] == ("1 Oct 2025, 17:00", "8 Oct 2025, 16:00")


def test_history_names_linked_records_and_choices(lead_client):
    coach, other = UserFactory(display_name="Ann Coach"), UserFactory(display_name="Ben Coach")
    assignment = AssignmentFactory(coach=coach)
    assignment.coach, assignment.role = other, "second"
    assignment.save()

    newest = lead_client.get(reverse("object_history", args=["coaching.assignment", assignment.pk])).context[
        "versions"
    ][0]

    changed = {c.field: (c.old, c.new) for c in newest.changes}
    assert changed["coach"] == ("Ann Coach", "Ben Coach")
    assert changed["role"] == ("Lead coach", "Second coach")


def test_the_private_reflection_never_reaches_the_history_page(lead_client):
    log = SupervisionLogFactory(reflection="Only mine")
    log.reflection, log.themes = "Still only mine", "Pace of change"
    log.save()

    page = lead_client.get(
        reverse("object_history", args=["coaching.supervisionlog", log.pk])
    ).content.decode()

    assert "Pace of change" in page
    assert "only mine" not in page.lower()


@pytest.mark.parametrize(
    ("label", "pk"),
    [("coaching.meetingfocus", 1), ("accounts.user", 1), ("nope.nothing", 1), ("cohorts.session", 999)],
)
def test_history_of_untracked_or_missing_records_is_not_found(lead_client, label, pk):
    assert lead_client.get(reverse("object_history", args=[label, pk])).status_code == 404


def test_a_record_loaded_without_versions_says_nothing_was_recorded_rather_than_not_found(lead_client):
    session = SessionFactory()
    session.history.all().delete()  # as a bulk load (seed_scale, an import) leaves it

    page = lead_client.get(reverse("object_history", args=["cohorts.session", session.pk]))

    assert page.status_code == 200
    assert "No changes to this session have been recorded since it was added." in page.content.decode()


def test_history_is_for_programme_leads(client):
    session = SessionFactory()
    client.force_login(UserFactory())

    assert client.get(reverse("object_history", args=["cohorts.session", session.pk])).status_code == 403


def test_history_link_shows_only_to_programme_leads(lead_client, client):
    session = SessionFactory()
    link = reverse("object_history", args=["cohorts.session", session.pk])

    assert link in lead_client.get(session.get_absolute_url()).content.decode()
    participant = EnrolmentFactory(cohort=session.cohort).participant
    client.force_login(participant)
    assert link not in client.get(session.get_absolute_url()).content.decode()


@pytest.mark.parametrize("edits", [2, 12])
def test_history_page_queries_do_not_grow_with_versions(lead_client, edits, django_assert_max_num_queries):
    coaches = UserFactory.create_batch(3)
    assignment = AssignmentFactory(coach=coaches[0])
    for n in range(edits):
        assignment.coach = coaches[n % 3]
        assignment.end_reason = f"Edit {n}"
        assignment.save()

    with django_assert_max_num_queries(12):
        response = lead_client.get(reverse("object_history", args=["coaching.assignment", assignment.pk]))
    assert len(response.context["versions"]) == edits + 1
