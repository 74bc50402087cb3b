"""Socket.IO handlers through Flask-SocketIO's test client, with the fake clock and no ticker:
``stage.tick()`` after ``clock.advance(...)`` plays the timer."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from quizroom import models
from quizroom.engine import parse_deck
from tests.conftest import sample_deck, socket_client


class Client:
    """A test Socket.IO client that keeps everything it ever received (``log``)."""

    def __init__(self, app):
        self.app = app
        self.sio = socket_client(app)
        self.log: list[dict] = []

    def emit(self, event: str, *args) -> dict:
        return self.sio.emit(event, *args, callback=True)

    def pull(self) -> list[dict]:
        """New messages since the last pull (also after the server disconnected us)."""
        if self.sio.is_connected():
            new = self.sio.get_received()
        else:
            new, self.sio.queue = self.sio.queue, []
        new = [{"name": m["name"], "data": m["args"][0] if m["args"] else None} for m in new]
        self.log += new
        return new

    def events(self, name: str) -> list[dict]:
        return [m["data"] for m in self.pull() if m["name"] == name]

    def last(self, name: str) -> dict | None:
        """The latest `name` message ever received (not only since the last pull)."""
        self.pull()
        found = [m["data"] for m in self.log if m["name"] == name]
        return found[-1] if found else None

    def connected(self) -> bool:
        return self.sio.is_connected()

    def disconnect(self) -> None:
        self.sio.disconnect()


class Phone(Client):
    def __init__(self, app, code: str, stage: Stage | None = None):
        super().__init__(app)
        self.code = code
        self.stage = stage
        self.token: str | None = None
        self.id: int | None = None
        self.acks: list[dict] = []

    def join(self, nickname: object = None, token: str | None = None, code: str | None = None) -> dict:
        data = {"code": code or self.code}
        if nickname is not None:
            data["nickname"] = nickname
        if token is not None:
            data["token"] = token
        ack = self.emit("join", data)
        self.acks.append(ack)
        if ack.get("ok"):  # (a join waiting for the host has a token but no `me` yet)
            self.token, self.id = ack["token"], ack["me"]["id"] if "me" in ack else None
        return ack

    def answer(self, value: object, question: int | None = None) -> dict:
        if question is None:
            question = self.stage.engine.index
        ack = self.emit("answer", {"question": question, "value": value})
        self.acks.append(ack)
        return ack


class Stage:
    """One open room: its host connection, phones, the fake clock, the database."""

    def __init__(self, app, clock, live_room, key: str):
        self.app, self.clock, self.room, self.key = app, clock, live_room, key
        self.code = live_room.code
        self.live = app.extensions["quizroom.live"]
        self.host = Client(app)
        attached = self.host.emit("host:attach", {"code": self.code, "key": key})
        assert attached["ok"], attached
        self.attached = attached
        self.phones: list[Phone] = []

    @property
    def engine(self):
        return self.room.engine

    def phone(self, nickname: str | None = None) -> Phone:
        phone = Phone(self.app, self.code, self)
        if nickname is not None:
            ack = phone.join(nickname)
            assert ack["ok"], ack
        self.phones.append(phone)
        return phone

    def command(self, event: str, data: object = None) -> dict:
        return self.host.emit(event, data) if data is not None else self.host.emit(event)

    def do(self, event: str, data: object = None) -> None:
        ack = self.command(event, data)
        assert ack == {"ok": True}, (event, ack)

    def tick(self, seconds: float = 0) -> None:
        self.clock.advance(seconds)
        self.live.tick()

    # ---------------------------------------------------------------- database
    def rows(self, sql: str, **params) -> list[dict]:
        engine = self.app.extensions["quizroom.db"].engine
        with engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(sa.text(sql), params)]

    def answers(self) -> list[dict]:
        rows = self.rows("SELECT * FROM answers WHERE room_id = :r ORDER BY id", r=self.room.id)
        for row in rows:
            row["value"] = json.loads(row["value"])
        return rows

    def participants(self) -> list[dict]:
        return self.rows("SELECT * FROM participants WHERE room_id = :r ORDER BY number", r=self.room.id)

    def room_row(self) -> dict:
        return self.rows("SELECT * FROM rooms WHERE id = :r", r=self.room.id)[0]

    def dump(self) -> str:
        """Everything stored about every room: compare before/after to prove nothing changed."""
        tables = {t: self.rows(f"SELECT * FROM {t} ORDER BY id") for t in ("rooms", "participants", "answers")}  # noqa: S608
        return json.dumps(tables, sort_keys=True, default=str)


@pytest.fixture
def trainer_id(app) -> int:
    """A trainer row without the (slow, scrypt) password of the `trainer` fixture: rooms need an owner."""
    with app.extensions["quizroom.db"].transaction() as session:
        row = models.Trainer(email="host@example.com", name="Host", password_hash="!")
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def open_room(app, clock, trainer_id):
    live = app.extensions["quizroom.live"]

    def open_(document: dict | None = None, settings: dict | None = None) -> Stage:
        deck = parse_deck(document or sample_deck(3))
        room, key = live.open_room(
            trainer_id=trainer_id, deck_id=None, title=deck.title, activities=deck.questions, settings=settings
        )
        return Stage(app, clock, room, key)

    return open_


@pytest.fixture
def stage(open_room) -> Stage:
    return open_room()
