"""A trainer's stored documents (decks, session plans): validated by the engine's parser
on every write (an invalid document raises DeckInvalid and changes nothing), and reachable
only by their owner: reads and writes for anyone else's row answer None / False."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from .app import database


class OwnedDocuments:
    def __init__(self, model: type, parse: Callable, before_delete: Callable | None = None):
        self.model = model
        self.parse = parse  # document -> engine object with .title and .to_document()
        self.before_delete = before_delete  # (session, row) -> None

    def create(self, app: Flask, trainer_id: int, document: object):
        parsed = self.parse(document)
        with database(app).transaction() as s:
            row = self.model(trainer_id=trainer_id, title=parsed.title, document=parsed.to_document())
            s.add(row)
            s.flush()
            return row

    def update(self, app: Flask, trainer_id: int, row_id: int, document: object):
        """Replace the content (uids sent back by the editor are kept)."""
        parsed = self.parse(document)
        with database(app).transaction() as s:
            row = self._own(s, trainer_id, row_id)
            if row is None:
                return None
            row.title = parsed.title
            row.document = parsed.to_document()
            return row

    def of_trainer(self, app: Flask, trainer_id: int) -> list:
        """A trainer's rows, most recently changed first."""
        model = self.model
        query = (
            sa.select(model).where(model.trainer_id == trainer_id).order_by(model.updated_at.desc(), model.id.desc())
        )
        with database(app).read() as s:
            return list(s.scalars(query))

    def get(self, app: Flask, trainer_id: int, row_id: int):
        with database(app).read() as s:
            return self._own(s, trainer_id, row_id)

    def delete(self, app: Flask, trainer_id: int, row_id: int) -> bool:
        with database(app).transaction() as s:
            row = self._own(s, trainer_id, row_id)
            if row is None:
                return False
            if self.before_delete is not None:
                self.before_delete(s, row)
            s.delete(row)
            return True

    def _own(self, session: so.Session, trainer_id: int, row_id: int):
        row = session.get(self.model, row_id)
        return row if row is not None and row.trainer_id == trainer_id else None
