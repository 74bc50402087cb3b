"""Invitation links: an admin invites someone into the workspace with a role.

The link carries an unguessable token (``/register?invite=<token>``): HMAC(secret key,
a random salt). The database keeps the salt and the token's SHA-256, never the token, so
the database alone cannot make a working link, while the admin's page can show an open
link again. A link works once, until it expires, and an admin can revoke it before that
(docs/workspace.md)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from . import models, workspaces

if TYPE_CHECKING:
    from .db import Database

NOTE_MAX = 120
TOKEN_MAX = 100


class InvitationError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def token_hash(token: str) -> str:
    return hashlib.sha256(f"quizroom-invitation:{token}".encode()).hexdigest()


def link_token(secret: str, salt: str) -> str:
    """The token of an invitation's link: only this server can make it from the stored salt."""
    return hmac.new(secret.encode(), f"quizroom-invitation:{salt}".encode(), hashlib.sha256).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def status(invitation: models.Invitation, now: datetime) -> str:
    """ "used", "revoked", "expired" or "open"."""
    if invitation.used_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if _aware(invitation.expires_at) <= now:
        return "expired"
    return "open"


def create(
    db: Database,
    actor: workspaces.Account,
    role: object,
    *,
    secret: str,
    now: datetime,
    days: float,
    note: object = "",
) -> tuple[models.Invitation, str]:
    """A new invitation into the actor's workspace: (row, token)."""
    if not workspaces.may_manage(actor):
        raise InvitationError("only an admin can invite people")
    if role not in workspaces.RANK:
        raise InvitationError(f"choose a role: {', '.join(workspaces.ROLES)}")
    clean_note = " ".join(note.split()) if isinstance(note, str) else ""
    if len(clean_note) > NOTE_MAX:
        raise InvitationError(f"keep the note under {NOTE_MAX} characters")
    salt = secrets.token_hex(16)
    token = link_token(secret, salt)
    with db.transaction() as s:
        row = models.Invitation(
            workspace_id=actor.workspace_id,
            role=role,
            token_hash=token_hash(token),
            salt=salt,
            note=clean_note or None,
            created_by=actor.id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        s.add(row)
        s.flush()
        return row, token


def _by_token(session: so.Session, token: object) -> models.Invitation | None:
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX:
        return None
    return session.scalar(sa.select(models.Invitation).where(models.Invitation.token_hash == token_hash(token)))


@dataclass(frozen=True)
class Offer:
    """What the sign-up page shows for a working link."""

    workspace: str
    role: str
    expires_at: datetime


def check(db: Database, token: object, now: datetime) -> Offer:
    """The workspace and role a link offers; InvitationError says why it does not work."""
    with db.read() as s:
        row = _by_token(s, token)
        _usable(row, now)
        return Offer(s.get(models.Workspace, row.workspace_id).name, row.role, _aware(row.expires_at))


def _usable(row: models.Invitation | None, now: datetime) -> models.Invitation:
    state = status(row, now) if row is not None else "unknown"
    messages = {
        "unknown": "this invitation link is not valid: check that you copied all of it",
        "used": "this invitation link has already been used: ask your admin for a new one",
        "revoked": "this invitation link was withdrawn: ask your admin for a new one",
        "expired": "this invitation link has expired: ask your admin for a new one",
    }
    if state != "open":
        raise InvitationError(messages[state])
    return row


def redeem(session: so.Session, token: object, trainer: models.Trainer, now: datetime) -> None:
    """Put a new account into the invitation's workspace with its role, and use the link up
    (inside the caller's transaction: the account and the used link commit together).

    The row is claimed with a conditional UPDATE, so two sign-ups racing for one link cannot
    both succeed."""
    row = _usable(_by_token(session, token), now)
    claimed = session.execute(
        sa.update(models.Invitation)
        .where(
            models.Invitation.id == row.id,
            models.Invitation.used_at.is_(None),
            models.Invitation.revoked_at.is_(None),
        )
        .values(used_at=now, used_by=trainer.id)
    )
    if claimed.rowcount != 1:
        raise InvitationError("this invitation link has already been used: ask your admin for a new one")
    trainer.workspace_id = row.workspace_id
    trainer.role = row.role


def revoke(db: Database, actor: workspaces.Account, invitation_id: int, now: datetime) -> models.Invitation | None:
    """Withdraw an open link; None when it is not one of the actor's workspace's."""
    if not workspaces.may_manage(actor):
        raise InvitationError("only an admin can withdraw invitations")
    with db.transaction() as s:
        row = s.get(models.Invitation, invitation_id)
        if row is None or row.workspace_id != actor.workspace_id:
            return None
        if status(row, now) != "open":
            raise InvitationError(f"this invitation is already {status(row, now)}")
        row.revoked_at = now
        return row


def of_workspace(db: Database, workspace_id: int) -> list[models.Invitation]:
    """Newest first."""
    with db.read() as s:
        query = (
            sa.select(models.Invitation)
            .where(models.Invitation.workspace_id == workspace_id)
            .order_by(models.Invitation.created_at.desc(), models.Invitation.id.desc())
        )
        return list(s.scalars(query))
