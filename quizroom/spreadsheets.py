"""Spreadsheet downloads: the rows a CSV download writes, as an .xlsx workbook.

Every XLSX export is built from exactly the rows of its CSV twin, so the two always
agree. Numbers stay numbers; text is always stored as text (never as a formula) and, like
the CSV, a text starting with = + - @ is prefixed with an apostrophe, so a copy pasted
elsewhere is still harmless. Characters a workbook cannot hold (most control characters)
are dropped. Written in openpyxl's write-only mode, so large rooms stream row by row."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .results import neutralise

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CELL_MAX = 32767  # characters a cell can hold
WIDTH_MIN, WIDTH_MAX = 8, 60
WIDTH_SAMPLE = 500  # rows looked at to size the columns
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def cell_value(value: object) -> object:
    """A CSV cell as a workbook value: numbers as numbers, "" as an empty cell, text safe."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)  # as the CSV writes it
    if isinstance(value, int | float):
        return value if math.isfinite(value) else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return str(neutralise(text))[:CELL_MAX]


def sheet_title(name: str) -> str:
    return SHEET_NAME_BAD.sub(" ", name).strip("' ")[:31] or "Sheet1"


def _widths(rows: Sequence[Sequence[object]]) -> list[float]:
    widths: list[float] = []
    for row in rows[:WIDTH_SAMPLE]:
        for index, value in enumerate(row):
            length = max((len(line) for line in str(value).splitlines()), default=0) if value is not None else 0
            if index >= len(widths):
                widths.append(WIDTH_MIN)
            widths[index] = max(widths[index], min(WIDTH_MAX, length + 2))
    return widths


def xlsx_bytes(rows: Iterable[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    """One worksheet: the first row is the header (bold, frozen), then the data rows."""
    values = [[cell_value(v) for v in row] for row in rows]
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet_title(sheet))
    worksheet.freeze_panes = "A2"
    for index, width in enumerate(_widths(values), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    for number, row in enumerate(values):
        cells = []
        for value in row:
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even if it looks like a formula
            if number == 0:
                cell.font = bold
            cells.append(cell)
        worksheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
