"""The retention dashboard's figures for one scope (a deck, a group, both or everything),
and the review round built from them.

Scope rules: a deck keeps the attempts at its current questions (by uid: a review deck
built from it, or a self-paced review, counts too) and the sessions run from it; a group
keeps the attempts of its current members and the sessions run for it.

Everything covers the whole workspace of the trainer whose id is passed (docs/workspace.md):
every member's rooms, decks, groups, people and self-paced reviews, for viewers, trainers
and admins alike; a deck, group or person of another workspace is not found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from .. import members, models
from ..db import Database
from . import memory, report
from .history import History, load_history
from .records import Attempt, SessionInfo
from .sync import sync_due

DEFAULT_THRESHOLD = 0.7
REVIEW_SIZES = (3, 5, 8, 10, 15, 20)


@dataclass
class Scope:
    deck: models.Deck | None = None
    group: models.Group | None = None
    members: set[int] | None = None  # the group's people, when a group is chosen

    @property
    def uids(self) -> set[str] | None:
        if self.deck is None:
            return None
        return {q["uid"] for q in (self.deck.document or {}).get("questions") or [] if q.get("uid")}

    def label(self) -> str:
        parts = []
        if self.deck is not None:
            parts.append(self.deck.title)
        if self.group is not None:
            parts.append(self.group.name)
        return " · ".join(parts) or "All sessions of your workspace"

    def keeps(self, attempts: list[Attempt]) -> list[Attempt]:
        uids = self.uids
        return [
            a
            for a in attempts
            if (uids is None or a.question_uid in uids) and (self.members is None or a.person in self.members)
        ]

    def keeps_session(self, session: SessionInfo, history: History) -> bool:
        if self.deck is not None and history.room_decks.get(session.room_id) != self.deck.id:
            return False
        return self.group is None or history.room_groups.get(session.room_id) == self.group.id


@dataclass
class Dashboard:
    scope: Scope
    now: datetime
    threshold: float
    names: dict[int, str]
    attempts: list[Attempt]
    memories: dict
    catalogue: dict
    sessions: list[SessionInfo]
    first_repeat: dict = field(default_factory=dict)
    curve: list = field(default_factory=list)
    predicted: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    below: list = field(default_factory=list)
    engagement: list = field(default_factory=list)

    @property
    def people(self) -> set[int]:
        return {a.person for a in self.attempts}


def find_scope(db: Database, trainer_id: int, deck_id: int | None, group_id: int | None) -> Scope | None:
    """The scope for these ids, or None when one of them is not of this trainer's workspace."""
    with db.read() as s:
        scope = Scope()
        if deck_id is not None:
            scope.deck = s.get(models.Deck, deck_id)
            if scope.deck is None or not members.same_workspace(s, trainer_id, scope.deck.trainer_id):
                return None
        if group_id is not None:
            scope.group = s.get(models.Group, group_id)
            if scope.group is None or not members.same_workspace(s, trainer_id, scope.group.trainer_id):
                return None
            scope.members = set(
                s.scalars(sa.select(models.GroupMember.person_id).where(models.GroupMember.group_id == group_id))
            )
        return scope


def workspace_ids(db: Database, trainer_id: int) -> list[int]:
    """The trainer and everyone else in their workspace."""
    with db.read() as s:
        return members.ids_of(s, trainer_id)


def names_of(db: Database, trainer_id: int) -> dict[int, str]:
    with db.read() as s:
        query = sa.select(models.Person.id, models.Person.name).where(
            models.Person.trainer_id.in_(members.colleagues(trainer_id))
        )
        return dict(s.execute(query).all())


def history_of(db: Database, trainer_id: int, now: datetime) -> History:
    ids = workspace_ids(db, trainer_id)
    for member_id in ids:
        sync_due(db, member_id, now)  # the stored memory states follow the same answers
    with db.read() as s:
        return load_history(s, ids)


def build(db: Database, trainer_id: int, scope: Scope, now: datetime, threshold: float) -> Dashboard:
    history = history_of(db, trainer_id, now)
    attempts = scope.keeps(history.attempts)
    sessions = [s for s in history.sessions if scope.keeps_session(s, history)]
    memories = memory.fold(attempts)
    names = names_of(db, trainer_id)
    catalogue = history.catalogue
    questions = report.question_table(attempts, catalogue, memories, now)
    return Dashboard(
        scope=scope,
        now=now,
        threshold=threshold,
        names=names,
        attempts=attempts,
        memories=memories,
        catalogue=catalogue,
        sessions=sessions,
        first_repeat=report.first_vs_repeat(attempts),
        curve=report.retention_curve(attempts),
        predicted=report.predicted_curve(memories, days=tuple(range(0, 61, 5))),
        questions=questions,
        topics=report.topic_table(questions),
        below=report.people_below(memories, catalogue, names, now, threshold),
        engagement=report.engagement(sessions),
    )


def person_view(db: Database, trainer_id: int, person_id: int, now: datetime) -> dict | None:
    with db.read() as s:
        person = s.get(models.Person, person_id)
        if person is None or not members.same_workspace(s, trainer_id, person.trainer_id):
            return None
    history = history_of(db, trainer_id, now)
    attempts = [a for a in history.attempts if a.person == person_id]
    memories = memory.fold(attempts)
    titles = {s.key: (s.at, s.title) for s in history.sessions}
    for key in {a.session for a in attempts if a.session.startswith("practice:")}:
        first = min(a.at for a in attempts if a.session == key)
        titles[key] = (first, "Self-paced review")
    return {
        "person": person,
        "report": report.person_report(person_id, attempts, history.catalogue, memories, titles, now),
        "memories": memories,
        "catalogue": history.catalogue,
        "attempts": attempts,
    }


# ------------------------------------------------------------ review round
def review_specs(dashboard: Dashboard, n: int, person: int | None = None) -> list[dict]:
    """The question specs of the n questions with the lowest predicted recall (for one person,
    or for everyone in the scope), uids kept so their answers update the same memories."""
    people = {person} if person is not None else None
    uids = report.pick_review(dashboard.memories, people, dashboard.now, n, dashboard.catalogue)
    return [dict(dashboard.catalogue[uid].spec) for uid in uids if dashboard.catalogue[uid].spec]
