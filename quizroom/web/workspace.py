"""The workspace page: its members and their roles, and (admins) invitations.

- ``GET /workspace``: every member sees the member list; admins also change roles, remove
  members, rename the workspace, and create, copy and revoke invitation links.
- ``POST /workspace`` (rename), ``/workspace/members/<id>/role`` (``role``),
  ``/workspace/members/<id>/remove`` (asks first without JavaScript),
  ``/workspace/invitations`` (``role``, ``note``), ``/workspace/invitations/<id>/revoke``.

A member id or invitation id of another workspace answers 404; the last admin can neither
be demoted nor removed (the form says so). Signing up with a link is in web/auth.py.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import invitations, members, workspaces
from ..app import database
from ..clock import now_of
from .roles import me, require_role

bp = Blueprint("workspace", __name__)


def invitation_url(salt: str) -> str:
    token = invitations.link_token(current_app.config["SECRET_KEY"], salt)
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return f"{base.rstrip('/')}/register?invite={token}"


def _page(status: int = 200, **extra) -> Response:
    actor = me()
    roster = members.roster(database(current_app), actor.workspace_id)
    now = now_of(current_app)
    invites = []
    if workspaces.may_manage(actor):
        names = {m.id: m.name for m in roster.members + roster.former}
        for row in invitations.of_workspace(database(current_app), actor.workspace_id):
            state = invitations.status(row, now)
            invites.append(
                {
                    "row": row,
                    "state": state,
                    "url": invitation_url(row.salt) if state == "open" else None,
                    "used_by": names.get(row.used_by),
                }
            )
    context = {
        "workspace": roster.workspace,
        "members": roster.members,
        "former": roster.former,
        "invites": invites,
        "roles": workspaces.ROLES[::-1],
        "role_help": workspaces.ROLE_HELP,
        "invite_form": {"role": "trainer", "note": ""},
        "invite_error": None,
        "rename_form": {"name": roster.workspace.name},
        "rename_error": None,
        "member_error": None,
        "days": current_app.config["INVITATION_DAYS"],
    }
    context.update(extra)
    response = current_app.make_response((render_template("workspace/index.html", **context), status))
    # The page shows working invitation links: never cache it, never send it on as a Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _message(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


@bp.get("/workspace")
@require_role("viewer")
def index():
    return _page()


@bp.post("/workspace")
@require_role("admin")
def rename():
    name = request.form.get("name", "")
    try:
        renamed = members.rename(database(current_app), me(), name)
    except members.MemberError as error:
        return _page(400, rename_form={"name": name}, rename_error=_message(error.message))
    flash(f"Renamed the workspace to {renamed.name}.", "success")
    return redirect(url_for("workspace.index"))


def _member_or_404(trainer_id: int):
    roster = members.roster(database(current_app), me().workspace_id)
    for row in roster.members + roster.former:
        if row.id == trainer_id:
            return row
    abort(404)


@bp.post("/workspace/members/<int:trainer_id>/role")
@require_role("admin")
def set_role(trainer_id: int):
    target = _member_or_404(trainer_id)
    role = request.form.get("role", "")
    try:
        changed = members.set_role(database(current_app), me(), trainer_id, role)
    except members.MemberError as error:
        return _page(400, member_error={"id": trainer_id, "message": _message(error.message)})
    if changed is None:
        abort(404)
    flash(f"{target.name} is now {workspaces.ROLE_LABELS[role].lower()}.", "success")
    return redirect(url_for("workspace.index") + "#members")


@bp.post("/workspace/members/<int:trainer_id>/remove")
@require_role("admin")
def remove(trainer_id: int):
    target = _member_or_404(trainer_id)
    if request.form.get("confirm") != "yes":
        return render_template("workspace/confirm_remove.html", member=target)
    try:
        changed = members.set_role(database(current_app), me(), trainer_id, None)
    except members.MemberError as error:
        return _page(400, member_error={"id": trainer_id, "message": _message(error.message)})
    if changed is None:
        abort(404)
    if trainer_id == current_user.id:
        return redirect(url_for("auth.login"))
    flash(
        f"Removed {target.name}: they can no longer sign in. Their decks, plans and results stay in the workspace.",
        "success",
    )
    return redirect(url_for("workspace.index") + "#members")


@bp.post("/workspace/invitations")
@require_role("admin")
def invite():
    form = {"role": request.form.get("role", ""), "note": request.form.get("note", "")}
    try:
        row, _token = invitations.create(
            database(current_app),
            me(),
            form["role"],
            secret=current_app.config["SECRET_KEY"],
            now=now_of(current_app),
            days=current_app.config["INVITATION_DAYS"],
            note=form["note"],
        )
    except invitations.InvitationError as error:
        return _page(400, invite_form=form, invite_error=_message(error.message))
    flash(
        f"Invitation created for a {workspaces.ROLE_LABELS[row.role].lower()}: copy the link below and send it.",
        "success",
    )
    return redirect(url_for("workspace.index") + f"#invitation-{row.id}")


@bp.post("/workspace/invitations/<int:invitation_id>/revoke")
@require_role("admin")
def revoke(invitation_id: int):
    try:
        row = invitations.revoke(database(current_app), me(), invitation_id, now_of(current_app))
    except invitations.InvitationError as error:
        flash(_message(error.message), "error")
        return redirect(url_for("workspace.index") + "#invitations")
    if row is None:
        abort(404)
    flash("Invitation withdrawn: its link no longer works.", "success")
    return redirect(url_for("workspace.index") + "#invitations")
