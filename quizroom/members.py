"""Workspaces and their members in the database: who is in the same workspace as whom,
the one-time migration of accounts made before workspaces, roles, removal and renaming.
The rules themselves are in workspaces.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from . import models, workspaces

if TYPE_CHECKING:
    from .db import Database

WORKSPACE_NAME_MAX = 80


class MemberError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------ scope
def colleagues(trainer_id: int) -> sa.Select:
    """The ids of every account in ``trainer_id``'s workspace (itself included, also before it
    has one): ``Model.trainer_id.in_(colleagues(me))`` keeps the rows of my workspace.

    Removed members stay in it, so what they made stays visible to the workspace."""
    me = so.aliased(models.Trainer)
    them = so.aliased(models.Trainer)
    mine = sa.select(me.workspace_id).where(me.id == trainer_id).scalar_subquery()
    return sa.select(them.id).where(sa.or_(them.id == trainer_id, them.workspace_id == mine)).correlate(None)


def account(session: so.Session, trainer_id: int | None) -> workspaces.Member | None:
    row = session.get(models.Trainer, trainer_id) if trainer_id is not None else None
    return workspaces.member(row) if row is not None else None


def same_workspace(session: so.Session, trainer_id: int, owner_id: int) -> bool:
    """Whether rows of ``owner_id`` belong to ``trainer_id``'s workspace (for the services that
    still speak in trainer ids: people, groups, rooms)."""
    if trainer_id == owner_id:
        return True
    me, owner = session.get(models.Trainer, trainer_id), session.get(models.Trainer, owner_id)
    if me is None or owner is None or me.workspace_id is None:
        return False
    return me.workspace_id == owner.workspace_id


def ids_of(session: so.Session, trainer_id: int) -> list[int]:
    return list(session.scalars(colleagues(trainer_id)))


# -------------------------------------------------------------- migration
def default_name(person_name: str) -> str:
    return f"{person_name}'s workspace"[:WORKSPACE_NAME_MAX]


def new_workspace(session: so.Session, name: str) -> models.Workspace:
    workspace = models.Workspace(name=name[:WORKSPACE_NAME_MAX])
    session.add(workspace)
    session.flush()
    return workspace


def ensure_workspaces(db: Database) -> int:
    """Give every account without a workspace one of its own, as its admin (databases made
    before workspaces; rows made straight in the database). Idempotent: the one migration,
    run at start-up and again when such an account signs in. Returns how many it fixed."""
    with db.transaction() as s:
        orphans = list(s.scalars(sa.select(models.Trainer).where(models.Trainer.workspace_id.is_(None))))
        for trainer in orphans:
            trainer.workspace_id = new_workspace(s, default_name(trainer.name)).id
            trainer.role = "admin"
        return len(orphans)


def settled(db: Database, trainer_id: int) -> workspaces.Member | None:
    """The account as the policy sees it, given a workspace first if it has none yet (an
    account made straight in the database after start-up)."""
    with db.read() as s:
        found = account(s, trainer_id)
    if found is not None and found.workspace_id is None:
        ensure_workspaces(db)
        with db.read() as s:
            found = account(s, trainer_id)
    return found


# ---------------------------------------------------------------- members
@dataclass(frozen=True)
class Roster:
    workspace: models.Workspace
    members: list[models.Trainer]  # with access, admins first, then by name
    former: list[models.Trainer]  # removed (no access; what they made stays)


def roster(db: Database, workspace_id: int) -> Roster | None:
    with db.read() as s:
        workspace = s.get(models.Workspace, workspace_id)
        if workspace is None:
            return None
        rows = list(s.scalars(sa.select(models.Trainer).where(models.Trainer.workspace_id == workspace_id)))
    order = {role: -rank for role, rank in workspaces.RANK.items()}
    members = sorted((r for r in rows if r.role), key=lambda r: (order.get(r.role, 0), r.name.lower(), r.id))
    former = sorted((r for r in rows if not r.role), key=lambda r: (r.name.lower(), r.id))
    return Roster(workspace, members, former)


def set_role(db: Database, actor: workspaces.Account, target_id: int, role: str | None) -> models.Trainer | None:
    """Give ``target_id`` a new role (None = remove from the workspace); None when that
    account is not in the actor's workspace. Raises MemberError when the rules refuse."""
    if not workspaces.may_manage(actor):
        raise MemberError("only an admin can change roles")
    with db.transaction() as s:
        target = s.get(models.Trainer, target_id, with_for_update=True)
        if target is None or target.workspace_id != actor.workspace_id:
            return None
        everyone = list(s.scalars(sa.select(models.Trainer).where(models.Trainer.workspace_id == target.workspace_id)))
        refused = workspaces.role_change_error(everyone, target, role)
        if refused:
            raise MemberError(refused)
        target.role = role
        return target


def rename(db: Database, actor: workspaces.Account, name: object) -> models.Workspace:
    if not workspaces.may_manage(actor):
        raise MemberError("only an admin can rename the workspace")
    clean = " ".join(name.split()) if isinstance(name, str) else ""
    if not clean or len(clean) > WORKSPACE_NAME_MAX:
        raise MemberError(f"enter a name of 1 to {WORKSPACE_NAME_MAX} characters")
    with db.transaction() as s:
        workspace = s.get(models.Workspace, actor.workspace_id)
        workspace.name = clean
        return workspace


def names(db: Database, trainer_ids: set[int]) -> dict[int, str]:
    if not trainer_ids:
        return {}
    with db.read() as s:
        query = sa.select(models.Trainer.id, models.Trainer.name).where(models.Trainer.id.in_(sorted(trainer_ids)))
        return dict(s.execute(query).all())
