"""The deck document (docs/deck-format.md): parse and validate it, or list what is wrong.

Validation collects every problem with a path (``questions.2.choices.1.text``) so the
editor can show each message next to its field and an import can list them all.
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from .errors import EngineError
from .questions import (
    CHOICE_TEXT_MAX,
    CHOICES,
    KINDS,
    NOTES_MAX,
    ORDER_ITEMS,
    POINT_LEVELS,
    TEXT_MAX,
    TIME_LIMIT_MAX,
    TIME_LIMIT_MIN,
    TOPIC_MAX,
    TOPICS_MAX,
    TYPED_MAX,
    ChoiceQuestion,
    OrderQuestion,
    Question,
    SliderQuestion,
    TypedQuestion,
    topic_key,
)
from .text import clean_line, collapse_spaces, strip_control

FORMAT = "quizroom.deck"
VERSION = 1
TITLE_MAX = 120
DESCRIPTION_MAX = 1000
QUESTIONS_MAX = 200
IMAGE_MAX = 500
ACCEPTED_MAX = 10


class DeckInvalid(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Deck:
    title: str
    description: str
    questions: tuple[Question, ...]

    def to_document(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "title": self.title,
            "description": self.description,
            "questions": [q.to_spec() for q in self.questions],
        }


def new_uid() -> str:
    return "q_" + secrets.token_hex(6)


class _Checker:
    """Collects errors while reading a document; each read returns a usable default."""

    def __init__(self) -> None:
        self.errors: list[dict] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "message": message})

    def text(self, data: dict, key: str, path: str, *, max_length: int, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (value == "" and not required):
            if required:
                self.fail(f"{path}{key}", "is required")
            return ""
        try:
            return clean_line(value, max_length=max_length, field=key)
        except EngineError as error:
            self.fail(f"{path}{key}", error.message)
            return ""

    def number(self, data: dict, key: str, path: str, default: float | None = None) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(f"{path}{key}", "must be a number")
            return 0
        return value

    def strings(self, data: dict, key: str, path: str, *, count: tuple[int, int], max_length: int) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list):
            self.fail(f"{path}{key}", "must be a list")
            return ()
        if not count[0] <= len(value) <= count[1]:
            self.fail(f"{path}{key}", f"needs {count[0]} to {count[1]} entries")
        out = []
        for i, item in enumerate(value):
            raw = item.get("text") if isinstance(item, dict) else item
            try:
                out.append(clean_line(raw, max_length=max_length, field="text"))
            except EngineError as error:
                self.fail(f"{path}{key}.{i}", error.message)
        return tuple(out)

    def topics(self, data: dict, path: str) -> tuple[str, ...]:
        """Optional ``topics``: up to TOPICS_MAX distinct one-line tags, first spelling kept."""
        value = data.get("topics")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(f"{path}topics", "must be a list of topics")
            return ()
        if len(value) > TOPICS_MAX * 4:  # not worth cleaning one by one
            self.fail(f"{path}topics", f"at most {TOPICS_MAX} topics")
            return ()
        out: dict[str, str] = {}  # key -> first spelling, in order
        for i, raw in enumerate(value):
            try:
                topic = clean_line(raw, max_length=TOPIC_MAX, field="topic")
            except EngineError as error:
                self.fail(f"{path}topics.{i}", error.message)
                continue
            if "," in topic:  # the editor separates topics with commas
                self.fail(f"{path}topics.{i}", "topic must not contain a comma")
                continue
            out.setdefault(topic_key(topic), topic)
        if len(out) > TOPICS_MAX:
            self.fail(f"{path}topics", f"at most {TOPICS_MAX} topics")
        return tuple(out.values())

    def notes(self, data: dict, path: str) -> str:
        """Optional presenter ``notes``: plain text, lines kept (at most one blank line in a
        row), each line cleaned like a one-line field; empty means none."""
        value = data.get("notes")
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(f"{path}notes", "must be text")
            return ""
        if len(value) > NOTES_MAX * 4:  # not worth cleaning
            self.fail(f"{path}notes", f"is too long (at most {NOTES_MAX} characters)")
            return ""
        kept: list[str] = []
        for raw in unicodedata.normalize("NFC", value).splitlines():
            line = collapse_spaces(strip_control(raw))
            if line or (kept and kept[-1]):
                kept.append(line)
        while kept and not kept[-1]:
            kept.pop()
        notes = "\n".join(kept)
        if len(notes) > NOTES_MAX:
            self.fail(f"{path}notes", f"is too long (at most {NOTES_MAX} characters)")
            return ""
        return notes


def _fresh(uid_factory: Callable[[], str], taken: set[str]) -> Callable[[], str]:
    """A factory that never hands out a uid another question of the document already has.

    (With the default random uids a clash is astronomically unlikely; this makes "a
    question without a uid gets a new identity" a guarantee rather than a probability.)"""

    def make() -> str:
        for _ in range(100):
            uid = uid_factory()
            if uid not in taken:
                break
        taken.add(uid)
        return uid  # after 100 clashes (a broken factory) the duplicate check reports it

    return make


def parse_deck(document: object, uid_factory: Callable[[], str] = new_uid) -> Deck:
    check = _Checker()
    if not isinstance(document, dict):
        raise DeckInvalid([{"path": "", "message": "a deck is a JSON object"}])
    if document.get("format", FORMAT) != FORMAT:
        check.fail("format", f'must be "{FORMAT}"')
    version = document.get("version", VERSION)
    if version != VERSION or not isinstance(version, int) or isinstance(version, bool):  # not 1.0 / true
        check.fail("version", f"version {version!r} is not supported (this quizroom reads {VERSION})")
    title = check.text(document, "title", "", max_length=TITLE_MAX)
    description = check.text(document, "description", "", max_length=DESCRIPTION_MAX, required=False)
    raw_questions = document.get("questions", [])
    questions: list[Question] = []
    if not isinstance(raw_questions, list):
        check.fail("questions", "must be a list")
    elif len(raw_questions) > QUESTIONS_MAX:
        check.fail("questions", f"at most {QUESTIONS_MAX} questions")
    else:
        given = [spec.get("uid") for spec in raw_questions if isinstance(spec, dict)]
        fresh = _fresh(uid_factory, {uid for uid in given if isinstance(uid, str)})
        seen_uids: set[str] = set()
        for i, spec in enumerate(raw_questions):
            question = _parse_question(spec, f"questions.{i}.", check, fresh)
            if question is None:
                continue
            if question.uid and question.uid in seen_uids:
                check.fail(f"questions.{i}.uid", "is used by another question")
            seen_uids.add(question.uid)
            questions.append(question)
    if check.errors:
        raise DeckInvalid(check.errors)
    return Deck(title=title, description=description, questions=tuple(questions))


def parse_question(spec: object, uid_factory: Callable[[], str] = new_uid) -> Question:
    check = _Checker()
    question = _parse_question(spec, "", check, uid_factory)
    if check.errors or question is None:
        raise DeckInvalid(check.errors)
    return question


def _parse_question(spec: object, path: str, check: _Checker, uid_factory: Callable[[], str]) -> Question | None:
    if not isinstance(spec, dict):
        check.fail(path.rstrip("."), "a question is an object")
        return None
    kind = spec.get("type")
    if kind not in KINDS:
        check.fail(f"{path}type", f"must be one of {', '.join(KINDS)}")
        return None
    uid = spec.get("uid") or uid_factory()
    if not isinstance(uid, str) or not 1 <= len(uid) <= 40 or not uid.replace("_", "").replace("-", "").isalnum():
        check.fail(f"{path}uid", "must be 1-40 letters, digits, - or _")
        uid = ""  # whatever it was (a list...) must not reach the duplicate check below
    text = check.text(spec, "text", path, max_length=TEXT_MAX)
    time_limit = spec.get("time_limit", 20)
    whole = isinstance(time_limit, int) and not isinstance(time_limit, bool)
    if not whole or not TIME_LIMIT_MIN <= time_limit <= TIME_LIMIT_MAX:
        check.fail(f"{path}time_limit", f"must be whole seconds from {TIME_LIMIT_MIN} to {TIME_LIMIT_MAX}")
        time_limit = 20
    points = 0 if kind == "poll" else spec.get("points", 1000)
    if points not in POINT_LEVELS or not isinstance(points, int) or isinstance(points, bool):
        check.fail(f"{path}points", "must be 0, 1000 (standard) or 2000 (double)")
        points = 1000
    image = spec.get("image") or None
    if image is not None and (
        not isinstance(image, str)
        or len(image) > IMAGE_MAX
        or not image.startswith(("https://", "http://", "/uploads/"))
    ):
        check.fail(f"{path}image", "must be an http(s) URL or an uploaded image")
        image = None
    topics = check.topics(spec, path)
    notes = check.notes(spec, path)
    common = dict(
        uid=uid, kind=kind, text=text, time_limit=time_limit, points=points, image=image, topics=topics, notes=notes
    )

    if kind in ("single", "multi"):
        raw = spec.get("choices")
        choices = check.strings(spec, "choices", path, count=CHOICES, max_length=CHOICE_TEXT_MAX)
        correct = frozenset(
            i
            for i, c in enumerate(raw if isinstance(raw, list) else [])
            if isinstance(c, dict) and c.get("correct") is True
        )
        if kind == "single" and len(correct) != 1:
            check.fail(f"{path}choices", "mark exactly one choice correct")
        if kind == "multi" and not correct:
            check.fail(f"{path}choices", "mark at least one choice correct")
        return ChoiceQuestion(**common, choices=choices, correct=correct, multiple=kind == "multi")
    if kind == "truefalse":
        answer = spec.get("correct")
        if not isinstance(answer, bool):
            check.fail(f"{path}correct", "must be true or false")
            answer = True
        return ChoiceQuestion(**common, choices=("True", "False"), correct=frozenset({0 if answer else 1}))
    if kind == "poll":
        choices = check.strings(spec, "choices", path, count=CHOICES, max_length=CHOICE_TEXT_MAX)
        multiple = spec.get("multiple", False)
        if not isinstance(multiple, bool):
            check.fail(f"{path}multiple", "must be true or false")
            multiple = False
        return ChoiceQuestion(**common, choices=choices, multiple=multiple)
    if kind == "typed":
        accepted = check.strings(spec, "accepted", path, count=(1, ACCEPTED_MAX), max_length=TYPED_MAX)
        return TypedQuestion(**common, accepted=accepted)
    if kind == "slider":
        low = check.number(spec, "min", path, 0)
        high = check.number(spec, "max", path, 100)
        step = check.number(spec, "step", path, 1)
        target = check.number(spec, "correct", path)
        tolerance = check.number(spec, "tolerance", path, 0)
        unit = check.text(spec, "unit", path, max_length=20, required=False)
        if low >= high:
            check.fail(f"{path}max", "must be greater than min")
        if step <= 0:
            check.fail(f"{path}step", "must be greater than 0")
        if not low <= target <= high:
            check.fail(f"{path}correct", "must lie between min and max")
        if tolerance < 0:
            check.fail(f"{path}tolerance", "must not be negative")
        return SliderQuestion(
            **common, minimum=low, maximum=high, step=step, target=target, tolerance=tolerance, unit=unit
        )
    # order
    items = check.strings(spec, "items", path, count=ORDER_ITEMS, max_length=CHOICE_TEXT_MAX)
    display = spec.get("display") or ()
    if display and (
        not isinstance(display, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in display)
        or sorted(display) != list(range(len(items)))
    ):
        check.fail(f"{path}display", "must be a permutation of the items")
        display = ()
    return OrderQuestion(**common, items=items, display=tuple(display))
