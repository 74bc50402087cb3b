"""Trainers' session plans (agendas of quiz questions, polls, boards and surveys): the
"Session plans" page, the agenda editor, import/export, and the JSON API.

Pages (signed in): ``/plans``, ``/plans/new``, ``/plans/<id>/edit``, ``/plans/<id>/export.json``,
``/plans/<id>/duplicate`` and ``/plans/<id>/delete`` (POST), ``/plans/import``.
API (signed in, JSON errors): ``/api/plans`` (GET, POST), ``/api/plans/<id>`` (GET, PUT,
DELETE), ``/api/plans/<id>/duplicate`` (POST). Starting a room from a plan is the stage's
job (``POST /plans/<id>/start``, ``POST /api/rooms {"plan_id"}`` in web/stage.py).

A trainer only ever sees their own plans: anyone else's plan id answers 404.
"""

from __future__ import annotations

import json

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
from flask_login import current_user, login_required
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge

from .. import decks, plans
from ..engine import DeckInvalid
from ..engine.plan import default_survey
from . import documents
from .auth import api_login_required
from .decks import _iso, question_count, slug

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
def _owned(plan_id: int):
    return plans.get_plan(current_app, current_user.id, plan_id)


def _owned_or_404(plan_id: int):
    row = _owned(plan_id)
    if row is None:
        abort(404)
    return row


def _not_found():
    return jsonify(error={"code": "not_found", "message": "no such plan"}), 404


def _plan_json(row) -> dict:
    return {"id": row.id, "plan": row.document}


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
@login_required
def index():
    rows = plans.list_plans(current_app, current_user.id)
    return render_template(
        "plans/index.html",
        plans=[(row, plans.activity_count(row.document), plans.agenda_summary(row.document)) for row in rows],
    )


@bp.get("/plans/new")
@login_required
def new():
    return _editor(None, plans.empty_document())


@bp.get("/plans/<int:plan_id>/edit")
@login_required
def edit(plan_id: int):
    row = _owned_or_404(plan_id)
    return _editor(row.id, row.document, row)


@bp.get("/plans/<int:plan_id>/export.json")
@login_required
def export(plan_id: int):
    row = _owned_or_404(plan_id)
    body = json.dumps(plans.export_document(row), ensure_ascii=False, indent=2) + "\n"
    headers = Headers()
    headers.add("Content-Disposition", "attachment", filename=f"{slug(row.title, 'plan')}.quizroom-plan.json")
    headers["Cache-Control"] = "no-store"
    return Response(body, mimetype="application/json", headers=headers)


@bp.post("/plans/<int:plan_id>/duplicate")
@login_required
def duplicate(plan_id: int):
    copy = plans.duplicate_plan(current_app, current_user.id, plan_id)
    if copy is None:
        abort(404)
    flash(f"Made a copy: “{copy.title}”.", "success")
    return redirect(url_for("plans.index"))


@bp.post("/plans/<int:plan_id>/delete")
@login_required
def delete(plan_id: int):
    row = _owned_or_404(plan_id)
    if request.form.get("confirm") != "yes":
        # Without JavaScript the list's button lands here: ask once more.
        return render_template("plans/confirm_delete.html", row=row, summary=plans.agenda_summary(row.document))
    plans.delete_plan(current_app, current_user.id, plan_id)
    flash(f"Deleted “{row.title}”. Results of rooms that used it are kept.", "success")
    return redirect(url_for("plans.index"))


@bp.route("/plans/import", methods=["GET", "POST"])
@login_required
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
@api_login_required
def api_list():
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
@api_login_required
def api_create():
    return _write(None)


@bp.get("/api/plans/<int:plan_id>")
@api_login_required
def api_get(plan_id: int):
    row = _owned(plan_id)
    return jsonify(_plan_json(row)) if row else _not_found()


@bp.put("/api/plans/<int:plan_id>")
@api_login_required
def api_update(plan_id: int):
    if _owned(plan_id) is None:
        return _not_found()
    return _write(plan_id)


@bp.delete("/api/plans/<int:plan_id>")
@api_login_required
def api_delete(plan_id: int):
    if not plans.delete_plan(current_app, current_user.id, plan_id):
        return _not_found()
    return "", 204


@bp.post("/api/plans/<int:plan_id>/duplicate")
@api_login_required
def api_duplicate(plan_id: int):
    copy = plans.duplicate_plan(current_app, current_user.id, plan_id)
    if copy is None:
        return _not_found()
    return jsonify(_plan_json(copy)), 201
