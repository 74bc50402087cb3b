"""Read a trainer's stored sessions into retention records (records.py).

A question counts for retention once it has closed: it was played, not skipped (voided),
and is no longer the open question of a live room. For each such question every known
person who was in the room when it closed has exactly one attempt: their answer, or
"none" when they gave none (someone who left the session early therefore counts as not
answering the rest). Removed participants and anonymous nicknames have no attempts.
Self-paced review answers are attempts too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import models
from ..engine import parse_question
from ..engine.questions import topic_key
from ..results import agenda_specs
from .records import Attempt, QuestionInfo, SessionInfo

SCORED_KINDS = ("single", "multi", "truefalse", "typed", "slider", "order")


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def outcome_of(
    correct: bool | None, points: int, value: object, spec: dict | None = None, parsed: dict | None = None
) -> str:
    """An answer's outcome; partial = some credit: points, or on a no-points question (whose
    points say nothing) the grade of the stored value against ``spec``."""
    if value is None:
        return "none"
    if correct:
        return "correct"
    if points > 0:
        return "partial"
    fraction = _grade(spec, value, parsed) if spec is not None else None
    return "partial" if (fraction or 0) > 0 else "wrong"


def _grade(spec: dict, value: object, parsed: dict | None = None) -> float | None:
    """The fraction of credit an answer earns (None when this version cannot tell);
    ``parsed`` caches the parsed question by uid across calls."""
    try:
        cache = parsed if parsed is not None else {}
        question = cache.get(spec["uid"])
        if question is None:
            question = cache[spec["uid"]] = parse_question(spec)
        return question.grade(value)
    except Exception:  # a stored value or spec this version cannot read
        return None


# Plain rows, not ORM objects: a year of sessions is tens of thousands of answers.
ANSWER_COLUMNS = (
    models.Answer.room_id,
    models.Answer.participant_number,
    models.Answer.question_index,
    models.Answer.value,
    models.Answer.correct,
    models.Answer.points,
    models.Answer.response_ms,
    models.Answer.answered_at,
    models.Answer.voided,
)
PARTICIPANT_COLUMNS = (
    models.Participant.room_id,
    models.Participant.number,
    models.Participant.person_id,
    models.Participant.removed,
    models.Participant.joined_at,
)


def closed_questions(snapshot: dict, live: bool) -> list[tuple[int, dict]]:
    """(position, spec) of the scored questions of a room that have closed."""
    played = set(snapshot.get("played") or [])
    voided = set(snapshot.get("voided") or [])
    open_now = snapshot.get("index") if live and snapshot.get("phase") == "question" else None
    out = []
    for position, kind, spec in agenda_specs(snapshot):
        if kind != "question" or spec.get("type") not in SCORED_KINDS or not spec.get("uid"):
            continue
        if position in played and position not in voided and position != open_now:
            out.append((position, spec))
    return out


def _opened_at(snapshot: dict, position: int, fallback: datetime) -> datetime:
    seconds = (snapshot.get("opened_times") or {}).get(str(position))
    return _stamp(seconds) if isinstance(seconds, int | float) else fallback


@dataclass
class History:
    """Everything the dashboard reads, for one trainer."""

    attempts: list[Attempt] = field(default_factory=list)
    catalogue: dict[str, QuestionInfo] = field(default_factory=dict)
    sessions: list[SessionInfo] = field(default_factory=list)
    session_people: dict[str, set[int]] = field(default_factory=dict)  # session key -> known people present
    room_decks: dict[int, int | None] = field(default_factory=dict)  # room id -> deck id
    room_groups: dict[int, int | None] = field(default_factory=dict)  # room id -> group id


def _room_attempts(room: models.Room, people: list, answers: list) -> list[Attempt]:
    """people: rows of PARTICIPANT_COLUMNS; answers: rows of ANSWER_COLUMNS."""
    started = utc(room.created_at)
    parsed: dict = {}
    by_key = {(a.participant_number, a.question_index): a for a in answers if not a.voided}
    known = [p for p in people if p.person_id is not None and not p.removed]
    out = []
    for position, spec in closed_questions(room.snapshot, room.live):
        opened = _opened_at(room.snapshot, position, started)
        limit_ms = int(spec.get("time_limit", 20)) * 1000
        closes = opened.timestamp() + limit_ms / 1000
        for p in known:
            answer = by_key.get((p.number, position))
            if answer is None:
                if utc(p.joined_at).timestamp() > closes:
                    continue  # joined after this question
                out.append(Attempt(p.person_id, spec["uid"], opened, f"room:{room.id}", "none", None, limit_ms))
                continue
            value = answer.value.get("v")
            outcome = outcome_of(answer.correct, answer.points, value, spec, parsed)
            out.append(
                Attempt(
                    p.person_id,
                    spec["uid"],
                    utc(answer.answered_at),
                    f"room:{room.id}",
                    outcome,
                    answer.response_ms,
                    limit_ms,
                )
            )
    return out


def _survey_rating(room: models.Room, submissions: list[models.Submission], removed: set[int]) -> float | None:
    """Mean of every rating given in the room's surveys, each on a 1-5 scale (latest submit wins)."""
    scales: dict[tuple[str, str], int] = {}
    for _position, kind, spec in agenda_specs(room.snapshot):
        if kind == "survey":
            for item in spec.get("items") or []:
                if isinstance(item, dict) and item.get("type") == "rating":
                    scales[(spec.get("uid"), item.get("id"))] = int(item.get("scale", 5))
    latest: dict[tuple[str, int], dict] = {}
    for s in submissions:
        if s.action == "submit" and s.participant_number not in removed:
            latest[(s.activity_uid, s.participant_number)] = s.record.get("answers") or {}
    values = []
    for (uid, _pid), answers in latest.items():
        for item_id, value in answers.items():
            scale = scales.get((uid, item_id))
            if scale and isinstance(value, int) and not isinstance(value, bool):
                values.append(1 + (value - 1) * 4 / (scale - 1))
    return sum(values) / len(values) if values else None


def _catalogue_add(catalogue: dict[str, QuestionInfo], spec: dict, spellings: dict[str, str]) -> None:
    """Record a question's latest version; a topic keeps the spelling it was first seen
    with ("Git" in one deck and "git" in another are one topic)."""
    uid = spec.get("uid")
    if not isinstance(uid, str) or spec.get("type") not in SCORED_KINDS:
        return
    topics = tuple(
        spellings.setdefault(topic_key(t), t) for t in spec.get("topics") or [] if isinstance(t, str) and t.strip()
    )
    clean = {k: v for k, v in spec.items() if k != "kind"}
    catalogue[uid] = QuestionInfo(uid, str(spec.get("text", "")), str(spec.get("type")), topics, clean)


def _of(column, trainer_id: int | Collection[int]):
    """``trainer_id``: one trainer, or every trainer of a workspace (its dashboard, docs/workspace.md)."""
    return column == trainer_id if isinstance(trainer_id, int) else column.in_(sorted(trainer_id))


def load_history(
    session: so.Session, trainer_id: int | Collection[int], group_sizes: dict[int, int] | None = None
) -> History:
    """Every closed question of the trainer's (or trainers') rooms and self-paced reviews, as attempts.

    The catalogue describes each question by its latest version: rooms in date order,
    then the trainer's decks as they are now (a typo fixed today shows fixed)."""
    history = History()
    rooms = list(
        session.scalars(
            sa.select(models.Room).where(_of(models.Room.trainer_id, trainer_id)).order_by(models.Room.created_at)
        )
    )
    room_ids = [r.id for r in rooms]
    people: dict[int, list] = defaultdict(list)
    answers: dict[int, list] = defaultdict(list)
    submissions: dict[int, list[models.Submission]] = defaultdict(list)
    if room_ids:
        for p in session.execute(sa.select(*PARTICIPANT_COLUMNS).where(models.Participant.room_id.in_(room_ids))):
            people[p.room_id].append(p)
        for a in session.execute(sa.select(*ANSWER_COLUMNS).where(models.Answer.room_id.in_(room_ids))):
            answers[a.room_id].append(a)
        survey_rooms = [r.id for r in rooms if any(k == "survey" for _, k, _ in agenda_specs(r.snapshot))]
        if survey_rooms:
            query = (
                sa.select(models.Submission)
                .where(models.Submission.room_id.in_(survey_rooms))
                .order_by(models.Submission.id)
            )
            for s in session.scalars(query):
                submissions[s.room_id].append(s)
    sizes = group_sizes if group_sizes is not None else _group_sizes(session, trainer_id)
    spellings: dict[str, str] = {}
    for room in rooms:
        key = f"room:{room.id}"
        history.room_decks[room.id] = room.deck_id
        history.room_groups[room.id] = room.group_id
        for _position, kind, spec in agenda_specs(room.snapshot):
            if kind == "question":
                _catalogue_add(history.catalogue, spec, spellings)
        attempts = _room_attempts(room, people[room.id], answers[room.id])
        history.attempts += attempts
        present = [p for p in people[room.id] if not p.removed]
        closed = {pos for pos, _spec in closed_questions(room.snapshot, room.live)}
        numbers = {p.number for p in present}
        history.session_people[key] = {p.person_id for p in present if p.person_id is not None}
        history.sessions.append(
            SessionInfo(
                key=key,
                room_id=room.id,
                title=room.title,
                at=utc(room.created_at),
                participants=len(present),
                known=len(history.session_people[key]),
                expected=sizes.get(room.group_id) if room.group_id else None,
                questions=len(closed),
                answers=sum(
                    1
                    for a in answers[room.id]
                    if a.question_index in closed and not a.voided and a.participant_number in numbers
                ),
                rating=_survey_rating(room, submissions[room.id], {p.number for p in people[room.id] if p.removed}),
            )
        )
    for deck in session.scalars(sa.select(models.Deck).where(_of(models.Deck.trainer_id, trainer_id))):
        for spec in (deck.document or {}).get("questions") or []:
            if isinstance(spec, dict):
                _catalogue_add(history.catalogue, spec, spellings)
    history.attempts += practice_attempts(session, trainer_id=trainer_id)
    history.attempts.sort(key=lambda a: (a.at, a.session, a.person, a.question_uid))
    return history


def practice_attempts(
    session: so.Session, *, trainer_id: int | Collection[int] | None = None, person_ids: Iterable[int] | None = None
) -> list[Attempt]:
    query = (
        sa.select(models.PracticeAnswer, models.Practice.questions)
        .join(models.Practice, models.Practice.id == models.PracticeAnswer.practice_id)
        .where(models.PracticeAnswer.person_id.is_not(None))
    )
    if trainer_id is not None:
        query = query.where(_of(models.Practice.trainer_id, trainer_id))
    if person_ids is not None:
        query = query.where(models.PracticeAnswer.person_id.in_(list(person_ids)))
    out = []
    for a, specs in session.execute(query).all():
        value = a.value.get("v")
        spec = next((q for q in specs or [] if isinstance(q, dict) and q.get("uid") == a.question_uid), None)
        out.append(
            Attempt(
                a.person_id,
                a.question_uid,
                utc(a.answered_at),
                f"practice:{a.practice_id}",
                outcome_of(a.correct, a.points, value, spec),
                a.response_ms if value is not None else None,
                a.time_limit_ms,
            )
        )
    return out


def person_attempts(session: so.Session, person_id: int) -> list[Attempt]:
    """One person's attempts in every room and review (for their memory states)."""
    room_ids = set(
        session.scalars(sa.select(models.Participant.room_id).where(models.Participant.person_id == person_id))
    )
    out: list[Attempt] = []
    for room in session.scalars(sa.select(models.Room).where(models.Room.id.in_(room_ids))):
        mine = list(
            session.execute(
                sa.select(*PARTICIPANT_COLUMNS).where(
                    models.Participant.room_id == room.id, models.Participant.person_id == person_id
                )
            )
        )
        numbers = [p.number for p in mine]
        answers = list(
            session.execute(
                sa.select(*ANSWER_COLUMNS).where(
                    models.Answer.room_id == room.id, models.Answer.participant_number.in_(numbers)
                )
            )
        )
        out += _room_attempts(room, mine, answers)
    out += practice_attempts(session, person_ids=[person_id])
    out.sort(key=lambda a: (a.at, a.session, a.question_uid))
    return out


def _group_sizes(session: so.Session, trainer_id: int | Collection[int]) -> dict[int, int]:
    query = (
        sa.select(models.GroupMember.group_id, sa.func.count())
        .join(models.Group, models.Group.id == models.GroupMember.group_id)
        .where(_of(models.Group.trainer_id, trainer_id))
        .group_by(models.GroupMember.group_id)
    )
    return {group_id: count for group_id, count in session.execute(query)}
