"""Question types: what a question is, what a phone may see, and how an answer is graded.

Every type answers the same five questions, so the room never needs to know which
type it is running:

- ``public()``   what phones and the stage may see while answers are open
                 (never the solution);
- ``parse(v)``   turn a raw answer value from the wire into a clean one, or reject it;
- ``grade(v)``   the fraction of the points it earns (0..1), ``None`` for unscored polls;
- ``solution()`` what the reveal shows as correct;
- ``distribution(values)`` the aggregate shown after the reveal.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from .errors import EngineError
from .text import clean_line, fold_answer

TIME_LIMIT_MIN, TIME_LIMIT_MAX = 5, 240
POINT_LEVELS = (0, 1000, 2000)
TEXT_MAX = 300
CHOICE_TEXT_MAX = 120
TYPED_MAX = 100
ORDER_ITEMS = (2, 6)
CHOICES = (2, 6)
KINDS = ("single", "multi", "truefalse", "typed", "slider", "order", "poll")
TOPICS_MAX = 5  # topics per question
TOPIC_MAX = 40  # characters per topic
NOTES_MAX = 2000  # presenter notes per question (characters, lines kept)


def topic_key(topic: str) -> str:
    """Topics are the same regardless of case (and compatibility forms): "Git" is "git"."""
    return unicodedata.normalize("NFKC", topic).casefold()


def bad_answer(message: str) -> EngineError:
    return EngineError("bad_answer", message)


@dataclass(frozen=True)
class Question:
    uid: str
    kind: str
    text: str
    time_limit: int = 20
    points: int = 1000
    image: str | None = None
    # Tags for the retention reports ("which topics stick"). Trainer-side only: never in
    # public() (phones do not need them), in the spec only when there are some.
    topics: tuple[str, ...] = ()
    # Presenter notes (docs/cohosts.md): trainer-side only, never in public(); only the
    # presenter view's host sockets get them.
    notes: str = ""

    @property
    def scored(self) -> bool:
        return self.points > 0

    def base_public(self) -> dict:
        return {
            "uid": self.uid,
            "type": self.kind,
            "text": self.text,
            "image": self.image,
            "time_limit": self.time_limit,
            "points": self.points,
        }

    def public(self) -> dict:
        return self.base_public()

    def base_spec(self) -> dict:
        spec = {
            "uid": self.uid,
            "type": self.kind,
            "text": self.text,
            "time_limit": self.time_limit,
            "points": self.points,
        }
        if self.image:
            spec["image"] = self.image
        if self.topics:
            spec["topics"] = list(self.topics)
        if self.notes:
            spec["notes"] = self.notes
        return spec

    def prepared(self, rng: random.Random) -> Question:
        """A copy ready to play (types that shuffle do it here, once per room)."""
        return self

    # The defaults below are overridden by every concrete type.
    def parse(self, value: object) -> object:  # pragma: no cover - abstract
        raise NotImplementedError

    def grade(self, value: object) -> float | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def solution(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def distribution(self, values: list) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_spec(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError


def _choice_index(value: object, count: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise bad_answer(f"choose one of 0..{count - 1}")
    return value


@dataclass(frozen=True)
class ChoiceQuestion(Question):
    """single, multi, truefalse and poll: pick from a list of choices."""

    choices: tuple[str, ...] = ()
    correct: frozenset[int] = frozenset()
    multiple: bool = False

    def public(self) -> dict:
        data = self.base_public()
        data["choices"] = [{"id": i, "text": t} for i, t in enumerate(self.choices)]
        data["multiple"] = self.multiple
        return data

    def parse(self, value: object) -> object:
        if not self.multiple:
            return _choice_index(value, len(self.choices))
        if not isinstance(value, list) or not value or len(value) > len(self.choices):
            raise bad_answer("choose one or more choices")
        picked = sorted({_choice_index(v, len(self.choices)) for v in value})
        if len(picked) != len(value):
            raise bad_answer("a choice was picked twice")
        return picked

    def grade(self, value: object) -> float | None:
        if self.kind == "poll":
            return None
        if not self.multiple:
            return 1.0 if value in self.correct else 0.0
        picked = set(value)  # type: ignore[arg-type]
        if picked - self.correct:
            return 0.0  # any wrong choice makes the whole answer wrong
        return len(picked) / len(self.correct)

    def solution(self) -> dict:
        return {"choices": sorted(self.correct)}

    def distribution(self, values: list) -> dict:
        counts = [0] * len(self.choices)
        for value in values:
            for choice in value if self.multiple else [value]:
                counts[choice] += 1
        return {"counts": counts}

    def to_spec(self) -> dict:
        spec = self.base_spec()
        if self.kind == "truefalse":
            spec["correct"] = 0 in self.correct
            return spec
        if self.kind == "poll":
            spec["choices"] = [{"text": t} for t in self.choices]
            spec["multiple"] = self.multiple
            return spec
        spec["choices"] = [{"text": t, "correct": i in self.correct} for i, t in enumerate(self.choices)]
        return spec


@dataclass(frozen=True)
class TypedQuestion(Question):
    """Type the answer; several spellings accepted, case/accent/space-insensitive."""

    accepted: tuple[str, ...] = ()

    def public(self) -> dict:
        data = self.base_public()
        data["max_length"] = TYPED_MAX
        return data

    def parse(self, value: object) -> object:
        try:
            return clean_line(value, max_length=TYPED_MAX, field="answer")
        except EngineError as error:
            raise bad_answer(error.message) from None

    def grade(self, value: object) -> float | None:
        folded = fold_answer(str(value))
        return 1.0 if any(fold_answer(a) == folded for a in self.accepted) else 0.0

    def solution(self) -> dict:
        return {"accepted": list(self.accepted)}

    def distribution(self, values: list) -> dict:
        counts = Counter(fold_answer(v) for v in values)
        accepted = {fold_answer(a) for a in self.accepted}
        top = [{"text": text, "count": n, "correct": text in accepted} for text, n in counts.most_common(10)]
        return {"top": top, "distinct": len(counts)}

    def to_spec(self) -> dict:
        spec = self.base_spec()
        spec["accepted"] = list(self.accepted)
        return spec


@dataclass(frozen=True)
class SliderQuestion(Question):
    """Pick a number on a scale; correct within a tolerance."""

    minimum: float = 0
    maximum: float = 100
    step: float = 1
    target: float = 50
    tolerance: float = 0
    unit: str = ""

    def public(self) -> dict:
        data = self.base_public()
        data.update(min=self.minimum, max=self.maximum, step=self.step, unit=self.unit)
        return data

    def parse(self, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_answer("send a number")
        if not math.isfinite(value) or not self.minimum <= value <= self.maximum:
            raise bad_answer(f"pick a number from {self.minimum} to {self.maximum}")
        return value

    def grade(self, value: object) -> float | None:
        # A small epsilon so that 0.1 + 0.2 style floats are not marked wrong.
        return 1.0 if abs(float(value) - self.target) <= self.tolerance + 1e-9 else 0.0

    def solution(self) -> dict:
        return {"value": self.target, "tolerance": self.tolerance}

    def distribution(self, values: list) -> dict:
        if not values:
            return {"values": [], "mean": None, "median": None}
        counts = Counter(values)
        ordered = sorted(values)
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        return {
            "values": [[v, n] for v, n in sorted(counts.items())],
            "mean": sum(values) / len(values),
            "median": median,
        }

    def to_spec(self) -> dict:
        spec = self.base_spec()
        spec.update(min=self.minimum, max=self.maximum, step=self.step, correct=self.target, tolerance=self.tolerance)
        if self.unit:
            spec["unit"] = self.unit
        return spec


@dataclass(frozen=True)
class OrderQuestion(Question):
    """Put items in the right order. Items are listed correctly in the deck and shown
    shuffled; ``display[i]`` is the correct position of the i-th item on screen, so a
    phone only ever sees screen ids that say nothing about the order."""

    items: tuple[str, ...] = ()
    display: tuple[int, ...] = field(default=())

    def prepared(self, rng: random.Random) -> Question:
        if self.display:
            return self
        order = list(range(len(self.items)))
        rng.shuffle(order)
        # Never start from the solution, except with two items: there, always showing them
        # swapped would give the solution away.
        while len(order) > 2 and order == sorted(order):
            rng.shuffle(order)
        return replace(self, display=tuple(order))

    def public(self) -> dict:
        data = self.base_public()
        data["items"] = [{"id": i, "text": self.items[pos]} for i, pos in enumerate(self.display)]
        return data

    def parse(self, value: object) -> object:
        n = len(self.items)
        if not isinstance(value, list) or len(value) != n:
            raise bad_answer(f"send all {n} item ids in your order")
        ids = [_choice_index(v, n) for v in value]
        if len(set(ids)) != n:
            raise bad_answer("each item exactly once")
        return ids

    def grade(self, value: object) -> float | None:
        return 1.0 if [self.display[i] for i in value] == list(range(len(self.items))) else 0.0  # type: ignore[union-attr]

    def solution(self) -> dict:
        by_position = sorted(range(len(self.display)), key=lambda i: self.display[i])
        return {"order": by_position}

    def distribution(self, values: list) -> dict:
        right = sum(1 for v in values if self.grade(v) == 1.0)
        return {"correct": right, "incorrect": len(values) - right}

    def to_spec(self) -> dict:
        spec = self.base_spec()
        spec["items"] = list(self.items)
        if self.display:
            spec["display"] = list(self.display)
        return spec
