"""quizroom's question CSV (docs/imports.md) -> a deck document.

One row per question under a header row naming the columns (any order, any case;
``answer 1``, ``Answer_1`` and ``answer1`` are the same). Comma, semicolon or tab
separated, UTF-8 with or without a byte-order mark. Row numbers in messages are the
rows a spreadsheet shows (the header is row 1)."""

from __future__ import annotations

import csv
import io
import re

from .common import Draft, ImportFailed, answer_numbers, choice_question, parse_number, truth, whole_seconds

MAX_ROWS = 1000
ANSWERS = 6
COLUMNS = (
    "type",
    "question",
    *(f"answer{i}" for i in range(1, ANSWERS + 1)),
    "correct",
    "time_limit",
    "points",
    "topics",
    "image",
    "min",
    "max",
    "step",
    "tolerance",
    "unit",
    "multiple",
    "notes",
    "uid",
)
KNOWN = (
    "type, question, answer1 … answer6, correct, time_limit, points, topics, image, "
    "min, max, step, tolerance, unit, multiple, notes, uid"
)
ALIASES = {"text": "question", "time": "time_limit", "timelimit": "time_limit", "topic": "topics"}
ALIASES |= {f"option{i}": f"answer{i}" for i in range(1, ANSWERS + 1)}
ALIASES |= {"correctanswer": "correct", "correctanswers": "correct", "explanation": "notes"}
TYPES = {
    "single": "single",
    "singlechoice": "single",
    "multi": "multi",
    "multiselect": "multi",
    "multipleselect": "multi",
    "truefalse": "truefalse",
    "tf": "truefalse",
    "typed": "typed",
    "typeanswer": "typed",
    "typetheanswer": "typed",
    "shortanswer": "typed",
    "slider": "slider",
    "numeric": "slider",
    "order": "order",
    "ordering": "order",
    "poll": "poll",
}
POINTS = {"0": 0, "none": 0, "1000": 1000, "standard": 1000, "2000": 2000, "double": 2000}
SLIDER_ONLY = ("min", "max", "step", "tolerance", "unit")
# engine field -> this file's column, for messages
FIELDS = {"text": "question", "choices": "answers", "accepted": "answers", "items": "answers"}
FIELDS |= {name: name for name in ("correct", "time_limit", "points", "topics", "image", "uid", "multiple", "type")}
FIELDS["notes"] = "notes"


def _key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", heading.casefold())


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFailed(
            f"the file is not UTF-8 text (line {line}): save it as “CSV UTF-8” "
            "(in Excel: File › Save As › CSV UTF-8 (Comma delimited))"
        ) from error


def separator(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def read(data: bytes, filename: str) -> tuple[dict | None, list[dict]]:
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text), strict=True)
    draft = Draft(filename=filename, fields=dict(FIELDS))
    columns: list[str] | None = None
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_ROWS + 1:
                draft.fail(number, f"Row {number}", f"too many rows: at most {MAX_ROWS} questions in one file")
                break
            if columns is None:
                if not any(cell.strip() for cell in row):
                    continue  # blank lines before the header
                columns = _header(draft, row, number)
                if columns is None:
                    break
                continue
            cells = {name: cell.strip() for name, cell in zip(columns, row, strict=False) if name}
            if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns) :]):
                draft.fail(number, f"Row {number}", f"has {len(row)} cells but the header names {len(columns)} columns")
                continue
            if any(cells.values()):
                _row(draft, cells, number)
    except csv.Error as error:
        problem = str(error)
        if "end of data" in problem:
            problem = 'a quoted cell is not closed (a " without its closing ")'
        draft.fail(number + 1, f"Row {number + 1} (line {reader.line_num})", f"the CSV is malformed: {problem}")
    if columns is None and not draft.errors:
        raise ImportFailed("the file is empty: it needs a header row and one row per question")
    return draft.finish()


def _header(draft: Draft, row: list[str], number: int) -> list[str] | None:
    columns = []
    ok = True
    for heading in row:
        key = _key(heading)
        name = ALIASES.get(key, key if key in COLUMNS else None)
        if key == "":
            columns.append("")
            continue
        if name is None:
            draft.fail(number, f"Row {number} (header)", f"unknown column “{heading.strip()}” (known: {KNOWN})")
            ok = False
        elif name in columns:
            draft.fail(number, f"Row {number} (header)", f"column “{heading.strip()}” appears twice")
            ok = False
        columns.append(name or "")
    if "question" not in columns:
        draft.fail(number, f"Row {number} (header)", "no “question” column: see docs/imports.md for the columns")
        ok = False
    return columns if ok else None


def _row(draft: Draft, cells: dict[str, str], number: int) -> None:
    where = f"Row {number}"
    problems: list[tuple[str, str]] = []
    answers = [(i, cells.get(f"answer{i}", "")) for i in range(1, ANSWERS + 1)]
    given = [text for _i, text in answers if text]
    correct_cell = cells.get("correct", "")
    raw_type = cells.get("type", "")
    kind = TYPES.get(_key(raw_type)) if raw_type else None
    if raw_type and kind is None:
        problems.append(
            ("type", f"“{raw_type}” is not a question type (single, multi, truefalse, typed, slider, order or poll)")
        )
    if not raw_type:  # a choice question: single or multi by its number of correct answers
        kind = "multi" if len(re.findall(r"\d+", correct_cell)) > 1 else "single"
    spec: dict = {"text": cells.get("question", "")}
    numbers: list[int] | None = None
    if kind in ("single", "multi"):
        correct, problem = answer_numbers(correct_cell, ANSWERS)
        if problem:
            problems.append(("correct", problem))
        else:
            choice, numbers, problem = choice_question(answers, correct, truefalse=False)
            if problem:
                problems.append(("correct", problem))
            elif kind == "single" and len(correct) > 1:
                problems.append(("correct", "a single-choice question has one correct answer (use type multi)"))
            else:
                spec.update(choice, type=kind)  # an explicit multi may have one correct answer
    elif kind == "truefalse":
        right = truth(correct_cell)
        if right is None:
            problems.append(("correct", f"“{correct_cell}” is not true or false"))
        if given:
            problems.append(
                ("answers", "leave the answers empty: a true/false question has the answers True and False")
            )
        spec.update(type=kind, correct=bool(right))
    elif kind == "slider":
        spec["type"] = kind
        for name in ("correct", "min", "max", "step", "tolerance"):
            if cells.get(name):
                value = parse_number(cells[name])
                if value is None:
                    problems.append((name, f"“{cells[name]}” is not a number"))
                spec[name] = value
            elif name == "correct":
                problems.append(("correct", "give the correct number"))
        if cells.get("unit"):
            spec["unit"] = cells["unit"]
        if given:
            problems.append(("answers", "leave the answers empty for a slider question"))
    elif kind in ("typed", "order", "poll"):
        spec["type"] = kind
        if kind == "typed":
            spec["accepted"] = given
        elif kind == "order":
            spec["items"] = given
        else:
            spec["choices"] = [{"text": text} for text in given]
        numbers = [i for i, text in answers if text]
        if correct_cell:
            what = "every answer is accepted" if kind == "typed" else "nothing is correct or wrong"
            if kind == "order":
                what = "list the answers in the correct order"
            problems.append(("correct", f"leave it empty for a {kind} question: {what}"))
        if kind == "poll" and cells.get("multiple"):
            multiple = truth(cells["multiple"])
            if multiple is None:
                problems.append(("multiple", f"“{cells['multiple']}” is not yes or no"))
            spec["multiple"] = bool(multiple)
    if kind != "slider":
        problems += [(name, "is only for slider questions") for name in SLIDER_ONLY if cells.get(name)]
    if kind != "poll" and cells.get("multiple"):
        problems.append(("multiple", "is only for poll questions"))
    _common(spec, cells, problems)
    for column, message in problems:
        draft.fail(number, f"{where} › {column}", message)
    if not problems:
        draft.add(spec, number, where, numbers)


def _common(spec: dict, cells: dict[str, str], problems: list[tuple[str, str]]) -> None:
    if cells.get("time_limit"):
        seconds = whole_seconds(cells["time_limit"])
        if seconds is None:
            problems.append(("time_limit", f"“{cells['time_limit']}” is not a number of seconds"))
        spec["time_limit"] = seconds
    if cells.get("points"):
        points = POINTS.get(cells["points"].casefold().replace(" ", ""))
        if points is None:
            problems.append(("points", f"“{cells['points']}” is not 0, 1000 or 2000"))
        spec["points"] = points
    if cells.get("topics"):
        spec["topics"] = [t.strip() for t in re.split(r"[,;|]", cells["topics"]) if t.strip()]
    for name in ("image", "uid", "notes"):  # notes: the presenter's notes for the question
        if cells.get(name):
            spec[name] = cells[name]
