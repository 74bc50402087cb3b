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

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from .. import decks, plans
from ..engine.plan import default_survey
from . import documents
from . import library as shelf
from .decks import _iso, question_count, slug
from .library_views import LibraryViews
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
    """The agenda editor; its deck picker offers the trainer's own decks and then the
    workspace's (any deck a colleague may run, its questions may join a plan)."""
    own, colleagues = [], []
    for deck, owner in decks.DECKS.of_workspace(current_app, current_user.id):
        entry = {"id": deck.id, "title": deck.title, "questions": question_count(deck), "owner": owner}
        (own if deck.trainer_id == current_user.id else colleagues).append(entry)
    return render_template(
        "plans/editor.html",
        plan_id=plan_id,
        document=document,
        row=row,
        own_decks=own,
        workspace_decks=colleagues,
        default_survey=default_survey(),
    )


VIEWS = LibraryViews(
    store=plans.PLANS,
    what="plan",
    plural="plans",
    kind=KIND,
    describe_path=describe_path,
    duplicate_document=plans.duplicate_document,
    contents=lambda row: {
        "activities": (row.document or {}).get("activities") or [],
        "agenda": plans.agenda_summary(row.document),
    },
    export_name=lambda row: f"{slug(row.title, 'plan')}.quizroom-plan.json",
    confirm_delete=lambda row: {"summary": plans.agenda_summary(row.document)},
    imported=lambda row: f"Imported “{row.title}”: {plans.agenda_summary(row.document)}.",
    summary_json=_summary_json,
)


# ------------------------------------------------------------------- pages
@bp.get("/plans")
@require_role("viewer")
def index():
    context = shelf.listing(plans.PLANS)
    rows = [entry.row for entry in context["entries"]]
    counts = {row.id: plans.activity_count(row.document) for row in rows}
    summaries = {row.id: plans.agenda_summary(row.document) for row in rows}
    return render_template("plans/index.html", item_counts=counts, summaries=summaries, **context)


@bp.get("/plans/<int:plan_id>")
@require_role("viewer")
def show(plan_id: int):
    return VIEWS.show(plan_id)


@bp.post("/plans/<int:plan_id>/details")
@require_role("trainer")
def details(plan_id: int):
    return VIEWS.details(plan_id)


@bp.get("/plans/new")
@require_role("trainer")
def new():
    return _editor(None, plans.empty_document())


@bp.get("/plans/<int:plan_id>/edit")
@require_role("trainer")
def edit(plan_id: int):
    row = VIEWS.editable(plan_id).row
    return _editor(row.id, row.document, row)


@bp.get("/plans/<int:plan_id>/export.json")
@require_role("viewer")
def export(plan_id: int):
    return VIEWS.export(plan_id)


@bp.post("/plans/<int:plan_id>/duplicate")
@require_role("trainer")
def duplicate(plan_id: int):
    return VIEWS.duplicate(plan_id)


@bp.post("/plans/<int:plan_id>/fork")
@require_role("trainer")
def fork(plan_id: int):
    return VIEWS.fork(plan_id)


@bp.post("/plans/<int:plan_id>/delete")
@require_role("trainer")
def delete(plan_id: int):
    return VIEWS.delete(plan_id)


@bp.route("/plans/import", methods=["GET", "POST"])
@require_role("trainer")
def import_plan():
    return VIEWS.import_page()


# --------------------------------------------------------------------- API
@bp.get("/api/plans")
@require_role("viewer")
def api_list():
    """The member's own plans, or with ``?scope=workspace`` every plan of the workspace
    (with its owner and tags)."""
    return VIEWS.api_list()


@bp.post("/api/plans")
@require_role("trainer")
def api_create():
    return VIEWS.api_create()


@bp.get("/api/plans/<int:plan_id>")
@require_role("viewer")
def api_get(plan_id: int):
    return VIEWS.api_get(plan_id)


@bp.put("/api/plans/<int:plan_id>")
@require_role("trainer")
def api_update(plan_id: int):
    return VIEWS.api_update(plan_id)


@bp.delete("/api/plans/<int:plan_id>")
@require_role("trainer")
def api_delete(plan_id: int):
    return VIEWS.api_delete(plan_id)


@bp.put("/api/plans/<int:plan_id>/tags")
@require_role("trainer")
def api_tags(plan_id: int):
    """``{"tags": ["onboarding"]}``: replace the plan's tags (owner or admin)."""
    return VIEWS.api_tags(plan_id)


@bp.post("/api/plans/<int:plan_id>/duplicate")
@require_role("trainer")
def api_duplicate(plan_id: int):
    return VIEWS.api_duplicate(plan_id)


@bp.post("/api/plans/<int:plan_id>/fork")
@require_role("trainer")
def api_fork(plan_id: int):
    return VIEWS.api_fork(plan_id)
