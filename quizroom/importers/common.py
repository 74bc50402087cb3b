"""What every importer shares: building a deck document question by question while
remembering where each question came from, then validating it with the engine and
naming every problem by its place in the file (``Row 9 › answers``, ``Question 3 (line 12)``).

Importers never create anything: they return a document (valid as a whole) or errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from ..engine import DeckInvalid, parse_deck
from ..engine.deck import DESCRIPTION_MAX, FORMAT, TITLE_MAX, VERSION

MAX_ERRORS = 50  # listed on the page; the rest are counted
QUESTION_KINDS = ("single", "multi", "truefalse", "typed", "slider", "order", "poll")

# engine field -> what a trainer calls it; lists also name their numbered entries
FIELD_WORDS = {
    "type": "type",
    "uid": "uid",
    "text": "question",
    "time_limit": "time limit",
    "points": "points",
    "image": "image",
    "topics": "topics",
    "choices": "answers",
    "correct": "correct answer",
    "accepted": "accepted answers",
    "items": "items",
    "min": "min",
    "max": "max",
    "step": "step",
    "tolerance": "tolerance",
    "unit": "unit",
    "multiple": "multiple",
    "display": "display",
}
ENTRY_WORDS = {"choices": "answer", "accepted": "accepted answer", "items": "item", "topics": "topic"}
TRUE_WORDS = {"true", "t", "yes", "y", "wahr", "vrai", "waar"}
FALSE_WORDS = {"false", "f", "no", "n", "falsch", "faux", "onwaar"}


class ImportFailed(Exception):
    """The file cannot be read at all (not a workbook, not UTF-8, no header row...)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Draft:
    """A deck document being built from a file.

    ``fields`` renames engine fields to the file's own words (a column title); answers
    left empty in a row are dropped, so ``numbers`` keeps each given answer's number in
    the file for the messages."""

    filename: str
    fields: dict[str, str] = field(default_factory=dict)
    questions: list[dict] = field(default_factory=list)
    sources: list[tuple[int, str, list[int] | None]] = field(default_factory=list)  # (order, where, numbers)
    errors: list[tuple[int, dict]] = field(default_factory=list)

    def fail(self, order: int, where: str, message: str) -> None:
        self.errors.append((order, {"path": "", "where": where, "message": message}))

    def add(self, spec: dict, order: int, where: str, numbers: list[int] | None = None) -> None:
        self.questions.append(spec)
        self.sources.append((order, where, numbers))

    def word(self, name: str) -> str:
        return self.fields.get(name) or FIELD_WORDS.get(name, name)

    def _where(self, path: str) -> tuple[int, str]:
        """An engine path (``questions.2.choices.1``) as (order, place in the file)."""
        parts = path.split(".")
        if parts[0] != "questions" or len(parts) < 2 or not parts[1].isdigit():
            return -1, {"title": "Deck title (from the file name)", "questions": "File"}.get(parts[0], "File")
        order, where, numbers = self.sources[int(parts[1])]
        if len(parts) > 2:
            name = parts[2]
            if len(parts) > 3 and parts[3].isdigit() and name in ENTRY_WORDS:
                index = int(parts[3])
                listed = name != "topics" and numbers and index < len(numbers)
                number = numbers[index] if listed else index + 1
                where += f" › {ENTRY_WORDS[name]} {number}"
            else:
                where += f" › {self.word(name)}"
        return order, where

    def finish(self) -> tuple[dict | None, list[dict]]:
        """(the document, []) when the whole file is valid, else (None, every problem in file order)."""
        document = {
            "format": FORMAT,
            "version": VERSION,
            "title": title_from(self.filename),
            "description": f"Imported from {self.filename}"[:DESCRIPTION_MAX],
            "questions": self.questions,
        }
        errors = list(self.errors)
        if not self.questions and not errors:
            errors.append((-1, {"path": "", "where": "File", "message": "no questions found"}))
        try:
            parse_deck(document)
        except DeckInvalid as invalid:
            for error in invalid.errors:
                order, where = self._where(error["path"])
                errors.append((order, {"path": "", "where": where, "message": error["message"]}))
        if errors:
            return None, capped([e for _order, e in sorted(errors, key=lambda item: item[0])])
        return document, []


def capped(errors: list[dict]) -> list[dict]:
    if len(errors) <= MAX_ERRORS:
        return errors
    return errors[:MAX_ERRORS] + [{"path": "", "where": "", "more": len(errors) - MAX_ERRORS, "message": ""}]


def failed(message: str) -> tuple[None, list[dict]]:
    return None, [{"path": "", "where": "", "message": message}]


def title_from(filename: str) -> str:
    """``git_basics-quiz.xlsx`` -> ``git basics-quiz``: a deck title the trainer can change later."""
    stem = PurePath(filename.replace("\\", "/")).stem
    title = " ".join(re.sub(r"_+", " ", stem).split())[:TITLE_MAX].strip()
    return title or "Imported questions"


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: 1990 and 1990.0 -> "1990", TRUE -> "True", empty -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def whole_seconds(value: object) -> int | None:
    """A time limit cell: 20, 20.0, "20", "20 s", "20 sec" -> 20; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    match = re.fullmatch(r"(\d{1,6})\s*(s|secs?|seconds?)?", str(value).strip(), re.IGNORECASE)
    return int(match.group(1)) if match else None


def answer_numbers(value: object, count: int) -> tuple[list[int], str | None]:
    """``1``, ``"1,3"``, ``"1; 3"`` or ``"1 3"`` -> [1, 3], or ([], the problem)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    if not text:
        return [], "no correct answer: give the number of at least one answer (e.g. 1 or 1,3)"
    numbers: list[int] = []
    for part in re.split(r"[,;\s]+", text):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= count:
            return [], f"“{part}” is not an answer number (use 1 to {count}, e.g. 1 or 1,3)"
        if int(part) not in numbers:
            numbers.append(int(part))
    return numbers, None


def truth(value: object) -> bool | None:
    """true/false, yes/no, t/f (any case, a few languages) or a spreadsheet's TRUE/FALSE."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().casefold()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def parse_number(value: object) -> int | float | None:
    """A number cell or text ("2005", "-1.5", "1,5"); whole numbers come back as int."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    text = str(value).strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        return None
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        return None
    if not parsed.is_finite() or abs(parsed) > Decimal("1e15"):
        return None
    return int(parsed) if parsed == parsed.to_integral_value() and "e" not in text.lower() else float(parsed)


def choice_question(
    answers: list[tuple[int, str]], correct: list[int], *, truefalse: bool = True
) -> tuple[dict | None, list[int], str | None]:
    """Answers as (number in the file, text) and the correct numbers -> a single or multi
    spec (and with ``truefalse``, the answers True and False with one correct -> true/false).

    Returns (spec or None, the given answers' numbers, the problem with the correct answers)."""
    given = [(n, text) for n, text in answers if text]
    numbers = [n for n, _text in given]
    empty = [n for n in correct if n not in numbers]
    if empty:
        return None, numbers, f"answer {empty[0]} is marked correct but is empty"
    texts = [text for _n, text in given]
    if truefalse and len(correct) == 1 and sorted(t.casefold() for t in texts) == ["false", "true"]:
        right = texts[numbers.index(correct[0])].casefold() == "true"
        return {"type": "truefalse", "correct": right}, numbers, None
    spec = {
        "type": "single" if len(correct) == 1 else "multi",
        "choices": [{"text": text, "correct": n in correct} for n, text in given],
    }
    return spec, numbers, None
