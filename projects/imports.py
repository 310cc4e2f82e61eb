"""Reading many periods of a measure's data from pasted text, a CSV file or an Excel (.xlsx) file.

Reading never writes: it turns the input into rows and names every bad row and
why. `projects.services.data_points_import` then stores the rows atomically,
so a file with any bad row imports nothing.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from projects.models import Measure

MAX_ROWS = 5000
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_VALUE = Decimal("1e10")  # the value column holds 14 digits, 4 after the point

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
        raise ImportFileError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
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
    if not text.strip():
        raise ImportFileError("There is nothing to import.")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel_tab if "\t" in sample else csv.excel
    return read_table(measure, list(csv.reader(io.StringIO(text), dialect)))


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook  # imported here: only uploads need it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ImportFileError("The file could not be read as an Excel workbook (.xlsx).") from error
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _columns(header: list) -> dict[str, int]:
    names = [str(cell or "").strip().lower() for cell in header]
    columns = {}
    for index, name in enumerate(names):
        if name in PERIOD_HEADERS and "period" not in columns:
            columns["period"] = index
        elif name in {"value", "numerator", "denominator", "note"} and name not in columns:
            columns[name] = index
    return columns


def read_table(measure: Measure, table: list[list]) -> ImportResult:
    """Validate every row of a table whose first row is a header; collect all errors."""
    table = [row for row in table if any(str(cell or "").strip() for cell in row)]
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
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(f"A file can hold at most {MAX_ROWS} rows of data.")

    rows: list[ImportRow] = []
    errors: list[RowError] = []
    seen: dict[date, int] = {}
    for line, raw in enumerate(table[1:], start=2):

        def cell(name: str, raw: list = raw):
            index = columns.get(name)
            return raw[index] if index is not None and index < len(raw) else None

        problems = []
        period = _period(cell("period"), measure)
        if period is None:
            problems.append(f"“{_show(cell('period'))}” is not a date (use e.g. 2025-03-03 or 3 Mar 2025)")
        elif period in seen:
            problems.append(f"{period:%-d %b %Y} is already on row {seen[period]}")
        note = str(cell("note") or "").strip()
        if len(note) > 300:
            problems.append("the note is longer than 300 characters")
        value = numerator = denominator = None
        if proportion:
            numerator = _count(cell("numerator"), "numerator", problems)
            denominator = _count(cell("denominator"), "denominator", problems)
            if denominator == 0:
                problems.append("the denominator must be above 0")
            elif numerator is not None and denominator is not None and numerator > denominator:
                problems.append(f"the numerator ({numerator}) is larger than the denominator ({denominator})")
        else:
            value = _decimal(cell("value"), problems)
        if problems:
            errors.append(RowError(line, "; ".join(problems) + "."))
            continue
        seen[period] = line
        rows.append(ImportRow(line, period, value, numerator, denominator, note))
    if not rows and not errors:
        raise ImportFileError("The file has a header but no data rows.")
    return ImportResult(rows=rows, errors=errors)


def _show(raw) -> str:
    text = "" if raw is None else str(raw).strip()
    return text[:40] or "(empty)"


def _period(raw, measure: Measure) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
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


def _decimal(raw, problems: list[str]) -> Decimal | None:
    text = str(raw).strip().replace(",", "") if raw is not None else ""
    if text.endswith("%"):
        text = text[:-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        problems.append(f"the value “{_show(raw)}” is not a number")
        return None
    if not number.is_finite():
        problems.append("the value must be a finite number")
        return None
    if abs(number) >= MAX_VALUE:
        problems.append("the value is too large")
        return None
    if number != number.quantize(Decimal("0.0001")):
        problems.append("the value has more than 4 decimal places")
        return None
    return number


def _count(raw, name: str, problems: list[str]) -> int | None:
    text = str(raw).strip() if raw is not None else ""
    try:
        number = Decimal(text)
    except InvalidOperation:
        problems.append(f"the {name} “{_show(raw)}” is not a whole number")
        return None
    if not number.is_finite() or number != number.to_integral_value() or number < 0 or number > 10**9:
        problems.append(f"the {name} “{_show(raw)}” is not a whole number of 0 or more")
        return None
    return int(number)
