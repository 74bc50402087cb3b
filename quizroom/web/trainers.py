"""Trainer profiles and the workspace's recognition page (docs/feedback.md).

- ``GET /trainers``: the workspace's trainers with their figures, and the rankings of the
  most active and most effective (recognition.py says how each is computed).
- ``GET /trainers/<id>``: one account's profile: sessions, people reached, peer ratings (and
  each evaluation for those who may read them), pulse survey averages, retention of their
  decks, decks shared and forked, badges. An account of another workspace answers 404.

Every member of the workspace may read both. The figures come from track_record.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from .. import feedback, recognition, track_record
from ..app import database
from ..clock import now_of
from .roles import me, require_role

bp = Blueprint("trainers", __name__)


def _everything():
    db = database(current_app)
    now = now_of(current_app)
    record = track_record.load(db, me().id)
    retention = track_record.retention(db, me().id, now)
    stats = {
        account.id: recognition.trainer_stats(
            account.id,
            account.name,
            record.sessions,
            record.evaluations,
            record.decks,
            retention.by_trainer.get(account.id),
            record.given.get(account.id, 0),
            now,
        )
        for account in record.accounts.values()
    }
    return record, stats, now


def _listed(record: track_record.TrackRecord, stats: dict) -> list[recognition.TrainerStats]:
    """Trainers and admins, and anyone else (a viewer now, a former member) who ran a session."""
    rows = [stats[a.id] for a in record.accounts.values() if a.role in ("trainer", "admin") or stats[a.id].sessions > 0]
    return sorted(rows, key=lambda s: (s.name.casefold(), s.trainer_id))


@bp.get("/trainers")
@require_role("viewer")
def index():
    record, stats, now = _everything()
    listed = _listed(record, stats)
    return render_template(
        "trainers/index.html",
        trainers=listed,
        accounts=record.accounts,
        earned={s.trainer_id: recognition.earned(s) for s in listed},
        rankings=recognition.rankings(listed),
        recent_days=recognition.RECENT_DAYS,
        min_evaluations=recognition.MIN_EVALUATIONS,
        min_people=recognition.MIN_RETENTION_PEOPLE,
    )


@bp.get("/trainers/<int:trainer_id>")
@require_role("viewer")
def profile(trainer_id: int):
    record, stats, now = _everything()
    account = record.accounts.get(trainer_id)
    if account is None:
        abort(404)
    mine = stats[trainer_id]
    sessions = [s for s in reversed(record.sessions) if s.trainer_id == trainer_id]
    received = [e for e in record.evaluations if e.trainer_id == trainer_id]
    by_room: dict[int, list] = {}
    for e in received:
        by_room.setdefault(e.room_id, []).append(e)
    names = record.names()
    decks = [d for d in record.decks if d.trainer_id == trainer_id]
    co_presented = [
        s
        for s in reversed(record.sessions)
        if (s.trainer_id == trainer_id and s.presenters) or trainer_id in s.presenters
    ]
    return render_template(
        "trainers/profile.html",
        account=account,
        stats=mine,
        badges=recognition.badges(mine),
        sessions=sessions,
        session_ratings={room: feedback.averages(rows) for room, rows in by_room.items()},
        evaluations=received if feedback.may_read_comments(me(), trainer_id) else [],
        see_all=feedback.may_read_comments(me(), trainer_id),
        pulse=feedback.pulse_summary(feedback.pulse_items(database(current_app), [s.room_id for s in sessions])),
        decks=decks,
        forks=recognition.forks_of(trainer_id, record.decks),
        co_presented=co_presented,
        names=names,
        rubric=feedback.RUBRIC,
        recent_days=recognition.RECENT_DAYS,
        min_evaluations=recognition.MIN_EVALUATIONS,
        min_people=recognition.MIN_RETENTION_PEOPLE,
    )
