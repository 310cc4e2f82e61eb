"""Tables as CSV or Excel (.xlsx) downloads, for every app's exports."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

FORMATS = {"csv", "xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return _safe_text(value)


def _xlsx_cell(value: object) -> object:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, Decimal):
        return float(value)
    return _safe_text(value)


def table_response(
    *, headers: Sequence[str], rows: Iterable[Sequence[object]], filename: str, fmt: str, sheet: str = "Data"
) -> HttpResponse:
    """A download of `rows` under `headers`, as CSV (UTF-8 with a BOM, for Excel) or .xlsx."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(headers)
        writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
    else:
        from openpyxl import Workbook  # imported here: only downloads need it

        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet[:31])
        worksheet.append(list(headers))
        for row in rows:
            worksheet.append([_xlsx_cell(cell) for cell in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
