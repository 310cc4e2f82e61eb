"""Reading an import, as a property: whatever text, file or table goes in, the answer is an
ImportResult or an ImportFileError (a reason for the person), never another exception; and
every row the reader accepts can be stored, so confirming a preview never fails.

Hypothesis writes the inputs: tables of likely and unlikely cells (dates from year 1 to 9999,
huge exponents, NaN, long and odd text) as CSV, tab- and semicolon-separated text, Excel
workbooks and random bytes. The examples are derandomised, so every run tries the same ones.
"""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from coachprog.bounds import date_in_range
from projects.imports import (
    MAX_NOTE_CHARS,
    ImportFileError,
    ImportResult,
    read_table,
    read_text,
    read_upload,
)
from projects.models import DataPoint, Measure
from projects.services import data_points_import
from tests.factories import MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

HEADERS = ["period", "Week starting", "month", "value", "numerator", "denominator", "note", "when", ""]
ODD = [
    "1e1000000",
    "-1e999999999",
    "1e-1000000",
    "0E-1000000000",
    "NaN",
    "sNaN",
    "-Infinity",
    "1,200",
    "12%",
    "1.50000",
    "9999999999.9999",
    "10000000000",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2101-01-01",
    "31/12/9999",
    "29/02/2023",
    "Dec 9999",
    "99/99",
    '"',
    "'",
    "\r",
    "\t",
    ";",
    "x" * 301,
    "x" * 1001,
    "😀" * 40,
]
RECENT = st.dates(date(2020, 1, 1), date(2025, 12, 31))
# What a person would type in each column (most of the time), and anything else.
LIKELY = {
    "period": st.one_of(RECENT.map(date.isoformat), RECENT.map(lambda d: f"{d:%d %b %Y}")),
    "value": st.one_of(st.integers(0, 50).map(str), st.decimals(0, 1000, places=2).map(str)),
    "numerator": st.integers(0, 30).map(str),
    "denominator": st.integers(20, 50).map(str),
    "note": st.sampled_from(["", "New rota", "Audit week"]),
}
LIKELY["Week starting"] = LIKELY["period"]
UNLIKELY = st.one_of(
    st.sampled_from(ODD + HEADERS),
    st.dates().map(date.isoformat),
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=True).map(str),
    st.text(max_size=12),
)
# What a workbook holds besides text: numbers and dates (its text has no control characters).
SHEET_UNLIKELY = st.one_of(
    st.none(),
    st.sampled_from([c for c in ODD if c.isprintable()]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
    RECENT,
)
COLUMNS = {
    Measure.ValueType.VALUE: ["period", "value", "note"],
    Measure.ValueType.PROPORTION: ["Week starting", "numerator", "denominator", "note"],
}


def _cell(name: str, unlikely):
    likely = LIKELY.get(name, unlikely)
    return st.sampled_from([likely, likely, likely, unlikely]).flatmap(lambda cells: cells)


def tables(value_type: str, unlikely=UNLIKELY):
    """A header (mostly the measure's columns, in any order), then rows mostly as wide as it."""
    header = st.one_of(st.permutations(COLUMNS[value_type]), st.lists(st.sampled_from(HEADERS), min_size=1))

    def body(names):
        row = st.one_of(st.tuples(*(_cell(name, unlikely) for name in names)).map(list), st.lists(unlikely))
        return st.lists(row, max_size=8).map(lambda rows: [list(names), *rows])

    return header.flatmap(body)


def texts(value_type: str):
    joined = st.builds(
        lambda table, sep, end: end.join(sep.join(map(str, row)) for row in table),
        tables(value_type),
        st.sampled_from([",", "\t", ";"]),
        st.sampled_from(["\n", "\r\n", "\r"]),
    )
    return st.one_of(joined, st.text(max_size=200))


def sheets(value_type: str):
    return tables(value_type, SHEET_UNLIKELY)


def _workbook(table) -> bytes:
    buffer = io.BytesIO()
    # openpyxl stamps the file with the time: the same table must give the same bytes.
    with time_machine.travel(datetime(2025, 1, 6, 9, tzinfo=UTC), tick=False):
        workbook = Workbook()
        for row in table:
            workbook.active.append(row)
        workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(params=[Measure.ValueType.VALUE, Measure.ValueType.PROPORTION])
def measure(request) -> Measure:
    return MeasureFactory(value_type=request.param)


@pytest.fixture
def recorder():
    return UserFactory()


def _read_and_store(measure: Measure, recorder, read) -> None:
    """Read; a file-level refusal is an answer too. Every accepted row must then store."""
    try:
        result = read()
    except ImportFileError:
        return
    assert isinstance(result, ImportResult)
    for row in result.rows:
        assert date_in_range(row.period)
        assert row.period <= date.today() + timedelta(days=1)  # the server's and London's dates may differ
        assert len(row.note) <= MAX_NOTE_CHARS
        assert "\0" not in row.note
    with transaction.atomic():
        summary = data_points_import(measure=measure, rows=result.rows, recorded_by=recorder)
        stored = DataPoint.objects.filter(measure=measure).count()
        transaction.set_rollback(True)
    assert (summary.created, stored) == (len(result.rows), len(result.rows))


@EXAMPLES
@given(data=st.data())
def test_any_pasted_text_gives_rows_that_store_or_a_reason(measure, recorder, data):
    text = data.draw(texts(measure.value_type))

    _read_and_store(measure, recorder, lambda: read_text(measure, text))


@EXAMPLES
@given(data=st.data())
def test_any_table_gives_rows_that_store_or_a_reason(measure, recorder, data):
    table = data.draw(st.one_of(tables(measure.value_type), sheets(measure.value_type)))

    _read_and_store(measure, recorder, lambda: read_table(measure, table))


@EXAMPLES
@given(data=st.data())
def test_any_workbook_gives_rows_that_store_or_a_reason(measure, recorder, data):
    content = _workbook(data.draw(sheets(measure.value_type)))

    _read_and_store(measure, recorder, lambda: read_upload(measure, "data.xlsx", content))


def _damaged(content: bytes):
    """The workbook with one byte changed or cut short there: a damaged upload."""
    return st.integers(0, len(content) - 1).flatmap(
        lambda at: st.sampled_from([content[:at], content[:at] + b"\xff" + content[at + 1 :]])
    )


@EXAMPLES
@given(data=st.data(), name=st.sampled_from(["data.csv", "data.xlsx", "data.txt", "DATA.XLSX", "data.pdf"]))
def test_any_uploaded_bytes_give_rows_that_store_or_a_reason(measure, recorder, data, name):
    content = data.draw(
        st.one_of(
            st.binary(max_size=3000),
            texts(measure.value_type).map(lambda text: text.encode()),
            sheets(measure.value_type).map(_workbook).flatmap(_damaged),
        )
    )

    _read_and_store(measure, recorder, lambda: read_upload(measure, name, content))
