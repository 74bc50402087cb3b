"""The stage: open a room from a deck or a session plan, project it, and its QR code.

- ``POST /api/rooms`` (JSON: ``{"deck_id"}`` or ``{"plan_id"}``, optional ``"group_id"``),
  ``POST /decks/<id>/start`` and ``POST /plans/<id>/start`` (forms, optional ``group_id``)
  open a live room from one of the signed-in trainer's decks or session plans, optionally
  run for one of their groups (phones may then pick their name from its roster).
- ``GET /rooms/<code>/stage`` is the projected page; only the room's trainer (or a
  co-host, docs/cohosts.md) may open it, and it carries that host's key for ``host:attach``.
- ``GET /rooms/<code>/presenter`` is the presenter view for a second device (the same
  hosts; notes, the timer, who has not answered, the controls, co-hosts and hand-over).
- ``GET /rooms/<code>/qr.svg`` is the join URL as a QR code.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
import sqlalchemy as sa
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
    url_for,
)
from flask_login import current_user
from werkzeug.routing import BuildError

from .. import cohosts, decks, models, plans, workspaces
from ..app import database, live_rooms
from ..engine import EngineError
from ..live import hosts
from ..people import people_of
from .roles import require_role

bp = Blueprint("stage", __name__)

CODE = re.compile(r"\d{6}")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - compared, not bound


# ------------------------------------------------------------------ URLs
def join_url(code: str) -> str:
    """The address phones open: QUIZROOM_PUBLIC_URL, else the address of this request."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return f"{base.rstrip('/')}/j/{code}"


def results_path(room_id: int) -> str:
    return f"/results/{room_id}"  # the results page (see the HTTP contract)


def _decks_page() -> str:
    try:
        return url_for("decks.index")
    except BuildError:
        return "/decks"


def _is_local(host: str) -> bool:
    name = (urlsplit(f"//{host}").hostname or "").lower()
    if name in LOCAL_HOSTS or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def lan_address() -> str | None:
    """This machine's address on the local network, if it has one (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
        address = probe.getsockname()[0]
    except OSError:
        address = None
    finally:
        probe.close()
    if address and not address.startswith("127."):
        return address
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    others = sorted({info[4][0] for info in infos if not info[4][0].startswith("127.")})
    return others[0] if others else None


def localhost_hint() -> dict | None:
    """When the stage is opened on localhost, phones cannot use the join URL."""
    if current_app.config.get("PUBLIC_URL") or not _is_local(request.host):
        return None
    port = urlsplit(request.host_url).port
    address = lan_address()
    suggestion = None
    if address:
        suggestion = f"{request.scheme}://{address}{f':{port}' if port else ''}/"
    return {"suggestion": suggestion, "stage_on_lan": f"{suggestion.rstrip('/')}{request.path}" if suggestion else None}


# ---------------------------------------------------------------- rooms
def _question_on_device(values: list) -> bool:
    """A form sends a hidden "0" before the checkbox's "1"; nothing at all means the default."""
    if not values:
        return True
    return str(values[-1]).strip().lower() in ("1", "true", "on", "yes")


def _group_error(group_id: int | None):
    """None when the room may be run for ``group_id`` (None: no group, or one of this trainer's)."""
    if group_id is None or people_of(current_app).get_group(current_user.id, group_id) is not None:
        return None
    return ("group_not_found", "no such group", 400)


def _form_group() -> tuple[int | None, bool]:
    """The start forms' optional group select: (group id or None, whether the value was usable)."""
    raw = (request.form.get("group_id") or "").strip()
    if not raw:
        return None, True
    return (int(raw), True) if raw.isdigit() and len(raw) < 12 else (None, False)


# What a room can be opened from: (load the trainer's row, its agenda, what to say when it is empty).
SOURCES = {
    "deck": (decks.get_deck, decks.questions_of, "add at least one question to this deck before starting a room"),
    "plan": (plans.get_plan, plans.activities_of, "add at least one item to this plan before starting a room"),
}


def _open(source: str, source_id: int, question_on_device: bool, group_id: int | None = None):
    """Open a room from one of this trainer's decks or session plans (its whole agenda);
    returns (live room, host key), or (None, (code, message, status))."""
    load, agenda_of, empty = SOURCES[source]
    row = load(current_app, current_user.id, source_id)
    if row is None:
        return None, (f"{source}_not_found", f"no such {source}", 404)
    activities = agenda_of(row)
    if not activities:
        return None, (f"empty_{source}", empty, 400)
    refused = _group_error(group_id)
    if refused:
        return None, refused
    try:
        opened = live_rooms(current_app).open_room(
            trainer_id=current_user.id,
            deck_id=row.id if source == "deck" else None,
            plan_id=row.id if source == "plan" else None,
            title=row.title,
            activities=activities,
            settings={"question_on_device": question_on_device},
            group_id=group_id,
        )
    except EngineError as error:
        return None, (error.code, error.message, 400)
    return opened, None


def _plans_page() -> str:
    try:
        return url_for("plans.index")
    except BuildError:
        return "/plans"


def _api_error(code: str, message: str, status: int):
    return jsonify(error={"code": code, "message": message}), status


@bp.post("/api/rooms")
def create_room():
    if not current_user.is_authenticated:
        return _api_error("login_required", "sign in to start a room", 401)
    if not workspaces.may_run(current_user):  # viewers run no rooms (docs/workspace.md)
        return _api_error("forbidden", "your role does not allow starting rooms", 403)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _api_error("bad_request", "send a JSON object", 400)
    if ("deck_id" in body) == ("plan_id" in body):
        return _api_error("bad_request", "send either deck_id or plan_id", 400)
    source = "plan_id" if "plan_id" in body else "deck_id"
    source_id = body[source]
    if isinstance(source_id, bool) or not isinstance(source_id, int):
        return _api_error("bad_request", f"{source} must be a whole number", 400)
    settings = body.get("settings")
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        return _api_error("bad_request", "settings must be an object", 400)
    unknown = set(settings) - {"question_on_device"}
    if unknown:
        return _api_error("bad_request", f"unknown setting(s): {', '.join(sorted(map(str, unknown)))[:200]}", 400)
    on_device = settings.get("question_on_device", True)
    if not isinstance(on_device, bool):
        return _api_error("bad_request", "settings.question_on_device must be true or false", 400)
    group_id = body.get("group_id")
    if group_id is not None and (isinstance(group_id, bool) or not isinstance(group_id, int)):
        return _api_error("bad_request", "group_id must be a whole number (or null)", 400)
    opened, error = _open("plan" if source == "plan_id" else "deck", source_id, on_device, group_id)
    if error:
        return _api_error(*error)
    room, host_key = opened
    return jsonify(
        code=room.code,
        room_id=room.id,
        host_key=host_key,
        join_url=join_url(room.code),
        stage_url=url_for("stage.stage", code=room.code, _external=True),
        results_url=request.host_url.rstrip("/") + results_path(room.id),
    ), 201


def _start_from_form(source: str, source_id: int, back: str):
    """The decks and plans pages' Start buttons: open the room, then show its stage."""
    group_id, usable = _form_group()
    if not usable:
        flash("Cannot start a room: that group does not exist.", "error")
        return redirect(back)
    on_device = _question_on_device(request.form.getlist("question_on_device"))
    opened, error = _open(source, source_id, on_device, group_id)
    if error:
        _code, message, status = error
        if status == 404:
            abort(404)
        flash(f"Cannot start a room: {message}.", "error")
        return redirect(back)
    room, _key = opened
    return redirect(url_for("stage.stage", code=room.code))


@bp.post("/decks/<int:deck_id>/start")
@require_role("trainer")
def start_room(deck_id: int):
    return _start_from_form("deck", deck_id, _decks_page())


@bp.post("/plans/<int:plan_id>/start")
@require_role("trainer")
def start_plan(plan_id: int):
    return _start_from_form("plan", plan_id, _plans_page())


def _owned_live_room(code: str):
    """The live room with this code if the signed-in trainer may host it (owner or co-host)."""
    service = live_rooms(current_app)
    live = service.rooms.get(code)
    if live is None or hosts.key_for(service, live, current_user.id) is None:
        return None
    return live


@bp.get("/rooms/<code>/stage")
@require_role("trainer")
def stage(code: str):
    if not CODE.fullmatch(code):
        abort(404)
    live = _owned_live_room(code)
    if live is None:
        # Not live here any more (ended before a restart): its results, if it was ours.
        with database(current_app).read() as s:
            row = s.scalar(
                sa.select(models.Room)
                .where(models.Room.code == code, models.Room.trainer_id == current_user.id)
                .order_by(models.Room.created_at.desc())
                .limit(1)
            )
            room_id = row.id if row is not None and not row.live else None
        if room_id is not None:
            return redirect(results_path(room_id))
        abort(404)
    service = live_rooms(current_app)
    response = Response(
        render_template(
            "stage.html",
            room=live,
            title=live.engine.title,
            host_key=hosts.key_for(service, live, current_user.id),
            join_url=join_url(code),
            join_display=join_url(code).split("://", 1)[-1],
            results_url=results_path(live.id),
            decks_url=_decks_page(),
            hint=localhost_hint(),
        )
    )
    # The page carries the host key: never cache or share it.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/rooms/<code>/presenter")
@require_role("trainer")
def presenter(code: str):
    """The presenter view (a phone or a laptop beside the stage): only the room's hosts."""
    live = _owned_live_room(code) if CODE.fullmatch(code) else None
    if live is None:
        abort(404)
    service = live_rooms(current_app)
    team = hosts.of(service, live).team
    db = database(current_app)
    response = Response(
        render_template(
            "presenter.html",
            room=live,
            title=live.engine.title,
            host_key=hosts.key_for(service, live, current_user.id),
            you=current_user.id,
            colleagues=cohosts.colleagues(db, team.owner),  # the script hides who hosts already
            stage_url=url_for("stage.stage", code=code),
        )
    )
    response.headers["Cache-Control"] = "no-store"  # it carries a host key
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/rooms/<code>/qr.svg")
def qr_code(code: str):
    # Only the stage shows it, so only the room's trainer gets it: for anyone else a 200 here
    # (and a 404 for other codes) would tell which codes are live, past the guessing budget.
    if not CODE.fullmatch(code) or not current_user.is_authenticated or _owned_live_room(code) is None:
        abort(404)
    image = qrcode.make(
        join_url(code),
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    response = Response(image.to_string(encoding="unicode"), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Vary"] = "Host"
    return response
