"""A deck's version history: ``/decks/<id>/history`` (every save, newest first),
``/decks/<id>/history/<n>`` (one version, read only) and ``POST .../<n>/restore`` (the
owner only: the old content becomes a new version, question uids kept).

Whoever may see the deck reads its history, through the same look-up as the deck pages
(web/library.py: 404 outside the workspace); restoring needs the right to change the deck
(its owner or a workspace admin: 403 for colleagues). See docs/versions-and-resources.md.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import decks, versions
from ..app import database
from ..engine import DeckInvalid
from . import library as shelf
from .roles import require_role

bp = Blueprint("versions", __name__)

KIND_WORDS = {
    "created": "Created",
    "edited": "Edited",
    "imported": "Imported",
    "copied": "Created as a copy",
    "restored": "Restored",
    "existing": "Saved before history was kept",
}
FIELD_WORDS = {"answers": "answers", "time": "time limit", "text": "text", "type": "type"}
TYPE_WORDS = {
    "single": "Single choice",
    "multi": "Multiple select",
    "truefalse": "True / false",
    "typed": "Type the answer",
    "slider": "Slider",
    "order": "Ordering",
    "poll": "Poll",
}


def visible_deck(deck_id: int):
    """The deck's access as the deck pages load it for viewing (404 when it is not visible)."""
    return shelf.readable(decks.DECKS, deck_id)


@bp.app_template_filter("version_summary")
def version_summary(version) -> str:
    if version.kind == "restored" and version.restored_from:
        return f"Restored version {version.restored_from}" + (
            f": {versions.summary(version.changes)}" if version.changes else ""
        )
    if not version.changes:
        return KIND_WORDS.get(version.kind, version.kind.capitalize())
    return versions.summary(version.changes)


@bp.get("/decks/<int:deck_id>/history")
@require_role("viewer")
def history(deck_id: int):
    found = visible_deck(deck_id)
    with database(current_app).transaction() as s:
        versions.ensure_history(s, found.row)  # decks saved before history was kept get their version 1
    with database(current_app).read() as s:
        rows = versions.history(s, deck_id)
    return render_template(
        "versions/history.html", deck=found.row, versions=rows, kinds=KIND_WORDS, owner=found.editable
    )


@bp.get("/decks/<int:deck_id>/history/<int:number>")
@require_role("viewer")
def show(deck_id: int, number: int):
    found = visible_deck(deck_id)
    with database(current_app).read() as s:
        version = versions.version(s, deck_id, number)
        newest = versions.latest(s, deck_id)
    if version is None:
        abort(404)
    return render_template(
        "versions/show.html",
        deck=found.row,
        version=version,
        is_newest=newest is not None and newest.number == version.number,
        owner=found.editable,
        kinds=KIND_WORDS,
        fields=FIELD_WORDS,
        types=TYPE_WORDS,
    )


@bp.post("/decks/<int:deck_id>/history/<int:number>/restore")
@require_role("trainer")
def restore(deck_id: int, number: int):
    row = shelf.editable(decks.DECKS, deck_id, "deck").row  # 404 outside the workspace, 403 if not theirs
    with database(current_app).read() as s:
        version = versions.version(s, deck_id, number)
    if version is None:
        abort(404)
    if version.document == row.document:
        flash(f"Version {number} is what the deck holds now: nothing to restore.", "info")
        return redirect(url_for("versions.history", deck_id=deck_id))
    try:
        with versions.saving_as("restored", number):
            saved = decks.update_deck(current_app, current_user.id, deck_id, version.document)
    except DeckInvalid as invalid:
        problems = "; ".join(f"{e['path'] or 'deck'}: {e['message']}" for e in invalid.errors[:3])
        flash(f"Version {number} could not be restored: {problems}.", "error")
        return redirect(url_for("versions.show", deck_id=deck_id, number=number))
    if saved is None:
        abort(404)
    flash(f"Restored version {number}: it is now the newest version of “{version.title}”.", "success")
    return redirect(url_for("versions.history", deck_id=deck_id))
