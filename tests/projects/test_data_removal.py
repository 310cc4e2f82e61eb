"""Removing a wrong data point from the measure's page: confirm, then remove, with its history kept."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from projects.models import DataPoint, Measure
from projects.services import measure_baseline_freeze, measure_phase_add
from tests.factories import DataPointFactory, MeasureFactory, PDSACycleFactory
from tests.page_queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(project_a) -> Measure:
    """Six weekly points on project A from 3 Mar 2025, the last one 40 (a typing slip for 4)."""
    measure = MeasureFactory(project=project_a, name="Waiting days", unit="days")
    for n, value in enumerate([5, 4, 6, 5, 4, 40]):
        DataPointFactory(measure=measure, period=date(2025, 3, 3) + timedelta(weeks=n), value=Decimal(value))
    return measure


def _remove_url(point: DataPoint) -> str:
    return f"/projects/{point.measure.project_id}/measures/{point.measure_id}/data/{point.pk}/remove/"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_measure_page_links_each_point_to_its_removal_for_writers_only(
    client, team_member, sponsor, measure
):
    links = [f'href="{_remove_url(point)}"' for point in measure.data_points.order_by("period")]
    client.force_login(team_member)
    writer = client.get(measure.get_absolute_url()).content.decode()
    client.force_login(sponsor)
    reader = client.get(measure.get_absolute_url()).content.decode()

    assert [writer.count(link) for link in links] == [1, 1, 1, 1, 1, 1]
    assert [reader.count(link) for link in links] == [0, 0, 0, 0, 0, 0]


def test_a_writer_confirms_then_removes_a_point_and_its_history_keeps_it(client, team_member, measure):
    slip = measure.data_points.get(period=date(2025, 4, 7))
    client.force_login(team_member)

    confirm = client.get(_remove_url(slip))
    response = client.post(_remove_url(slip))

    assert confirm.status_code == 200
    assert "Remove the data point for 7 Apr 2025?" in confirm.content.decode()
    assert (response.status_code, response["Location"]) == (302, measure.get_absolute_url() + "#data-heading")
    assert _messages(response) == ["Removed 40 for 7 Apr 2025 from Waiting days; its history keeps it."]
    assert list(measure.data_points.values_list("value", flat=True)) == [Decimal(v) for v in (5, 4, 6, 5, 4)]
    removal = DataPoint.history.filter(measure=measure, history_type="-").get()
    assert (removal.period, removal.value, removal.history_user) == (
        date(2025, 4, 7),
        Decimal("40"),
        team_member,
    )


def test_a_point_where_a_phase_starts_stays_and_the_page_says_why(client, team_member, measure):
    point = measure.data_points.get(period=date(2025, 3, 24))
    measure_phase_add(measure=measure, starts_on=point.period, reason="New rota", created_by=team_member)
    client.force_login(team_member)

    confirm = client.get(_remove_url(point)).content.decode()
    response = client.post(_remove_url(point))

    assert "A new phase starts at this point (“New rota”), so it cannot be removed yet" in confirm
    assert "Remove the data point</button>" not in confirm
    assert _messages(response) == [
        "The data point was not removed. A new phase starts at 24 Mar 2025; remove the phase first, under "
        "Chart decisions, then the data point."
    ]
    assert measure.data_points.count() == 6


def test_the_removal_page_says_when_the_point_is_in_the_frozen_baseline(client, team_member, measure):
    measure_baseline_freeze(measure=measure, points=4, reason="Stable weeks", set_by=team_member)
    inside, outside = measure.data_points.order_by("period")[3], measure.data_points.order_by("period")[4]
    client.force_login(team_member)

    pages = [client.get(_remove_url(point)).content.decode() for point in (inside, outside)]

    warning = "This point is in the frozen baseline of the first 4 points"
    assert [warning in page for page in pages] == [True, False]


def test_a_sponsor_who_may_only_read_cannot_remove_a_point(client, sponsor, measure):
    point = measure.data_points.first()
    client.force_login(sponsor)

    answers = [client.get(_remove_url(point)).status_code, client.post(_remove_url(point)).status_code]

    assert answers == [403, 403]
    assert measure.data_points.count() == 6


def test_a_point_of_another_measure_is_not_found(client, team_member, measure, project_a):
    elsewhere = DataPointFactory(measure=MeasureFactory(project=project_a))
    client.force_login(team_member)
    url = f"/projects/{project_a.pk}/measures/{measure.pk}/data/{elsewhere.pk}/remove/"

    answers = [client.get(url).status_code, client.post(url).status_code]

    assert answers == [404, 404]
    assert DataPoint.objects.filter(pk=elsewhere.pk).exists()


def test_the_removal_page_queries_do_not_grow_with_the_data(client, team_member, measure):
    client.force_login(team_member)
    path = _remove_url(measure.data_points.order_by("period").first())

    weeks = iter(range(1, 100))

    def grow():
        DataPointFactory(measure=measure, period=date(2025, 4, 7) + timedelta(weeks=next(weeks)))
        PDSACycleFactory(project=measure.project, starts_on=date(2025, 3, 3)).measures.add(measure)

    assert_queries_do_not_grow(client, path, grow)
