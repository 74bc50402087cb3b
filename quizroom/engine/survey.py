"""The pulse survey: a few rating and free-text items, usually at the end of a session.

Participant action (``SurveyRun.submit``)::

    submit {"answers": {item id: value}}   every item optional (null or "" = not answered);
                                           rating: whole number 1..scale; text: up to 500
                                           characters (lines kept); at least one item answered.
                                           A second submit replaces the first.

Host commands: ``close``, ``reopen``. Results go to the stage (once closed) and to the
report, never to phones: a phone only gets its own answers back.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from .activity import (
    OpenCloseRun,
    SpecChecker,
    bad_answer,
    bad_payload,
    clean_text,
    mean,
    only_keys,
    valid_uid,
    whole,
)
from .errors import EngineError

TITLE_MAX = 120
ITEMS = (1, 10)
ITEM_TYPES = ("rating", "text")
ITEM_TEXT_MAX = 300
SCALES = (5, 10)
ANSWER_MAX = 500


@dataclass(frozen=True)
class SurveyItem:
    id: str
    type: str
    text: str
    scale: int = 5

    def to_spec(self) -> dict:
        spec: dict = {"id": self.id, "type": self.type, "text": self.text}
        if self.type == "rating":
            spec["scale"] = self.scale
        return spec

    def parse_value(self, value: object) -> object:
        """A clean answer, None for "not answered", or bad_answer."""
        if value is None:
            return None
        if self.type == "rating":
            if not whole(value) or not 1 <= value <= self.scale:  # type: ignore[operator]
                raise bad_answer(f"{self.id}: rate from 1 to {self.scale}")
            return value
        return clean_text(value, max_length=ANSWER_MAX, multiline=True, allow_empty=True, what=self.id) or None


@dataclass(frozen=True)
class Survey:
    kind: ClassVar[str] = "survey"
    uid: str
    title: str
    items: tuple[SurveyItem, ...]
    anonymous: bool = True

    def to_spec(self) -> dict:
        return {
            "kind": "survey",
            "uid": self.uid,
            "title": self.title,
            "anonymous": self.anonymous,
            "items": [item.to_spec() for item in self.items],
        }

    def new_run(self) -> SurveyRun:
        return SurveyRun(self)


def default_survey(uid: str | None = None) -> dict:
    """The template the editor offers (a fresh uid each time, so two of them can share a plan)."""
    return {
        "kind": "survey",
        "uid": uid or "s_" + secrets.token_hex(6),
        "title": "How was today?",
        "anonymous": True,
        "items": [
            {"id": "session", "type": "rating", "text": "Rate the session", "scale": 5},
            {"id": "trainer", "type": "rating", "text": "Rate the trainer", "scale": 5},
            {"id": "use", "type": "text", "text": "What will you use?"},
            {"id": "unclear", "type": "text", "text": "What was unclear?"},
            {"id": "comment", "type": "text", "text": "Anything else?"},
        ],
    }


def parse_survey(spec: dict, path: str, check: SpecChecker, uid_factory: Callable[[], str]) -> Survey:
    uid = check.uid(spec, path, uid_factory)
    title = check.text(spec, "title", path, max_length=TITLE_MAX)
    anonymous = check.boolean(spec, "anonymous", path, True)
    raw = spec.get("items")
    items: list[SurveyItem] = []
    if not isinstance(raw, list):
        check.fail(f"{path}items", "must be a list")
    else:
        if not ITEMS[0] <= len(raw) <= ITEMS[1]:
            check.fail(f"{path}items", f"needs {ITEMS[0]} to {ITEMS[1]} items")
        seen: set[str] = set()
        for i, item in enumerate(raw):
            where = f"{path}items.{i}."
            if not isinstance(item, dict):
                check.fail(where.rstrip("."), "an item is an object")
                continue
            item_id = item.get("id")
            if not valid_uid(item_id):
                check.fail(f"{where}id", "must be 1-40 letters, digits, - or _")
                item_id = ""
            elif item_id in seen:
                check.fail(f"{where}id", "is used by another item")
            seen.add(item_id)  # type: ignore[arg-type]
            kind = check.one_of(item, "type", where, ITEM_TYPES)
            text = check.text(item, "text", where, max_length=ITEM_TEXT_MAX)
            scale = check.one_of(item, "scale", where, SCALES, 5) if kind == "rating" else 5
            items.append(SurveyItem(id=item_id, type=kind, text=text, scale=scale))  # type: ignore[arg-type]
    return Survey(uid=uid, title=title, items=tuple(items), anonymous=anonymous)


class SurveyRun(OpenCloseRun):
    ACTIONS = ("submit",)
    HOST_ACTIONS = ("close", "reopen")
    activity: Survey

    def __init__(self, survey: Survey) -> None:
        super().__init__(survey)
        self.items = {item.id: item for item in survey.items}
        self.answers: dict[int, dict[str, object]] = {}  # pid -> answers, latest submission last
        self.distribution = {item.id: [0] * item.scale for item in survey.items if item.type == "rating"}
        self.totals = dict.fromkeys(self.distribution, 0)
        self.counts = dict.fromkeys(self.distribution, 0)

    def _check_submit(self, pid: int, payload: dict) -> dict:
        only_keys(payload, {"answers"})
        self.require_open()
        raw = payload.get("answers")
        if not isinstance(raw, dict):
            raise bad_payload("answers must be an object of item id -> answer")
        unknown = [key for key in raw if key not in self.items]
        if unknown:
            raise bad_payload(f"no item {str(unknown[0])[:40]!r} in this survey")
        answers = {}
        for item_id, item in self.items.items():  # in the survey's order
            value = item.parse_value(raw.get(item_id))
            if value is not None:
                answers[item_id] = value
        if not answers:
            raise bad_answer("answer at least one item")
        return {"answers": answers}

    def _apply_submit(self, pid: int, record: dict) -> None:
        raw = record.get("answers")
        if not isinstance(raw, dict):
            return
        answers = {}
        for item_id, value in raw.items():
            item = self.items.get(item_id)
            if item is None:
                continue
            try:
                clean = item.parse_value(value)
            except EngineError:  # a stored record that no longer fits is skipped
                continue
            if clean is not None:
                answers[item_id] = clean
        old = self.answers.pop(pid, None)
        if old is not None:
            self._tally(old, -1)
        self.answers[pid] = answers
        self._tally(answers, 1)

    def _tally(self, answers: dict, sign: int) -> None:
        for item_id, value in answers.items():
            if item_id in self.distribution:
                self.distribution[item_id][value - 1] += sign
                self.totals[item_id] += sign * value
                self.counts[item_id] += sign

    # ------------------------------------------------------------- results
    def _results(self, names: dict[int, str] | None) -> dict:
        rows = []
        for item in self.activity.items:
            row: dict = {"id": item.id, "type": item.type, "text": item.text}
            if item.type == "rating":
                count = self.counts[item.id]
                row.update(
                    scale=item.scale,
                    distribution=list(self.distribution[item.id]),
                    mean=mean(self.totals[item.id], count),
                    count=count,
                )
            else:
                answers = []
                for pid, given in self.answers.items():
                    text = given.get(item.id)
                    if text:
                        answer = {"text": text}
                        if names is not None and not self.activity.anonymous:
                            answer["nickname"] = names.get(pid, "")
                        answers.append(answer)
                row["answers"] = answers
            rows.append(row)
        return {"responses": len(self.answers), "items": rows}

    def view(self, for_players: bool, names: dict[int, str]) -> dict:
        survey = self.activity
        return {
            "kind": "survey",
            "uid": survey.uid,
            "title": survey.title,
            "anonymous": survey.anonymous,
            "items": [item.to_spec() for item in survey.items],
            "open": self.is_open,
            "responses": len(self.answers),
            "results": None if for_players or self.is_open else self._results(names),
        }

    def personal(self, pid: int) -> dict:
        mine = self.answers.get(pid)
        return {
            "submitted": mine is not None,
            "answers": dict(mine) if mine is not None else None,
            "can_submit": self.is_open,
        }

    def report(self, names: dict[int, str]) -> dict:
        survey = self.activity
        data = {
            "kind": "survey",
            "uid": survey.uid,
            "title": survey.title,
            "anonymous": survey.anonymous,
            "items": [item.to_spec() for item in survey.items],
            "responses": len(self.answers),
            "results": self._results(names),
        }
        if not survey.anonymous:
            data["answers"] = [
                {"participant": pid, "nickname": names.get(pid, ""), "answers": dict(given)}
                for pid, given in sorted(self.answers.items())
            ]
        return data

    def state(self) -> dict:
        return self.base_state()

    def load_state(self, state: dict) -> None:
        self.load_base_state(state)
        self.touch()
