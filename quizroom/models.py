"""Tables. Rooms are rebuilt from these after a restart (see store.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(so.DeclarativeBase):
    type_annotation_map = {dict: sa.JSON, list: sa.JSON}


class Trainer(UserMixin, Base):
    __tablename__ = "trainers"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True, index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    decks: so.Mapped[list[Deck]] = so.relationship(back_populates="trainer")


class Deck(Base):
    """A trainer's quiz. `document` is the deck format of docs/deck-format.md."""

    __tablename__ = "decks"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    document: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    trainer: so.Mapped[Trainer] = so.relationship(back_populates="decks")


class Room(Base):
    """One run of a deck, from lobby to podium (the brief's "session")."""

    __tablename__ = "rooms"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(6), index=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id"), index=True)
    deck_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("decks.id", ondelete="SET NULL"))
    plan_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("plans.id", ondelete="SET NULL"))
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    host_salt: so.Mapped[str] = so.mapped_column(sa.String(64))  # host key = HMAC(secret, salt)
    live: so.Mapped[bool] = so.mapped_column(default=True, index=True)
    snapshot: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    ended_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    participants: so.Mapped[list[Participant]] = so.relationship(back_populates="room", order_by="Participant.number")


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (
        sa.UniqueConstraint("room_id", "number"),
        sa.UniqueConstraint("room_id", "token_hash"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    room_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]  # the engine's participant id within the room
    nickname: so.Mapped[str] = so.mapped_column(sa.String(40))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    score: so.Mapped[int] = so.mapped_column(default=0)
    streak: so.Mapped[int] = so.mapped_column(default=0)
    best_streak: so.Mapped[int] = so.mapped_column(default=0)
    correct: so.Mapped[int] = so.mapped_column(default=0)
    answered: so.Mapped[int] = so.mapped_column(default=0)
    removed: so.Mapped[bool] = so.mapped_column(default=False)
    joined_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    room: so.Mapped[Room] = so.relationship(back_populates="participants")


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("room_id", "participant_number", "question_index"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    room_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    participant_number: so.Mapped[int]
    question_index: so.Mapped[int]
    question_uid: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    value: so.Mapped[dict] = so.mapped_column(sa.JSON)  # {"v": <the clean answer value>}
    correct: so.Mapped[bool | None]
    points: so.Mapped[int]
    streak: so.Mapped[int]
    response_ms: so.Mapped[int]
    voided: so.Mapped[bool] = so.mapped_column(default=False)
    answered_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))


class Plan(Base):
    """A session plan: an agenda of quiz questions, polls, boards and a survey
    (the plan format of docs/plan-format.md)."""

    __tablename__ = "plans"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    document: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Submission(Base):
    """One thing a participant sent to a poll, board or survey, in arrival order.

    Rows are only ever added (a changed vote is a new row; the latest wins on replay), so
    an acknowledged submission is never rewritten and a room's activities can be rebuilt
    by replaying them through the engine."""

    __tablename__ = "submissions"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    room_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int]
    activity_uid: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    participant_number: so.Mapped[int]
    action: so.Mapped[str] = so.mapped_column(sa.String(20))
    record: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
