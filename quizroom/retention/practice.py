"""Self-paced review rounds: questions one known person plays alone on their phone.

A practice is opened by a secret link (``/r/<token>``; only the token's SHA-256 is
stored). The phone sees one question at a time. Its timer starts when the question is
first *served* (``shown_at``), so a reload continues the same countdown, and coming back
after the time ran out records "no answer" and moves on: leaving a question cannot dodge
a miss. Answers are graded and scored exactly like live answers (the question types'
``parse``/``grade`` and the engine's scoring, without the streak bonus), stored as
``PracticeAnswer`` rows, and then fed to the memory model like answers given in a room.

The functions take ``now`` (an aware UTC datetime from the app clock) so tests need no
sleeps. Every refused call raises :class:`PracticeError` and changes nothing.
"""

from __future__ import annotations

import importlib
import logging
import random
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm as so

from .. import models
from ..db import Database
from ..engine import DeckInvalid, EngineError, parse_question
from ..engine.questions import Question
from ..engine.scoring import answer_points
from ..engine.text import clean_line
from ..members import same_workspace
from ..store import token_hash

log = logging.getLogger(__name__)

QUESTIONS_MIN, QUESTIONS_MAX = 1, 50
TITLE_MAX = 120
# An answer sent just before the phone's countdown reached 0 still counts: it spent some
# time on the network, and the phone's countdown began after the server sent the question.
GRACE = timedelta(seconds=1.5)


class PracticeError(Exception):
    """A refused call. ``code`` is stable (the web layer maps it to an HTTP status);
    ``errors`` lists the problems of a refused ``create_practice`` (path + message)."""

    def __init__(self, code: str, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or []


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


# ------------------------------------------------------------------ creating
def create_practice(
    db: Database,
    *,
    trainer_id: int,
    person_id: int,
    title: object,
    questions: list[dict],
    now: datetime,
    token: str | None = None,
    salt: str | None = None,
) -> str:
    """Store a review round for one person; return the secret token for the link.

    The caller may bring the token (with the salt it was derived from, so it can show the
    link again later: see web/retention.py); otherwise a random one is made.

    Each question spec is validated like a deck question and stored as its ``to_spec()``,
    uid kept (memory is kept per uid). Order questions are shuffled once, here, so a
    reload shows the same order. Polls are refused: they have no right answer."""
    errors: list[dict] = []
    try:
        clean_title = clean_line(title, max_length=TITLE_MAX, field="title")
    except EngineError as error:
        errors.append({"path": "title", "message": error.message})
        clean_title = ""
    specs: list[dict] = []
    if not isinstance(questions, list) or not QUESTIONS_MIN <= len(questions) <= QUESTIONS_MAX:
        errors.append({"path": "questions", "message": f"needs {QUESTIONS_MIN} to {QUESTIONS_MAX} questions"})
    else:
        rng = random.Random(secrets.randbits(64))
        seen: set[str] = set()
        for i, spec in enumerate(questions):
            path = f"questions.{i}"
            if not isinstance(spec, dict) or not spec.get("uid"):
                errors.append({"path": f"{path}.uid", "message": "every question needs its uid"})
                continue
            try:
                question = parse_question(spec)
            except DeckInvalid as invalid:
                errors += [{"path": f"{path}.{e['path']}".rstrip("."), "message": e["message"]} for e in invalid.errors]
                continue
            if question.kind == "poll":
                errors.append({"path": f"{path}.type", "message": "a poll has no right answer to review"})
            elif question.uid in seen:
                errors.append({"path": f"{path}.uid", "message": "is used by another question"})
            seen.add(question.uid)
            specs.append(question.prepared(rng).to_spec())
    with db.transaction() as s:
        person = s.get(models.Person, person_id)
        if person is None or not same_workspace(s, trainer_id, person.trainer_id):  # people are the workspace's
            errors.append({"path": "person_id", "message": "no such person among this trainer's people"})
        if errors:
            raise PracticeError("bad_practice", "; ".join(f"{e['path']}: {e['message']}" for e in errors), errors)
        token = token or secrets.token_urlsafe(24)
        s.add(
            models.Practice(
                trainer_id=trainer_id,
                person_id=person_id,
                token_hash=token_hash(token),
                salt=salt,
                title=clean_title,
                questions=specs,
                position=0,
                shown_at=None,
                created_at=now,
                finished_at=None,
            )
        )
    return token


def exists(db: Database, token: str) -> bool:
    """Whether the link works (for the web layer's guessing limit; changes nothing)."""
    with db.read() as s:
        return _find(s, token, lock=False) is not None


# ------------------------------------------------------------------ playing
def view(db: Database, token: str, now: datetime, *, start: bool = True) -> dict:
    """The phone's state. A question whose time ran out is first recorded as "no answer".

    With ``start`` (the default) the current question is served, and its timer starts if
    this is the first time; without, a question not served yet is announced as ``ready``
    (so a page load, or the screen after an answer, does not start the next timer)."""
    try:
        return _view_once(db, token, now, start=start)
    except sqlalchemy.exc.IntegrityError:  # a concurrent request recorded the time-out first
        return _view_once(db, token, now, start=start)


def _view_once(db: Database, token: str, now: datetime, *, start: bool) -> dict:
    recorded: int | None = None
    with db.transaction() as s:
        practice = _require(s, token)
        if _expired(practice, now):
            deadline = _aware(practice.shown_at) + _limit(practice)
            recorded = _record(s, practice, None, deadline, timed_out=True).person_id
            s.flush()
        if start and practice.finished_at is None and practice.shown_at is None:
            practice.shown_at = now
            s.flush()
        result = _view(s, practice, now)
    if recorded is not None:
        _refresh(db, recorded, now)
    return result


def answer(db: Database, token: str, position: object, value: object, now: datetime) -> dict:
    """Grade an answer to the question at ``position``; store it and move on, in one
    transaction. Refused (nothing changes): another position than the current one,
    including a replay of an answered one (``wrong_question``), a question the phone was
    never served (``wrong_question``), a value its type cannot read (``bad_answer``).
    After the time limit (plus a little grace) the answer counts as none (``late``)."""
    with db.transaction() as s:
        practice = _require(s, token)
        current = practice.position
        if (
            practice.finished_at is not None
            or isinstance(position, bool)
            or not isinstance(position, int)
            or position != current
        ):
            raise PracticeError("wrong_question", "this question is not the one open: reload to continue")
        if practice.shown_at is None:
            raise PracticeError("wrong_question", "this question has not been opened yet")
        question = _question(practice, current)
        late = now > _aware(practice.shown_at) + _limit(practice) + GRACE
        clean = None
        if not late:
            try:
                clean = question.parse(value)
            except EngineError as error:
                raise PracticeError("bad_answer", error.message) from None
        stored = _record(s, practice, clean, now, timed_out=late)
        try:
            s.flush()
        except sqlalchemy.exc.IntegrityError:  # a concurrent copy of this answer got there first
            raise PracticeError("wrong_question", "this question was already answered") from None
        reply = {**_result(current, question, stored), "view": _view(s, practice, now)}
    _refresh(db, stored.person_id, now)
    return reply


# ------------------------------------------------------------------ internals
def _find(s: so.Session, token: object, *, lock: bool = True) -> models.Practice | None:
    if not isinstance(token, str) or not 10 <= len(token) <= 100:
        return None
    query = sa.select(models.Practice).where(models.Practice.token_hash == token_hash(token))
    if lock:
        query = query.with_for_update()  # PostgreSQL: one answer at a time per practice
    practice = s.scalars(query).one_or_none()
    # A person deleted by their trainer takes their review links with them.
    return practice if practice is not None and practice.person_id is not None else None


def _require(s: so.Session, token: object) -> models.Practice:
    practice = _find(s, token)
    if practice is None:
        raise PracticeError("not_found", "this review link does not exist (any more)")
    return practice


def _question(practice: models.Practice, position: int) -> Question:
    return parse_question(practice.questions[position])


def _limit(practice: models.Practice) -> timedelta:
    return timedelta(seconds=_question(practice, practice.position).time_limit)


def _expired(practice: models.Practice, now: datetime) -> bool:
    shown = _aware(practice.shown_at)
    return practice.finished_at is None and shown is not None and now > shown + _limit(practice) + GRACE


def _record(
    s: so.Session, practice: models.Practice, clean: object, at: datetime, *, timed_out: bool
) -> models.PracticeAnswer:
    """Add the answer to the current question (``timed_out``: none in time) and move on.
    Scored like a live answer: the question's share of points, less for slower answers.
    Returns the new row."""
    question = _question(practice, practice.position)
    limit_ms = question.time_limit * 1000
    if timed_out:
        correct, points, response_ms, stored = False, 0, limit_ms, None
    else:
        elapsed = (at - _aware(practice.shown_at)).total_seconds()
        fraction = question.grade(clean) or 0.0
        correct = fraction == 1.0
        points = answer_points(fraction, elapsed, question.time_limit, question.points) if question.scored else 0
        response_ms, stored = min(_ms(at - _aware(practice.shown_at)), limit_ms), clean
    row = models.PracticeAnswer(
        practice_id=practice.id,
        person_id=practice.person_id,
        question_uid=question.uid,
        value={"v": stored},
        correct=correct,
        points=points,
        response_ms=max(0, response_ms),
        time_limit_ms=limit_ms,
        answered_at=at,
    )
    s.add(row)
    practice.position += 1
    practice.shown_at = None
    if practice.position >= len(practice.questions):
        practice.finished_at = at
    return row


def _result(position: int, question: Question, row: models.PracticeAnswer) -> dict:
    """One answered question as the phone shows it (feedback, the summary's rows)."""
    value = row.value.get("v")
    return {
        "position": position,
        "question": question.public(),
        "answered": value is not None,
        "late": value is None,
        "value": value,
        "correct": bool(row.correct),
        "points": row.points,
        "response_ms": row.response_ms if value is not None else None,
        "solution": question.solution(),
    }


def _view(s: so.Session, practice: models.Practice, now: datetime) -> dict:
    person = s.get(models.Person, practice.person_id)
    trainer = s.get(models.Trainer, practice.trainer_id)
    rows = {
        r.question_uid: r
        for r in s.scalars(sa.select(models.PracticeAnswer).where(models.PracticeAnswer.practice_id == practice.id))
    }
    questions = [parse_question(spec) for spec in practice.questions]
    results = [_result(i, q, rows[q.uid]) for i, q in enumerate(questions) if q.uid in rows]
    total, position = len(questions), practice.position
    data: dict = {
        "title": practice.title,
        "name": person.name if person else "",
        "trainer": trainer.name if trainer else "",
        "total": total,
        "position": position,
        "number": min(position + 1, total),
        "score": sum(r["points"] for r in results),
        "correct": sum(1 for r in results if r["correct"]),
        "previous": results[-1] if results else None,
        "question": None,
        "remaining_ms": None,
        "summary": None,
    }
    if practice.finished_at is not None:
        data["state"] = "finished"
        data["summary"] = {
            "questions": total,
            "answered": sum(1 for r in results if r["answered"]),
            "correct": data["correct"],
            "points": data["score"],
            "max_points": sum(q.points for q in questions),
            "items": results,
        }
    elif practice.shown_at is None:
        data["state"] = "ready"
    else:
        question = questions[position]
        left = _ms(_aware(practice.shown_at) + timedelta(seconds=question.time_limit) - now)
        data["state"] = "question"
        data["question"] = question.public()  # never the solution
        data["remaining_ms"] = max(0, left)
    return data


def _refresh(db: Database, person_id: int, now: datetime) -> None:
    """Update the person's memory states from their answers (the lead's sync module).

    The answer is committed before this runs, and a failure here is logged, never
    raised: the memory is a cache, rebuilt from the answers on the next refresh."""
    try:
        sync = importlib.import_module("quizroom.retention.sync")
    except ModuleNotFoundError as missing:
        if missing.name == "quizroom.retention.sync":
            return  # not written yet
        log.exception("cannot load the memory refresh for person %s", person_id)
        return
    except Exception:
        log.exception("cannot load the memory refresh for person %s", person_id)
        return
    try:
        sync.refresh_memory(db, [person_id], now)
    except Exception:
        log.exception("memory refresh failed for person %s (their answer is stored)", person_id)
