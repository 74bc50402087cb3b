"""The question CSV (docs/imports.md): the shipped example, Excel's semicolon flavour, broken files."""

from __future__ import annotations

import pytest

from quizroom.importers import read
from tests.importers.helpers import EXAMPLE_CSV, sample
from tests.importers.test_kahoot import messages


def csv(text: str, name: str = "q.csv") -> tuple[dict | None, list[dict]]:
    return read("csv", text.encode("utf-8"), name)


def test_the_example_csv_has_every_question_type():
    document, errors = read("csv", EXAMPLE_CSV.read_bytes(), "quizroom-questions.csv")
    assert errors == []
    assert [q["type"] for q in document["questions"]] == [
        "single",
        "multi",
        "truefalse",
        "typed",
        "slider",
        "order",
        "poll",
    ]
    single, multi, truefalse, typed, slider, order, poll = document["questions"]
    assert single["choices"][0] == {"text": "git commit", "correct": True} and single["topics"] == ["Committing"]
    assert [c["correct"] for c in multi["choices"]] == [True, True, False, True]
    assert multi["topics"] == ["Remotes", "Sync"] and multi["time_limit"] == 30
    assert truefalse["correct"] is True
    assert typed["accepted"] == ["HEAD", "the HEAD"]
    assert {k: slider[k] for k in ("min", "max", "step", "correct", "tolerance", "points")} == {
        "min": 1995,
        "max": 2015,
        "step": 1,
        "correct": 2005,
        "tolerance": 1,
        "points": 2000,
    }
    assert order["items"] == ["edit a file", "git add", "git commit", "git push"]
    assert poll["choices"] == [{"text": "Very"}, {"text": "Somewhat"}, {"text": "Not yet"}]


def test_excel_semicolons_bom_decimal_commas_and_line_breaks():
    document, errors = read("csv", sample("excel-semicolons.csv"), "excel-semicolons.csv")
    assert errors == []
    assert document["questions"] == [
        {
            "text": "Which command\nrecords staged changes?",  # the engine makes it one line
            "type": "single",
            "choices": [
                {"text": "git commit", "correct": True},
                {"text": "git push", "correct": False},
                {"text": "git add", "correct": False},
            ],
            "time_limit": 20,
            "topics": ["Committing"],
        },
        {
            "text": "Which talk to a remote?",
            "type": "multi",  # no type: two correct answers make a multiple-select question
            "choices": [
                {"text": "git fetch", "correct": True},
                {"text": "git push", "correct": True},
                {"text": "git status", "correct": False},
            ],
            "time_limit": 30,
            "topics": ["Remotes", "Sync"],
        },
        {
            "text": "Café au lait contains…",
            "type": "multi",
            "choices": [
                {"text": "milk", "correct": True},
                {"text": "coffee", "correct": True},
                {"text": "water", "correct": False},
            ],
        },
        {
            "text": "How warm is a cup of tea (°C)?",
            "type": "slider",
            "correct": 72.5,
            "min": 0,
            "max": 100,
            "step": 0.5,
            "tolerance": 2.5,
            "unit": "°C",
            "time_limit": 20,
        },
    ]


def test_every_bad_row_is_named():
    document, errors = read("csv", sample("malformed.csv"), "malformed.csv")
    assert document is None
    assert messages(errors) == [
        "Row 3 › type: “essay” is not a question type (single, multi, truefalse, typed, slider, order or poll)",
        "Row 4 › correct: a single-choice question has one correct answer (use type multi)",
        "Row 5 › correct: “maybe” is not true or false",
        "Row 6 › correct: give the correct number",
        "Row 7 › correct: leave it empty for a typed question: every answer is accepted",
        "Row 8 › points: “500” is not 0, 1000 or 2000",
        "Row 9 › answers: needs 2 to 6 entries",
        "Row 10 › topics: at most 5 topics",
        "Row 11 › item 2: text is too long (at most 120)",
        "Row 12 › time_limit: “2 min” is not a number of seconds",
    ]


def test_an_unknown_column_stops_the_import():
    _, errors = read("csv", sample("bad-header.csv"), "bad-header.csv")
    known = (
        "type, question, answer1 … answer6, correct, time_limit, points, topics, image, "
        "min, max, step, tolerance, unit, multiple, notes, uid"
    )
    assert messages(errors) == [
        f"Row 1 (header): unknown column “right answer” (known: {known})",
        f"Row 1 (header): unknown column “seconds” (known: {known})",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("type,question\n", "File: no questions found"),
        ("answer1,answer2\na,b\n", "Row 1 (header): no “question” column: see docs/imports.md for the columns"),
        ("question,Question\nx,y\n", "Row 1 (header): column “Question” appears twice"),
        (
            'question,answer1,answer2,correct\n"unclosed,a,b,1\n',
            'Row 2 (line 2): the CSV is malformed: a quoted cell is not closed (a " without its closing ")',
        ),
        ('question,answer1\n"a"b,c\n', "Row 2 (line 2): the CSV is malformed: ',' expected after '\"'"),
        ("question,answer1,answer2,correct\nWhich?,a,b,1,extra\n", "Row 2: has 5 cells but the header names 4 columns"),
        ("question,answer1,answer2,correct,min\nWhich?,a,b,1,3\n", "Row 2 › min: is only for slider questions"),
        ("type,question,answer1\npoll,Mood?,fine\n", "Row 2 › answers: needs 2 to 6 entries"),
        (
            "question,answer1,answer2,correct\nWhich?,a,b,3\n",
            "Row 2 › correct: answer 3 is marked correct but is empty",
        ),
    ],
)
def test_small_broken_files(text, problem):
    document, errors = csv(text)
    assert document is None
    assert problem in messages(errors)


def test_not_utf8_names_the_line():
    _, errors = read("csv", "question,answer1,answer2,correct\nCafé?,a,b,1\n".encode("cp1252"), "latin.csv")
    assert messages(errors) == [
        "the file is not UTF-8 text (line 2): save it as “CSV UTF-8” "
        "(in Excel: File › Save As › CSV UTF-8 (Comma delimited))"
    ]


def test_tabs_uids_images_notes_and_polls_with_several_answers():
    document, errors = csv(
        "uid\ttype\tquestion\tanswer1\tanswer2\tmultiple\timage\tnotes\n"
        "keep-me\tpoll\tWhich topics next?\tRebase\tHooks\tyes\thttps://example.com/a.png\tAsk the room first\n"
    )
    assert errors == []
    assert document["questions"] == [
        {
            "text": "Which topics next?",
            "type": "poll",
            "choices": [{"text": "Rebase"}, {"text": "Hooks"}],
            "multiple": True,
            "image": "https://example.com/a.png",
            "uid": "keep-me",
            "notes": "Ask the room first",
        }
    ]


def test_errors_are_capped_with_a_count_of_the_rest():
    rows = "".join(f"Question {i}?,a,b,9\n" for i in range(80))
    _, errors = csv("question,answer1,answer2,correct\n" + rows)
    assert len(errors) == 51
    assert errors[-1]["more"] == 30
    assert errors[0]["where"] == "Row 2 › correct"
