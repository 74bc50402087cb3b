"""The self-paced review round on a phone: ``/r/<token>`` and its JSON API.

No login: the secret token in the link is the credential (a person's own review round,
sent by their trainer). Every response is ``Cache-Control: no-store`` (it is personal and
changes with every answer). Failed look-ups of unknown tokens spend the same per-IP
budget as room codes, so the links cannot be guessed at speed either.

API (errors are ``{"ok": false, "error": {"code", "message"}}`` with a 4xx status):

- ``GET  /api/r/<token>``         the phone's view; never starts a question's timer
- ``POST /api/r/<token>/start``   serve the current question (its timer starts the first time)
- ``POST /api/r/<token>/answer``  ``{"position": int, "value": ...}``: the result and the next view
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, render_template, request

from ..app import database
from ..clock import now_of
from ..live import limits
from ..retention import practice

bp = Blueprint("review", __name__)

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
STATUS = {"not_found": 404, "wrong_question": 409, "bad_answer": 400, "bad_payload": 400, "too_many_guesses": 429}


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _error(code: str, message: str, headers: dict | None = None):
    response = jsonify(ok=False, error={"code": code, "message": message})
    response.status_code = STATUS.get(code, 400)
    response.headers.update(headers or {})
    return _private(response)


def _refused(token: str, api: bool):
    """None when ``token`` may be looked up; else the 404 or 429 answer.

    Like room codes: a known token passes unless this address has spent its budget of
    failed look-ups; once it has, every token is refused alike, so the answer does not
    tell which exist. A malformed token is not a guess and spends nothing."""
    app = current_app._get_current_object()
    if not TOKEN.fullmatch(token):
        return _not_found(api)
    guesses = limits.for_app(app).code_lookups_per_ip
    ip = limits.client_ip(app)
    known = practice.exists(database(app), token)
    if known and not guesses.blocked(ip):
        return None
    if not known and guesses.take(ip):
        return _not_found(api)
    wait = guesses.retry_after(ip)
    headers = {"Retry-After": str(wait)}
    if api:
        return _error("too_many_guesses", f"too many review links that do not exist: wait {wait} s", headers)
    response = current_app.make_response((render_template("review/too_many.html", wait=wait), 429))
    response.headers.update(headers)
    return _private(response)


def _not_found(api: bool):
    if api:
        return _error("not_found", "this review link does not exist (any more)")
    return _private(current_app.make_response((render_template("review/not_found.html"), 404)))


def _reply(call, token: str):
    """Run a service call; its PracticeError becomes the JSON error answer."""
    try:
        data = call(database(current_app), token, now_of(current_app))
    except practice.PracticeError as error:
        return _error(error.code, error.message)
    return _private(jsonify(ok=True, **data))


@bp.get("/r/<token>")
def page(token: str):
    refused = _refused(token, api=False)
    if refused is not None:
        return refused
    try:
        state = practice.view(database(current_app), token, now_of(current_app), start=False)
    except practice.PracticeError:
        return _not_found(api=False)
    response = current_app.make_response(render_template("review.html", token=token, state=state))
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's URL
    return _private(response)


@bp.get("/api/r/<token>")
def api_view(token: str):
    refused = _refused(token, api=True)
    if refused is not None:
        return refused
    return _reply(lambda db, t, now: practice.view(db, t, now, start=False), token)


@bp.post("/api/r/<token>/start")
def api_start(token: str):
    refused = _refused(token, api=True)
    if refused is not None:
        return refused
    return _reply(lambda db, t, now: practice.view(db, t, now, start=True), token)


@bp.post("/api/r/<token>/answer")
def api_answer(token: str):
    refused = _refused(token, api=True)
    if refused is not None:
        return refused
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "position" not in body or "value" not in body:
        return _error("bad_payload", 'send JSON like {"position": 0, "value": 1}')
    return _reply(lambda db, t, now: practice.answer(db, t, body["position"], body["value"], now), token)
