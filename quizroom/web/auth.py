"""Trainer accounts: register, sign in, sign out.

- ``GET/POST /register`` (name, email, password, confirm; ``invite``: the token of an invitation
  link, which puts the new account into that workspace with that role; without one the
  account gets a workspace of its own, unless QUIZROOM_OPEN_SIGNUP is off: docs/workspace.md)
- ``GET/POST /login`` (email, password, remember; ``next`` honoured for same-site paths only)
- ``POST /logout``

Also here, because every page and the JSON API share them: what a failed CSRF check
looks like (a page for forms, JSON for ``/api/*``) and ``safe_next``. Who may use which
route is decided by web/roles.py.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from .. import accounts, invitations, workspaces
from ..app import database
from ..clock import now_of

bp = Blueprint("auth", __name__)

# Sign-in throttling: at most this many failures per address+e-mail in the window.
FAILURES_ALLOWED = 10
FAILURE_WINDOW = 15 * 60


class _Throttle:
    """Remembers recent failed sign-ins in this process (enough for one laptop server)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failures: dict[tuple[str, str], list[float]] = {}

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        times = [t for t in self.failures.get(key, []) if now - t < FAILURE_WINDOW]
        if times:
            self.failures[key] = times
        else:
            self.failures.pop(key, None)
        return times

    def blocked(self, key: tuple[str, str]) -> bool:
        with self.lock:
            return len(self._recent(key, time.monotonic())) >= FAILURES_ALLOWED

    def fail(self, key: tuple[str, str]) -> None:
        with self.lock:
            now = time.monotonic()
            self._recent(key, now)
            self.failures.setdefault(key, []).append(now)
            if len(self.failures) > 10_000:  # never grow without bound
                self.failures.pop(next(iter(self.failures)))

    def clear(self, key: tuple[str, str]) -> None:
        with self.lock:
            self.failures.pop(key, None)


def _throttle() -> _Throttle:
    return current_app.extensions.setdefault("quizroom.login_throttle", _Throttle())


# ------------------------------------------------------------------ helpers
def safe_next(target: object) -> str | None:
    """A ``next`` value we may redirect to: a path on this site, nothing else."""
    if not isinstance(target, str) or not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _home_for_trainer() -> str:
    return url_for("decks.index")


@bp.app_errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    message = "Your session has expired or the form was sent from another site. Reload the page and try again."
    if request.path.startswith("/api/"):
        return jsonify(error={"code": "csrf", "message": message}), 400
    return render_template("auth/csrf_error.html", message=message), 400


# ------------------------------------------------------------------- routes
def _invitation(token: str | None) -> tuple[invitations.Offer | None, str | None]:
    """What an invitation link offers, or why it does not work."""
    if not token:
        return None, None
    try:
        return invitations.check(database(current_app), token, now_of(current_app)), None
    except invitations.InvitationError as error:
        return None, error.message[:1].upper() + error.message[1:] + "."


def _signup_closed() -> bool:
    """Registration needs an invitation (QUIZROOM_OPEN_SIGNUP off), unless nobody has an account yet."""
    return not current_app.config.get("OPEN_SIGNUP", True) and accounts.any_trainer(current_app)


@bp.route("/register", methods=["GET", "POST"])
def register():
    token = (request.values.get("invite") or "").strip() or None
    if current_user.is_authenticated and request.method == "GET":
        if token:
            flash(
                "You are signed in already: an invitation link is for creating a new account. Sign out first.", "error"
            )
        return redirect(_home_for_trainer())
    offer, invite_error = _invitation(token)
    form = {"name": "", "email": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {"name": request.form.get("name", "").strip(), "email": request.form.get("email", "").strip()}
        password = request.form.get("password", "")
        confirm = request.form.get("confirm", "")
        if not form["name"]:
            errors["name"] = "Enter your name, as attendees and co-trainers will see it."
        if not form["email"]:
            errors["email"] = "Enter your e-mail address."
        if not password:
            errors["password"] = "Choose a password."  # noqa: S105 - an error message
        if password and confirm != password:
            errors["confirm"] = "The two passwords are not the same."
        if not errors:
            try:
                trainer = accounts.create_trainer(
                    current_app,
                    email=form["email"],
                    name=form["name"],
                    password=password,
                    invitation=token,
                    require_invitation=not current_app.config.get("OPEN_SIGNUP", True),
                )
            except accounts.AccountError as error:
                errors[error.field] = error.message[:1].upper() + error.message[1:] + "."
            else:
                login_user(trainer)
                if offer is not None:
                    role = workspaces.ROLE_LABELS[trainer.role].lower()
                    flash(f"Welcome, {trainer.name}! You joined {offer.workspace} as {role}.", "success")
                else:
                    flash(f"Welcome, {trainer.name}! Create your first deck or import one.", "success")
                return redirect(_home_for_trainer())
    status = 400 if errors else 200
    return render_template(
        "auth/register.html",
        form=form,
        errors=errors,
        invite=token if offer is not None else None,
        offer=offer,
        invite_error=invite_error,
        closed=_signup_closed() and offer is None,
        role_labels=workspaces.ROLE_LABELS,
    ), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or _home_for_trainer())
    email = ""
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        key = (request.remote_addr or "", email.lower())
        if not email:
            errors["email"] = "Enter your e-mail address."
        if not password:
            errors["password"] = "Enter your password."  # noqa: S105 - an error message
        if errors:
            status = 400
        elif _throttle().blocked(key):
            errors["password"] = "Too many failed attempts. Wait a few minutes, then try again."  # noqa: S105 - an error message
            status = 429
        else:
            trainer = accounts.authenticate(current_app, email, password)
            if trainer is None:
                _throttle().fail(key)
                errors["password"] = "That e-mail address and password do not match an account."  # noqa: S105 - an error message
                status = 401
            elif not accounts.with_workspace(current_app, trainer).role:
                _throttle().clear(key)
                errors["email"] = (
                    "This account was removed from its workspace. Ask an admin of the workspace to let you back in."
                )
                status = 403
            else:
                _throttle().clear(key)
                login_user(trainer, remember=request.form.get("remember") == "1")
                flash(f"Signed in as {trainer.name}.", "success")
                return redirect(target or _home_for_trainer())
    return render_template("auth/login.html", email=email, errors=errors, next=target), status


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))
