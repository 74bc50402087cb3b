"""Decks in the workspace's library: the library page ("Mine" / "Workspace"), a deck's page,
the editor, import/export, forks, images, and the JSON API.

Pages: ``/decks`` (``?show=mine|workspace&tag=&q=``), ``/decks/<id>`` (read, with its
description, tags and credit), ``/decks/<id>/details`` (POST: description and tags),
``/decks/new``, ``/decks/<id>/edit``, ``/decks/<id>/export.json``, ``/decks/<id>/duplicate``,
``/decks/<id>/fork`` and ``/decks/<id>/delete`` (POST), ``/decks/import``.
API (JSON errors): ``/api/decks`` (GET ``?scope=workspace``, POST), ``/api/decks/<id>`` (GET,
PUT, DELETE), ``/api/decks/<id>/tags`` (PUT), ``/api/decks/<id>/duplicate`` and
``/api/decks/<id>/fork`` (POST), ``/api/uploads`` (POST). Images are served publicly at
``/uploads/<name>`` (phones show them).

Who may do what (quizroom/workspaces.py, docs/workspace.md): every member of the workspace
reads, exports and (trainers, admins) runs and forks its decks; only the owner and admins
change or delete one (403 for others); a deck of another workspace answers 404.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
)
from werkzeug.exceptions import RequestEntityTooLarge

from .. import decks, models
from ..engine.deck import FORMAT, TITLE_MAX, VERSION
from . import documents
from . import library as shelf
from .library_views import LibraryViews
from .roles import require_role

bp = Blueprint("decks", __name__)

# ------------------------------------------------------------------ images
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
UPLOAD_NAME = re.compile(r"[A-Za-z0-9_-]{16,64}\.(png|jpg|gif|webp)")


def sniff_image(head: bytes) -> str | None:
    """The image type from the file's first bytes (never from its name or declared type)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


# --------------------------------------------------------------- documents
PATH_WORDS = {
    "format": "format",
    "version": "version",
    "title": "title",
    "description": "description",
    "questions": "questions",
    "text": "question text",
    "type": "question type",
    "uid": "question id (uid)",
    "time_limit": "time limit",
    "points": "points",
    "image": "image",
    "topics": "topics",
    "choices": "answers",
    "correct": "correct answer",
    "accepted": "accepted answers",
    "items": "items",
    "min": "minimum",
    "max": "maximum",
    "step": "step",
    "tolerance": "tolerance",
    "unit": "unit",
    "multiple": "several answers allowed",
    "display": "display order",
}
# numbered entries of a list: "questions.2" is "Question 3"
ROW_WORDS = {
    "questions": "question",
    "choices": "answer",
    "accepted": "accepted answer",
    "items": "item",
    "topics": "topic",
}


KIND = documents.Kind(
    name="deck", short="deck", action="decks.import_deck", cancel="decks.index", formats=("json", "xlsx", "csv", "gift")
)


def describe_path(path: str) -> str:
    """``questions.2.choices.1`` -> ``Question 3 › answer 2``: what a trainer calls it."""
    return documents.describe_path(path, document="Deck", words=PATH_WORDS, rows=ROW_WORDS)


def empty_document() -> dict:
    return {"format": FORMAT, "version": VERSION, "title": "", "description": "", "questions": []}


def question_count(row: models.Deck) -> int:
    questions = (row.document or {}).get("questions")
    return len(questions) if isinstance(questions, list) else 0


def duplicate_document(document: dict) -> dict:
    """A copy to edit on its own: new title, and new question uids (a different deck's questions)."""
    copy = json.loads(json.dumps(document))
    copy["title"] = f"Copy of {copy.get('title', '')}"[:TITLE_MAX].rstrip()
    for question in copy.get("questions", []):
        if isinstance(question, dict):
            question.pop("uid", None)
    return copy


def slug(text: str, default: str = "deck") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60].strip("-")
    return cleaned or default


def _api_error(code: str, message: str, status: int):
    return jsonify(error={"code": code, "message": message}), status


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


@bp.app_template_filter("utc")
def format_utc(moment: datetime | None) -> str:
    """A stored moment as readable UTC text (common.js shows it in the reader's time zone)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


@bp.app_template_filter("iso")
def format_iso(moment: datetime | None) -> str:
    return _iso(moment) or ""


# ------------------------------------------------------------------- pages
def _summary_json(row: models.Deck) -> dict:
    return {"id": row.id, "title": row.title, "questions": question_count(row), "updated_at": _iso(row.updated_at)}


VIEWS = LibraryViews(
    store=decks.DECKS,
    what="deck",
    plural="decks",
    kind=KIND,
    describe_path=describe_path,
    duplicate_document=duplicate_document,
    contents=lambda row: {"questions": (row.document or {}).get("questions") or []},
    export_name=lambda row: f"{slug(row.title)}.quizroom.json",
    confirm_delete=lambda row: {"questions": question_count(row)},
    imported=lambda row: f"Imported “{row.title}” with {question_count(row)} question(s).",
    summary_json=_summary_json,
)


@bp.get("/decks")
@require_role("viewer")
def index():
    context = shelf.listing(decks.DECKS)
    counts = {entry.row.id: question_count(entry.row) for entry in context["entries"]}
    return render_template("decks/index.html", item_counts=counts, **context)


@bp.get("/decks/<int:deck_id>")
@require_role("viewer")
def show(deck_id: int):
    return VIEWS.show(deck_id)


@bp.post("/decks/<int:deck_id>/details")
@require_role("trainer")
def details(deck_id: int):
    return VIEWS.details(deck_id)


@bp.get("/decks/new")
@require_role("trainer")
def new():
    document = empty_document()
    return render_template("decks/editor.html", deck_id=None, document=document)


@bp.get("/decks/<int:deck_id>/edit")
@require_role("trainer")
def edit(deck_id: int):
    row = VIEWS.editable(deck_id).row
    return render_template("decks/editor.html", deck_id=row.id, document=row.document, row=row)


@bp.get("/decks/<int:deck_id>/export.json")
@require_role("viewer")
def export(deck_id: int):
    return VIEWS.export(deck_id)


@bp.post("/decks/<int:deck_id>/duplicate")
@require_role("trainer")
def duplicate(deck_id: int):
    return VIEWS.duplicate(deck_id)


@bp.post("/decks/<int:deck_id>/fork")
@require_role("trainer")
def fork(deck_id: int):
    return VIEWS.fork(deck_id)


@bp.post("/decks/<int:deck_id>/delete")
@require_role("trainer")
def delete(deck_id: int):
    return VIEWS.delete(deck_id)


@bp.route("/decks/import", methods=["GET", "POST"])
@require_role("trainer")
def import_deck():
    return VIEWS.import_page()


# --------------------------------------------------------------------- API
@bp.get("/api/decks")
@require_role("viewer")
def api_list():
    """The member's own decks, or with ``?scope=workspace`` every deck of the workspace
    (with its owner and tags)."""
    return VIEWS.api_list()


@bp.post("/api/decks")
@require_role("trainer")
def api_create():
    return VIEWS.api_create()


@bp.get("/api/decks/<int:deck_id>")
@require_role("viewer")
def api_get(deck_id: int):
    return VIEWS.api_get(deck_id)


@bp.put("/api/decks/<int:deck_id>")
@require_role("trainer")
def api_update(deck_id: int):
    return VIEWS.api_update(deck_id)


@bp.delete("/api/decks/<int:deck_id>")
@require_role("trainer")
def api_delete(deck_id: int):
    return VIEWS.api_delete(deck_id)


@bp.put("/api/decks/<int:deck_id>/tags")
@require_role("trainer")
def api_tags(deck_id: int):
    """``{"tags": ["git", "onboarding"]}``: replace the deck's tags (owner or admin)."""
    return VIEWS.api_tags(deck_id)


@bp.post("/api/decks/<int:deck_id>/duplicate")
@require_role("trainer")
def api_duplicate(deck_id: int):
    return VIEWS.api_duplicate(deck_id)


@bp.post("/api/decks/<int:deck_id>/fork")
@require_role("trainer")
def api_fork(deck_id: int):
    return VIEWS.api_fork(deck_id)


@bp.post("/api/uploads")
@require_role("trainer")
def api_upload():
    try:
        upload = request.files.get("file") or request.files.get("image")
    except RequestEntityTooLarge:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        return _api_error("too_large", f"the image is too large (at most {limit // (1024 * 1024) or 1} MB)", 413)
    if upload is None:
        return _api_error("no_file", "choose an image file to upload", 400)
    data = upload.read()
    kind = sniff_image(data[:16])
    if kind is None:
        return _api_error("bad_image", "only PNG, JPEG, GIF and WebP images can be uploaded", 400)
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{kind}"
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, folder / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return jsonify(url=f"/uploads/{name}", type=IMAGE_TYPES[kind], size=len(data)), 201


@bp.get("/uploads/<name>")
def uploaded(name: str):
    if not UPLOAD_NAME.fullmatch(name):
        abort(404)
    kind = name.rsplit(".", 1)[1]
    response = send_from_directory(upload_dir(), name, mimetype=IMAGE_TYPES[kind], max_age=7 * 24 * 3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
