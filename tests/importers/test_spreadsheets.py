"""quizroom/spreadsheets.py: rows -> a safe, readable workbook; and how an upload's format is told."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from quizroom import importers
from quizroom.spreadsheets import CELL_MAX, sheet_title, xlsx_bytes


def sheet_of(rows, **kwargs):
    return load_workbook(io.BytesIO(xlsx_bytes(rows, **kwargs))).active


def test_values_types_and_safety():
    sheet = sheet_of(
        [
            ["name", "score", "note"],
            ["=1+1", 3, ""],
            ["\x01=cmd|' /C calc'!A0", 2.5, None],  # a control character hiding a formula
            ["x" * (CELL_MAX + 10), float("inf"), True],
            ["@SUM(A1)", -4, "line one\nline two"],
        ],
        sheet="Answers: [a/b]*?",
    )
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1] == ["'=1+1", 3, None]
    assert values[2] == ["'=cmd|' /C calc'!A0", 2.5, None]
    assert len(values[3][0]) == CELL_MAX and values[3][1:] == ["inf", "True"]
    assert values[4] == ["'@SUM(A1)", -4, "line one\nline two"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.title == "Answers   a b"
    assert sheet.freeze_panes == "A2"
    assert [cell.font.b for cell in sheet[1]] == [True, True, True]
    assert [cell.font.b for cell in sheet[2]] == [False, False, False]


def test_column_widths_follow_the_content_within_bounds():
    sheet = sheet_of([["a", "a much longer heading"], ["x" * 500, 1]])
    assert sheet.column_dimensions["A"].width == 60
    assert sheet.column_dimensions["B"].width == len("a much longer heading") + 2


def test_sheet_titles():
    assert sheet_title("") == "Sheet1"
    assert len(sheet_title("x" * 50)) == 31


@pytest.mark.parametrize(
    ("data", "filename", "fmt"),
    [
        (b"PK\x03\x04...", "kahoot.xlsx", "xlsx"),
        (b"PK\x03\x04...", "questions.csv", "xlsx"),  # the content wins over the name
        (b'\xef\xbb\xbf  {"title": "x"}', "deck.txt", "json"),
        (b"Which? {T}", "quiz.txt", "gift"),
        (b"Which? {T}", "quiz.GIFT", "gift"),
        (b"question,answer1", "q.CSV", "csv"),
        (b'{"title": "x"}', "no-extension", "json"),
        (b"{}", "deck.json", "json"),
    ],
)
def test_detect(data, filename, fmt):
    assert importers.detect(data, filename) == (fmt, None)


def test_detect_refuses_what_it_cannot_read():
    assert importers.detect(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "x.bin")[0] is None
    assert importers.detect(b"hello", "notes.docx")[0] is None
