"""Trainers' decks: stored as the validated deck document (docs/deck-format.md)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from . import models
from .app import database
from .engine import Deck, parse_deck


def _row(deck: Deck, trainer_id: int) -> dict:
    return {"trainer_id": trainer_id, "title": deck.title, "document": deck.to_document()}


def create_deck(app: Flask, trainer_id: int, document: object) -> models.Deck:
    """Validate (raises DeckInvalid, creating nothing) and store a new deck."""
    deck = parse_deck(document)
    with database(app).transaction() as s:
        row = models.Deck(**_row(deck, trainer_id))
        s.add(row)
        s.flush()
        return row


def update_deck(app: Flask, trainer_id: int, deck_id: int, document: object) -> models.Deck | None:
    """Replace a deck's content; question uids sent back by the editor are kept."""
    deck = parse_deck(document)
    with database(app).transaction() as s:
        row = s.get(models.Deck, deck_id)
        if row is None or row.trainer_id != trainer_id:
            return None
        row.title = deck.title
        row.document = deck.to_document()
        return row


def list_decks(app: Flask, trainer_id: int) -> list[models.Deck]:
    with database(app).read() as s:
        return list(
            s.scalars(
                sa.select(models.Deck)
                .where(models.Deck.trainer_id == trainer_id)
                .order_by(models.Deck.updated_at.desc())
            )
        )


def get_deck(app: Flask, trainer_id: int, deck_id: int) -> models.Deck | None:
    with database(app).read() as s:
        row = s.get(models.Deck, deck_id)
        return row if row is not None and row.trainer_id == trainer_id else None


def delete_deck(app: Flask, trainer_id: int, deck_id: int) -> bool:
    with database(app).transaction() as s:
        row = s.get(models.Deck, deck_id)
        if row is None or row.trainer_id != trainer_id:
            return False
        s.delete(row)
        return True


def find_deck_by_title(app: Flask, trainer_id: int, title: str) -> models.Deck | None:
    with database(app).read() as s:
        return s.scalar(sa.select(models.Deck).where(models.Deck.trainer_id == trainer_id, models.Deck.title == title))


def export_document(app: Flask, deck_id: int) -> dict | None:
    with database(app).read() as s:
        row = s.get(models.Deck, deck_id)
        return dict(row.document) if row is not None else None


def questions_of(row: models.Deck):
    """The engine questions of a stored deck (it was validated when saved)."""
    return parse_deck(row.document).questions
