"""Trainers' session plans (agendas of quiz questions, polls, boards and surveys): the
"Session plans" page, the agenda editor, import/export, and the JSON API.

Pages: ``/plans`` (the library: ``?show=mine|workspace&tag=&q=``), ``/plans/<id>`` (read),
``/plans/<id>/details`` (POST: description and tags), ``/plans/new``, ``/plans/<id>/edit``,
``/plans/<id>/export.json``, ``/plans/<id>/duplicate``, ``/plans/<id>/fork`` and
``/plans/<id>/delete`` (POST), ``/plans/import``.
API (JSON errors): ``/api/plans`` (GET ``?scope=workspace``, POST), ``/api/plans/<id>`` (GET,
PUT, DELETE), ``/api/plans/<id>/tags`` (PUT), ``/api/plans/<id>/duplicate`` and
``/api/plans/<id>/fork`` (POST). Starting a room from a plan is the stage's job
(``POST /plans/<id>/start``, ``POST /api/rooms {"plan_id"}`` in web/stage.py).

Like decks (web/decks.py, docs/workspace.md): the workspace reads, runs and forks a plan;
its owner and admins change it; a plan of another workspace answers 404.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge

from .. import decks, library, plans
from ..engine import DeckInvalid
from ..engine.plan import default_survey
from . import documents
from . import library as shelf
from .decks import _iso, question_count, slug
from .roles import require_role

bp = Blueprint("plans", __name__)

# ------------------------------------------------------------------ paths
PATH_WORDS = {
    "format": "format",
    "version": "version",
    "title": "title",
    "description": "description",
    "activities": "agenda",
    "kind": "kind",
    "uid": "id (uid)",
    "type": "type",
    "text": "text",
    "options": "options",
    "scale": "scale",
    "max_entries": "entries per person",
    "anonymous": "anonymous",
    "allow_change": "may change their vote",
    "hide_results": "hide results",
    "moderation": "moderation",
    "prompt": "prompt",
    "columns": "columns",
    "note_limit": "notes per person",
    "votes": "votes per person",
    "multiple_votes": "several votes on one note",
    "items": "items",
    "id": "item id",
    "time_limit": "time limit",
    "points": "points",
    "choices": "answers",
    "correct": "correct answer",
    "accepted": "accepted answers",
    "min": "minimum",
    "max": "maximum",
    "step": "step",
    "tolerance": "tolerance",
    "unit": "unit",
    "image": "image",
    "multiple": "several answers allowed",
    "topics": "topics",
}
# numbered entries of a list: "activities.2" is "Item 3"
ROW_WORDS = {
    "activities": "item",
    "options": "option",
    "columns": "column",
    "items": "item",
    "choices": "answer",
    "accepted": "accepted answer",
    "topics": "topic",
}


KIND = documents.Kind(name="session plan", short="plan", action="plans.import_plan", cancel="plans.index")


def describe_path(path: str) -> str:
    """``activities.2.options.1`` -> ``Item 3 › option 2``: what a trainer calls it."""
    return documents.describe_path(path, document="Plan", words=PATH_WORDS, rows=ROW_WORDS)


# ---------------------------------------------------------------- helpers
def _readable(plan_id: int):
    """A plan of the signed-in member's workspace, or 404."""
    return shelf.readable(plans.PLANS, plan_id).row


def _editable(plan_id: int):
    """A plan the signed-in member may change: 404 outside the workspace, 403 if not theirs."""
    return shelf.editable(plans.PLANS, plan_id, "plan").row


def _copy(plan_id: int):
    """Duplicate one's own plan ("Copy of …"), or fork a colleague's (credit kept)."""
    found = shelf.readable(plans.PLANS, plan_id)
    if found.owner.id == current_user.id:
        return plans.create_plan(current_app, current_user.id, plans.duplicate_document(found.row.document))
    return shelf.fork(plans.PLANS, found)


def _not_found():
    return jsonify(error={"code": "not_found", "message": "no such plan"}), 404


def _plan_json(row) -> dict:
    return {"id": row.id, "plan": row.document}


def _library_json(row) -> dict:
    """What the library adds to a plan (``?scope=workspace`` listings, tags, forks)."""
    return {"tags": list(row.tags or []), "forked_from": shelf.credit(row)}


def _summary_json(row) -> dict:
    counts = plans.kind_counts(row.document)
    return {
        "id": row.id,
        "title": row.title,
        "activities": sum(counts.values()),
        "kinds": {k: counts.get(k, 0) for k in plans.KIND_WORDS},
        "updated_at": _iso(row.updated_at),
    }


def _editor(plan_id: int | None, document: dict, row=None):
    own_decks = [
        {"id": d.id, "title": d.title, "questions": question_count(d)}
        for d in decks.list_decks(current_app, current_user.id)
    ]
    return render_template(
        "plans/editor.html",
        plan_id=plan_id,
        document=document,
        row=row,
        decks=own_decks,
        default_survey=default_survey(),
    )


# ------------------------------------------------------------------- pages
@bp.get("/plans")
@require_role("viewer")
def index():
    context = shelf.listing(plans.PLANS)
    summaries = {
        e.row.id: (plans.activity_count(e.row.document), plans.agenda_summary(e.row.document))
        for e in context["entries"]
    }
    return render_template("plans/index.html", summaries=summaries, **context)


@bp.get("/plans/<int:plan_id>")
@require_role("viewer")
def show(plan_id: int):
    return _show_page(shelf.readable(plans.PLANS, plan_id))


def _show_page(found, status: int = 200, form: dict | None = None, errors: dict | None = None):
    row = found.row
    form = form or {"description": (row.document or {}).get("description", ""), "tags": ", ".join(row.tags or [])}
    return render_template(
        "plans/show.html",
        row=row,
        access=found,
        credit=shelf.credit(row),
        activities=(row.document or {}).get("activities") or [],
        agenda=plans.agenda_summary(row.document),
        form=form,
        errors=errors or {},
        tags_max=library.TAGS_MAX,
    ), status


@bp.post("/plans/<int:plan_id>/details")
@require_role("trainer")
def details(plan_id: int):
    found = shelf.editable(plans.PLANS, plan_id, "plan")
    form = {"description": request.form.get("description", ""), "tags": request.form.get("tags", "")}
    errors = shelf.save_details(plans.PLANS, found, form["description"], form["tags"])
    if errors:
        return _show_page(found, 400, form, errors)
    flash("Saved the description and tags.", "success")
    return redirect(url_for("plans.show", plan_id=plan_id))


@bp.get("/plans/new")
@require_role("trainer")
def new():
    return _editor(None, plans.empty_document())


@bp.get("/plans/<int:plan_id>/edit")
@require_role("trainer")
def edit(plan_id: int):
    row = _editable(plan_id)
    return _editor(row.id, row.document, row)


@bp.get("/plans/<int:plan_id>/export.json")
@require_role("viewer")
def export(plan_id: int):
    row = _readable(plan_id)
    body = json.dumps(plans.export_document(row), ensure_ascii=False, indent=2) + "\n"
    headers = Headers()
    headers.add("Content-Disposition", "attachment", filename=f"{slug(row.title, 'plan')}.quizroom-plan.json")
    headers["Cache-Control"] = "no-store"
    return Response(body, mimetype="application/json", headers=headers)


@bp.post("/plans/<int:plan_id>/duplicate")
@require_role("trainer")
def duplicate(plan_id: int):
    copy = _copy(plan_id)
    flash(f"Made a copy: “{copy.title}”.", "success")
    return redirect(url_for("plans.index"))


@bp.post("/plans/<int:plan_id>/fork")
@require_role("trainer")
def fork(plan_id: int):
    copy = _copy(plan_id)
    flash(
        f"“{copy.title}” is now in your plans" + (f", {shelf.credit(copy)}." if copy.forked_from_id else "."), "success"
    )
    return redirect(url_for("plans.show", plan_id=copy.id))


@bp.post("/plans/<int:plan_id>/delete")
@require_role("trainer")
def delete(plan_id: int):
    row = _editable(plan_id)
    if request.form.get("confirm") != "yes":
        # Without JavaScript the list's button lands here: ask once more.
        return render_template("plans/confirm_delete.html", row=row, summary=plans.agenda_summary(row.document))
    plans.delete_plan(current_app, current_user.id, plan_id)
    flash(f"Deleted “{row.title}”. Results of rooms that used it are kept.", "success")
    return redirect(url_for("plans.index"))


@bp.route("/plans/import", methods=["GET", "POST"])
@require_role("trainer")
def import_plan():
    if request.method == "GET":
        return render_template("import.html", kind=KIND, errors=[], filename=None)
    document, filename, errors, status = documents.import_form(KIND)
    if not errors:
        try:
            row = plans.create_plan(current_app, current_user.id, document)
        except DeckInvalid as invalid:
            errors = invalid.errors
        else:
            flash(f"Imported “{row.title}”: {plans.agenda_summary(row.document)}.", "success")
            return redirect(url_for("plans.edit", plan_id=row.id))
    labelled = [dict(e, label=describe_path(e["path"])) for e in errors]
    return render_template("import.html", kind=KIND, errors=labelled, filename=filename), status


# --------------------------------------------------------------------- API
@bp.get("/api/plans")
@require_role("viewer")
def api_list():
    """The member's own plans, or with ``?scope=workspace`` every plan of the workspace
    (with its owner and tags)."""
    if request.args.get("scope") == "workspace":
        rows = plans.PLANS.of_workspace(current_app, current_user.id)
        return jsonify(plans=[{**_summary_json(r), "owner": owner, **_library_json(r)} for r, owner in rows])
    return jsonify(plans=[_summary_json(r) for r in plans.list_plans(current_app, current_user.id)])


def _write(plan_id: int | None):
    try:
        document, errors = documents.body_document(KIND)
    except RequestEntityTooLarge:
        return jsonify(errors=[{"path": "", "message": "the plan is too large"}]), 413
    if errors:
        return jsonify(errors=errors), 400
    try:
        if plan_id is None:
            row = plans.create_plan(current_app, current_user.id, document)
        else:
            row = plans.update_plan(current_app, current_user.id, plan_id, document)
    except DeckInvalid as invalid:
        return jsonify(errors=invalid.errors), 400
    if row is None:
        return _not_found()
    if plan_id is not None:
        return jsonify(_plan_json(row))
    response = jsonify(_plan_json(row))
    response.headers["Location"] = url_for("plans.api_get", plan_id=row.id)
    return response, 201


@bp.post("/api/plans")
@require_role("trainer")
def api_create():
    return _write(None)


@bp.get("/api/plans/<int:plan_id>")
@require_role("viewer")
def api_get(plan_id: int):
    found, refused = shelf.api_access(plans.PLANS, plan_id, "plan")
    if refused:
        return refused
    return jsonify(_plan_json(found.row))


@bp.put("/api/plans/<int:plan_id>")
@require_role("trainer")
def api_update(plan_id: int):
    _found, refused = shelf.api_access(plans.PLANS, plan_id, "plan", edit=True)
    if refused:
        return refused
    return _write(plan_id)


@bp.delete("/api/plans/<int:plan_id>")
@require_role("trainer")
def api_delete(plan_id: int):
    _found, refused = shelf.api_access(plans.PLANS, plan_id, "plan", edit=True)
    if refused:
        return refused
    if not plans.delete_plan(current_app, current_user.id, plan_id):
        return _not_found()
    return "", 204


@bp.put("/api/plans/<int:plan_id>/tags")
@require_role("trainer")
def api_tags(plan_id: int):
    """``{"tags": ["onboarding"]}``: replace the plan's tags (owner or admin)."""
    _found, refused = shelf.api_access(plans.PLANS, plan_id, "plan", edit=True)
    if refused:
        return refused
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "tags" not in body:
        return jsonify(error={"code": "bad_request", "message": 'send {"tags": [...]}'}), 400
    try:
        tags = library.clean_tags(body["tags"])
    except library.TagsInvalid as invalid:
        return jsonify(error={"code": "bad_tags", "message": invalid.message}), 400
    row = plans.PLANS.set_tags(current_app, current_user.id, plan_id, tags)
    return jsonify({"id": row.id, **_library_json(row)}) if row else _not_found()


@bp.post("/api/plans/<int:plan_id>/duplicate")
@require_role("trainer")
def api_duplicate(plan_id: int):
    _found, refused = shelf.api_access(plans.PLANS, plan_id, "plan")
    if refused:
        return refused
    return jsonify(_plan_json(_copy(plan_id))), 201


@bp.post("/api/plans/<int:plan_id>/fork")
@require_role("trainer")
def api_fork(plan_id: int):
    _found, refused = shelf.api_access(plans.PLANS, plan_id, "plan")
    if refused:
        return refused
    copy = _copy(plan_id)
    return jsonify({**_plan_json(copy), **_library_json(copy)}), 201
