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
from tests.factories import MeasureFactory, SessionFactory, UserFactory, london

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
    )

    history = DataPoint.history.filter(measure=measure).order_by("history_id")
    assert [(h.history_type, h.value, h.history_user) for h in history] == [
        ("+", 3, analyst),
        ("+", 4, analyst),
        ("~", 5, analyst),
    ]
