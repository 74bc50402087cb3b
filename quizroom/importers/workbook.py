"""Opening an uploaded .xlsx without trusting it.

An .xlsx is a zip of XML files, so a small upload can unpack to gigabytes (a zip bomb),
and openpyxl reads the shared-strings part whole even in read-only mode. The zip's
directory is checked first (entry count, total unpacked size, packing ratio; a member
that unpacks to more than it declares fails its CRC check), then the workbook is opened
read-only with cached values only: formulas are never evaluated, and callers read a
bounded window of rows and columns."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from .common import ImportFailed

MAX_ENTRIES = 500
MAX_UNPACKED = 40 * 1024 * 1024  # bytes, all parts together
MAX_RATIO = 200  # unpacked / packed, per part (real sheets stay well under 100)
MAX_SHEETS = 20


def check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise ImportFailed("the file is not an Excel workbook (.xlsx): it could not be opened") from error
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ImportFailed("the workbook has too many parts to be a quiz spreadsheet")
        if sum(e.file_size for e in entries) > MAX_UNPACKED:
            raise ImportFailed("the workbook is too large once unpacked (at most 40 MB)")
        for entry in entries:
            if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise ImportFailed("the workbook is packed suspiciously tightly (a zip bomb?): it was not opened")
        names = {e.filename for e in entries}
        if "xl/workbook.xml" not in names:
            raise ImportFailed("the file is a zip archive but not an Excel workbook (.xlsx)")


def sheets(data: bytes) -> Iterator[object]:
    """Each worksheet of the workbook (read-only); raises ImportFailed when it cannot be opened."""
    check_zip(data)
    from openpyxl import load_workbook  # imported here: only imports need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on broken files
        raise ImportFailed(f"the workbook could not be read ({type(error).__name__})") from error
    try:
        for sheet in book.worksheets[:MAX_SHEETS]:
            if not hasattr(sheet, "iter_rows"):  # a chart sheet
                continue
            yield sheet
    finally:
        book.close()


def rows(sheet, *, max_row: int, max_col: int) -> Iterator[tuple]:
    """The sheet's cell values row by row (empty rows included), within the window."""
    try:
        yield from sheet.iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=True)
    except Exception as error:  # a broken sheet part fails while it streams
        raise ImportFailed(f"the worksheet “{sheet.title}” could not be read ({type(error).__name__})") from error
