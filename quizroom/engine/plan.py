"""The session plan ("agenda") document: quiz questions, polls, boards and surveys in the
order the trainer runs them. Parse and validate it, or list every
problem with its path (``activities.3.options.1``), exactly like a deck.

A plan's activities are the engine's own classes: ``Question`` (kind ``"question"`` in the
document; its ``.kind`` attribute stays the question type), ``Poll``, ``Board`` and
``Survey``. Use ``activity_kind()`` to tell them apart.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from .activity import SpecChecker
from .board import Board, parse_board
from .deck import Deck, DeckInvalid, _parse_question
from .deck import new_uid as new_question_uid
from .polls import Poll, parse_poll
from .questions import KINDS as QUESTION_TYPES
from .questions import Question
from .survey import Survey, default_survey, parse_survey

FORMAT = "quizroom.plan"
VERSION = 1
TITLE_MAX = 120
DESCRIPTION_MAX = 1000
ACTIVITIES = (1, 100)
KINDS = ("question", "poll", "board", "survey")

Activity = Question | Poll | Board | Survey

__all__ = [
    "ACTIVITIES",
    "Activity",
    "DeckInvalid",
    "FORMAT",
    "KINDS",
    "Plan",
    "VERSION",
    "activity_kind",
    "activity_label",
    "activity_spec",
    "deck_as_plan",
    "default_survey",
    "parse_activity",
    "parse_plan",
]


def new_uid(kind: str) -> str:
    return {"question": "q_", "poll": "p_", "board": "b_", "survey": "s_"}[kind] + secrets.token_hex(6)


def activity_kind(activity: Activity) -> str:
    """ "question", "poll", "board" or "survey"."""
    return "question" if isinstance(activity, Question) else activity.kind


def activity_spec(activity: Activity) -> dict:
    """The activity as it appears in a plan document (parse_activity reads it back)."""
    if isinstance(activity, Question):
        return {"kind": "question", **activity.to_spec()}
    return activity.to_spec()


def activity_label(activity: Activity) -> str:
    """One line for an agenda list: the question, poll text, board prompt or survey title."""
    if isinstance(activity, Board):
        return activity.prompt
    if isinstance(activity, Survey):
        return activity.title
    return activity.text


@dataclass(frozen=True)
class Plan:
    title: str
    description: str
    activities: tuple[Activity, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(a for a in self.activities if isinstance(a, Question))

    def to_document(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "title": self.title,
            "description": self.description,
            "activities": [activity_spec(a) for a in self.activities],
        }


def _parse_activity(
    spec: object, path: str, check: SpecChecker, uid_factory: Callable[[], str] | None
) -> Activity | None:
    if not isinstance(spec, dict):
        check.fail(path.rstrip("."), "an activity is an object")
        return None
    kind = spec.get("kind")
    if kind is None and spec.get("type") in QUESTION_TYPES:
        kind = "question"  # a bare deck question (and room snapshots from before plans)
    if not isinstance(kind, str) or kind not in KINDS:
        check.fail(f"{path}kind", f"must be one of {', '.join(KINDS)}")
        return None
    factory = uid_factory or (lambda: new_uid(kind))
    if kind == "question":
        return _parse_question(spec, path, check, uid_factory or new_question_uid)
    if kind == "poll":
        return parse_poll(spec, path, check, factory)
    if kind == "board":
        return parse_board(spec, path, check, factory)
    return parse_survey(spec, path, check, factory)


def parse_activity(spec: object, uid_factory: Callable[[], str] | None = None) -> Activity:
    """One activity spec (as in a plan, or a room snapshot) or DeckInvalid with paths from its root."""
    check = SpecChecker()
    activity = _parse_activity(spec, "", check, uid_factory)
    if check.errors or activity is None:
        raise DeckInvalid(check.errors)
    return activity


def parse_plan(document: object, uid_factory: Callable[[], str] | None = None) -> Plan:
    check = SpecChecker()
    if not isinstance(document, dict):
        raise DeckInvalid([{"path": "", "message": "a plan is a JSON object"}])
    if document.get("format", FORMAT) != FORMAT:
        check.fail("format", f'must be "{FORMAT}"')
    version = document.get("version", VERSION)
    if version != VERSION or not isinstance(version, int) or isinstance(version, bool):
        check.fail("version", f"version {version!r} is not supported (this quizroom reads {VERSION})")
    title = check.text(document, "title", "", max_length=TITLE_MAX)
    description = check.text(document, "description", "", max_length=DESCRIPTION_MAX, required=False)
    raw = document.get("activities")
    activities: list[Activity] = []
    if not isinstance(raw, list):
        check.fail("activities", "must be a list")
    elif not ACTIVITIES[0] <= len(raw) <= ACTIVITIES[1]:
        check.fail("activities", f"needs {ACTIVITIES[0]} to {ACTIVITIES[1]} activities")
    else:
        seen: set[str] = set()
        for i, spec in enumerate(raw):
            activity = _parse_activity(spec, f"activities.{i}.", check, uid_factory)
            if activity is None:
                continue
            if activity.uid and activity.uid in seen:
                check.fail(f"activities.{i}.uid", "is used by another activity")
            seen.add(activity.uid)
            activities.append(activity)
    if check.errors:
        raise DeckInvalid(check.errors)
    return Plan(title=title, description=description, activities=tuple(activities))


def deck_as_plan(deck: Deck) -> Plan:
    """A deck started as a room: a plan whose activities are its questions."""
    return Plan(title=deck.title, description=deck.description, activities=tuple(deck.questions))
