"""Stored documents of the shared library (decks, session plans): validated by the engine's
parser on every write (an invalid document raises DeckInvalid and changes nothing).

Who reaches a row follows quizroom/workspaces.py: everyone in the owner's workspace may read
it (``get``, ``of_workspace``); only its owner and the workspace's admins may change it
(``update``, ``set_tags``, ``delete``); anyone else gets None / False, as if it did not exist.
``of_trainer`` is one trainer's own rows ("Mine"). ``create`` takes extra columns (a fork's
credit, tags)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from . import members, models, workspaces
from .app import database


@dataclass(frozen=True)
class Access:
    """A row with what the policy needs to decide about it."""

    row: object
    owner: workspaces.Member
    owner_name: str
    actor: workspaces.Member | None

    @property
    def readable(self) -> bool:
        return workspaces.may_read(self.actor, self.owner)

    @property
    def editable(self) -> bool:
        return workspaces.may_edit(self.actor, self.owner)

    @property
    def forkable(self) -> bool:
        return workspaces.may_fork(self.actor, self.owner)


class OwnedDocuments:
    def __init__(
        self,
        model: type,
        parse: Callable,
        before_delete: Callable | None = None,
        after_write: Callable | None = None,
    ):
        self.model = model
        self.parse = parse  # document -> engine object with .title and .to_document()
        self.before_delete = before_delete  # (session, row) -> None
        # (session, row, trainer_id) -> None, inside the write's transaction, after every
        # create and update (deck version history: versions.record)
        self.after_write = after_write

    def create(self, app: Flask, trainer_id: int, document: object, **columns):
        parsed = self.parse(document)
        with database(app).transaction() as s:
            row = self.model(trainer_id=trainer_id, title=parsed.title, document=parsed.to_document(), **columns)
            s.add(row)
            s.flush()
            if self.after_write is not None:
                self.after_write(s, row, trainer_id)
            return row

    def update(self, app: Flask, trainer_id: int, row_id: int, document: object, *, tags: list[str] | None = None):
        """Replace the content (uids sent back by the editor are kept), and the tags when given;
        None when ``trainer_id`` may not edit the row."""
        parsed = self.parse(document)
        with database(app).transaction() as s:
            row = self._editable(s, trainer_id, row_id)
            if row is None:
                return None
            row.title = parsed.title
            row.document = parsed.to_document()
            if self.after_write is not None:
                self.after_write(s, row, trainer_id)
            if tags is not None:
                row.tags = tags
            return row

    def set_tags(self, app: Flask, trainer_id: int, row_id: int, tags: list[str]):
        with database(app).transaction() as s:
            row = self._editable(s, trainer_id, row_id)
            if row is not None:
                row.tags = tags
            return row

    def of_trainer(self, app: Flask, trainer_id: int) -> list:
        """A trainer's own rows, most recently changed first."""
        model = self.model
        query = (
            sa.select(model).where(model.trainer_id == trainer_id).order_by(model.updated_at.desc(), model.id.desc())
        )
        with database(app).read() as s:
            return list(s.scalars(query))

    def of_workspace(self, app: Flask, trainer_id: int) -> list[tuple[object, str]]:
        """(row, owner's name) for every row of the trainer's workspace, most recently changed first."""
        model = self.model
        query = (
            sa.select(model, models.Trainer.name)
            .join(models.Trainer, models.Trainer.id == model.trainer_id)
            .where(model.trainer_id.in_(members.colleagues(trainer_id)))
            .order_by(model.updated_at.desc(), model.id.desc())
        )
        with database(app).read() as s:
            return [(row, name) for row, name in s.execute(query)]

    def get(self, app: Flask, trainer_id: int, row_id: int):
        """The row if ``trainer_id`` may read it (it is in their workspace), else None."""
        found = self.access(app, trainer_id, row_id)
        return found.row if found is not None and found.readable else None

    def access(self, app: Flask, trainer_id: int | None, row_id: int) -> Access | None:
        """The row with its owner and the actor, for pages that tell "not yours to change" (403)
        from "not in your workspace" (404, via ``Access.readable``); None when there is no row."""
        with database(app).read() as s:
            row = s.get(self.model, row_id)
            if row is None:
                return None
            owner = s.get(models.Trainer, row.trainer_id)
            return Access(row, workspaces.member(owner), owner.name, members.account(s, trainer_id))

    def delete(self, app: Flask, trainer_id: int, row_id: int) -> bool:
        with database(app).transaction() as s:
            row = self._editable(s, trainer_id, row_id)
            if row is None:
                return False
            if self.before_delete is not None:
                self.before_delete(s, row)
            s.delete(row)
            return True

    def _editable(self, session: so.Session, trainer_id: int, row_id: int):
        row = session.get(self.model, row_id)
        if row is None:
            return None
        owner = members.account(session, row.trainer_id)
        return row if workspaces.may_edit(members.account(session, trainer_id), owner) else None
