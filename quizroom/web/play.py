"""Pages for attendees: the home page (type a room code) and the join/play page."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..app import live_rooms
from ..live import limits

bp = Blueprint("play", __name__)

CODE = re.compile(r"\d{6}")


def _clean_code(raw: str) -> str:
    """People type "123 456" or "123-456": keep the digits."""
    return re.sub(r"[\s\-.]", "", raw or "")[:20]


def _too_many_guesses(code: str | None):
    """Look up a well-formed code against the per-IP budget of failed look-ups (shared with
    the socket `join`): None when the look-up may go ahead, else the 429 page. Once the
    budget is spent every code is refused alike, so the answer does not tell which exist."""
    app = current_app._get_current_object()
    guesses = limits.for_app(app).code_lookups_per_ip
    ip = limits.client_ip(app)
    known = code in live_rooms(app).rooms
    if (known and not guesses.blocked(ip)) or (not known and guesses.take(ip)):
        return None
    wait = guesses.retry_after(ip)
    response = current_app.make_response((render_template("errors/too_many.html", wait=wait), 429))
    response.headers["Retry-After"] = str(wait)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home():
    return render_template("home.html", code="", error=None)


@bp.get("/join")
def join_code():
    """The home page's form (works without JavaScript): check the code, then go to its room."""
    code = _clean_code(request.args.get("code", ""))
    if not CODE.fullmatch(code):
        error = "A room code has 6 digits, like 123456. Check the code on the screen."
        return render_template("home.html", code=code, error=error), 400
    refused = _too_many_guesses(code)
    if refused is not None:
        return refused
    if code not in live_rooms(current_app).rooms:
        error = f"There is no live room with code {code}. Check the code on the screen."
        return render_template("home.html", code=code, error=error), 404
    return redirect(url_for("play.room", code=code))


@bp.get("/j/<code>")
def room(code: str):
    if CODE.fullmatch(code):
        refused = _too_many_guesses(code)
        if refused is not None:
            return refused
    live = live_rooms(current_app).rooms.get(code) if CODE.fullmatch(code) else None
    if live is None:
        shown = code if CODE.fullmatch(code) else None
        return render_template("errors/room_not_found.html", code=shown), 404
    ended = str(live.engine.phase) == "ended"
    response = current_app.make_response(render_template("play.html", code=code, title=live.engine.title, ended=ended))
    response.headers["Cache-Control"] = "no-store"
    return response
