"""Who may do what in a workspace: the one policy that every page, API route and socket
host event asks (docs/workspace.md). Pure: plain values in, yes or no out (no Flask, no
database), so the rules read in one screen and are tested without an app.

Roles, from least to most:

- viewer (a team lead, L&D): reads the library, results and the retention dashboard;
  changes nothing, runs no room, forks nothing;
- trainer: also builds decks and plans, runs rooms, forks, manages the shared people;
- admin: also edits or deletes anyone's decks and plans, and manages members and invitations.

Everything belongs to a workspace through its owner (``row.trainer_id``); someone outside
that workspace is told nothing about it (the web layer answers 404, never 403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

ROLES = ("viewer", "trainer", "admin")  # least to most
RANK = {role: rank for rank, role in enumerate(ROLES)}
ROLE_LABELS = {
    "admin": "Admin",
    "trainer": "Trainer",
    "viewer": "Viewer",
}
ROLE_HELP = {
    "admin": "builds and runs sessions, edits anyone's decks and plans, manages members and invitations",
    "trainer": "builds and runs sessions, edits their own decks and plans, forks anyone's",
    "viewer": "sees the library, results and retention; changes nothing and runs no room",
}


class Account(Protocol):
    """What the policy reads of an account (a ``models.Trainer`` row or a ``Member``)."""

    id: int
    workspace_id: int | None
    role: str | None


@dataclass(frozen=True)
class Member:
    id: int
    workspace_id: int | None
    role: str | None


def member(account: Account) -> Member:
    """A detached copy of what the policy needs (safe to keep after a session closes)."""
    return Member(account.id, account.workspace_id, account.role)


def workspace_of(account: Account | None) -> int | None:
    """The workspace whose rows this account may see: None when it has no access (removed,
    or not yet given a workspace)."""
    if account is None or account.role not in RANK:
        return None
    return account.workspace_id


def at_least(account: Account | None, role: str) -> bool:
    return workspace_of(account) is not None and RANK[account.role] >= RANK[role]


def may_read(account: Account | None, owner: Account | None) -> bool:
    """See a row owned by ``owner`` (a deck, plan, room, person, group): same workspace."""
    workspace = workspace_of(account)
    return workspace is not None and owner is not None and owner.workspace_id == workspace


def may_edit(account: Account | None, owner: Account | None) -> bool:
    """Change or delete a row: its owner (still a trainer or admin), or an admin."""
    if not may_read(account, owner) or not at_least(account, "trainer"):
        return False
    return account.id == owner.id or account.role == "admin"


def may_run(account: Account | None) -> bool:
    """Open rooms, host them, build decks and plans, fork, manage people and groups."""
    return at_least(account, "trainer")


def may_fork(account: Account | None, owner: Account | None) -> bool:
    return may_read(account, owner) and may_run(account)


def may_manage(account: Account | None) -> bool:
    """Members, roles and invitations of the workspace."""
    return at_least(account, "admin")


def role_change_error(members: Iterable[Account], target: Account, new_role: str | None) -> str | None:
    """Why ``target`` may not get ``new_role`` (None = removed from the workspace), or None.

    A workspace always keeps at least one admin: the last one can neither be demoted nor removed."""
    if new_role is not None and new_role not in RANK:
        return f"choose a role: {', '.join(ROLES)}"
    if target.role == "admin" and new_role != "admin":
        admins = [m for m in members if m.role == "admin" and m.workspace_id == target.workspace_id]
        if len(admins) <= 1:
            return "a workspace needs at least one admin: make someone else admin first"
    return None
