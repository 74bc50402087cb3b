"""The "Kahoot! quiz template" spreadsheet (.xlsx) -> a deck document.

The official template has a few rows of instructions, then a header row (row 8 in the
current template) whose cells read "Question - max 120 characters", "Answer 1 - max 75
characters" … "Answer 4 …", "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs"
and "Correct answer(s) - choose at least one"; column A numbers the questions. The header
row is found by its text, not its position, so edited copies still import. Each row below
it is a question: one correct answer makes a single-choice question, several a
multiple-select one, and the answers True and False with one correct a true/false one.
"""

from __future__ import annotations

import re

from . import workbook
from .common import Draft, ImportFailed, answer_numbers, cell_text, choice_question, whole_seconds

HEADER_SCAN = 40  # the header row must be among the first rows
MAX_DATA_ROWS = 1000
MAX_COLUMNS = 30
COLUMN_NAMES = {
    "text": "Question",
    "choices": "answers",
    "time_limit": "Time limit (sec)",
    "correct": "Correct answer(s)",
}


def header_columns(row: tuple) -> dict[str, int] | None:
    """Column indexes of the template's headings in this row, or None when it is not the header."""
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        if not isinstance(value, str):
            continue
        heading = " ".join(value.split()).casefold()
        answer = re.match(r"answer\s*(\d)\b", heading)
        if heading.startswith("question") and "text" not in found:
            found["text"] = index
        elif answer and 1 <= int(answer.group(1)) <= 6:
            found.setdefault(f"answer{answer.group(1)}", index)
        elif heading.startswith("time limit"):
            found.setdefault("time_limit", index)
        elif heading.startswith("correct answer"):
            found.setdefault("correct", index)
    if {"text", "answer1", "answer2", "correct"} <= found.keys():
        return found
    return None


def _value(row: tuple, columns: dict[str, int], key: str) -> object:
    index = columns.get(key)
    return row[index] if index is not None and index < len(row) else None


def read(data: bytes, filename: str) -> tuple[dict | None, list[dict]]:
    draft = Draft(filename=filename, fields=dict(COLUMN_NAMES))
    columns: dict[str, int] | None = None
    for sheet in workbook.sheets(data):
        header_row = 0
        for number, row in enumerate(
            workbook.rows(sheet, max_row=HEADER_SCAN + MAX_DATA_ROWS + 1, max_col=MAX_COLUMNS), start=1
        ):
            if columns is None:
                if number > HEADER_SCAN:
                    break
                columns = header_columns(row)
                header_row = number
                continue
            if number > header_row + MAX_DATA_ROWS:
                if any(cell_text(v) for v in row):
                    draft.fail(number, f"Row {number}", f"too many rows: at most {MAX_DATA_ROWS} below the header")
                break
            _row(draft, row, number, columns)
        if columns is not None:
            break
    if columns is None:
        raise ImportFailed(
            "no header row found: this is not the Kahoot quiz template (expected a row with "
            "“Question”, “Answer 1”, “Answer 2”, … and “Correct answer(s)”)"
        )
    return draft.finish()


def _row(draft: Draft, row: tuple, number: int, columns: dict[str, int]) -> None:
    where = f"Row {number}"
    answer_keys = sorted((k for k in columns if k.startswith("answer")), key=lambda k: int(k[6:]))
    answers = [(int(k[6:]), cell_text(_value(row, columns, k))) for k in answer_keys]
    text = cell_text(_value(row, columns, "text"))
    raw_correct = _value(row, columns, "correct")
    if not text and not any(a for _n, a in answers) and not cell_text(raw_correct):
        return  # an unused row of the template
    problems = []
    correct, problem = answer_numbers(raw_correct, len(answers))
    if problem:
        problems.append(("Correct answer(s)", problem))
    raw_time = _value(row, columns, "time_limit")
    time_limit = 20 if cell_text(raw_time) == "" else whole_seconds(raw_time)
    if time_limit is None:
        problems.append(("Time limit (sec)", f"“{cell_text(raw_time)}” is not a number of seconds"))
    spec = None
    numbers: list[int] = []
    if not problems:
        spec, numbers, problem = choice_question(answers, correct)
        if problem:
            problems.append(("Correct answer(s)", problem))
    for column, message in problems:
        draft.fail(number, f"{where} › {column}", message)
    if spec is None:
        return
    draft.add({"text": text, "time_limit": time_limit, "points": 1000, **spec}, number, where, numbers)
