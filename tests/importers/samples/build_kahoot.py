"""Rebuild the Kahoot-template samples: ``python tests/importers/samples/build_kahoot.py``.

The layout is the official "Kahoot! quiz template" (as other tools that read or write it
use it): sheet "Sheet1", the title and instructions in B2:B4, the header row on row 8
(column A empty, then Question, Answer 1-4, Time limit, Correct answer(s)), questions from
row 9 with their number in column A, and further numbered rows left empty."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
HEADER = [
    None,
    "Question - max 120 characters",
    "Answer 1 - max 75 characters",
    "Answer 2 - max 75 characters",
    "Answer 3 - max 75 characters",
    "Answer 4 - max 75 characters",
    "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
    "Correct answer(s) - choose at least one",
]
GOOD = [
    ("Which command records staged changes in the repository?", "git commit", "git push", "git add", "git save", 20, 1),
    ("Which of these talk to a remote repository?", "git fetch", "git push", "git status", "git pull", 30, "1,2,4"),
    ("git rebase rewrites commit history.", True, False, None, None, 10, 1),  # typed True/False: booleans in Excel
    ("Which file lists the paths Git ignores?", ".gitignore", ".gitkeep", None, None, 60.0, 1.0),
    ("In which year was Git first released?", 2005, 2010, 1999, 2015, "20", "1"),
]
BAD = [
    ("A fine question?", "yes", "no", None, None, 20, 1),  # row 9: imports
    ("Correct answer out of range?", "a", "b", "c", "d", 20, 5),  # row 10
    ("No correct answer?", "a", "b", None, None, 20, None),  # row 11
    ("Only one answer?", "lonely", None, None, None, 20, 1),  # row 12
    ("Time limit that is not a number?", "a", "b", None, None, "fast", 1),  # row 13
    ("Time limit too long?", "a", "b", None, None, 300, 2),  # row 14
    ("Correct answer that is empty?", "a", "b", None, None, 20, "1,3"),  # row 15
    (None, "an answer", "without a question", None, None, 20, 1),  # row 16
    ("Q" * 301, "a", "b", None, None, 20, 1),  # row 17: too long
]


def template(questions: list[tuple], blank_rows: int = 5) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet["B2"] = "Quiz template"
    sheet["B2"].font = Font(bold=True, size=14)
    sheet["B3"] = (
        "Add questions, at least two answer alternatives, time limit and choose correct answers (at least one). "
        "Have fun creating your awesome quiz!"
    )
    sheet["B4"] = (
        "Remember: questions have a limit of 120 characters and answers can have 75 characters max. Text will turn "
        "red in Excel or Google Docs if you exceed this limit. If several answers are correct, separate them with a "
        "comma."
    )
    for column, heading in enumerate(HEADER, start=1):
        sheet.cell(row=8, column=column, value=heading).font = Font(bold=True)
    for number, question in enumerate(questions, start=1):
        sheet.cell(row=8 + number, column=1, value=number)
        for column, value in enumerate(question, start=2):
            sheet.cell(row=8 + number, column=column, value=value)
    for number in range(len(questions) + 1, len(questions) + 1 + blank_rows):
        sheet.cell(row=8 + number, column=1, value=number)  # the template's unused numbered rows
    for column, width in zip("ABCDEFGH", (6, 50, 30, 30, 30, 30, 26, 33), strict=True):
        sheet.column_dimensions[column].width = width
    return book


def main() -> None:
    template(GOOD).save(HERE / "kahoot-git-basics.xlsx")
    template(BAD).save(HERE / "kahoot-malformed.xlsx")
    other = Workbook()
    other.active.append(["Name", "Email"])
    other.active.append(["Ann", "ann@example.org"])
    other.save(HERE / "not-a-kahoot-template.xlsx")


if __name__ == "__main__":
    main()
