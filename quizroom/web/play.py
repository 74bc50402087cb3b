"""Pages for attendees: the home page (type a room code), the join/play page, the
"pick your name" roster of a room run for a group (``/j/<code>/roster``), and a person's
own page from their personal link (``/me/<link key>``)."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for

from .. import models
from ..app import live_rooms
from ..live import limits
from ..people import people_of

bp = Blueprint("play", __name__)

CODE = re.compile(r"\d{6}")


def _clean_code(raw: str) -> str:
    """People type "123 456" or "123-456": keep the digits."""
    return re.sub(r"[\s\-.]", "", raw or "")[:20]


def _too_many_guesses(code: str | None, as_json: bool = False):
    """Look up a well-formed code against the per-IP budget of failed look-ups (shared with
    the socket `join`): None when the look-up may go ahead, else the 429 page (or JSON
    error). Once the budget is spent every code is refused alike, so the answer does not
    tell which exist."""
    app = current_app._get_current_object()
    guesses = limits.for_app(app).code_lookups_per_ip
    ip = limits.client_ip(app)
    known = code in live_rooms(app).rooms
    if (known and not guesses.blocked(ip)) or (not known and guesses.take(ip)):
        return None
    wait = guesses.retry_after(ip)
    if as_json:
        message = f"too many wrong room codes from this network; wait {wait} s, then check the code on the screen"
        body = jsonify(error={"code": "too_many_guesses", "message": message})
        response = current_app.make_response((body, 429))
    else:
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
    if not live_rooms(current_app).partition.owns(code):
        return redirect(url_for("play.room", code=code))  # the proxy routes /j/<code> to its worker
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
    if "device" not in session:  # one id per browser: a removed participant is known again (live/admission.py)
        session["device"] = secrets.token_urlsafe(16)
        session.permanent = True
    page = render_template(
        "play.html", code=code, title=live.engine.title, ended=ended, roster=live.group_id is not None
    )
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/j/<code>/roster")
def roster(code: str):
    """ "Pick your name": the names (and ids) of the room's group members who have not joined
    yet. Never e-mails. Only for rooms run for a group; looked up like a room code."""
    if not CODE.fullmatch(code):
        return _roster_error("bad_code", "a room code is 6 digits", 404)
    refused = _too_many_guesses(code, as_json=True)
    if refused is not None:
        return refused
    service = live_rooms(current_app)
    live = service.rooms.get(code)
    if live is None:
        return _roster_error("room_not_found", "no live room has that code", 404)
    people = service.open_roster(live)
    if people is None:
        return _roster_error("no_roster", "this room has no list of names; join with a nickname", 404)
    response = jsonify(people=[{"id": p.id, "name": p.name} for p in people])
    response.headers["Cache-Control"] = "no-store"
    return response


def _roster_error(code: str, message: str, status: int):
    response = jsonify(error={"code": code, "message": message})
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.get("/me/<link_key>")
def me(link_key: str):
    """A person's own page, opened from their personal link: the phone remembers the key
    (me.js) and joins this trainer's rooms as them from then on."""
    person = people_of(current_app).person_by_link(link_key)
    if person is None:
        response = current_app.make_response((render_template("people/me_not_found.html"), 404))
    else:
        response = current_app.make_response(
            render_template("people/me.html", person=person, rooms=_rooms_for(person), trainer=_trainer_name(person))
        )
    # The link is the person's credential: never cache it, never leak it in a Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _rooms_for(person) -> list:
    """Live rooms run for a group they are in (not ended), by any trainer of the workspace
    (groups are shared by it, and a group only holds people of its own workspace). From
    the database, since with several workers (docs/deployment.md) other processes hold some."""
    groups = people_of(current_app).groups_with(person.id)
    if not groups:
        return []
    with current_app.extensions["quizroom.db"].read() as s:
        return list(
            s.scalars(
                sa.select(models.Room)
                .where(models.Room.live, models.Room.group_id.in_(groups))
                .order_by(models.Room.id)
            )
        )


def _trainer_name(person) -> str | None:
    with current_app.extensions["quizroom.db"].read() as s:
        trainer = s.get(models.Trainer, person.trainer_id)
        return trainer.name if trainer else None
