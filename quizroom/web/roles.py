"""Role checks for pages and the JSON API: each route says, with one decorator, who may use
it; the rules themselves are in quizroom/workspaces.py (docs/workspace.md). Attendees' pages
(web/play.py, web/review.py, ``/uploads``) need no account. tests/web/test_roles_matrix.py
holds every route's expected answer per role, so a new route without a decision fails it.

- ``@require_role("viewer")`` (any member), ``"trainer"`` (trainers and admins) or ``"admin"``.
  Nobody signed in: the sign-in page (pages) or JSON 401 (``/api/``). A lower role: 403.
- ``not_found()``: rows of another workspace answer 404, never 403, so ids reveal nothing;
  ``forbidden()``: 403 for a row of one's own workspace one may not change.
"""

from __future__ import annotations

import functools

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_login import current_user

from .. import workspaces

LOGIN_MESSAGE = "sign in to do this"


def is_api() -> bool:
    return request.path.startswith("/api/")


def me() -> workspaces.Member | None:
    """The signed-in account as the policy sees it (None when nobody is signed in)."""
    if not current_user.is_authenticated:
        return None
    return workspaces.member(current_user)


def _login():
    if is_api():
        return jsonify(error={"code": "login_required", "message": LOGIN_MESSAGE}), 401
    return current_app.login_manager.unauthorized()  # the sign-in page, with ?next=


def require_role(role: str):
    """Allow signed-in members with at least ``role`` (viewer < trainer < admin)."""
    if role not in workspaces.RANK:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login()
            if not workspaces.at_least(current_user, role):
                forbidden(f"this needs the {workspaces.ROLE_LABELS[role].lower()} role")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def not_found():
    abort(404)


def forbidden(message: str = "your role does not allow this"):
    abort(403, description=message)


def _forbidden_page(error):
    message = getattr(error, "description", None) or "your role does not allow this"
    if is_api():
        return jsonify(error={"code": "forbidden", "message": message}), 403
    return render_template("workspace/forbidden.html", message=message), 403


def register(app: Flask) -> None:
    app.register_error_handler(403, _forbidden_page)

    @app.context_processor
    def role_flags():
        account = me()
        return {
            "my_role": account.role if account else None,
            "may_run": workspaces.may_run(account),
            "may_manage": workspaces.may_manage(account),
            "role_labels": workspaces.ROLE_LABELS,
        }
