"""Trainers' session plans (agendas): stored as the validated plan document
(docs/plan-format.md), the way decks.py stores decks.

Every write goes through the engine's ``parse_plan``: an invalid document raises
``DeckInvalid`` (errors with paths such as ``activities.3.options.1``) and changes nothing.
A trainer only ever reaches their own plans: the functions taking a ``trainer_id`` answer
None / False for anyone else's.
"""

from __future__ import annotations

import json
from collections import Counter

import sqlalchemy as sa
from flask import Flask

from . import models
from .app import database
from .engine.plan import Plan, parse_plan

FORMAT = "quizroom.plan"
VERSION = 1
TITLE_MAX = 120
KIND_WORDS = {
    "question": ("question", "questions"),
    "poll": ("poll", "polls"),
    "board": ("board", "boards"),
    "survey": ("survey", "surveys"),
}


def _row(plan: Plan, trainer_id: int) -> dict:
    return {"trainer_id": trainer_id, "title": plan.title, "document": plan.to_document()}


def create_plan(app: Flask, trainer_id: int, document: object) -> models.Plan:
    """Validate (raises DeckInvalid, creating nothing) and store a new plan."""
    plan = parse_plan(document)
    with database(app).transaction() as s:
        row = models.Plan(**_row(plan, trainer_id))
        s.add(row)
        s.flush()
        return row


def update_plan(app: Flask, trainer_id: int, plan_id: int, document: object) -> models.Plan | None:
    """Replace a plan's content (uids sent back by the editor are kept); None if not theirs."""
    plan = parse_plan(document)
    with database(app).transaction() as s:
        row = s.get(models.Plan, plan_id)
        if row is None or row.trainer_id != trainer_id:
            return None
        row.title = plan.title
        row.document = plan.to_document()
        return row


def list_plans(app: Flask, trainer_id: int) -> list[models.Plan]:
    with database(app).read() as s:
        return list(
            s.scalars(
                sa.select(models.Plan)
                .where(models.Plan.trainer_id == trainer_id)
                .order_by(models.Plan.updated_at.desc(), models.Plan.id.desc())
            )
        )


def get_plan(app: Flask, trainer_id: int, plan_id: int) -> models.Plan | None:
    with database(app).read() as s:
        row = s.get(models.Plan, plan_id)
        return row if row is not None and row.trainer_id == trainer_id else None


def delete_plan(app: Flask, trainer_id: int, plan_id: int) -> bool:
    """Rooms started from the plan keep their results (their plan_id becomes NULL)."""
    with database(app).transaction() as s:
        row = s.get(models.Plan, plan_id)
        if row is None or row.trainer_id != trainer_id:
            return False
        s.execute(sa.update(models.Room).where(models.Room.plan_id == plan_id).values(plan_id=None))
        s.delete(row)
        return True


def duplicate_document(document: dict) -> dict:
    """A copy to edit on its own, titled "Copy of …". Uids are kept: quiz questions are the
    decks' questions (results and retention follow them by uid), and a poll, board or survey
    uid only has to be unique within one plan."""
    copy = json.loads(json.dumps(document))
    copy["title"] = f"Copy of {copy.get('title', '')}"[:TITLE_MAX].rstrip()
    return copy


def duplicate_plan(app: Flask, trainer_id: int, plan_id: int) -> models.Plan | None:
    row = get_plan(app, trainer_id, plan_id)
    if row is None:
        return None
    return create_plan(app, trainer_id, duplicate_document(row.document))


def export_document(row: models.Plan) -> dict:
    return dict(row.document)


def empty_document() -> dict:
    return {"format": FORMAT, "version": VERSION, "title": "", "description": "", "activities": []}


def activities_of(row: models.Plan) -> tuple:
    """The engine agenda of a stored plan (questions, polls, boards, surveys; it was validated
    when saved)."""
    return parse_plan(row.document).activities


def kind_counts(document: dict | None) -> Counter:
    activities = (document or {}).get("activities")
    return (
        Counter(a.get("kind", "") for a in activities if isinstance(a, dict))
        if isinstance(activities, list)
        else Counter()
    )


def agenda_summary(document: dict | None) -> str:
    """``3 questions · 2 polls · 1 board`` (what is on the agenda, in a few words)."""
    counts = kind_counts(document)
    parts = []
    for kind, (one, many) in KIND_WORDS.items():
        if counts.get(kind):
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
    return " · ".join(parts) or "empty"


def activity_count(document: dict | None) -> int:
    return sum(kind_counts(document).values())
