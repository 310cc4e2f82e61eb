"""Importing many periods of data: read and check every row first, then store all or nothing."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from projects.imports import ImportFileError, ImportRow, read_text, read_upload
from projects.models import DataPoint, Measure
from projects.services import data_points_import
from tests.factories import DataPointFactory, MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db


def _weeks(n: int, start: date = date(2025, 1, 6)) -> list[str]:
    return [date.fromordinal(start.toordinal() + 7 * i).isoformat() for i in range(n)]


TEN_YEARS_AGO = date(2015, 1, 5)  # 500 weeks from here end before today


def test_read_text_takes_values_in_several_date_styles():
    measure = MeasureFactory()

    result = read_text(
        measure, 'Week starting,Value,Note\n2025-03-03,12\n10/03/2025,13.5,new rota\n17 Mar 2025,"1,200"\n'
    )

    assert result.errors == []
    assert [(r.line, r.period, r.value, r.note) for r in result.rows] == [
        (2, date(2025, 3, 3), Decimal("12"), ""),
        (3, date(2025, 3, 10), Decimal("13.5"), "new rota"),
        (4, date(2025, 3, 17), Decimal("1200"), ""),
    ]


def test_read_text_accepts_tab_separated_rows_pasted_from_a_spreadsheet():
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION, frequency=Measure.Frequency.MONTHLY)

    result = read_text(measure, "Month\tNumerator\tDenominator\nMar 2025\t30\t40\nApr 2025\t35\t41\n")

    assert result.errors == []
    assert [(r.period, r.numerator, r.denominator) for r in result.rows] == [
        (date(2025, 3, 1), 30, 40),
        (date(2025, 4, 1), 35, 41),
    ]


def test_read_text_names_every_bad_row_and_why():
    measure = MeasureFactory()
    text = "period,value\n2025-03-03,12\nsoon,13\n2025-03-17,lots\n2025-03-03,14\n2025-03-31,1.23456\n"

    result = read_text(measure, text)

    assert [str(e) for e in result.errors] == [
        "Row 3: “soon” is not a date (use e.g. 2025-03-03 or 3 Mar 2025).",
        "Row 4: the value “lots” is not a number.",
        "Row 5: 3 Mar 2025 is already on row 2.",
        "Row 6: the value has more than 4 decimal places.",
    ]
    assert [r.line for r in result.rows] == [2]
    assert not result.ok


def test_read_text_checks_proportions():
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)

    result = read_text(
        measure, "period,numerator,denominator\n2025-03-03,5,0\n2025-03-10,9,8\n2025-03-17,-1,8\n"
    )

    assert [str(e) for e in result.errors] == [
        "Row 2: the denominator must be above 0.",
        "Row 3: the numerator (9) cannot be larger than the denominator (8).",
        "Row 4: the numerator “-1” is not a whole number of 0 or more.",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "There is nothing to import."),
        (
            "when,how many\n2025-03-03,4\n",
            "The first row must name the columns (period, value, note (optional)); missing: period, value.",
        ),
        ("period,value\n", "The file has a header but no data rows."),
    ],
)
def test_read_text_refuses_unreadable_input_with_a_reason(text, message):
    with pytest.raises(ImportFileError) as error:
        read_text(MeasureFactory(), text)

    assert str(error.value) == message


def test_read_upload_reads_the_first_sheet_of_an_excel_file():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Period", "Value"])
    sheet.append([date(2025, 3, 3), 12])
    sheet.append(["10 Mar 2025", 13.25])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = read_upload(MeasureFactory(), "data.xlsx", buffer.getvalue())

    assert [(r.period, r.value) for r in result.rows] == [
        (date(2025, 3, 3), Decimal("12")),
        (date(2025, 3, 10), Decimal("13.25")),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.pdf", b"%PDF", "Upload a .csv or an Excel .xlsx file."),
        ("data.xlsx", b"not a workbook", "The file could not be read as an Excel workbook (.xlsx)."),
        (
            "data.csv",
            "period,value\n2025-03-03,1\n".encode("utf-16"),
            "The file is not UTF-8 text; save it from Excel as “CSV UTF-8”.",
        ),
        ("data.csv", b"x" * (2 * 1024 * 1024 + 1), "The file is larger than 2 MB."),
    ],
)
def test_read_upload_refuses_files_it_cannot_read(name, content, message):
    with pytest.raises(ImportFileError) as error:
        read_upload(MeasureFactory(), name, content)

    assert str(error.value) == message


# --- Bounds: every accepted row can be stored, and no input is too big to read ------------------


def test_read_text_names_periods_after_today_or_outside_1900_to_2100(time_machine):
    time_machine.move_to(date(2025, 3, 14), tick=False)
    measure = MeasureFactory()
    text = "period,value\n2025-03-10,1\n2025-03-17,2\n0001-01-01,3\n31/12/9999,4\n"

    result = read_text(measure, text)

    assert [r.period for r in result.rows] == [date(2025, 3, 10)]
    assert [str(e) for e in result.errors] == [
        "Row 3: the week from 17 Mar 2025 has not started yet (today is 14 Mar 2025): record this week "
        "(from 10 Mar 2025) or an earlier one.",
        "Row 4: a period must be in the years 1900 to 2100; 1 Jan 0001 is not.",
        "Row 5: a period must be in the years 1900 to 2100; 31 Dec 9999 is not.",
    ]


def test_read_text_judges_values_by_the_digits_the_column_holds():
    measure = MeasureFactory()
    text = "period,value\n2025-03-03,1.50000\n2025-03-10,1e-1000000\n2025-03-17,NaN\n2025-03-24,1E+3\n"

    result = read_text(measure, text)

    assert [(r.period, str(r.value)) for r in result.rows] == [
        (date(2025, 3, 3), "1.5"),
        (date(2025, 3, 24), "1000"),
    ]
    assert [str(e) for e in result.errors] == [
        "Row 3: the value has more than 4 decimal places.",
        "Row 4: the value must be a finite number.",
    ]


def test_read_text_names_a_count_beyond_what_a_proportion_takes():
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)

    result = read_text(measure, "period,numerator,denominator\n2025-03-03,1,1e1000000\n2025-03-10,1.5,2\n")

    assert [str(e) for e in result.errors] == [
        "Row 2: the denominator must be at most 1,000,000,000.",
        "Row 3: the numerator “1.5” is not a whole number of 0 or more.",
    ]


def test_read_text_takes_rows_ended_by_a_lone_carriage_return():
    result = read_text(MeasureFactory(), "period,value\r2025-03-03,4\r2025-03-10,5\r")

    assert [(r.period, r.value) for r in result.rows] == [(date(2025, 3, 3), 4), (date(2025, 3, 10), 5)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "period,value\n2025-03-03,4\0\n",
            "The text holds NUL characters, so it is not rows from a spreadsheet or CSV.",
        ),
        (
            "period,value\n" + "2025-03-03,4\n" * 200_000,
            "The text is longer than 2,000,000 characters; a file can hold at most 5,000 rows of data.",
        ),
        (
            "period,value\n" + "".join(f"{p},4\n" for p in _weeks(5001, date(1925, 1, 5))),
            "A file can hold at most 5,000 rows of data.",
        ),
    ],
    ids=["NUL", "too long", "too many rows"],
)
def test_read_text_refuses_text_it_will_not_read_and_names_the_limit(text, message):
    with pytest.raises(ImportFileError) as refused:
        read_text(MeasureFactory(), text)

    assert str(refused.value) == message


def _xlsx(*cells: tuple[int, int, object]) -> bytes:
    workbook = Workbook()
    for row, column, value in cells:
        workbook.active.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_read_upload_refuses_a_sheet_that_runs_past_50000_rows():
    content = _xlsx((1, 1, "period"), (1, 2, "value"), (2, 1, "2025-03-03"), (2, 2, 4), (50_001, 1, "end"))

    with pytest.raises(ImportFileError) as refused:
        read_upload(MeasureFactory(), "weekly.xlsx", content)

    assert str(refused.value) == (
        "The sheet runs to more than 50,000 rows, counting empty ones; copy the data into a new workbook."
    )


def test_read_upload_reads_columns_a_to_z_only():
    content = _xlsx((1, 1, "period"), (1, 27, "value"), (2, 1, "2025-03-03"), (2, 27, 4))

    with pytest.raises(ImportFileError) as refused:
        read_upload(MeasureFactory(), "weekly.xlsx", content)

    assert str(refused.value) == (
        "The first row must name the columns (period, value, note (optional)); missing: value."
    )


def test_import_page_refuses_pasted_text_longer_than_it_reads(lead_client):
    measure = MeasureFactory()

    response = lead_client.post(
        f"/projects/{measure.project_id}/measures/{measure.pk}/data/import/",
        {"text": "period,value\n" + "x" * 2_000_000, "preview": "1"},
    )

    assert response.context["form"].errors == {
        "text": ["Ensure this value has at most 2000000 characters (it has 2000013)."]
    }


def test_import_stores_new_periods_and_replaces_the_values_its_preview_showed():
    measure = MeasureFactory()
    DataPointFactory(measure=measure, period=date(2025, 3, 3), value=Decimal("99"))
    rows = read_text(measure, "period,value\n2025-03-03,12\n2025-03-10,13\n").rows

    summary = data_points_import(
        measure=measure, rows=rows, recorded_by=UserFactory(), replaces={date(2025, 3, 3): "99"}
    )

    assert (summary.created, summary.updated) == (1, 1)
    assert list(measure.data_points.order_by("period").values_list("period", "value")) == [
        (date(2025, 3, 3), Decimal("12")),
        (date(2025, 3, 10), Decimal("13")),
    ]


def test_import_with_one_bad_row_among_500_stores_nothing():
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)
    rows = [
        ImportRow(line=i + 2, period=date.fromisoformat(p), numerator=3, denominator=4)
        for i, p in enumerate(_weeks(500, TEN_YEARS_AGO))
    ]
    rows[321] = ImportRow(
        line=323, period=rows[321].period, value=Decimal("7")
    )  # a plain value on a proportion

    with pytest.raises(ValidationError) as error:
        data_points_import(measure=measure, rows=rows, recorded_by=UserFactory())

    assert error.value.messages == [
        "Row 323: This measure is a proportion: give a numerator and a denominator."
    ]
    assert DataPoint.objects.filter(measure=measure).count() == 0


def test_import_page_previews_a_500_row_file_with_one_bad_row_and_stores_nothing(lead_client):
    measure = MeasureFactory()
    weeks = _weeks(500, TEN_YEARS_AGO)
    lines = [f"{p},{i}" for i, p in enumerate(weeks)]
    lines[250] = f"{weeks[250]},n/a"
    upload = io.BytesIO(("period,value\n" + "\n".join(lines)).encode())
    upload.name = "weekly.csv"
    url = f"/projects/{measure.project_id}/measures/{measure.pk}/data/import/"

    response = lead_client.post(url, {"file": upload, "preview": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 row cannot be imported" in page
    assert "Row 252: the value “n/a” is not a number." in page
    assert 'name="confirm"' not in page
    assert DataPoint.objects.filter(measure=measure).count() == 0


def test_import_page_preview_then_confirm_stores_the_rows(lead_client):
    measure = MeasureFactory()
    url = f"/projects/{measure.project_id}/measures/{measure.pk}/data/import/"

    preview = lead_client.post(url, {"text": "period\tvalue\n2025-03-03\t4\n2025-03-10\t5\n", "preview": "1"})
    signed = preview.context["signed_rows"]
    assert DataPoint.objects.filter(measure=measure).count() == 0

    response = lead_client.post(url, {"rows": signed, "confirm": "1"})

    assert response.status_code == 302
    assert response["Location"] == measure.get_absolute_url()
    assert list(measure.data_points.values_list("value", flat=True)) == [Decimal("4"), Decimal("5")]


def test_import_page_refuses_a_tampered_preview(lead_client):
    measure = MeasureFactory()
    url = f"/projects/{measure.project_id}/measures/{measure.pk}/data/import/"
    signed = lead_client.post(url, {"text": "period,value\n2025-03-03,4\n", "preview": "1"}).context[
        "signed_rows"
    ]

    response = lead_client.post(url, {"rows": signed[:-3] + "abc", "confirm": "1"}, follow=True)

    assert "That preview has expired or was changed" in response.content.decode()
    assert DataPoint.objects.filter(measure=measure).count() == 0


def test_export_gives_the_recorded_data_as_csv_and_excel(lead_client):
    measure = MeasureFactory(name="Wait")
    DataPointFactory(measure=measure, period=date(2025, 3, 3), value=Decimal("12.5"), note="=HYPERLINK(evil)")
    base = f"/projects/{measure.project_id}/measures/{measure.pk}/data/export/"

    csv_response = lead_client.get(base + "csv/")
    xlsx_response = lead_client.get(base + "xlsx/")

    assert csv_response.content.decode("utf-8-sig").splitlines() == [
        "period,value,note",
        "2025-03-03,12.5000,'=HYPERLINK(evil)",
    ]
    rows = list(load_workbook(io.BytesIO(xlsx_response.content)).active.iter_rows(values_only=True))
    assert rows == [("period", "value", "note"), (datetime(2025, 3, 3), 12.5, "'=HYPERLINK(evil)")]
    assert lead_client.get(base + "pdf/").status_code == 404


def test_quick_entry_records_the_next_period_from_the_project_page(lead_client):
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)
    page = lead_client.get(f"/projects/{measure.project_id}/")
    assert page.context["measures"][0].entry_form.initial["period"] is not None

    response = lead_client.post(
        f"/projects/{measure.project_id}/measures/{measure.pk}/data/add/",
        {"period": "2025-03-03", "numerator": "30", "denominator": "40", "note": "new rota"},
        follow=True,
    )

    point = measure.data_points.get()
    assert (point.period, point.numerator, point.denominator, point.note) == (
        date(2025, 3, 3),
        30,
        40,
        "new rota",
    )
    assert f"Recorded 30/40 for {measure} (3 Mar 2025)." in response.content.decode()


def test_quick_entry_explains_a_bad_value_and_stores_nothing(lead_client):
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)

    response = lead_client.post(
        f"/projects/{measure.project_id}/measures/{measure.pk}/data/add/",
        {"period": "2025-03-03", "numerator": "41", "denominator": "40"},
        follow=True,
    )

    assert (
        f"{measure}: Numerator: The numerator (41) cannot be larger than the denominator (40)."
        in response.content.decode()
    )
    assert not measure.data_points.exists()


def test_quick_entry_is_refused_to_a_sponsor_who_may_only_read(client):
    measure = MeasureFactory()
    client.force_login(measure.project.sponsor)

    response = client.post(
        f"/projects/{measure.project_id}/measures/{measure.pk}/data/add/",
        {"period": "2025-03-03", "value": "4"},
    )

    assert response.status_code == 403
    assert not measure.data_points.exists()


def test_next_period_follows_the_measures_frequency():
    from projects.views.data import next_period

    weekly = MeasureFactory(frequency=Measure.Frequency.WEEKLY)
    monthly = MeasureFactory(frequency=Measure.Frequency.MONTHLY)

    assert next_period(weekly, date(2025, 3, 3)) == date(2025, 3, 10)
    assert next_period(monthly, date(2025, 1, 1)) == date(2025, 2, 1)
    assert next_period(monthly, date(2025, 12, 1)) == date(2026, 1, 1)


def test_next_period_suggests_nothing_until_the_next_period_starts(time_machine):
    from projects.views.data import next_period

    time_machine.move_to(date(2025, 3, 14), tick=False)
    weekly = MeasureFactory(frequency=Measure.Frequency.WEEKLY)

    assert next_period(weekly, None) == date(2025, 3, 10)
    assert next_period(weekly, date(2025, 3, 3)) == date(2025, 3, 10)
    assert next_period(weekly, date(2025, 3, 10)) is None


def test_quick_entry_refuses_a_period_that_starts_after_today(lead_client, time_machine):
    time_machine.move_to(date(2025, 3, 14), tick=False)
    measure = MeasureFactory(name="Waiting days")

    response = lead_client.post(
        f"/projects/{measure.project_id}/measures/{measure.pk}/data/add/",
        {"period": "2025-03-17", "value": "4"},
        follow=True,
    )

    assert (
        "Waiting days: Period starting: The week from 17 Mar 2025 has not started yet (today is 14 Mar "
        "2025): record this week (from 10 Mar 2025) or an earlier one." in response.content.decode()
    )
    assert not measure.data_points.exists()


def test_adding_and_editing_a_measure_in_the_browser(lead_client):
    project = MeasureFactory().project
    fields = {
        "name": "Falls per 1,000 bed days",
        "kind": "outcome",
        "operational_definition": "Falls on Datix divided by occupied bed days, times 1,000.",
        "unit": "per 1,000 bed days",
        "better_direction": "down",
        "target": "",
        "frequency": "monthly",
        "value_type": "value",
        "chart": "spc",
        "run_rules": "anhoej",
    }

    created = lead_client.post(f"/projects/{project.pk}/measures/new/", fields)
    measure = Measure.objects.get(project=project, name="Falls per 1,000 bed days")
    lead_client.post(f"/projects/{project.pk}/measures/{measure.pk}/edit/", {**fields, "target": "4"})

    measure.refresh_from_db()
    assert created["Location"] == measure.get_absolute_url()
    assert (measure.chart, measure.frequency, measure.target) == ("spc", "monthly", Decimal("4"))


def test_a_measure_with_data_keeps_its_value_type(lead_client):
    measure = MeasureFactory(value_type=Measure.ValueType.VALUE)
    DataPointFactory(measure=measure)
    fields = {
        "name": measure.name,
        "kind": measure.kind,
        "operational_definition": "x",
        "unit": "",
        "better_direction": "up",
        "target": "",
        "frequency": "weekly",
        "value_type": "proportion",
        "chart": "run",
        "run_rules": "ihi",
    }

    response = lead_client.post(f"/projects/{measure.project_id}/measures/{measure.pk}/edit/", fields)

    assert response.context["form"].errors == {
        "value_type": ["This measure has data already, so it cannot switch between a value and a proportion."]
    }
    measure.refresh_from_db()
    assert measure.value_type == Measure.ValueType.VALUE


def test_a_proportions_target_must_be_a_fraction(lead_client):
    project = MeasureFactory().project
    fields = {
        "name": "Summaries on time",
        "kind": "process",
        "operational_definition": "x",
        "unit": "%",
        "better_direction": "up",
        "target": "90",
        "frequency": "weekly",
        "value_type": "proportion",
        "chart": "run",
        "run_rules": "anhoej",
    }

    response = lead_client.post(f"/projects/{project.pk}/measures/new/", fields)

    assert response.context["form"].errors == {
        "target": ["A proportion's target is a fraction from 0 to 1 (0.9 for 90%)."]
    }
    assert not Measure.objects.filter(name="Summaries on time").exists()
