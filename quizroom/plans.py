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
from .engine.plan import parse_plan
from .owned import OwnedDocuments

FORMAT = "quizroom.plan"
VERSION = 1
TITLE_MAX = 120
KIND_WORDS = {
    "question": ("question", "questions"),
    "poll": ("poll", "polls"),
    "board": ("board", "boards"),
    "survey": ("survey", "surveys"),
}


def _release_rooms(session, row: models.Plan) -> None:
    """Rooms started from the plan keep their results (their plan_id becomes NULL; databases
    that gained the column later have no foreign key to do it)."""
    session.execute(sa.update(models.Room).where(models.Room.plan_id == row.id).values(plan_id=None))


PLANS = OwnedDocuments(models.Plan, parse_plan, before_delete=_release_rooms)


def create_plan(app: Flask, trainer_id: int, document: object) -> models.Plan:
    """Validate (raises DeckInvalid, creating nothing) and store a new plan."""
    return PLANS.create(app, trainer_id, document)


def update_plan(app: Flask, trainer_id: int, plan_id: int, document: object) -> models.Plan | None:
    """Replace a plan's content (uids sent back by the editor are kept); None if not theirs."""
    return PLANS.update(app, trainer_id, plan_id, document)


def list_plans(app: Flask, trainer_id: int) -> list[models.Plan]:
    return PLANS.of_trainer(app, trainer_id)


def get_plan(app: Flask, trainer_id: int, plan_id: int) -> models.Plan | None:
    return PLANS.get(app, trainer_id, plan_id)


def delete_plan(app: Flask, trainer_id: int, plan_id: int) -> bool:
    return PLANS.delete(app, trainer_id, plan_id)


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
