"""Helpers for the workspace tests: accounts in roles without password hashing, signing a
test client in without the login form, and a small world of rows owned by one trainer."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sqlalchemy as sa

from quizroom import decks, invitations, members, models, plans, workspaces
from quizroom.app import database, live_rooms
from quizroom.clock import now_of
from quizroom.people import people_of
from tests.conftest import sample_deck

_serial = itertools.count(1)


def new_workspace(app, name: str = "Team") -> int:
    with database(app).transaction() as s:
        return members.new_workspace(s, name).id


def add_account(app, workspace_id: int | None, role: str | None, name: str | None = None) -> int:
    """An account straight in the database (its password cannot be used: sign in with ``sign_in``)."""
    n = next(_serial)
    with database(app).transaction() as s:
        row = models.Trainer(
            email=f"member{n}@example.org",
            name=name or f"Member {n}",
            password_hash="!",
            workspace_id=workspace_id,
            role=role,
        )
        s.add(row)
        s.flush()
        return row.id


def sign_in(client, trainer_id: int | None):
    """Make ``client`` signed in as ``trainer_id`` (None: signed out), as Flask-Login would."""
    with client.session_transaction() as session:
        session.clear()
        if trainer_id is not None:
            session["_user_id"] = str(trainer_id)
            session["_fresh"] = True
    return client


def member_of(app, trainer_id: int) -> workspaces.Member:
    with database(app).read() as s:
        return members.account(s, trainer_id)


@dataclass
class Team:
    """One workspace (admin, owner trainer, colleague trainer, viewer) and an outsider workspace
    (its admin and a trainer)."""

    workspace: int
    admin: int
    trainer: int
    colleague: int
    viewer: int
    elsewhere: int
    outsider: int
    outsider_admin: int


def make_team(app) -> Team:
    ours, theirs = new_workspace(app, "Ours"), new_workspace(app, "Theirs")
    return Team(
        workspace=ours,
        admin=add_account(app, ours, "admin", "Ada Admin"),
        trainer=add_account(app, ours, "trainer", "Tess Trainer"),
        colleague=add_account(app, ours, "trainer", "Cole Colleague"),
        viewer=add_account(app, ours, "viewer", "Vic Viewer"),
        elsewhere=theirs,
        outsider=add_account(app, theirs, "trainer", "Otto Outsider"),
        outsider_admin=add_account(app, theirs, "admin", "Olga Outsider"),
    )


def sample_plan(title: str = "Workshop") -> dict:
    question = dict(sample_deck(1)["questions"][0], kind="question")
    return {
        "format": "quizroom.plan",
        "version": 1,
        "title": title,
        "activities": [
            question,
            {"kind": "poll", "type": "single", "text": "Coffee or tea?", "options": ["Coffee", "Tea"]},
            {"kind": "board", "prompt": "Ideas", "columns": ["Keep", "Change"]},
        ],
    }


class World(dict):
    """Rows owned by ``team.trainer``, each made the first time it is asked for: a deck (with
    a file resource), a plan, a group with a person, a live room run from the plan for that
    group, an open invitation and a spare member of the workspace (keys: deck, resource, plan,
    group, person, link, room, code, invitation, member, n)."""

    def __init__(self, app, team: Team):
        super().__init__()
        self.app, self.team = app, team

    def __missing__(self, key: str):
        app, owner = self.app, self.team.trainer
        if key == "deck":
            value = decks.create_deck(app, owner, dict(sample_deck(3), title="Git basics")).id
        elif key == "resource":
            value = _file_resource(app, self["deck"], owner)
        elif key == "plan":
            value = plans.create_plan(app, owner, sample_plan()).id
        elif key == "group":
            value = people_of(app).create_group(owner, f"Team {next(_serial)}").id
        elif key in ("person", "link"):
            person = people_of(app).create_person(owner, "Ana Lima", f"ana{next(_serial)}@example.org", self["group"])
            self["person"], self["link"] = person.id, person.link_key
            return self[key]
        elif key in ("room", "code"):
            with database(app).read() as s:
                plan = s.get(models.Plan, self["plan"])
            room, _key = live_rooms(app).open_room(
                trainer_id=owner,
                deck_id=None,
                plan_id=plan.id,
                title=plan.title,
                activities=plans.activities_of(plan),
                settings={"question_on_device": True},
                group_id=self["group"],
            )
            self["room"], self["code"] = room.id, room.code
            return self[key]
        elif key == "invitation":
            admin = member_of(app, self.team.admin)
            secret = app.config["SECRET_KEY"]
            value = invitations.create(database(app), admin, "trainer", secret=secret, now=now_of(app), days=7)[0].id
        elif key == "member":
            value = add_account(app, self.team.workspace, "trainer")
        elif key == "n":
            value = next(_serial)
        else:
            raise KeyError(key)
        self[key] = value
        return value


def make_world(app, team: Team) -> World:
    return World(app, team)


def _file_resource(app, deck_id: int, owner: int) -> int:
    """A one-page summary attached to the deck (quizroom/resources.py)."""
    from quizroom import resources

    return resources.add_file(app, deck_id, owner, "Summary", "summary.txt", b"One page.", 1024).id


def count(app, model, **where) -> int:
    with database(app).read() as s:
        query = sa.select(sa.func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return s.scalar(query)
