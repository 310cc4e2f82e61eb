"""Excel workbooks for the import tests, built in memory."""

import io
import zipfile
from datetime import date

from openpyxl import Workbook

MEGABYTE = 2**20


def workbook_with_a_long_cell(characters: int) -> bytes:
    """An .xlsx of one row whose note holds `characters` x's, written in pieces and compressed small:
    150 MB of text makes a file of about 150 kB, as a zip bomb would."""
    workbook = Workbook()
    workbook.active.append(["period", "value", "note"])
    workbook.active.append([date(2025, 1, 6), 4, "NOTE"])
    plain = io.BytesIO()
    workbook.save(plain)
    packed = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for name in source.namelist():
            data = source.read(name)
            if b"NOTE" not in data:
                target.writestr(name, data)
                continue
            before, after = data.split(b"NOTE")
            with target.open(name, "w", force_zip64=True) as member:
                member.write(before)
                for _ in range(characters // MEGABYTE):
                    member.write(b"x" * MEGABYTE)
                member.write(b"x" * (characters % MEGABYTE) + after)
    return packed.getvalue()
