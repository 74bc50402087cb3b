"""Reading and writing live rooms: the bridge between engine objects and tables."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from . import engine, models
from .db import Database
from .group_commit import GroupCommit


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def epoch(moment: datetime) -> float:
    """SQLite hands back naive datetimes; they were written in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class LoadedRoom(NamedTuple):
    row: models.Room
    room: engine.Room
    tokens: dict[str, int]  # token hash -> participant id
    people: dict[int, int]  # participant id -> person id (known people only)


class Rows(NamedTuple):
    """Rows for one table, from one caller, committed together."""

    model: type
    rows: list[dict]


def _answer_row(room_id: int, a: engine.AnswerRecord) -> dict:
    return {
        "room_id": room_id,
        "participant_number": a.participant,
        "question_index": a.question,
        "question_uid": a.question_uid,
        "value": {"v": a.value},
        "correct": a.correct,
        "points": a.points,
        "streak": a.streak,
        "response_ms": a.response_ms,
        "answered_at": _at(a.at),
    }


SCORE_COLUMNS = ("score", "streak", "best_streak", "correct", "answered", "removed")  # same names on Participant


def _update_scores(session: so.Session, room_id: int, people: Iterable[engine.Participant]) -> None:
    """Every changed participant's standing, in one executemany straight through the
    driver: at a reveal that is every participant, and SQLAlchemy's per-row parameter
    processing took longer (about 15 of 40 ms at 2,000) than the database."""
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"  # sqlite3 / psycopg
    assignments = ", ".join(f"{column} = {mark}" for column in SCORE_COLUMNS)
    table = models.Participant.__tablename__
    connection.exec_driver_sql(
        f"UPDATE {table} SET {assignments} WHERE room_id = {mark} AND number = {mark}",  # noqa: S608 (no input)
        [(*(getattr(p, column) for column in SCORE_COLUMNS), room_id, p.id) for p in people],
    )


def _submission_row(room_id: int, i: engine.SubmissionRecord) -> dict:
    return {
        "room_id": room_id,
        "position": i.position,
        "activity_uid": i.activity_uid,
        "participant_number": i.participant,
        "action": i.action,
        "record": i.record,
        "created_at": _at(i.at),
    }


class RoomStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time, commit_window: float = 0.002):
        self.db = db
        # Answers and submissions from many phones share transactions (group_commit.py).
        self.writes: GroupCommit[Rows] = GroupCommit(self._write_rows, window=commit_window)
        self.clock = clock

    def live_codes(self) -> set[str]:
        with self.db.read() as s:
            return set(s.scalars(sa.select(models.Room.code).where(models.Room.live)))

    def create_room(
        self,
        *,
        code: str,
        trainer_id: int,
        deck_id: int | None,
        title: str,
        host_salt: str,
        snapshot: dict,
        plan_id: int | None = None,
        group_id: int | None = None,
    ) -> int:
        with self.db.transaction() as s:
            row = models.Room(
                code=code,
                trainer_id=trainer_id,
                deck_id=deck_id,
                plan_id=plan_id,
                group_id=group_id,
                title=title,
                host_salt=host_salt,
                snapshot=snapshot,
                live=True,
                created_at=_at(self.clock()),
                updated_at=_at(self.clock()),
            )
            s.add(row)
            s.flush()
            return row.id

    def add_participant(
        self,
        room_id: int,
        person: engine.Participant,
        token: str,
        person_id: int | None = None,
        new_person: models.Person | None = None,
    ) -> int | None:
        """Store a new participant, linked to a known person (``person_id``), or to
        ``new_person`` (an opt-in) created in the same transaction; returns the person id."""
        with self.db.transaction() as s:
            if new_person is not None:
                s.add(new_person)
                s.flush()
                person_id = new_person.id
            s.add(
                models.Participant(
                    room_id=room_id,
                    number=person.id,
                    nickname=person.nickname,
                    token_hash=token_hash(token),
                    person_id=person_id,
                    joined_at=_at(person.joined_at),
                )
            )
        return person_id

    def replace_token(self, room_id: int, number: int, token: str) -> None:
        """A participant resumed on a new phone by their personal link: the new token is theirs."""
        with self.db.transaction() as s:
            s.execute(
                sa.update(models.Participant)
                .where(models.Participant.room_id == room_id, models.Participant.number == number)
                .values(token_hash=token_hash(token))
            )

    def save_answers(self, room_id: int, answers: list[engine.AnswerRecord]) -> None:
        """Commit accepted answers; only after this returns may they be acknowledged."""
        if answers:
            self.writes.submit(Rows(models.Answer, [_answer_row(room_id, a) for a in answers]))

    def save_submissions(self, room_id: int, items: list[engine.SubmissionRecord]) -> None:
        """Commit poll/board/survey submissions; only then may they be acknowledged."""
        if items:
            self.writes.submit(Rows(models.Submission, [_submission_row(room_id, i) for i in items]))

    def _write_rows(self, batch: Sequence[Rows]) -> None:
        """One transaction for a group commit's batch (see group_commit.py)."""
        by_model: dict[type, list[dict]] = {}
        for rows in batch:
            by_model.setdefault(rows.model, []).extend(rows.rows)
        with self.db.engine.begin() as connection:  # Core, not the ORM: no objects to track here
            for model, rows in by_model.items():
                connection.execute(model.__table__.insert(), rows)

    def load_submissions(self, room_id: int, position: int | None = None) -> list[engine.SubmissionRecord]:
        """A room's submissions in arrival order (optionally one agenda position's)."""
        with self.db.read() as s:
            query = sa.select(models.Submission).where(models.Submission.room_id == room_id)
            if position is not None:
                query = query.where(models.Submission.position == position)
            return [
                engine.SubmissionRecord(
                    participant=r.participant_number,
                    position=r.position,
                    activity_uid=r.activity_uid,
                    action=r.action,
                    record=r.record,
                    at=epoch(r.created_at),
                )
                for r in s.scalars(query.order_by(models.Submission.id))
            ]

    def persist(self, room_id: int, outcome: engine.Outcome, snapshot: dict | None) -> None:
        """Store what a transition changed, in one transaction (scores and phase together)."""
        people = {p.id: p for p in outcome.participants}
        if not (people or outcome.voided or outcome.voided_answers or snapshot):
            return
        with self.db.transaction() as s:
            if people:
                _update_scores(s, room_id, people.values())
            if outcome.voided:
                s.execute(
                    sa.update(models.Answer)
                    .where(models.Answer.room_id == room_id, models.Answer.question_index.in_(outcome.voided))
                    .values(voided=True)
                )
            for participant, question in outcome.voided_answers:
                s.execute(
                    sa.update(models.Answer)
                    .where(
                        models.Answer.room_id == room_id,
                        models.Answer.participant_number == participant,
                        models.Answer.question_index == question,
                    )
                    .values(voided=True)
                )
            if snapshot is not None:
                values: dict = {"snapshot": snapshot, "updated_at": _at(self.clock())}
                if snapshot["phase"] == "ended":
                    values.update(live=False, ended_at=_at(self.clock()))
                s.execute(sa.update(models.Room).where(models.Room.id == room_id).values(**values))

    def load_live_rooms(self, wanted: Callable[[str], bool] = lambda code: True) -> list[LoadedRoom]:
        """Rebuild every live room (whose code is ``wanted``): its row, engine room, token
        hash -> participant id, and participant id -> person id (for known people)."""
        out = []
        with self.db.read() as s:
            for row in s.scalars(sa.select(models.Room).where(models.Room.live)):
                if not wanted(row.code):
                    continue
                people, tokens, known = [], {}, {}
                for p in row.participants:
                    if p.person_id is not None:
                        known[p.number] = p.person_id
                    people.append(
                        engine.Participant(
                            id=p.number,
                            nickname=p.nickname,
                            joined_at=epoch(p.joined_at),
                            score=p.score,
                            streak=p.streak,
                            best_streak=p.best_streak,
                            correct=p.correct,
                            answered=p.answered,
                            removed=p.removed,
                        )
                    )
                    tokens[p.token_hash] = p.number
                index = row.snapshot.get("index", -1)
                answers = [
                    engine.AnswerRecord(
                        participant=a.participant_number,
                        question=a.question_index,
                        question_uid=a.question_uid,
                        value=a.value["v"],
                        correct=a.correct,
                        points=a.points,
                        streak=a.streak,
                        response_ms=a.response_ms,
                        at=epoch(a.answered_at),
                    )
                    for a in s.scalars(
                        sa.select(models.Answer).where(
                            models.Answer.room_id == row.id, models.Answer.question_index == index
                        )
                    )
                ]
                submissions = self.load_submissions(row.id)
                out.append(
                    LoadedRoom(row, engine.Room.restore(row.snapshot, people, answers, submissions), tokens, known)
                )
        return out
