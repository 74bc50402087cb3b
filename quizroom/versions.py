"""Version history of decks: what changed between two saves, and the versions table.

``diff(old, new)`` is pure: it follows each question by its ``uid`` (the identity results
and retention use, docs/deck-format.md), so a reworded question is *edited*, not removed
and added. ``record`` is the decks' ``after_write`` hook (quizroom/decks.py): every save
(create, editor save, import, copy, restore) adds a version inside the same transaction.
Storage is bounded: a save that changes nothing adds no version, and only the newest
``KEEP`` versions of a deck are kept (see docs/versions-and-resources.md).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from . import models

KEEP = 200  # versions kept per deck; the oldest beyond this are deleted

# What a field of a question is called in a change summary, and the document keys behind it.
FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("text", ("text",)),
    ("type", ("type",)),
    ("answers", ("choices", "correct", "accepted", "items", "min", "max", "step", "tolerance", "unit", "multiple")),
    ("time", ("time_limit",)),
    ("points", ("points",)),
    ("topics", ("topics",)),
    ("image", ("image",)),
)


# ------------------------------------------------------------------ the diff (pure)
def _questions(document: dict | None) -> list[dict]:
    questions = (document or {}).get("questions")
    return [q for q in questions if isinstance(q, dict)] if isinstance(questions, list) else []


def _key(question: dict, index: int) -> str:
    uid = question.get("uid")
    return uid if isinstance(uid, str) and uid else f"#{index}"


def _changed_fields(old: dict, new: dict) -> list[str]:
    return [name for name, keys in FIELDS if any(old.get(k) != new.get(k) for k in keys)]


def _stayed_in_order(positions: list[int]) -> set[int]:
    """The indexes of a longest increasing run (not necessarily contiguous) of ``positions``:
    the questions that kept their relative order. The others are the fewest that *moved*."""
    tails: list[int] = []  # tails[k] = index in positions ending the best run of length k+1
    before: list[int | None] = [None] * len(positions)
    for i, value in enumerate(positions):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if positions[tails[mid]] < value:
                lo = mid + 1
            else:
                hi = mid
        before[i] = tails[lo - 1] if lo else None
        if lo == len(tails):
            tails.append(i)
        else:
            tails[lo] = i
    kept: set[int] = set()
    i = tails[-1] if tails else None
    while i is not None:
        kept.add(i)
        i = before[i]
    return kept


def diff(old: dict | None, new: dict) -> list[dict]:
    """What changed from ``old`` to ``new`` (deck documents; ``old`` None = a new deck: no
    changes). Each change is a dict with ``change``: ``title``, ``description``, ``added``,
    ``removed``, ``edited`` (with ``fields``), ``moved`` (with ``from``/``to``, 1-based)."""
    if old is None:
        return []
    changes: list[dict] = []
    for field in ("title", "description"):
        if (old.get(field) or "") != (new.get(field) or ""):
            changes.append({"change": field, "old": old.get(field) or "", "new": new.get(field) or ""})
    before = {_key(q, i): (i, q) for i, q in enumerate(_questions(old))}
    after = {_key(q, i): (i, q) for i, q in enumerate(_questions(new))}
    for key, (i, q) in before.items():
        if key not in after:
            changes.append({"change": "removed", "uid": key, "text": q.get("text", ""), "position": i + 1})
    common: list[str] = []
    for key, (i, q) in after.items():
        if key not in before:
            changes.append({"change": "added", "uid": key, "text": q.get("text", ""), "position": i + 1})
            continue
        common.append(key)
        fields = _changed_fields(before[key][1], q)
        if fields:
            edited = {"change": "edited", "uid": key, "text": q.get("text", ""), "fields": fields}
            if "text" in fields:
                edited["old_text"] = before[key][1].get("text", "")
            changes.append(edited)
    kept = _stayed_in_order([before[key][0] for key in common])
    for n, key in enumerate(common):
        if n not in kept:
            text = after[key][1].get("text", "")
            changes.append(
                {"change": "moved", "uid": key, "text": text, "from": before[key][0] + 1, "to": after[key][0] + 1}
            )
    return changes


def summary(changes: list[dict]) -> str:
    """One line for the history list: "title changed; 2 added; 1 edited"."""
    counts: dict[str, int] = {}
    for change in changes:
        counts[change["change"]] = counts.get(change["change"], 0) + 1
    parts = [f"{word} changed" for word in ("title", "description") if counts.get(word)]
    parts += [f"{counts[word]} {word}" for word in ("added", "removed", "edited", "moved") if counts.get(word)]
    return "; ".join(parts) or "no changes to the questions"


# ------------------------------------------------------------------ what kind of save
_KIND: contextvars.ContextVar[tuple[str, int | None] | None] = contextvars.ContextVar("deck_save_kind", default=None)
ENDPOINT_KINDS = {
    "decks.import_deck": "imported",
    "decks.duplicate": "copied",
    "decks.api_duplicate": "copied",
    "decks.fork": "copied",
    "decks.api_fork": "copied",
}


@contextmanager
def saving_as(kind: str, restored_from: int | None = None) -> Iterator[None]:
    """Label the deck saves inside the block (e.g. ``saving_as("restored", 3)``)."""
    token = _KIND.set((kind, restored_from))
    try:
        yield
    finally:
        _KIND.reset(token)


def _kind(is_new: bool) -> tuple[str, int | None]:
    labelled = _KIND.get()
    if labelled is not None:
        return labelled
    from flask import has_request_context, request

    if has_request_context() and request.endpoint in ENDPOINT_KINDS:
        return ENDPOINT_KINDS[request.endpoint], None
    return ("created" if is_new else "edited"), None


def _now() -> datetime:
    from flask import current_app, has_app_context

    if has_app_context() and "quizroom.clock" in current_app.extensions:
        from .clock import now_of

        return now_of(current_app)
    return datetime.now(UTC)


# ------------------------------------------------------------------ storage
def latest(session: so.Session, deck_id: int) -> models.DeckVersion | None:
    query = sa.select(models.DeckVersion).where(models.DeckVersion.deck_id == deck_id)
    return session.scalar(query.order_by(models.DeckVersion.number.desc()).limit(1))


def _trainer_name(session: so.Session, trainer_id: int | None) -> str:
    trainer = session.get(models.Trainer, trainer_id) if trainer_id is not None else None
    return trainer.name if trainer is not None else "someone"


def _add(session: so.Session, deck_id: int, number: int, trainer_id: int | None, **fields) -> models.DeckVersion:
    version = models.DeckVersion(
        deck_id=deck_id, number=number, trainer_id=trainer_id, trainer_name=_trainer_name(session, trainer_id), **fields
    )
    session.add(version)
    return version


def _baseline(session: so.Session, deck: models.Deck, document: dict, title: str, when: datetime | None):
    """Version 1 of a deck saved before history was kept: its content as it was, by its owner."""
    return _add(
        session,
        deck.id,
        1,
        deck.trainer_id,
        kind="existing",
        restored_from=None,
        title=title,
        document=document,
        changes=[],
        created_at=when or _now(),
    )


def record(session: so.Session, deck: models.Deck, trainer_id: int) -> models.DeckVersion | None:
    """The ``after_write`` hook: add the version this save made (None when nothing changed).

    A deck from before version history gets its old content as version 1 first (read from
    the unsaved change of the row), so the first recorded edit has something to compare with."""
    state = sa.inspect(deck)
    # Read before any query flushes the row: an update has set (not yet flushed) attributes,
    # a create has just been flushed. ``deleted`` is the old value when it changed.
    is_update = state.modified
    old_document = state.attrs.document.history.deleted or [deck.document]
    old_title = state.attrs.title.history.deleted or [deck.title]
    old_updated = deck.updated_at
    session.flush()
    previous = latest(session, deck.id)
    if previous is None and is_update:
        previous = _baseline(session, deck, old_document[0], old_title[0], old_updated)
        session.flush()
    if previous is not None and previous.document == deck.document:
        return None
    kind, restored_from = _kind(not is_update)
    number = previous.number + 1 if previous is not None else 1
    version = _add(
        session,
        deck.id,
        number,
        trainer_id,
        kind=kind,
        restored_from=restored_from,
        title=deck.title,
        document=deck.document,
        changes=diff(previous.document if previous is not None else None, deck.document),
        created_at=_now(),
    )
    session.flush()
    _prune(session, deck.id, number)
    return version


def _prune(session: so.Session, deck_id: int, newest: int) -> None:
    if newest > KEEP:
        table = models.DeckVersion
        session.execute(sa.delete(table).where(table.deck_id == deck_id, table.number <= newest - KEEP))


def ensure_history(session: so.Session, deck: models.Deck) -> None:
    """Give a deck saved before history was kept its version 1 (its current content)."""
    if latest(session, deck.id) is None:
        _baseline(session, deck, deck.document, deck.title, deck.updated_at)


def history(session: so.Session, deck_id: int) -> list[models.DeckVersion]:
    """A deck's versions, newest first (their documents are not needed: deferred reads)."""
    query = sa.select(models.DeckVersion).where(models.DeckVersion.deck_id == deck_id)
    return list(session.scalars(query.order_by(models.DeckVersion.number.desc())))


def version(session: so.Session, deck_id: int, number: int) -> models.DeckVersion | None:
    query = sa.select(models.DeckVersion).where(
        models.DeckVersion.deck_id == deck_id, models.DeckVersion.number == number
    )
    return session.scalar(query)
