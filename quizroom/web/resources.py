"""Resources of a deck: the trainer's page and downloads, and the participants' side.

Trainers (signed in; whoever may see the deck, by the deck pages' look-up, else 404):
``/decks/<id>/resources`` (the list; the owner also adds links, uploads and removes:
``POST .../link``, ``.../file``, ``.../<rid>/remove``) and ``/decks/<id>/resources/<rid>``
(download a file).

Participants, once a room run from the deck has ended:
- a phone posts its participant token (never in an address) to ``POST /j/<code>/materials``
  and is sent on to ``/materials/<grant>``: a signed grant for that room, valid for
  ``GRANT_SECONDS``; files download from ``/materials/<grant>/<rid>``;
- a known person sees them on their page ``/me/<key>``; files download from
  ``/me/<key>/materials/<rid>``.

Files are always downloads (``Content-Disposition: attachment``), with their real type,
``nosniff`` and a sandboxing Content-Security-Policy. See docs/versions-and-resources.md.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import ValidationError

from .. import decks, resources
from ..app import live_rooms
from ..people import people_of
from ..resources import ResourceError
from . import library as shelf
from .roles import require_role

bp = Blueprint("resources", __name__)

GRANT_SECONDS = 3600
FORM_OVERHEAD = 64 * 1024  # the rest of a multipart upload besides the file


# ------------------------------------------------------------------ helpers
def _visible(deck_id: int):
    """The deck's access as the deck pages load it for viewing (404 when it is not visible)."""
    return shelf.readable(decks.DECKS, deck_id)


def _changeable(deck_id: int):
    """The deck when the signed-in member may change it: 404 outside the workspace, else 403."""
    return shelf.editable(decks.DECKS, deck_id, "deck")


def max_bytes() -> int:
    return int(float(current_app.config.get("MAX_RESOURCE_MB", 20)) * 1024 * 1024)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="quizroom.materials")


def _seat_of_grant(grant: str) -> resources.Seat:
    try:
        room_id = _serializer().loads(grant, max_age=GRANT_SECONDS)["room"]
    except (BadSignature, KeyError, TypeError):
        abort(404)
    seat = resources.seat_in_room(current_app, int(room_id))
    if seat is None:
        abort(404)
    return seat


def _private(response: Response) -> Response:
    """Pages and files opened by a secret: never cached, never sent on as a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def download(row) -> Response:
    """A stored file as a download: its real type, never shown inline, never sniffed."""
    if row.kind != "file":
        abort(404)
    mimetype = resources.TYPES.get(row.extension or "", ("application/octet-stream", ""))[0]
    headers = Headers()
    headers.add("Content-Disposition", "attachment", filename=row.filename or f"resource.{row.extension}")
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response = Response(resources.content(current_app, row.id), headers=headers)
    response.headers["Content-Type"] = mimetype
    return _private(response)


def _page(found, errors: dict | None = None, values: dict | None = None, status: int = 200):
    row, owner = found.row, found.editable
    body = render_template(
        "resources/deck.html",
        deck=row,
        rows=resources.of_deck(current_app, row.id),
        owner=owner,
        errors=errors or {},
        values=values or {},
        limit=resources.megabytes(max_bytes()),
        types=resources.TYPES,
    )
    return body, status


# ------------------------------------------------------------------ template helpers
@bp.app_template_filter("resource_kind")
def resource_kind(row) -> str:
    """What a person calls the resource's type ("PDF", "PowerPoint", "link")."""
    return "link" if row.kind == "link" else resources.TYPES.get(row.extension or "", ("", "file"))[1]


@bp.app_template_global("deck_resources")
def deck_resources(deck_id: int | None) -> list:
    """The resources of a deck, for the editor's summary (none for a new deck)."""
    return resources.of_deck(current_app, deck_id) if deck_id else []


@bp.app_template_global("room_has_resources")
def room_has_resources(code: str) -> bool:
    """Whether the phone's end screen offers "Session materials" (play.html)."""
    live = live_rooms(current_app).rooms.get(code)
    return live is not None and resources.has_resources(current_app, live.id)


@bp.app_template_global("person_resources")
def person_resources(person) -> list:
    """(deck title, resources) of the ended sessions a known person took part in (me.html)."""
    return resources.for_person(current_app, person.id)


# ------------------------------------------------------------------ trainer pages
@bp.get("/decks/<int:deck_id>/resources")
@require_role("viewer")
def deck_page(deck_id: int):
    return _page(_visible(deck_id))


@bp.post("/decks/<int:deck_id>/resources/link")
@require_role("trainer")
def add_link(deck_id: int):
    found = _changeable(deck_id)
    title, url = request.form.get("title", ""), request.form.get("url", "")
    try:
        added = resources.add_link(current_app, deck_id, current_user.id, title, url)
    except ResourceError as error:
        return _page(found, {f"link-{error.field}": _sentence(error.message)}, {"link-title": title, "url": url}, 400)
    flash(f"Added the link “{added.title}”.", "success")
    return redirect(url_for("resources.deck_page", deck_id=deck_id))


@bp.post("/decks/<int:deck_id>/resources/file")
@require_role("trainer")
def add_file(deck_id: int):
    found = _changeable(deck_id)
    # A resource may be larger than the app's general upload limit: raise it for this request
    # only, before anything reads the body (so this view checks its own CSRF token, below).
    request.max_content_length = max_bytes() + FORM_OVERHEAD
    try:
        upload = request.files.get("file")
        title = request.form.get("title", "")
        token = request.form.get("csrf_token")
    except RequestEntityTooLarge:
        message = f"The file is too large (at most {resources.megabytes(max_bytes())})."
        return _page(found, {"file": message}, {}, 413)
    _check_csrf(token)
    if upload is None or not upload.filename:
        return _page(found, {"file": "Choose a file to upload."}, {"file-title": title}, 400)
    data = upload.read(max_bytes() + 1)
    try:
        added = resources.add_file(current_app, deck_id, current_user.id, title, upload.filename, data, max_bytes())
    except ResourceError as error:
        key = "file-title" if error.field == "title" else "file"
        status = 413 if len(data) > max_bytes() else 400
        return _page(found, {key: _sentence(error.message)}, {"file-title": title}, status)
    flash(f"Attached “{added.title}” ({added.filename}).", "success")
    return redirect(url_for("resources.deck_page", deck_id=deck_id))


@bp.post("/decks/<int:deck_id>/resources/<int:resource_id>/remove")
@require_role("trainer")
def remove(deck_id: int, resource_id: int):
    _changeable(deck_id)
    row = resources.get(current_app, deck_id, resource_id)
    if row is None or not resources.remove(current_app, deck_id, resource_id):
        abort(404)
    flash(f"Removed “{row.title}”.", "success")
    return redirect(url_for("resources.deck_page", deck_id=deck_id))


@bp.get("/decks/<int:deck_id>/resources/<int:resource_id>")
@require_role("viewer")
def trainer_download(deck_id: int, resource_id: int):
    _visible(deck_id)
    row = resources.get(current_app, deck_id, resource_id)
    if row is None:
        abort(404)
    return download(row)


def _check_csrf(token: str | None) -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(token)
    except ValidationError as error:
        raise CSRFError(error.args[0]) from None


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


@bp.record_once
def _exempt_upload(state) -> None:
    """The upload view checks CSRF itself, after raising the body limit (see add_file)."""
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(add_file)


# ------------------------------------------------------------------ participants
@bp.post("/j/<code>/materials")
def room_materials(code: str):
    """A phone's way in: its participant token in the form body, never in an address."""
    seat = resources.seat_by_token(current_app, code, request.form.get("token"))
    if seat is None:
        return _private(current_app.make_response((render_template("resources/no_access.html"), 404)))
    grant = _serializer().dumps({"room": seat.room_id})
    return _private(redirect(url_for("resources.materials", grant=grant), 303))


@bp.get("/materials/<grant>")
def materials(grant: str):
    seat = _seat_of_grant(grant)
    page = render_template(
        "resources/materials.html",
        title=seat.title,
        rows=resources.of_deck(current_app, seat.deck_id),
        file_url=lambda row: url_for("resources.materials_file", grant=grant, resource_id=row.id),
        minutes=GRANT_SECONDS // 60,
    )
    return _private(current_app.make_response(page))


@bp.get("/materials/<grant>/<int:resource_id>")
def materials_file(grant: str, resource_id: int):
    seat = _seat_of_grant(grant)
    row = resources.get(current_app, seat.deck_id, resource_id)
    if row is None:
        abort(404)
    return download(row)


@bp.get("/me/<link_key>/materials/<int:resource_id>")
def person_file(link_key: str, resource_id: int):
    person = people_of(current_app).person_by_link(link_key)
    if person is None:
        abort(404)
    with_deck = resources.get_any(current_app, resource_id)
    if with_deck is None or not resources.person_may_open(current_app, person.id, with_deck):
        abort(404)
    return download(with_deck)
