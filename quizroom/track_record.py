"""A workspace's track record, read from the database into the plain records that
recognition.py and programme.py compute with: its accounts, ended sessions (with who was
there, the topics played and hand-overs), peer evaluations, decks and what the retention
model says of them. Reads only (the retention history syncs its memory-state cache, as the
retention dashboard does).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from . import feedback, members, models
from .db import Database
from .programme import UNTAGGED, TopicRetention
from .recognition import DeckRecord, RetentionRecord, SessionRecord
from .retention import dashboard, memory, report
from .retention.history import closed_questions


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str | None  # None: a former member


@dataclass
class TrackRecord:
    accounts: dict[int, Account]  # every account of the workspace, former members included
    sessions: list[SessionRecord]  # ended rooms, oldest first
    evaluations: list[feedback.Evaluation]
    decks: list[DeckRecord]
    given: dict[int, int]  # evaluations given, per account

    def names(self) -> dict[int, str]:
        return {a.id: a.name for a in self.accounts.values()}


def _topics(snapshot: dict) -> tuple[str, ...]:
    """Topics of the quiz questions the room played (closed, not skipped), each once."""
    seen: dict[str, str] = {}
    for _position, spec in closed_questions(snapshot, False):
        for topic in spec.get("topics") or []:
            if isinstance(topic, str) and topic.strip():
                seen.setdefault(topic.strip().casefold(), topic.strip())
    return tuple(seen.values())


def load(db: Database, account_id: int) -> TrackRecord:
    """Everything of ``account_id``'s workspace (ended rooms only: a live room is no session yet)."""
    with db.read() as s:
        scope = members.colleagues(account_id)
        accounts = {
            row.id: Account(row.id, row.name, row.role)
            for row in s.scalars(sa.select(models.Trainer).where(models.Trainer.id.in_(scope)))
        }
        rooms = list(
            s.scalars(
                sa.select(models.Room)
                .where(models.Room.trainer_id.in_(scope), models.Room.live.is_(False))
                .order_by(models.Room.created_at, models.Room.id)
            )
        )
        ids = [r.id for r in rooms]
        known: dict[int, set[int]] = defaultdict(set)
        anonymous: dict[int, int] = defaultdict(int)
        presenters: dict[int, set[int]] = defaultdict(set)
        if ids:
            query = sa.select(models.Participant.room_id, models.Participant.person_id).where(
                models.Participant.room_id.in_(ids), models.Participant.removed.is_(False)
            )
            for room_id, person_id in s.execute(query):
                if person_id is None:
                    anonymous[room_id] += 1
                else:
                    known[room_id].add(person_id)
            handover = getattr(models, "RoomHandover", None)  # co-hosting (docs/cohosts.md)
            if handover is not None:
                query = sa.select(handover.room_id, handover.to_trainer_id).where(handover.room_id.in_(ids))
                for room_id, to_id in s.execute(query):
                    if to_id is not None:
                        presenters[room_id].add(to_id)
        sessions = [
            SessionRecord(
                room_id=r.id,
                trainer_id=r.trainer_id,
                title=r.title,
                started_at=_utc(r.created_at),
                known=frozenset(known[r.id]),
                anonymous=anonymous[r.id],
                topics=_topics(r.snapshot or {}),
                presenters=frozenset(presenters[r.id] - {r.trainer_id}),
            )
            for r in rooms
        ]
        decks = [
            DeckRecord(d.id, d.trainer_id, d.title, d.forked_from_id)
            for d in s.execute(
                sa.select(models.Deck.id, models.Deck.trainer_id, models.Deck.title, models.Deck.forked_from_id)
                .where(models.Deck.trainer_id.in_(scope))
                .order_by(models.Deck.title, models.Deck.id)
            )
        ]
    evaluations = feedback.of_trainers(db, accounts)
    return TrackRecord(accounts, sessions, evaluations, decks, feedback.given_counts(db, accounts))


@dataclass
class Retention:
    by_trainer: dict[int, RetentionRecord]  # per deck owner
    topics: list[TopicRetention]


def retention(db: Database, account_id: int, now: datetime) -> Retention:
    """The retention model over the whole workspace (the dashboard's history and memories):
    per trainer, the questions of the decks they own now; per topic, the topic table."""
    history = dashboard.history_of(db, account_id, now)
    memories = memory.fold(history.attempts)
    recalls: dict[str, list[float]] = defaultdict(list)
    people: dict[str, set[int]] = defaultdict(set)
    for (person, uid), state in memories.items():
        recalls[uid].append(memory.recall(state, now))
        people[uid].add(person)
    with db.read() as s:
        owned: dict[int, set[str]] = defaultdict(set)
        query = sa.select(models.Deck.trainer_id, models.Deck.document).where(
            models.Deck.trainer_id.in_(members.colleagues(account_id))
        )
        for trainer_id, document in s.execute(query):
            for spec in (document or {}).get("questions") or []:
                if isinstance(spec, dict) and isinstance(spec.get("uid"), str):
                    owned[trainer_id].add(spec["uid"])
    by_trainer = {}
    for trainer_id, uids in owned.items():
        met = [uid for uid in uids if recalls.get(uid)]
        means = [sum(recalls[uid]) / len(recalls[uid]) for uid in met]
        by_trainer[trainer_id] = RetentionRecord(
            mean_recall=sum(means) / len(means) if means else None,
            people=len(set().union(*(people[uid] for uid in met))) if met else 0,
            questions=len(met),
        )
    questions = report.question_table(history.attempts, history.catalogue, memories, now)
    topics = [
        TopicRetention(row.topic, row.mean_recall, row.questions)
        for row in report.topic_table(questions)
        if row.topic != UNTAGGED
    ]
    return Retention(by_trainer, topics)
