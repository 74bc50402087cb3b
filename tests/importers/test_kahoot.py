"""The Kahoot quiz template (.xlsx): the sample built in the official layout, and broken ones."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from quizroom.importers import kahoot, read
from tests.importers.helpers import sample
from tests.importers.samples.build_kahoot import BAD, GOOD, template

EXPECTED = [
    {
        "text": "Which command records staged changes in the repository?",
        "time_limit": 20,
        "points": 1000,
        "type": "single",
        "choices": [
            {"text": "git commit", "correct": True},
            {"text": "git push", "correct": False},
            {"text": "git add", "correct": False},
            {"text": "git save", "correct": False},
        ],
    },
    {
        "text": "Which of these talk to a remote repository?",
        "time_limit": 30,
        "points": 1000,
        "type": "multi",
        "choices": [
            {"text": "git fetch", "correct": True},
            {"text": "git push", "correct": True},
            {"text": "git status", "correct": False},
            {"text": "git pull", "correct": True},
        ],
    },
    {
        "text": "git rebase rewrites commit history.",
        "time_limit": 10,
        "points": 1000,
        "type": "truefalse",
        "correct": True,
    },
    {
        "text": "Which file lists the paths Git ignores?",
        "time_limit": 60,
        "points": 1000,
        "type": "single",
        "choices": [{"text": ".gitignore", "correct": True}, {"text": ".gitkeep", "correct": False}],
    },
    {
        "text": "In which year was Git first released?",
        "time_limit": 20,
        "points": 1000,
        "type": "single",
        "choices": [
            {"text": "2005", "correct": True},
            {"text": "2010", "correct": False},
            {"text": "1999", "correct": False},
            {"text": "2015", "correct": False},
        ],
    },
]
MALFORMED = [
    "Row 10 › Correct answer(s): “5” is not an answer number (use 1 to 4, e.g. 1 or 1,3)",
    "Row 11 › Correct answer(s): no correct answer: give the number of at least one answer (e.g. 1 or 1,3)",
    "Row 12 › answers: needs 2 to 6 entries",
    "Row 13 › Time limit (sec): “fast” is not a number of seconds",
    "Row 14 › Time limit (sec): must be whole seconds from 5 to 240",
    "Row 15 › Correct answer(s): answer 3 is marked correct but is empty",
    "Row 16 › Question: text is empty",
    "Row 17 › Question: text is too long (at most 300)",
]


def messages(errors: list[dict]) -> list[str]:
    return [f"{e['where']}: {e['message']}" if e["where"] else e["message"] for e in errors]


def xlsx(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_official_layout_becomes_a_deck():
    document, errors = read("xlsx", sample("kahoot-git-basics.xlsx"), "kahoot-git-basics.xlsx")
    assert errors == []
    assert document["title"] == "kahoot-git-basics"
    assert document["description"] == "Imported from kahoot-git-basics.xlsx"
    assert document["questions"] == EXPECTED


def test_the_committed_samples_are_what_the_builder_makes():
    """The .xlsx files are committed; they must still match the script that documents them."""
    for name, rows in (("kahoot-git-basics.xlsx", GOOD), ("kahoot-malformed.xlsx", BAD)):
        rebuilt, _ = read("xlsx", xlsx(template(rows)), name)
        committed, _ = read("xlsx", sample(name), name)
        assert rebuilt == committed


def test_every_bad_row_is_named_and_nothing_is_returned():
    document, errors = read("xlsx", sample("kahoot-malformed.xlsx"), "kahoot-malformed.xlsx")
    assert document is None
    assert messages(errors) == MALFORMED  # row 9 is fine, the unused numbered rows are skipped


def test_the_header_row_is_found_by_its_text_wherever_it_is():
    book = Workbook()
    sheet = book.active
    sheet.append(["My own notes"])
    sheet.append([])
    sheet.append(["#", "QUESTION", "Answer 1", "Answer 2", "Answer 3", "Answer 4", "Time limit", "Correct answer"])
    sheet.append([1, "Two plus two?", "4", "5", None, None, None, "1"])
    document, errors = read("xlsx", xlsx(book), "moved.xlsx")
    assert errors == []
    assert document["questions"] == [
        {
            "text": "Two plus two?",
            "time_limit": 20,  # an empty time limit is Kahoot's default
            "points": 1000,
            "type": "single",
            "choices": [{"text": "4", "correct": True}, {"text": "5", "correct": False}],
        }
    ]


def test_a_workbook_without_the_header_is_refused():
    _, errors = read("xlsx", sample("not-a-kahoot-template.xlsx"), "people.xlsx")
    assert messages(errors) == [
        "no header row found: this is not the Kahoot quiz template (expected a row with “Question”, "
        "“Answer 1”, “Answer 2”, … and “Correct answer(s)”)"
    ]


def test_formulas_are_never_evaluated():
    book = template([("=1+1", "a", "b", None, None, 20, "=1")])  # openpyxl stores formulas without a value
    _, errors = read("xlsx", xlsx(book), "formulas.xlsx")
    # only the cached value counts, and there is none: the cells read as empty
    assert messages(errors) == [
        "Row 9 › Correct answer(s): no correct answer: give the number of at least one answer (e.g. 1 or 1,3)"
    ]


def test_a_zip_bomb_is_not_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (8 * 1024 * 1024))
    assert len(out.getvalue()) < 100_000
    _, errors = read("xlsx", out.getvalue(), "bomb.xlsx")
    assert messages(errors) == ["the workbook is packed suspiciously tightly (a zip bomb?): it was not opened"]


def test_files_that_are_not_workbooks():
    assert messages(read("xlsx", b"PK\x03\x04 broken", "x.xlsx")[1]) == [
        "the file is not an Excel workbook (.xlsx): it could not be opened"
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert messages(read("xlsx", out.getvalue(), "x.xlsx")[1]) == [
        "the file is a zip archive but not an Excel workbook (.xlsx)"
    ]


def test_rows_beyond_the_window_are_refused():
    rows = [("Question?", "a", "b", None, None, 20, 1)] * 3
    book = template(rows, blank_rows=0)
    book.active.cell(row=8 + kahoot.MAX_DATA_ROWS + 1, column=2, value="one too many")
    _, errors = read("xlsx", xlsx(book), "long.xlsx")
    assert messages(errors) == [f"Row {8 + kahoot.MAX_DATA_ROWS + 1}: too many rows: at most 1000 below the header"]
