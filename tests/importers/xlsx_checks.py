"""Reading a downloaded workbook back and comparing it with its CSV twin."""

from __future__ import annotations

import csv
import io
from itertools import zip_longest

from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_of(response):
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Cache-Control"] == "no-store"
    return load_workbook(io.BytesIO(response.data))


def csv_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def assert_same_table(csv_rows: list[list[str]], sheet) -> int:
    """Every CSV cell is in the sheet at the same place: numbers as numbers, text as text
    (never a formula), empty as empty. Returns how many numeric cells there were."""
    rows = list(sheet.iter_rows())
    assert len(rows) == len(csv_rows)
    numbers = 0
    for r, (expected, cells) in enumerate(zip(csv_rows, rows, strict=True)):
        for c, (text, cell) in enumerate(zip_longest(expected, cells)):
            value = None if cell is None else cell.value
            where = f"row {r + 1}, column {c + 1}"
            if value is None:
                assert text in ("", None), where
            elif isinstance(value, int | float) and not isinstance(value, bool):
                assert cell.data_type == "n" and float(text) == value, where
                numbers += 1
            else:
                assert cell.data_type == "s" and value == text, (where, value, text)
    return numbers


def assert_layout(sheet) -> None:
    """Header bold, header row frozen, every used column given a width."""
    assert sheet.freeze_panes == "A2"
    header = next(sheet.iter_rows(max_row=1))
    assert header and all(cell.font.b for cell in header)
    for cell in header:
        assert sheet.column_dimensions[cell.column_letter].width >= 8
