"""Reading many periods of a measure's data from pasted text, a CSV file or an Excel (.xlsx) file.

Reading never writes: it turns the input into rows and names every bad row and
why, by the rules every data point keeps (`projects.data_rules`: a period that fits
the measure's frequency and has started, a value in the measure's valid range, a
numerator no larger than its denominator). `projects.services.data_points_import`
applies the same rules again and stores the rows atomically, so a file with any bad
row imports nothing.

Whatever comes in, reading answers an `ImportResult` or an `ImportFileError` naming the
limit it broke, and every row it accepts can be stored. The input is bounded before it
is parsed: the text's length, each cell's length and the number of rows; for a workbook
also its unzipped size, read from the zip directory before openpyxl opens it (a small
upload can unzip to hundreds of megabytes), and the rows and columns read from its sheet.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from coachprog.bounds import (
    NOT_FINITE,
    TOO_LARGE,
    TOO_PRECISE,
    decimal_problem,
    decimal_range_text,
    fitted_decimal,
)
from projects.data_rules import value_problems
from projects.models import DataPoint, Measure
from projects.periods import period_problem, period_text

MAX_ROWS = 5000
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000  # pasted text; an upload is at most MAX_UPLOAD_BYTES
MAX_CELL_CHARS = 1000  # more than any column takes (a note is at most 300 characters)
MAX_UNZIPPED_BYTES = 10 * 1024 * 1024  # MAX_ROWS rows, each with a 300-character note, unzip to 2.2 MB
MAX_SHEET_ROWS = 50_000  # rows read from a sheet, empty ones included
MAX_COLUMNS = 26  # columns A to Z are read
MAX_NOTE_CHARS = DataPoint._meta.get_field("note").max_length
MAX_COUNT = 10**9  # a numerator or denominator, as the quick-entry form allows
VALUE_DIGITS = DataPoint._meta.get_field("value").max_digits
VALUE_PLACES = DataPoint._meta.get_field("value").decimal_places
NOT_A_WORKBOOK = "The file could not be read as an Excel workbook (.xlsx)."

PERIOD_HEADERS = {"period", "date", "week", "month", "day", "period starting", "week starting"}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y"]
MONTH_FORMATS = ["%b %Y", "%B %Y", "%Y-%m", "%m/%Y"]


class ImportFileError(ValueError):
    """The input as a whole cannot be read (wrong type, too big, no header)."""


@dataclass(frozen=True)
class ImportRow:
    line: int  # the row number a person sees in their spreadsheet (the header is row 1)
    period: date
    value: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "period": self.period.isoformat(),
            "value": None if self.value is None else str(self.value),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportRow":
        return cls(
            line=int(data["line"]),
            period=date.fromisoformat(data["period"]),
            value=None if data["value"] is None else Decimal(data["value"]),
            numerator=data["numerator"],
            denominator=data["denominator"],
            note=data["note"],
        )

    @property
    def display_value(self) -> str:
        return f"{self.numerator}/{self.denominator}" if self.value is None else f"{self.value.normalize():f}"


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Row {self.line}: {self.message}"


@dataclass
class ImportResult:
    rows: list[ImportRow]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def read_upload(measure: Measure, name: str, content: bytes) -> ImportResult:
    """Read an uploaded .csv or .xlsx file."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ImportFileError(f"The file is larger than {_megabytes(MAX_UPLOAD_BYTES)}.")
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return read_table(measure, _xlsx_rows(content))
    if lowered.endswith((".csv", ".txt")):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError("The file is not UTF-8 text; save it from Excel as “CSV UTF-8”.") from error
        return read_text(measure, text)
    raise ImportFileError("Upload a .csv or an Excel .xlsx file.")


def read_text(measure: Measure, text: str) -> ImportResult:
    """Read pasted text or CSV: comma-, tab- or semicolon-separated, with a header row."""
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFileError(
            f"The text is longer than {MAX_TEXT_CHARS:,} characters; a file can hold at most "
            f"{MAX_ROWS:,} rows of data."
        )
    if "\0" in text:
        raise ImportFileError("The text holds NUL characters, so it is not rows from a spreadsheet or CSV.")
    if not text.strip():
        raise ImportFileError("There is nothing to import.")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel_tab if "\t" in sample else csv.excel
    return read_table(measure, _csv_rows(text, dialect))


def _csv_rows(text: str, dialect) -> Iterator[list[str]]:
    # newline="": a lone carriage return (an old Mac line end) ends a row rather than breaking csv.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from reader
    except csv.Error as error:
        # csv refuses a field beyond its own limit (131,072 characters), far above ours.
        if "field limit" in str(error):
            raise ImportFileError(_cell_too_long(reader.line_num)) from error
        raise ImportFileError(f"Row {reader.line_num} could not be read as columns ({error}).") from error


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def _xlsx_rows(content: bytes) -> list[list]:
    """The first sheet's rows, once the zip directory shows the workbook unzips to a bounded size."""
    from openpyxl import load_workbook  # imported here: only uploads need it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except Exception as error:  # noqa: BLE001 - a damaged zip fails in many ways
        raise ImportFileError(NOT_A_WORKBOOK) from error
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ImportFileError(
            f"The workbook unzips to more than {_megabytes(MAX_UNZIPPED_BYTES)}, the most an import reads; "
            "copy the data columns into a new workbook, or save them as CSV."
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ImportFileError(NOT_A_WORKBOOK) from error
    try:
        return _within_limits(_sheet_rows(workbook.worksheets[0]))
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged sheet fails as it is read
        raise ImportFileError(NOT_A_WORKBOOK) from error
    finally:
        workbook.close()


def _sheet_rows(sheet) -> Iterator[tuple]:
    # Only columns A to Z: a sheet's stated size can pad every row to 16,384 cells.
    for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > MAX_SHEET_ROWS:
            raise ImportFileError(
                f"The sheet runs to more than {MAX_SHEET_ROWS:,} rows, counting empty ones; copy the data "
                "into a new workbook."
            )
        yield row


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def _cell_too_long(line: int) -> str:
    return (
        f"Row {line} has a cell longer than {MAX_CELL_CHARS:,} characters, more than any column takes "
        f"(a note is at most {MAX_NOTE_CHARS})."
    )


def _within_limits(rows: Iterable) -> list[list]:
    """The rows that are not empty, read one by one and refused as soon as a cell is too long or
    there are more rows than an import takes, before any value in them is read."""
    table: list[list] = []
    for raw in rows:
        row = list(raw)
        if len(table) > MAX_ROWS:  # the header and MAX_ROWS rows of data are already in
            if any(_text(cell) for cell in row):
                raise ImportFileError(f"A file can hold at most {MAX_ROWS:,} rows of data.")
            continue
        if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARS for cell in row):
            raise ImportFileError(_cell_too_long(len(table) + 1))
        if any(_text(cell) for cell in row):
            table.append(row)
    return table


def _columns(header: list) -> dict[str, int]:
    names = [_text(cell).lower() for cell in header]
    columns = {}
    for index, name in enumerate(names):
        if name in PERIOD_HEADERS and "period" not in columns:
            columns["period"] = index
        elif name in {"value", "numerator", "denominator", "note"} and name not in columns:
            columns[name] = index
    return columns


def read_table(measure: Measure, table: Iterable) -> ImportResult:
    """Validate every row of a table whose first row is a header; collect all errors."""
    table = _within_limits(table)
    if not table:
        raise ImportFileError("There is nothing to import.")
    columns = _columns(table[0])
    proportion = measure.value_type == Measure.ValueType.PROPORTION
    needed = ["period", "numerator", "denominator"] if proportion else ["period", "value"]
    missing = [name for name in needed if name not in columns]
    if missing:
        expected = ", ".join(needed + ["note (optional)"])
        raise ImportFileError(
            f"The first row must name the columns ({expected}); missing: {', '.join(missing)}."
        )

    today = timezone.localdate()
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    seen: dict[date, int] = {}
    for line, raw in enumerate(table[1:], start=2):

        def cell(name: str, raw: list = raw):
            index = columns.get(name)
            return raw[index] if index is not None and index < len(raw) else None

        problems = []
        period = _period(cell("period"))
        if period is None:
            problems.append(f"“{_show(cell('period'))}” is not a date (use e.g. 2025-03-03 or 3 Mar 2025)")
        elif problem := period_problem(period, today, frequency=measure.frequency):
            problems.append(_clause(problem))
        elif period in seen:
            problems.append(f"{period_text(period)} is already on row {seen[period]}")
        note = _text(cell("note"))
        if len(note) > MAX_NOTE_CHARS:
            problems.append(f"the note is longer than {MAX_NOTE_CHARS} characters")
        value = numerator = denominator = None
        parsed = len(problems)
        if proportion:
            numerator = _count(cell("numerator"), "numerator", problems)
            denominator = _count(cell("denominator"), "denominator", problems)
        else:
            value = _decimal(cell("value"), problems)
        if len(problems) == parsed:  # the numbers read: the rules every data point keeps
            checked = value_problems(measure, value=value, numerator=numerator, denominator=denominator)
            problems += [_clause(problem) for problem in checked.values()]
        if problems:
            errors.append(RowError(line, "; ".join(problems) + "."))
            continue
        seen[period] = line
        rows.append(ImportRow(line, period, value, numerator, denominator, note))
    if not rows and not errors:
        raise ImportFileError("The file has a header but no data rows.")
    return ImportResult(rows=rows, errors=errors)


def _clause(sentence: str) -> str:
    """A rule's sentence as one clause of a row's message ("Row 3: the value must be …; …")."""
    return sentence[0].lower() + sentence[1:].rstrip(".")


def _show(raw) -> str:
    return _text(raw)[:40] or "(empty)"


def _period(raw) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    for fmt in MONTH_FORMATS:  # "Mar 2025": a monthly period starts on the 1st
        try:
            return datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    return None


def _number(raw) -> Decimal | None:
    try:
        return Decimal(_text(raw).replace(",", "").removesuffix("%"))
    except InvalidOperation:
        return None


def _decimal(raw, problems: list[str]) -> Decimal | None:
    number = _number(raw)
    if number is None:
        problems.append(f"the value “{_show(raw)}” is not a number")
        return None
    # Judged by its digits alone: arithmetic on a value such as 1e1000000 would trap.
    problem = decimal_problem(number, max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    if problem == TOO_PRECISE:
        problems.append(f"the value has more than {VALUE_PLACES} decimal places")
    elif problem == TOO_LARGE:
        problems.append(f"the value must be from {decimal_range_text(VALUE_DIGITS, VALUE_PLACES)}")
    elif problem:
        problems.append("the value must be a finite number")
    else:
        return fitted_decimal(number)
    return None


def _count(raw, name: str, problems: list[str]) -> int | None:
    number = _number(raw)
    fit = NOT_FINITE if number is None else decimal_problem(number, max_digits=10, decimal_places=0)
    if fit in (NOT_FINITE, TOO_PRECISE) or number < 0:
        problems.append(f"the {name} “{_show(raw)}” is not a whole number of 0 or more")
        return None
    if fit == TOO_LARGE or fitted_decimal(number) > MAX_COUNT:
        problems.append(f"the {name} must be at most {MAX_COUNT:,}")
        return None
    return int(fitted_decimal(number))
