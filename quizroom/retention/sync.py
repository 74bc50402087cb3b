"""Keep the stored memory states (models.MemoryState) equal to the fold of each person's
attempts (memory.fold over history.person_attempts).

A person's states are rebuilt whole, never patched: a question that closes, a late-synced
room, a self-paced answer or a deleted session all give the same result as replaying
everything, so the table can never drift from the answers it is made of. Rebuilding is
triggered after a self-paced answer (practice.py), when a trainer opens the retention
dashboard (``sync_due``) and when a room ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from .. import models
from ..db import Database
from . import memory
from .history import person_attempts, utc

log = logging.getLogger(__name__)


def refresh_memory(db: Database, person_ids: Iterable[int], now: datetime) -> None:
    """Rebuild these people's memory states from their whole history."""
    for person_id in sorted(set(person_ids)):
        with db.transaction() as s:
            person = s.get(models.Person, person_id)
            if person is None:
                continue
            memories = memory.fold(person_attempts(s, person_id))
            s.execute(sa.delete(models.MemoryState).where(models.MemoryState.person_id == person_id))
            for (_pid, uid), state in sorted(memories.items()):
                s.add(
                    models.MemoryState(
                        person_id=person_id,
                        question_uid=uid,
                        card=memory.card_to_dict(state.card),
                        stability=float(state.card.stability or 0.0),
                        difficulty=float(state.card.difficulty or 0.0),
                        reviews=state.reviews,
                        lapses=state.lapses,
                        last_review=state.last_seen,
                        due=utc(state.card.due),
                    )
                )
            person.memory_synced_at = now


def stale_people(db: Database, trainer_id: int) -> set[int]:
    """People with something newer than their memory states: a live room, a room ended
    since, or a self-paced answer since."""
    with db.read() as s:
        synced = models.Person.memory_synced_at
        rooms = (
            sa.select(models.Participant.person_id)
            .join(models.Room, models.Room.id == models.Participant.room_id)
            .join(models.Person, models.Person.id == models.Participant.person_id)
            .where(
                models.Person.trainer_id == trainer_id,
                sa.or_(models.Room.live, synced.is_(None), models.Room.ended_at > synced),
            )
        )
        practice = (
            sa.select(models.PracticeAnswer.person_id)
            .join(models.Person, models.Person.id == models.PracticeAnswer.person_id)
            .where(
                models.Person.trainer_id == trainer_id,
                sa.or_(synced.is_(None), models.PracticeAnswer.answered_at > synced),
            )
        )
        return set(s.scalars(rooms)) | set(s.scalars(practice))


def sync_due(db: Database, trainer_id: int, now: datetime) -> int:
    people = stale_people(db, trainer_id)
    refresh_memory(db, people, now)
    return len(people)


def room_people(db: Database, room_id: int) -> set[int]:
    with db.read() as s:
        query = sa.select(models.Participant.person_id).where(
            models.Participant.room_id == room_id, models.Participant.person_id.is_not(None)
        )
        return set(s.scalars(query))


def after_room_ended(db: Database, room_id: int, now: datetime) -> None:
    """Fold a finished session into its people's memory (never fails the caller)."""
    try:
        refresh_memory(db, room_people(db, room_id), now)
    except Exception:
        log.exception("could not update memory states after room %s ended", room_id)
