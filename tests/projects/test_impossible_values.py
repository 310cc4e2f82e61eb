"""The values that once broke pages or imports (issue 11, finding 3), each refused with a reason.

Before the fix each of these was a server error, or a worker's memory growing by hundreds
of megabytes: a data point for 31 Dec 9999 or 1 Jan 0001, a chart note after the last
point, a value of 1e1000000, a note of 131,073 characters, a small workbook holding a
150 MB cell. Now each is refused with a message naming the rule, and every page opens.
"""

import io
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from projects.imports import ImportFileError, read_upload
from projects.models import ChartNote, Measure
from tests.factories import DataPointFactory, MeasureFactory, MonthlyUpdateFactory, PDSACycleFactory
from tests.workbooks import MEGABYTE, workbook_with_a_long_cell

pytestmark = pytest.mark.django_db

CELL_TOO_LONG = (
    "Row 2 has a cell longer than 1,000 characters, more than any column takes (a note is at most 300)."
)


def _url(measure: Measure, action: str = "") -> str:
    return f"/projects/{measure.project_id}/measures/{measure.pk}/{action}"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _weekly_points(measure: Measure, values) -> None:
    for n, value in enumerate(values):
        DataPointFactory(measure=measure, period=date(2025, 1, 6) + timedelta(weeks=n), value=Decimal(value))


def test_a_period_in_9999_is_refused_and_the_project_page_opens_for_lead_coach_and_member(
    client, programme_lead, coach, team_member, project_a
):
    measure = MeasureFactory(project=project_a, name="Waiting days")
    _weekly_points(measure, [12, 14])
    client.force_login(team_member)

    response = client.post(_url(measure, "data/add/"), {"period": "9999-12-31", "value": "4"})
    pages = []
    for person in (programme_lead, coach, team_member):
        client.force_login(person)
        pages.append(client.get(f"/projects/{project_a.pk}/").status_code)

    assert _messages(response) == ["Waiting days: Period starting: Enter a date in the years 1900 to 2100."]
    assert measure.data_points.count() == 2
    assert pages == [200, 200, 200]


def test_a_point_and_a_chart_note_at_the_end_of_9999_are_refused_and_the_pages_open(
    client, coach, sponsor, project_a
):
    measure = MeasureFactory(project=project_a, name="Waiting days")
    _weekly_points(measure, [12, 14])
    draft = MonthlyUpdateFactory(project=project_a, author=coach, month=date(2025, 2, 1))
    report = MonthlyUpdateFactory(project=project_a, author=coach, month=date(2025, 1, 1), ready=True)
    client.force_login(coach)

    client.post(_url(measure, "data/add/"), {"period": "9999-12-27", "value": "4"})
    note = client.post(
        _url(measure, "notes/"), {"note-on": "9999-12-31", "note-text": "After the last point"}
    )
    pages = [
        client.get(_url(measure)).status_code,
        client.get(f"/coaching/updates/{draft.pk}/edit/").status_code,
    ]
    client.force_login(sponsor)
    pages.append(client.get(f"/coaching/updates/{report.pk}/").status_code)

    assert _messages(note) == [
        "Waiting days: Period starting: Enter a date in the years 1900 to 2100.",
        "The note was not added. Date: Enter a date in the years 1900 to 2100.",
    ]
    assert (measure.data_points.count(), ChartNote.objects.filter(measure=measure).count()) == (2, 0)
    assert pages == [200, 200, 200]


def test_a_period_in_year_1_is_refused_and_the_measure_and_monthly_update_pages_open(
    client, coach, project_a
):
    # A trend starting at the first point, after a linked PDSA cycle: the sentence looks 8 weeks back.
    measure = MeasureFactory(project=project_a, name="Waiting days", run_rules=Measure.RunRules.IHI)
    _weekly_points(measure, [2, 3, 4, 5, 6])
    PDSACycleFactory(project=project_a, starts_on=date(2024, 12, 2)).measures.add(measure)
    draft = MonthlyUpdateFactory(project=project_a, author=coach, month=date(2025, 2, 1))
    client.force_login(coach)

    response = client.post(_url(measure, "data/add/"), {"period": "0001-01-01", "value": "1"})
    pages = [
        client.get(_url(measure)).status_code,
        client.get(f"/coaching/updates/{draft.pk}/edit/").status_code,
    ]

    assert _messages(response) == ["Waiting days: Period starting: Enter a date in the years 1900 to 2100."]
    assert measure.data_points.count() == 5
    assert pages == [200, 200]


@pytest.mark.parametrize("value", ["1e1000000", "-1e999999999"])
def test_importing_a_huge_exponent_names_the_row_and_the_range(lead_client, value):
    measure = MeasureFactory()

    response = lead_client.post(
        _url(measure, "data/import/"), {"text": f"period,value\n2025-01-06,{value}\n", "preview": "1"}
    )

    assert response.status_code == 200
    assert [str(error) for error in response.context["preview"].errors] == [
        "Row 2: the value must be from -9,999,999,999.9999 to 9,999,999,999.9999."
    ]
    assert not measure.data_points.exists()


def test_importing_a_note_of_131073_characters_names_the_row_and_the_limit(lead_client):
    measure = MeasureFactory()
    upload = io.BytesIO(b"period,value,note\n2025-01-06,4," + b"x" * 131_073 + b"\n")
    upload.name = "weekly.csv"

    response = lead_client.post(_url(measure, "data/import/"), {"file": upload, "preview": "1"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [CELL_TOO_LONG]}
    assert not measure.data_points.exists()


def test_importing_a_small_workbook_with_a_150_mb_cell_is_refused_before_it_is_unzipped(lead_client):
    measure = MeasureFactory()
    content = workbook_with_a_long_cell(150 * MEGABYTE)
    assert len(content) < 2 * MEGABYTE  # under the upload limit
    upload = io.BytesIO(content)
    upload.name = "weekly.xlsx"
    assert lead_client.get(_url(measure, "data/import/")).status_code == 200  # the lead opens the page

    tracemalloc.start()
    try:
        response = lead_client.post(_url(measure, "data/import/"), {"file": upload, "preview": "1"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "The workbook unzips to more than 10 MB, the most an import reads; copy the data columns into a "
            "new workbook, or save them as CSV."
        ]
    }
    assert peak < 5 * MEGABYTE  # the request and the page: the cell was never unzipped


def test_reading_a_workbook_with_a_long_cell_names_the_row_and_the_limit():
    content = workbook_with_a_long_cell(5000)

    with pytest.raises(ImportFileError) as refused:
        read_upload(MeasureFactory(), "weekly.xlsx", content)

    assert str(refused.value) == CELL_TOO_LONG
