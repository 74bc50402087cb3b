"""What the retention model reads: plain records built from the database by history.py.

Only known people (a roster, a personal link or an opt-in: ``Participant.person_id``)
have attempts: an anonymous nickname cannot be followed from one session to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

OUTCOMES = ("correct", "partial", "wrong", "none")


@dataclass(frozen=True)
class Attempt:
    """One person meeting one scored question once (a review, in FSRS terms)."""

    person: int  # models.Person id
    question_uid: str
    at: datetime  # aware, UTC: when they answered, or when the question opened for "none"
    session: str  # "room:<id>" for a live session, "practice:<id>" for a self-paced review
    outcome: str  # one of OUTCOMES; "none" = in the room (or the review) but no answer in time
    response_ms: int | None  # None when outcome is "none"
    time_limit_ms: int


@dataclass(frozen=True)
class QuestionInfo:
    uid: str
    text: str
    kind: str
    topics: tuple[str, ...] = ()
    spec: dict | None = None  # the latest question spec (to build a review deck from)


@dataclass(frozen=True)
class SessionInfo:
    """One live session (a room) for the engagement chart."""

    key: str  # "room:<id>"
    room_id: int
    title: str
    at: datetime  # when the room was opened
    participants: int  # joined and not removed
    known: int  # of whom known people
    expected: int | None  # the group's size when run for a group, else None
    questions: int  # scored questions played
    answers: int  # answers given to them (not voided)
    rating: float | None  # mean survey rating (1-5) when the session ran a survey with ratings

    @property
    def answer_rate(self) -> float | None:
        possible = self.participants * self.questions
        return self.answers / possible if possible else None
