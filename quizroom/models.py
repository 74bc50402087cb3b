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


class Workspace(Base):
    """A team or organisation: its members share decks, plans, people and results
    (docs/workspace.md; the rules are in quizroom/workspaces.py)."""

    __tablename__ = "workspaces"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Trainer(UserMixin, Base):
    __tablename__ = "trainers"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True, index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # The one workspace of this account and its role there: "admin", "trainer" or "viewer";
    # role None = removed from it (cannot sign in; what they made stays in the workspace).
    # Nullable for databases made before workspaces (members.ensure_workspaces fills them).
    workspace_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("workspaces.id"), index=True)
    role: so.Mapped[str | None] = so.mapped_column(sa.String(16))

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
    # The shared library (docs/workspace.md): short tags, and the credit of a fork
    # ("forked from <title> by <owner>", kept even when the original is deleted).
    tags: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    forked_from_id: so.Mapped[int | None]
    forked_from_title: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    forked_from_owner: so.Mapped[str | None] = so.mapped_column(sa.String(80))

    trainer: so.Mapped[Trainer] = so.relationship(back_populates="decks")


class Room(Base):
    """One run of a deck, from lobby to podium (the brief's "session")."""

    __tablename__ = "rooms"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(6), index=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id"), index=True)
    deck_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("decks.id", ondelete="SET NULL"))
    plan_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("plans.id", ondelete="SET NULL"))
    # Run for a known group (a roster): phones may pick their name or use a personal link.
    group_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("groups.id", ondelete="SET NULL"))
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    host_salt: so.Mapped[str] = so.mapped_column(sa.String(64))  # host key = HMAC(secret, salt)
    live: so.Mapped[bool] = so.mapped_column(default=True, index=True)
    snapshot: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    ended_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # When its snapshot last changed: a live room idle for longer than the abandon grace
    # (QUIZROOM_ABANDON_AFTER_HOURS) is ended instead of lingering half-open.
    updated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

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
    # Who this was, when known (roster pick, personal link or opt-in); None = anonymous.
    person_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
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
    # The shared library (docs/workspace.md): short tags, and the credit of a fork
    # ("forked from <title> by <owner>", kept even when the original is deleted).
    tags: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    forked_from_id: so.Mapped[int | None]
    forked_from_title: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    forked_from_owner: so.Mapped[str | None] = so.mapped_column(sa.String(80))


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


class Person(Base):
    """Someone a trainer recognises across sessions (retention follows people, not nicknames).

    ``link_key`` is the secret in their personal join link (``/me/<key>``); ``email_key``
    is the e-mail lower-cased, so an opt-in with the same address finds the same person."""

    __tablename__ = "people"
    __table_args__ = (sa.UniqueConstraint("trainer_id", "email_key"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    email_key: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    link_key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True, index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Memory states are rebuilt for a person whenever they have a review newer than this.
    memory_synced_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class Group(Base):
    """A roster: the known people a trainer runs sessions for (a team, a cohort)."""

    __tablename__ = "groups"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class GroupMember(Base):
    __tablename__ = "group_members"
    group_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class MemoryState(Base):
    """FSRS memory of one person for one question (see quizroom/retention/memory.py).

    A cache: always the fold of that person's reviews, rebuilt whole when they change."""

    __tablename__ = "memory_states"
    __table_args__ = (sa.UniqueConstraint("person_id", "question_uid"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    question_uid: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    card: so.Mapped[dict] = so.mapped_column(sa.JSON)  # fsrs.Card.to_dict()
    stability: so.Mapped[float]
    difficulty: so.Mapped[float]
    reviews: so.Mapped[int]
    lapses: so.Mapped[int]
    last_review: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    due: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))


class Practice(Base):
    """A self-paced review round: questions one person plays alone on their phone,
    opened by the secret link ``/r/<token>`` (only its hash is stored)."""

    __tablename__ = "practices"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id"), index=True)
    person_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True, index=True)
    # When set, the link's token is HMAC(secret key, salt), so the trainer's page can show
    # the link again later without the database holding it (like a room's host key).
    salt: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    questions: so.Mapped[list] = so.mapped_column(sa.JSON)  # question specs, uids kept
    position: so.Mapped[int] = so.mapped_column(default=0)  # the next question to play
    shown_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))  # when it was sent
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class PracticeAnswer(Base):
    """One answer in a self-paced review; it updates the memory state like a live one.
    Kept (with ``person_id`` cleared) when the person is deleted, for anonymous aggregates."""

    __tablename__ = "practice_answers"
    __table_args__ = (sa.UniqueConstraint("practice_id", "question_uid"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    practice_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    person_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    question_uid: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    value: so.Mapped[dict] = so.mapped_column(sa.JSON)  # {"v": value}, {"v": null} = no answer in time
    correct: so.Mapped[bool | None]
    points: so.Mapped[int]
    response_ms: so.Mapped[int]
    time_limit_ms: so.Mapped[int]
    answered_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))


class Invitation(Base):
    """A link that lets someone sign up into a workspace with a role (docs/workspace.md).

    Only the hash of its token is stored; it works once, until ``expires_at``, unless revoked."""

    __tablename__ = "invitations"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    workspace_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(16))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True, index=True)
    # The token is HMAC(secret key, salt), so the admin's page can show the link again while
    # it is open without the database holding it (like a room's host key).
    salt: so.Mapped[str] = so.mapped_column(sa.String(64))
    note: so.Mapped[str | None] = so.mapped_column(sa.String(120))  # who it is for, as the admin wrote it
    created_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    used_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    used_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="SET NULL"))
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class RoomHost(Base):
    """A co-host of a live room: another trainer who may run it too (docs/cohosts.md).
    The room's owner is not listed here; removing the row revokes control at once."""

    __tablename__ = "room_hosts"
    __table_args__ = (sa.UniqueConstraint("room_id", "trainer_id"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    room_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="CASCADE"), index=True)
    added_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="SET NULL"))
    added_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class RoomHandover(Base):
    """The room passed to another presenter mid-session: from then on the items it opens are
    credited to ``to_trainer_id`` (cohosts.presenters_by_position)."""

    __tablename__ = "room_handovers"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    room_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int]  # the agenda position on screen at the hand-over (-1: the lobby)
    from_trainer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="SET NULL"))
    to_trainer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="SET NULL"))
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))


class DeckVersion(Base):
    """One saved state of a deck (docs/versions-and-resources.md): who saved it, when, the
    whole document, and what changed since the version before (quizroom/versions.py)."""

    __tablename__ = "deck_versions"
    __table_args__ = (sa.UniqueConstraint("deck_id", "number"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    deck_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("decks.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]  # 1, 2, 3... per deck
    trainer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="SET NULL"))
    trainer_name: so.Mapped[str] = so.mapped_column(sa.String(80))  # the name at the time
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))  # created, edited, imported, copied, restored, existing
    restored_from: so.Mapped[int | None]  # the version number a restore brought back
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    document: so.Mapped[dict] = so.mapped_column(sa.JSON)
    changes: so.Mapped[list] = so.mapped_column(sa.JSON)  # versions.diff() against the version before
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Resource(Base):
    """Something attached to a deck for participants to open after the session: a link, or
    an uploaded file whose bytes live here (so every worker sharing the database serves it).
    ``data`` is deferred: lists never load the bytes."""

    __tablename__ = "resources"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    deck_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("decks.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(8))  # "link" or "file"
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    url: so.Mapped[str | None] = so.mapped_column(sa.String(2000))  # links: http(s) only
    filename: so.Mapped[str | None] = so.mapped_column(sa.String(160))  # files: the cleaned upload name
    extension: so.Mapped[str | None] = so.mapped_column(sa.String(8))  # files: pdf, pptx, ... (resources.TYPES)
    size: so.Mapped[int] = so.mapped_column(default=0)
    data: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    added_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class PeerEvaluation(Base):
    """A colleague's structured feedback on one ended room (docs/feedback.md): the rubric
    (1-5 each) and an optional comment. One per evaluator and room, editable until the
    window closes (quizroom/feedback.py). ``trainer_id`` is who ran the room."""

    __tablename__ = "peer_evaluations"
    __table_args__ = (sa.UniqueConstraint("room_id", "evaluator_id"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    room_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    trainer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="CASCADE"), index=True)
    evaluator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainers.id", ondelete="CASCADE"), index=True)
    clarity: so.Mapped[int]
    interactivity: so.Mapped[int]
    usefulness: so.Mapped[int]
    comment: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
