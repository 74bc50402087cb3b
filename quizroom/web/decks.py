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
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge

from .. import decks, library, models
from ..engine import DeckInvalid
from ..engine.deck import FORMAT, TITLE_MAX, VERSION
from . import documents
from . import library as shelf
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


def _readable(deck_id: int) -> models.Deck:
    """A deck of the signed-in member's workspace, or 404."""
    return shelf.readable(decks.DECKS, deck_id).row


def _editable(deck_id: int) -> models.Deck:
    """A deck the signed-in member may change: 404 outside the workspace, 403 if not theirs."""
    return shelf.editable(decks.DECKS, deck_id, "deck").row


def _copy(deck_id: int) -> models.Deck:
    """Duplicate one's own deck ("Copy of …"), or fork a colleague's (credit kept)."""
    found = shelf.readable(decks.DECKS, deck_id)
    if found.owner.id == current_user.id:
        return decks.create_deck(current_app, current_user.id, duplicate_document(found.row.document))
    return shelf.fork(decks.DECKS, found)


def _api_error(code: str, message: str, status: int):
    return jsonify(error={"code": code, "message": message}), status


def _not_found():
    return _api_error("not_found", "no such deck", 404)


def _deck_json(row: models.Deck) -> dict:
    return {"id": row.id, "deck": row.document}


def _library_json(row) -> dict:
    """What the library adds to a deck (``?scope=workspace`` listings, tags, forks)."""
    return {"tags": list(row.tags or []), "forked_from": shelf.credit(row)}


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
@bp.get("/decks")
@require_role("viewer")
def index():
    context = shelf.listing(decks.DECKS)
    counts = {entry.row.id: question_count(entry.row) for entry in context["entries"]}
    return render_template("decks/index.html", question_counts=counts, **context)


@bp.get("/decks/<int:deck_id>")
@require_role("viewer")
def show(deck_id: int):
    found = shelf.readable(decks.DECKS, deck_id)
    return _show_page(found)


def _show_page(found, status: int = 200, form: dict | None = None, errors: dict | None = None):
    row = found.row
    form = form or {"description": (row.document or {}).get("description", ""), "tags": ", ".join(row.tags or [])}
    return render_template(
        "decks/show.html",
        row=row,
        access=found,
        credit=shelf.credit(row),
        questions=(row.document or {}).get("questions") or [],
        form=form,
        errors=errors or {},
        tags_max=library.TAGS_MAX,
    ), status


@bp.post("/decks/<int:deck_id>/details")
@require_role("trainer")
def details(deck_id: int):
    found = shelf.editable(decks.DECKS, deck_id, "deck")
    form = {"description": request.form.get("description", ""), "tags": request.form.get("tags", "")}
    errors = shelf.save_details(decks.DECKS, found, form["description"], form["tags"])
    if errors:
        return _show_page(found, 400, form, errors)
    flash("Saved the description and tags.", "success")
    return redirect(url_for("decks.show", deck_id=deck_id))


@bp.get("/decks/new")
@require_role("trainer")
def new():
    document = empty_document()
    return render_template("decks/editor.html", deck_id=None, document=document)


@bp.get("/decks/<int:deck_id>/edit")
@require_role("trainer")
def edit(deck_id: int):
    row = _editable(deck_id)
    return render_template("decks/editor.html", deck_id=row.id, document=row.document, row=row)


@bp.get("/decks/<int:deck_id>/export.json")
@require_role("viewer")
def export(deck_id: int):
    row = _readable(deck_id)
    body = json.dumps(row.document, ensure_ascii=False, indent=2) + "\n"
    headers = Headers()
    headers.add("Content-Disposition", "attachment", filename=f"{slug(row.title)}.quizroom.json")
    headers["Cache-Control"] = "no-store"
    return Response(body, mimetype="application/json", headers=headers)


@bp.post("/decks/<int:deck_id>/duplicate")
@require_role("trainer")
def duplicate(deck_id: int):
    copy = _copy(deck_id)
    flash(f"Made a copy: “{copy.title}”.", "success")
    return redirect(url_for("decks.index"))


@bp.post("/decks/<int:deck_id>/fork")
@require_role("trainer")
def fork(deck_id: int):
    copy = _copy(deck_id)
    flash(
        f"“{copy.title}” is now in your decks" + (f", {shelf.credit(copy)}." if copy.forked_from_id else "."), "success"
    )
    return redirect(url_for("decks.show", deck_id=copy.id))


@bp.post("/decks/<int:deck_id>/delete")
@require_role("trainer")
def delete(deck_id: int):
    row = _editable(deck_id)
    if request.form.get("confirm") != "yes":
        # Without JavaScript the list's button lands here: ask once more.
        return render_template("decks/confirm_delete.html", row=row, questions=question_count(row))
    decks.delete_deck(current_app, current_user.id, deck_id)
    flash(f"Deleted “{row.title}”. Results of rooms that used it are kept.", "success")
    return redirect(url_for("decks.index"))


@bp.route("/decks/import", methods=["GET", "POST"])
@require_role("trainer")
def import_deck():
    if request.method == "GET":
        return render_template("import.html", kind=KIND, errors=[], filename=None)
    document, filename, errors, status = documents.import_form(KIND)
    if not errors:
        try:
            row = decks.create_deck(current_app, current_user.id, document)
        except DeckInvalid as invalid:
            errors = invalid.errors
        else:
            flash(f"Imported “{row.title}” with {question_count(row)} question(s).", "success")
            return redirect(url_for("decks.edit", deck_id=row.id))
    labelled = [dict(e, label=describe_path(e["path"])) for e in errors]
    return render_template("import.html", kind=KIND, errors=labelled, filename=filename), status


# --------------------------------------------------------------------- API
@bp.get("/api/decks")
@require_role("viewer")
def api_list():
    """The member's own decks, or with ``?scope=workspace`` every deck of the workspace
    (with its owner and tags)."""

    def summary(r: models.Deck) -> dict:
        return {"id": r.id, "title": r.title, "questions": question_count(r), "updated_at": _iso(r.updated_at)}

    if request.args.get("scope") == "workspace":
        rows = decks.DECKS.of_workspace(current_app, current_user.id)
        return jsonify(decks=[{**summary(r), "owner": owner, **_library_json(r)} for r, owner in rows])
    return jsonify(decks=[summary(r) for r in decks.list_decks(current_app, current_user.id)])


@bp.post("/api/decks")
@require_role("trainer")
def api_create():
    try:
        document, errors = documents.body_document(KIND)
    except RequestEntityTooLarge:
        return jsonify(errors=[{"path": "", "message": "the deck is too large"}]), 413
    if errors:
        return jsonify(errors=errors), 400
    try:
        row = decks.create_deck(current_app, current_user.id, document)
    except DeckInvalid as invalid:
        return jsonify(errors=invalid.errors), 400
    response = jsonify(_deck_json(row))
    response.headers["Location"] = url_for("decks.api_get", deck_id=row.id)
    return response, 201


@bp.get("/api/decks/<int:deck_id>")
@require_role("viewer")
def api_get(deck_id: int):
    found, refused = shelf.api_access(decks.DECKS, deck_id, "deck")
    if refused:
        return refused
    return jsonify(_deck_json(found.row))


@bp.put("/api/decks/<int:deck_id>")
@require_role("trainer")
def api_update(deck_id: int):
    _found, refused = shelf.api_access(decks.DECKS, deck_id, "deck", edit=True)
    if refused:
        return refused
    try:
        document, errors = documents.body_document(KIND)
    except RequestEntityTooLarge:
        return jsonify(errors=[{"path": "", "message": "the deck is too large"}]), 413
    if errors:
        return jsonify(errors=errors), 400
    try:
        row = decks.update_deck(current_app, current_user.id, deck_id, document)
    except DeckInvalid as invalid:
        return jsonify(errors=invalid.errors), 400
    return jsonify(_deck_json(row)) if row else _not_found()


@bp.delete("/api/decks/<int:deck_id>")
@require_role("trainer")
def api_delete(deck_id: int):
    _found, refused = shelf.api_access(decks.DECKS, deck_id, "deck", edit=True)
    if refused:
        return refused
    if not decks.delete_deck(current_app, current_user.id, deck_id):
        return _not_found()
    return "", 204


@bp.put("/api/decks/<int:deck_id>/tags")
@require_role("trainer")
def api_tags(deck_id: int):
    """``{"tags": ["git", "onboarding"]}``: replace the deck's tags (owner or admin)."""
    _found, refused = shelf.api_access(decks.DECKS, deck_id, "deck", edit=True)
    if refused:
        return refused
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "tags" not in body:
        return _api_error("bad_request", 'send {"tags": [...]}', 400)
    try:
        tags = library.clean_tags(body["tags"])
    except library.TagsInvalid as invalid:
        return _api_error("bad_tags", invalid.message, 400)
    row = decks.DECKS.set_tags(current_app, current_user.id, deck_id, tags)
    return jsonify({"id": row.id, **_library_json(row)}) if row else _not_found()


@bp.post("/api/decks/<int:deck_id>/duplicate")
@require_role("trainer")
def api_duplicate(deck_id: int):
    _found, refused = shelf.api_access(decks.DECKS, deck_id, "deck")
    if refused:
        return refused
    return jsonify(_deck_json(_copy(deck_id))), 201


@bp.post("/api/decks/<int:deck_id>/fork")
@require_role("trainer")
def api_fork(deck_id: int):
    _found, refused = shelf.api_access(decks.DECKS, deck_id, "deck")
    if refused:
        return refused
    copy = _copy(deck_id)
    return jsonify({**_deck_json(copy), **_library_json(copy)}), 201


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
