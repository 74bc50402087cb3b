"""Peer feedback on a session (docs/feedback.md): after a room has ended, a colleague who
attended gives the trainer who ran it a short rubric (clarity, interactivity, usefulness:
1-5 each) and an optional comment. Participants' pulse survey ratings of the same room are
summed up here too, from results.py's survey reports.

The rules (``refusal``, ``clean``) and the sums (``averages``, ``pulse_summary``) are pure;
the functions below them read and write the database.

Who sees what: the rubric averages are the workspace's; each evaluation (who wrote it, its
scores and comment) is seen by the evaluated trainer, admins and viewers, and its author.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from . import members, models, results, workspaces
from .db import Database

RUBRIC = (
    ("clarity", "Clarity", "easy to follow: structure, explanations, pace"),
    ("interactivity", "Interactivity", "people took part: questions, polls, discussion"),
    ("usefulness", "Usefulness", "people can use what they learned"),
)
ITEMS = tuple(key for key, _label, _help in RUBRIC)
LABELS = {key: label for key, label, _help in RUBRIC}
LOWEST, HIGHEST = 1, 5
COMMENT_MAX = 1000
WINDOW_DAYS = 14


class FeedbackError(ValueError):
    """Bad input: ``errors`` maps a form field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Refusal:
    code: str  # "role", "own", "not_ended", "closed"
    message: str

    @property
    def status(self) -> int:
        return 403 if self.code in ("role", "own") else 409


@dataclass(frozen=True)
class RoomFacts:
    id: int
    trainer_id: int
    title: str
    live: bool
    created_at: datetime
    ended_at: datetime | None


# ---------------------------------------------------------------------- rules (pure)
def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def ended_at(room: RoomFacts) -> datetime | None:
    """When the room ended (None while it is live); an ended room without a time counts from its start."""
    if room.live:
        return None
    return _utc(room.ended_at or room.created_at)


def window_closes(room: RoomFacts) -> datetime | None:
    end = ended_at(room)
    return end + timedelta(days=WINDOW_DAYS) if end is not None else None


def refusal(account: workspaces.Account | None, room: RoomFacts, now: datetime) -> Refusal | None:
    """Why ``account`` may not give (or change) feedback on ``room`` now, or None.

    The caller has checked that the room is of the account's workspace."""
    if not workspaces.at_least(account, "trainer"):
        return Refusal("role", "only trainers and admins give peer feedback; viewers read it")
    if account.id == room.trainer_id:
        return Refusal("own", "you cannot give feedback on a session you ran")
    closes = window_closes(room)
    if closes is None:
        return Refusal("not_ended", "feedback opens when the room has ended")
    if _utc(now) > closes:
        return Refusal("closed", f"feedback closed on {closes:%d %b %Y} ({WINDOW_DAYS} days after the session)")
    return None


def clean(form: Mapping[str, object]) -> dict:
    """The rubric scores and comment of a submitted form; FeedbackError names every problem."""
    errors: dict[str, str] = {}
    out: dict = {}
    for key in ITEMS:
        raw = form.get(key)
        text = raw.strip() if isinstance(raw, str) else raw
        if text is None or text == "":
            errors[key] = f"{LABELS[key]}: choose a score from {LOWEST} to {HIGHEST}"
            continue
        try:
            value = int(text)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = None
        if value is None or isinstance(text, bool) or not LOWEST <= value <= HIGHEST:
            errors[key] = f"{LABELS[key]}: the score must be a whole number from {LOWEST} to {HIGHEST}"
            continue
        out[key] = value
    comment = form.get("comment") or ""
    if not isinstance(comment, str):
        errors["comment"] = "the comment must be text"
    else:
        comment = comment.replace("\r\n", "\n").strip()
        if len(comment) > COMMENT_MAX:
            errors["comment"] = f"the comment is {len(comment)} characters long: at most {COMMENT_MAX}"
        out["comment"] = comment or None
    if form.get("attended") not in ("yes", "on", True):
        errors["attended"] = "confirm that you attended this session"
    if errors:
        raise FeedbackError(errors)
    return out


@dataclass(frozen=True)
class Averages:
    count: int
    items: dict[str, float | None]  # rubric item -> mean score
    overall: float | None  # the mean of the three item means

    def item(self, key: str) -> float | None:
        return self.items.get(key)


def averages(evaluations: Iterable[object]) -> Averages:
    """Mean score per rubric item over evaluations (anything with the three score fields)."""
    rows = list(evaluations)
    items: dict[str, float | None] = {}
    for key in ITEMS:
        values = [getattr(r, key) for r in rows]
        items[key] = sum(values) / len(values) if values else None
    overall = sum(items.values()) / len(ITEMS) if rows else None  # type: ignore[arg-type]
    return Averages(len(rows), items, overall)


@dataclass(frozen=True)
class PulseItem:
    """One rating item of one room's pulse survey, as results.py reports it."""

    text: str
    scale: int
    mean: float | None
    count: int

    @property
    def mean5(self) -> float | None:
        """The mean brought to a 1-5 scale (a 10-point item: 1 -> 1, 10 -> 5)."""
        if self.mean is None:
            return None
        return 1 + (self.mean - 1) * 4 / (self.scale - 1) if self.scale != 5 else self.mean


@dataclass(frozen=True)
class PulseLine:
    text: str
    mean5: float | None  # weighted by the number of ratings, on a 1-5 scale
    count: int
    sessions: int


@dataclass(frozen=True)
class Pulse:
    lines: list[PulseLine]  # per item text, in first-seen order
    overall: float | None  # every rating given, on a 1-5 scale
    count: int  # ratings
    sessions: int  # sessions with at least one rating


def pulse_summary(per_room: Mapping[int, Iterable[PulseItem]]) -> Pulse:
    """Rating items of several rooms' surveys added up per item text (weighted by count)."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0])
    everything = [0.0, 0]
    rated_rooms = 0
    for items in per_room.values():
        rated = False
        for item in items:
            if not item.count or item.mean5 is None:
                continue
            line = totals[item.text]
            line[0] += item.mean5 * item.count
            line[1] += item.count
            line[2] += 1
            everything[0] += item.mean5 * item.count
            everything[1] += item.count
            rated = True
        rated_rooms += rated
    lines = [PulseLine(text, s / n, int(n), int(k)) for text, (s, n, k) in totals.items()]
    overall = everything[0] / everything[1] if everything[1] else None
    return Pulse(lines, overall, int(everything[1]), rated_rooms)


def may_read_comments(account: workspaces.Account | None, trainer_id: int) -> bool:
    """Each evaluation (names, scores, comment): the evaluated trainer, admins and viewers."""
    if account is None or workspaces.workspace_of(account) is None:
        return False
    return account.id == trainer_id or account.role in ("admin", "viewer")


# ---------------------------------------------------------------------- database
def find_room(db: Database, account_id: int, room_id: int) -> RoomFacts | None:
    """The room, when it is of ``account_id``'s workspace (None otherwise: answer 404)."""
    with db.read() as s:
        row = s.get(models.Room, room_id)
        if row is None or not members.same_workspace(s, account_id, row.trainer_id):
            return None
        return RoomFacts(row.id, row.trainer_id, row.title, row.live, _utc(row.created_at), _utc(row.ended_at))


@dataclass(frozen=True)
class Evaluation:
    id: int
    room_id: int
    room_title: str
    room_date: datetime
    trainer_id: int
    evaluator_id: int
    evaluator: str
    clarity: int
    interactivity: int
    usefulness: int
    comment: str | None
    updated_at: datetime

    @property
    def mean(self) -> float:
        return (self.clarity + self.interactivity + self.usefulness) / len(ITEMS)


def _evaluations(db: Database, where) -> list[Evaluation]:
    evaluator = so.aliased(models.Trainer)
    query = (
        sa.select(models.PeerEvaluation, models.Room.title, models.Room.created_at, evaluator.name)
        .join(models.Room, models.Room.id == models.PeerEvaluation.room_id)
        .join(evaluator, evaluator.id == models.PeerEvaluation.evaluator_id)
        .where(where)
        .order_by(models.Room.created_at.desc(), models.PeerEvaluation.id)
    )
    with db.read() as s:
        return [
            Evaluation(
                id=e.id,
                room_id=e.room_id,
                room_title=title,
                room_date=_utc(created),
                trainer_id=e.trainer_id,
                evaluator_id=e.evaluator_id,
                evaluator=name,
                clarity=e.clarity,
                interactivity=e.interactivity,
                usefulness=e.usefulness,
                comment=e.comment,
                updated_at=_utc(e.updated_at),
            )
            for e, title, created, name in s.execute(query)
        ]


def of_room(db: Database, room_id: int) -> list[Evaluation]:
    return _evaluations(db, models.PeerEvaluation.room_id == room_id)


def of_trainers(db: Database, trainer_ids: Iterable[int]) -> list[Evaluation]:
    return _evaluations(db, models.PeerEvaluation.trainer_id.in_(sorted(set(trainer_ids))))


def received(db: Database, trainer_id: int) -> list[Evaluation]:
    """Every evaluation of sessions ``trainer_id`` ran, newest session first."""
    return _evaluations(db, models.PeerEvaluation.trainer_id == trainer_id)


def save(db: Database, account: workspaces.Account, room: RoomFacts, form: Mapping, now: datetime) -> bool:
    """Give or change ``account``'s evaluation of ``room``; True when it is new.

    Raises FeedbackError for bad input; the caller has checked ``refusal``."""
    values = clean(form)
    with db.transaction() as s:
        row = s.scalar(
            sa.select(models.PeerEvaluation).where(
                models.PeerEvaluation.room_id == room.id, models.PeerEvaluation.evaluator_id == account.id
            )
        )
        created = row is None
        if created:
            row = models.PeerEvaluation(
                room_id=room.id, trainer_id=room.trainer_id, evaluator_id=account.id, created_at=now
            )
            s.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
    return created


def pulse_items(db: Database, room_ids: Iterable[int]) -> dict[int, list[PulseItem]]:
    """The rating items of each room's pulse surveys, from results.py's survey reports
    (submissions replayed through the engine: a resubmitted survey counts once)."""
    ids = sorted(set(room_ids))
    out: dict[int, list[PulseItem]] = {}
    if not ids:
        return out
    with db.read() as s:
        rooms = [
            r
            for r in s.scalars(sa.select(models.Room).where(models.Room.id.in_(ids)))
            if any(kind == "survey" for _p, kind, _spec in results.agenda_specs(r.snapshot or {}))
        ]
        positions = {
            r.id: {p for p, kind, _spec in results.agenda_specs(r.snapshot or {}) if kind == "survey"} for r in rooms
        }
        submissions: dict[int, list] = defaultdict(list)
        if rooms:
            query = (
                sa.select(models.Submission)
                .where(models.Submission.room_id.in_([r.id for r in rooms]))
                .order_by(models.Submission.id)
            )
            for row in s.scalars(query):
                if row.position in positions[row.room_id]:
                    submissions[row.room_id].append(row)
        for room in rooms:
            items = []
            for activity in results.activity_reports(room, submissions[room.id], {}):
                if activity.kind != "survey" or activity.status == "not reached":
                    continue
                for item in (activity.data.get("results") or {}).get("items") or []:
                    if item.get("type") == "rating":
                        items.append(_pulse_item(item))
            out[room.id] = items
    return out


def _pulse_item(item: dict) -> PulseItem:
    """A survey report's rating item; its mean recomputed from the distribution (the report rounds it)."""
    distribution = [int(n or 0) for n in item.get("distribution") or []]
    count = sum(distribution) if distribution else int(item.get("count") or 0)
    if distribution and count:
        mean = sum(score * n for score, n in enumerate(distribution, start=1)) / count
    else:
        mean = item.get("mean")
    return PulseItem(text=str(item.get("text", "")), scale=int(item.get("scale") or 5), mean=mean, count=count)


def given_counts(db: Database, trainer_ids: Iterable[int]) -> dict[int, int]:
    """How many evaluations each of these accounts has given."""
    ids = sorted(set(trainer_ids))
    if not ids:
        return {}
    query = (
        sa.select(models.PeerEvaluation.evaluator_id, sa.func.count())
        .where(models.PeerEvaluation.evaluator_id.in_(ids))
        .group_by(models.PeerEvaluation.evaluator_id)
    )
    with db.read() as s:
        return dict(s.execute(query).all())
