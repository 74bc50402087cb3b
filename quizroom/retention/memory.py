"""Memory per person x question: every scored answer is an FSRS review.

Pure: no Flask, no database, no clock. Times are passed in and must be aware datetimes
(they are converted to UTC, which is what ``fsrs`` insists on).

An answer becomes a rating like this (``fraction`` = ``response_ms / time_limit_ms``):

=========================================  ======
outcome                                    rating
=========================================  ======
``none`` (present, no answer in time)      Again
``wrong``                                  Again
``partial`` (some points, not fully right) Hard
``correct``, fraction > ``SLOW`` (0.75)    Hard
``correct``, fraction <= ``FAST`` (0.25)   Easy
``correct``, otherwise                     Good
=========================================  ======

A ``correct`` answer without a usable time (no ``response_ms``, or a time limit of 0) is Good.

The scheduler has no learning or relearning steps and no fuzzing: quizroom predicts recall
between sessions days or weeks apart, it does not schedule ten-minute steps, and the same
answers must always give the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import fsrs

from .records import OUTCOMES, Attempt

FAST = 0.25  # a correct answer in at most this fraction of the time limit is Easy
SLOW = 0.75  # a correct answer in more than this fraction of the time limit is Hard

_SCHEDULER = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def scheduler() -> fsrs.Scheduler:
    """The one scheduler every memory is computed with (built once, never changed)."""
    return _SCHEDULER


def rating(attempt: Attempt) -> fsrs.Rating:
    """The FSRS rating of one attempt (see the table in the module docstring)."""
    outcome = attempt.outcome
    if outcome in ("none", "wrong"):
        return fsrs.Rating.Again
    if outcome == "partial":
        return fsrs.Rating.Hard
    if outcome != "correct":
        raise ValueError(f"unknown outcome {outcome!r}: expected one of {', '.join(OUTCOMES)}")
    if attempt.response_ms is None or attempt.time_limit_ms <= 0:
        return fsrs.Rating.Good
    fraction = attempt.response_ms / attempt.time_limit_ms
    if fraction > SLOW:
        return fsrs.Rating.Hard
    if fraction <= FAST:
        return fsrs.Rating.Easy
    return fsrs.Rating.Good


@dataclass
class Memory:
    """What the model knows about one person and one question after all their attempts.

    ``lapses`` counts the times they forgot: an Again whose previous review was not Again
    (Good, Again, Again is one lapse; Again on the very first attempt is none)."""

    card: fsrs.Card
    reviews: int
    lapses: int
    first_seen: datetime
    last_seen: datetime
    outcomes: tuple[str, ...]


def as_utc(moment: datetime, what: str = "time") -> datetime:
    """``moment`` in ``datetime.UTC``; a naive datetime is refused (its zone is unknown)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} {moment.isoformat()} has no time zone: pass an aware UTC datetime")
    return moment.astimezone(UTC)


def _attempt_utc(a: Attempt) -> datetime:
    return as_utc(a.at, f"attempt time (person {a.person}, question {a.question_uid}, {a.session})")


def in_order(attempts: Iterable[Attempt]) -> list[tuple[datetime, Attempt]]:
    """The attempts with their UTC times, in the order everything here reads them: by time,
    then session key (attempts equal in both keep their given order)."""
    timed = [(a.at if a.at.tzinfo is UTC else _attempt_utc(a), a) for a in attempts]
    timed.sort(key=lambda pair: (pair[0], pair[1].session))
    return timed


def fold(attempts: Iterable[Attempt]) -> dict[tuple[int, str], Memory]:
    """Replay every attempt, in order of (time, session), into one memory per (person, question uid)."""
    memories: dict[tuple[int, str], Memory] = {}
    last_rating: dict[tuple[int, str], fsrs.Rating] = {}
    for at, attempt in in_order(attempts):
        key = (attempt.person, attempt.question_uid)
        grade = rating(attempt)
        memory = memories.get(key)
        if memory is None:
            # An explicit id and due date: Card() would otherwise read the wall clock (and sleep 1 ms).
            card = fsrs.Card(card_id=int(at.timestamp() * 1000), due=at)
            memory = memories[key] = Memory(card, 0, 0, at, at, ())
        memory.card, _ = _SCHEDULER.review_card(memory.card, grade, review_datetime=at)
        if grade == fsrs.Rating.Again and key in last_rating and last_rating[key] != fsrs.Rating.Again:
            memory.lapses += 1
        last_rating[key] = grade
        memory.reviews += 1
        memory.last_seen = at
        memory.outcomes = (*memory.outcomes, attempt.outcome)
    return memories


def recall(memory: Memory, at: datetime) -> float:
    """Predicted probability (0..1) that the person answers right at ``at``.

    FSRS counts whole days since the last review, so recall is 1.0 for the rest of the day
    of a review (the answer was just revealed) and falls from the next day on; a time
    before the last review gives the recall at the last review."""
    moment = max(as_utc(at, "recall time"), memory.last_seen)
    return _SCHEDULER.get_card_retrievability(memory.card, current_datetime=moment)


def card_to_dict(card: fsrs.Card) -> dict:
    """A JSON-ready dict of ``card`` (for ``MemoryState.card``)."""
    return dict(card.to_dict())


def card_from_dict(data: dict) -> fsrs.Card:
    """The card ``card_to_dict`` stored, its times back in ``datetime.UTC``."""
    card = fsrs.Card.from_dict(data)
    card.due = as_utc(card.due, "card due")
    if card.last_review is not None:
        card.last_review = as_utc(card.last_review, "card last review")
    return card
