"""Trainers' decks: stored as the validated deck document (docs/deck-format.md)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from . import models, versions
from .app import database
from .engine import parse_deck
from .owned import OwnedDocuments

DECKS = OwnedDocuments(models.Deck, parse_deck, after_write=versions.record)  # every save is a version


def create_deck(app: Flask, trainer_id: int, document: object) -> models.Deck:
    """Validate (raises DeckInvalid, creating nothing) and store a new deck."""
    return DECKS.create(app, trainer_id, document)


def update_deck(app: Flask, trainer_id: int, deck_id: int, document: object) -> models.Deck | None:
    """Replace a deck's content; question uids sent back by the editor are kept."""
    return DECKS.update(app, trainer_id, deck_id, document)


def list_decks(app: Flask, trainer_id: int) -> list[models.Deck]:
    return DECKS.of_trainer(app, trainer_id)


def get_deck(app: Flask, trainer_id: int, deck_id: int) -> models.Deck | None:
    return DECKS.get(app, trainer_id, deck_id)


def delete_deck(app: Flask, trainer_id: int, deck_id: int) -> bool:
    return DECKS.delete(app, trainer_id, deck_id)


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
