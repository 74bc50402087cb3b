"""Co-hosts and hand-overs of live rooms, in the database (docs/cohosts.md).

A room's owner (``Room.trainer_id``, who opened it: their people, their results) may add
colleagues as co-hosts; any host may then run the room, and the room may be handed over
to another presenter mid-session. ``may_cohost`` is the one rule for who may be a co-host.
The live side (keys, sockets, events) is quizroom/live/hosts.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from . import models, workspaces
from .db import Database

COHOSTS_MAX = 20  # co-hosts per room
COLLEAGUES_MAX = 500  # offered in the presenter view's picker


@dataclass(frozen=True)
class Colleague:
    id: int
    name: str
    email: str


@dataclass
class Team:
    """Who may run one room: its owner, its co-hosts (id -> name) and who presents now."""

    owner: int
    names: dict[int, str]  # every host's name (owner and co-hosts)
    cohosts: list[int]  # in the order they were added
    presenter: int

    def hosts(self) -> set[int]:
        return {self.owner, *self.cohosts}

    def may_manage(self, trainer_id: int | None) -> bool:
        """Add and remove co-hosts, hand the room over: the owner or whoever presents now."""
        return trainer_id is not None and trainer_id in (self.owner, self.presenter)

    def view(self) -> dict:
        def who(tid: int) -> dict:
            return {"id": tid, "name": self.names.get(tid, "")}

        return {
            "owner": who(self.owner),
            "presenter": who(self.presenter),
            "cohosts": [who(tid) for tid in self.cohosts],
        }


def may_cohost(db: Database, owner_id: int, candidate_id: int) -> bool:
    """Whether ``candidate_id`` may co-host rooms of ``owner_id``: another account of the
    same workspace that may run rooms (a trainer or an admin, not a viewer or a removed
    member)."""
    if owner_id == candidate_id:
        return False
    with db.read() as s:
        owner = s.get(models.Trainer, owner_id)
        candidate = s.get(models.Trainer, candidate_id)
        return workspaces.may_run(candidate) and workspaces.may_read(candidate, owner)


def colleagues(db: Database, owner_id: int) -> list[Colleague]:
    """The accounts that may co-host ``owner_id``'s rooms, by name (for the picker)."""
    with db.read() as s:
        owner = s.get(models.Trainer, owner_id)
        if owner is None or owner.workspace_id is None:
            return []
        rows = s.scalars(
            sa.select(models.Trainer)
            .where(models.Trainer.workspace_id == owner.workspace_id, models.Trainer.id != owner_id)
            .order_by(sa.func.lower(models.Trainer.name), models.Trainer.id)
            .limit(COLLEAGUES_MAX)
        ).all()
        found = [Colleague(r.id, r.name, r.email) for r in rows]
    return [c for c in found if may_cohost(db, owner_id, c.id)]


def find_trainer(db: Database, *, trainer_id: int | None = None, email: str | None = None) -> Colleague | None:
    with db.read() as s:
        if trainer_id is not None:
            row = s.get(models.Trainer, trainer_id)
        else:
            row = s.scalar(sa.select(models.Trainer).where(models.Trainer.email == (email or "").strip().lower()))
        return Colleague(row.id, row.name, row.email) if row is not None else None


def load_team(db: Database, room_id: int, owner_id: int) -> Team:
    with db.read() as s:
        cohosts = list(
            s.scalars(
                sa.select(models.RoomHost.trainer_id)
                .where(models.RoomHost.room_id == room_id)
                .order_by(models.RoomHost.id)
            )
        )
        last = s.scalar(
            sa.select(models.RoomHandover.to_trainer_id)
            .where(models.RoomHandover.room_id == room_id)
            .order_by(models.RoomHandover.id.desc())
            .limit(1)
        )
        ids = {owner_id, *cohosts}
        names = dict(
            s.execute(sa.select(models.Trainer.id, models.Trainer.name).where(models.Trainer.id.in_(ids))).all()
        )
    presenter = last if last in ids else owner_id
    return Team(owner=owner_id, names=names, cohosts=cohosts, presenter=presenter)


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def add_cohost(db: Database, room_id: int, trainer_id: int, added_by: int, at: float) -> None:
    with db.transaction() as s:
        s.add(models.RoomHost(room_id=room_id, trainer_id=trainer_id, added_by=added_by, added_at=_at(at)))


def remove_cohost(db: Database, room_id: int, trainer_id: int) -> None:
    with db.transaction() as s:
        s.execute(
            sa.delete(models.RoomHost).where(
                models.RoomHost.room_id == room_id, models.RoomHost.trainer_id == trainer_id
            )
        )


def record_handover(db: Database, room_id: int, position: int, from_id: int, to_id: int, at: float) -> None:
    with db.transaction() as s:
        s.add(
            models.RoomHandover(
                room_id=room_id, position=position, from_trainer_id=from_id, to_trainer_id=to_id, at=_at(at)
            )
        )


def _epoch(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def presenters_by_position(db: Database, room_id: int) -> dict[int, int | None]:
    """Who presented each agenda item the room opened: whoever was presenting when it first
    opened (the owner until the first hand-over). For trainer profiles and reports."""
    with db.read() as s:
        room = s.get(models.Room, room_id)
        if room is None:
            return {}
        handovers = s.execute(
            sa.select(models.RoomHandover.at, models.RoomHandover.to_trainer_id)
            .where(models.RoomHandover.room_id == room_id)
            .order_by(models.RoomHandover.id)
        ).all()
        opened = {int(p): t for p, t in ((room.snapshot or {}).get("opened_times") or {}).items()}
        owner = room.trainer_id
    credit: dict[int, int | None] = {}
    for position, when in sorted(opened.items()):
        presenter: int | None = owner
        for at, to_id in handovers:
            if _epoch(at) <= when:
                presenter = to_id
        credit[position] = presenter
    return credit


def handovers(db: Database, room_id: int) -> list[models.RoomHandover]:
    with db.read() as s:
        return list(
            s.scalars(
                sa.select(models.RoomHandover)
                .where(models.RoomHandover.room_id == room_id)
                .order_by(models.RoomHandover.id)
            )
        )
