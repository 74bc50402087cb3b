"""Attacks on the real server (issue #6): what a hostile phone, a stranger on the network or
another trainer can try over Socket.IO and HTTP, each checked against what the server
stored (the SQLite file) and what an honest host sees.

Two servers (eventlet subprocesses, temporary SQLite), started once for the module:

- ``server``: default limits, a clock that ``move_clock`` pushes forward
  (QUIZROOM_TIME_OFFSET_FILE), for host takeover, answers, payloads and CSV exports;
- ``limited``: tiny join/guess limits behind a trusted proxy (QUIZROOM_TRUST_PROXY=1), so each
  test plays from its own client address (the right-most X-Forwarded-For entry) and the
  left-most entries, which a client can forge, are part of the attack.

Nothing waits on a sleep: acks and broadcasts are awaited (tests/e2e/players.py); only what
has no event (a row that must *not* appear) is read from the database after the ack.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import secrets
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import requests
import socketio

from quizroom import create_app
from quizroom.results import FORMULA_STARTS
from tests.conftest import _csrf_from, start_server
from tests.e2e.players import HostClient, PlayerClient, ProtocolClient

pytestmark = pytest.mark.timeout(120)

PASSWORD = "correct horse battery"
SECRET = "e2e-secret"  # QUIZROOM_SECRET_KEY of tests.conftest.start_server
LIMITS = {"JOIN_RATE_PER_IP": 4, "MAX_PARTICIPANTS": 6, "CODE_LOOKUPS_PER_IP": 4}
OVER_LIMIT = 70_000  # characters: above QUIZROOM_SOCKET_MAX_PAYLOAD (64 KiB)
UNDER_LIMIT = 60_000

DECK = {
    "title": "Attack deck",
    "questions": [
        {
            "uid": "capital",
            "type": "single",
            "text": "Capital of Norway?",
            "time_limit": 20,
            "choices": [{"text": "Oslo", "correct": True}, {"text": "Bergen"}, {"text": "Tromsø"}],
        },
        {
            "uid": "flat",
            "type": "truefalse",
            "text": "The earth is flat.",
            "time_limit": 20,
            "correct": False,
        },
    ],
}
PLAN = {
    "title": "Attack agenda",
    "activities": [
        {
            "kind": "question",
            "uid": "q1",
            "type": "single",
            "text": "Pick one",
            "time_limit": 60,
            "choices": [{"text": "A", "correct": True}, {"text": "B"}],
        },
        {"kind": "poll", "uid": "vote", "type": "single", "text": "Which?", "options": ["X", "Y"]},
    ],
}


# ------------------------------------------------------------------ servers
def register(server, email: str, name: str = "Rex Trainer") -> requests.Session:
    """A new trainer account through /register; a session signed in with the CSRF header set."""
    http = requests.Session()
    page = http.get(f"{server.url}/register", timeout=10)
    fields = {"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD}
    done = http.post(f"{server.url}/register", data={**fields, "csrf_token": _csrf_from(page.text)}, timeout=10)
    assert done.ok and done.url.endswith("/decks"), (done.status_code, done.url)
    http.headers["X-CSRFToken"] = _csrf_from(http.get(f"{server.url}/decks", timeout=10).text)
    return http


def boot(tmp_path_factory, name: str, env: dict) -> tuple:
    root = tmp_path_factory.mktemp(name)
    server = start_server(root, extra_env={key: str(value) for key, value in env.items()})
    try:
        http = register(server, f"{name}@example.com")
    except BaseException:
        server.stop()
        raise
    return server, http


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    offset = tmp_path_factory.mktemp("clock") / "offset"
    srv, http = boot(tmp_path_factory, "attacks", {"QUIZROOM_TIME_OFFSET_FILE": offset})
    srv.http = http
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    env = {f"QUIZROOM_{name}": value for name, value in LIMITS.items()}
    srv, http = boot(tmp_path_factory, "limits", {**env, "QUIZROOM_TRUST_PROXY": 1})
    srv.http = http
    yield srv
    srv.stop()


def no_tracebacks(server) -> None:
    log = server.log()
    assert "Traceback" not in log, log[-4000:]


def move_clock(server, seconds: float) -> None:
    """Push the server's clock forward (clock.py re-reads the file when it changes)."""
    path = Path(server.env["QUIZROOM_TIME_OFFSET_FILE"])
    before = float(path.read_text()) if path.exists() else 0.0
    path.write_text(str(before + seconds))


def open_room(server, document: dict, http: requests.Session | None = None, **body) -> dict:
    http = http or server.http
    kind = "plans" if "activities" in document else "decks"
    created = http.post(f"{server.url}/api/{kind}", json=document, timeout=10)
    assert created.status_code == 201, created.text
    source = {"plan_id" if kind == "plans" else "deck_id": created.json()["id"]}
    room = http.post(f"{server.url}/api/rooms", json={**source, **body}, timeout=10)
    assert room.status_code == 201, room.text
    return room.json()


def query(server, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True, timeout=10)) as db:
        return db.execute(sql, params).fetchall()


def stored(server, room_id: int) -> dict:
    """Everything the database holds about a room."""
    return {
        "room": query(server, "SELECT live, snapshot, ended_at FROM rooms WHERE id = ?", room_id),
        "participants": query(server, "SELECT * FROM participants WHERE room_id = ? ORDER BY id", room_id),
        "answers": query(server, "SELECT * FROM answers WHERE room_id = ? ORDER BY id", room_id),
        "submissions": query(server, "SELECT * FROM submissions WHERE room_id = ? ORDER BY id", room_id),
    }


def run(scenario, timeout: float = 60):
    return asyncio.run(asyncio.wait_for(scenario, timeout))


# ------------------------------------------------------------------ clients
def forwarded(address: str | None, spoofed: str | None = None) -> dict:
    """Headers as the trusted proxy would pass them on: whatever the client sent (``spoofed``),
    then the address the proxy saw."""
    if address is None:
        return {}
    return {"X-Forwarded-For": f"{spoofed}, {address}" if spoofed else address}


class Phone(PlayerClient):
    def __init__(self, url: str, code: str, *, name: str = "phone", address: str | None = None, spoofed=None):
        super().__init__(url, code, name=name)
        self.headers = forwarded(address, spoofed)

    async def connect(self) -> None:
        await self.sio.connect(self.url, transports=["websocket"], wait_timeout=10, headers=self.headers)


class Host(HostClient):
    def __init__(self, url: str, code: str, key: str, *, name: str = "host", address: str | None = None):
        super().__init__(url, code, key, name=name)
        self.headers = forwarded(address)

    async def connect(self) -> None:
        await self.sio.connect(self.url, transports=["websocket"], wait_timeout=10, headers=self.headers)


async def phone(server, code: str, nickname: str | None = None, **kwargs) -> Phone:
    """A connected phone; joined as ``nickname`` when one is given (the join must succeed)."""
    client = Phone(server.url, code, name=nickname or "phone", **kwargs)
    await client.connect()
    if nickname is not None:
        ack = await client.join(nickname)
        assert ack["ok"] and not ack.get("waiting"), (nickname, ack)
    return client


async def host(server, room: dict, **kwargs) -> Host:
    client = Host(server.url, room["code"], room["host_key"], **kwargs)
    await client.connect()
    ack = await client.attach()
    assert ack["ok"], ack
    return client


async def close_all(*clients: ProtocolClient) -> None:
    for client in clients:
        await client.disconnect()


async def observed(server, room: dict) -> dict:
    """The room as a host that attaches now sees it (the clock's remaining_ms left out)."""
    async with Host(server.url, room["code"], room["host_key"], name="observer") as observer:
        ack = await observer.attach()
    assert ack["ok"], ack
    return {**ack, "state": {k: v for k, v in ack["state"].items() if k != "remaining_ms"}}


def code_of(ack: dict) -> str | None:
    return None if ack.get("ok") else ack["error"]["code"]


# =============================================== 1. host takeover, host key secrecy
HOST_COMMANDS = {
    "host:start": None,
    "host:next": None,
    "host:skip": None,
    "host:pause": None,
    "host:resume": None,
    "host:add_time": None,
    "host:end_question": None,
    "host:end": None,
    "host:back": None,
    "host:lock": {"locked": True},
    "host:remove": {"participant": 2},
    "host:settings": {"question_on_device": False, "approve_joiners": False},
    "host:activity": {"action": "close"},
    "host:admit": {"request": 1, "admit": True},
    "host:cohost_add": {"email": "rival@example.com"},
    "host:cohost_remove": {"trainer": 1},
    "host:handover": {"trainer": 1},
}


def test_every_host_event_is_attacked(tmp_path):
    """HOST_COMMANDS is every host:* event the server registers (host:attach apart): a new one
    fails here until it is added to the takeover test."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'events.db'}",
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "x",
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "TESTING": True,
        }
    )
    registered = {e for e in app.extensions["socketio"].server.handlers["/"] if e.startswith("host:")}
    app.extensions["quizroom.db"].dispose()
    assert registered - {"host:attach"} == set(HOST_COMMANDS)


def test_phones_and_strangers_cannot_run_the_room_or_learn_the_host_key(server):
    rival = register(server, "rival@example.com", "Rival Trainer")
    rival_room = open_room(server, DECK, http=rival)
    own_other_room = open_room(server, DECK)
    room = open_room(server, PLAN)
    code, key, room_id = room["code"], room["host_key"], room["room_id"]
    (salt,) = query(server, "SELECT host_salt FROM rooms WHERE id = ?", room_id)[0]

    async def scenario() -> dict:
        stage = await host(server, room)
        mallory = await phone(server, code, "Mallory")
        bob = await phone(server, code, "Bob")
        assert bob.id == HOST_COMMANDS["host:remove"]["participant"]
        await stage.must("host:settings", {"approve_joiners": True})
        waiter = await phone(server, code)
        parked = await waiter.call("join", {"code": code, "nickname": "Waiter"})
        assert parked["waiting"] and parked["request"] == HOST_COMMANDS["host:admit"]["request"], parked
        await stage.wait_for("join_requests", lambda requests: len(requests) == 1)
        stranger = ProtocolClient(server.url, code, name="stranger")
        await stranger.connect()
        impostor = ProtocolClient(server.url, code, name="impostor")
        await impostor.connect()
        assert code_of(await impostor.call("host:attach", {"code": code, "key": "0" * 40})) == "not_host"
        attackers = [mallory, stranger, impostor, waiter]
        acks: list = [parked, mallory.join_ack, bob.join_ack]

        # host:attach with keys that are not this room's
        refused = {
            "a wrong key": "0" * 40,
            "the room code": code,
            "another room's key": own_other_room["host_key"],
            "another trainer's key": rival_room["host_key"],
            "the key in capitals": key.upper(),
            "the key cut short": key[:-1],
            "the key and one more": key + "0",
            "the key with a space": f" {key}",
            "the salt": salt[:100],
            "the key of a near code": key,  # right key, another code
        }
        for what, wrong in refused.items():
            target = own_other_room["code"] if what == "the key of a near code" else code
            thief = ProtocolClient(server.url, code, name=what)
            await thief.connect()
            ack = await thief.call("host:attach", {"code": target, "key": wrong})
            assert code_of(ack) == "not_host", (what, ack)
            assert code_of(await thief.call("host:start")) == "not_host", what
            await thief.disconnect()
        assert code_of(await mallory.call("host:attach", {"code": code, "key": key})) == "already_joined"

        async def attack(phase: str) -> int:
            before_db, before_view = stored(server, room_id), await observed(server, room)
            mark = stage.mark()
            count = 0
            for attacker in attackers:
                for event, data in HOST_COMMANDS.items():
                    for payload in (data, {}) if data is None else (data,):
                        ack = await attacker.call(event, payload)
                        assert code_of(ack) == "not_host", (phase, attacker.name, event, ack)
                        acks.append(ack)
                        count += 1
            # The real host's next ack comes after anything the attacks might have sent it.
            assert not (await stage.call("host:admit", {"request": 999, "admit": False}))["ok"]
            assert stored(server, room_id) == before_db, phase
            assert await observed(server, room) == before_view, phase
            news = [name for name, _ in stage.received[mark:] if name in ("state", "join_requests", "activity")]
            assert news == [], (phase, news)
            assert not bob.messages("removed") and bob.connected
            assert not waiter.messages("admitted") and not waiter.messages("refused")
            return count

        attacks = await attack("lobby")
        await stage.must("host:start")
        await mallory.wait_phase("question", 0)
        attacks += await attack("question")
        acks.append(await mallory.answer(0, 0))
        await stage.must("host:next")
        await stage.must("host:next")
        await stage.must("host:next")
        await mallory.wait_phase("activity", 1)
        attacks += await attack("activity")
        acks.append(await mallory.respond(1, "vote", {"value": 0}))
        await stage.must("host:end")
        await bob.wait_phase("ended")
        seen = [*acks, *mallory.received, *bob.received, *waiter.received, *stranger.received, *impostor.received]
        await close_all(stage, mallory, bob, waiter, stranger, impostor)
        return {"seen": json.dumps(seen), "attacks": attacks}

    outcome = run(scenario())
    assert outcome["attacks"] == 3 * 4 * (len(HOST_COMMANDS) + 9)  # 9 simple events are also sent with {}

    # Nothing a phone gets carries the key or what makes it: not the socket traffic, not the
    # pages and files a phone can load.
    pages = {
        "join page": requests.get(f"{server.url}/j/{code}", timeout=10),
        "roster": requests.get(f"{server.url}/j/{code}/roster", timeout=10),
        "qr code": requests.get(f"{server.url}/rooms/{code}/qr.svg", timeout=10),
        "stage, signed out": requests.get(f"{server.url}/rooms/{code}/stage", timeout=10),
        "stage, another trainer": rival.get(f"{server.url}/rooms/{code}/stage", timeout=10),
        "qr code, another trainer": rival.get(f"{server.url}/rooms/{code}/qr.svg", timeout=10),
        "results, another trainer": rival.get(f"{server.url}/results/{room_id}", timeout=10),
        "results json, another trainer": rival.get(f"{server.url}/api/rooms/{room_id}/results", timeout=10),
    }
    assert pages["join page"].status_code == 200
    for what in ("stage, another trainer", "qr code, another trainer", "results, another trainer", "qr code"):
        assert pages[what].status_code == 404, what
    assert pages["stage, signed out"].url.split("?")[0].endswith("/login")
    static = re.findall(r'src="(/static/[^"]+)"', pages["join page"].text)
    assert static, "the join page loads its scripts from /static"
    everything = outcome["seen"] + "".join(p.text for p in pages.values())
    everything += "".join(requests.get(f"{server.url}{path}", timeout=10).text for path in static)
    for secret in (key, key[:16], salt, SECRET, "host_key"):
        assert secret not in everything, secret
    no_tracebacks(server)


# ============================================================= 2. answers
def test_answers_for_others_late_replayed_or_for_closed_questions_are_refused(server):
    room = open_room(server, DECK)
    code, room_id = room["code"], room["room_id"]

    def answers() -> list[tuple]:
        return query(
            server,
            "SELECT participant_number, question_uid, value, correct, points, streak, response_ms, answered_at "
            "FROM answers WHERE room_id = ? ORDER BY id",
            room_id,
        )

    async def scenario() -> None:
        stage = await host(server, room)
        ana, bob, late, silent = [await phone(server, code, n) for n in ("Ana", "Bob", "Late", "Silent")]

        # Before any question is open: nothing to answer.
        for question in (0, -1, 1):
            assert code_of(await ana.answer(question, 0)) == "question_closed"
        await stage.must("host:start")
        await ana.wait_phase("question", 0)

        # For someone else: there is no field to say who, and an extra one is refused.
        for extra in (
            {"participant": bob.id},
            {"participant_id": bob.id},
            {"token": bob.token},
            {"nickname": "Bob"},
            {"id": bob.id},
            {"me": {"id": bob.id}},
        ):
            ack = await ana.call("answer", {"question": 0, "value": 1, **extra})
            assert code_of(ack) == "bad_payload", (extra, ack)
        assert answers() == []
        # Someone else's seat is not for taking without their token either.
        thief = await phone(server, code)
        assert code_of(await thief.join("bob")) == "nickname_taken"
        assert code_of(await thief.call("join", {"code": code, "token": secrets.token_hex(24)})) == "unknown_token"
        assert code_of(await thief.call("join", {"code": code, "token": str(bob.id)})) == "unknown_token"
        assert code_of(await thief.answer(0, 1)) == "not_joined"

        # Not the open question: a future one, a past one, nonsense indexes.
        for question in (1, -1, 2**53, -(2**53)):
            assert code_of(await ana.answer(question, 0)) == "question_closed", question
        assert answers() == []

        # Paused: refused, nothing stored.
        await stage.must("host:pause")
        assert code_of(await ana.answer(0, 0)) == "paused"
        await stage.must("host:resume")
        assert answers() == []

        # The first answer stands; replays (same value, another value, from a new connection
        # resumed by token) are refused and change nothing.
        first = await ana.answer(0, 0)
        assert first["ok"], first
        assert code_of(await bob.answer(0, 1)) is None
        kept = answers()
        assert [row[:2] for row in kept] == [(ana.id, "capital"), (bob.id, "capital")]
        assert code_of(await ana.answer(0, 0)) == "already_answered"
        assert code_of(await ana.answer(0, 1)) == "already_answered"
        again, resumed = await Phone.resume(server.url, code, ana.token, name="Ana again")
        assert resumed["ok"] and resumed["me"]["answered_current"] is True
        assert code_of(await again.answer(0, 2)) == "already_answered"
        assert answers() == kept

        # After the limit (the server's clock moved past the 20 s): too late.
        mark = stage.mark()
        move_clock(server, 21)
        ack = await late.answer(0, 0)
        assert code_of(ack) in ("too_late", "question_closed"), ack  # the ticker may close it first
        await stage.wait_phase("reveal", 0, since=mark)
        assert answers() == kept
        result = await late.wait_result(0)
        assert result["last_result"]["answered"] is False and result["score"] == 0

        # Closed: a replay after the reveal, an answer meant for question 0 while 1 is open.
        assert code_of(await ana.answer(0, 0)) == "question_closed"
        assert code_of(await silent.answer(0, 0)) == "question_closed"
        await stage.must("host:next")  # leaderboard
        assert code_of(await ana.answer(1, 1)) == "question_closed"  # not open yet
        await stage.must("host:next")
        await ana.wait_phase("question", 1)
        assert code_of(await ana.answer(0, 0)) == "question_closed"
        assert code_of(await silent.answer(0, 1)) == "question_closed"
        assert answers() == kept
        await stage.must("host:end")
        await ana.wait_phase("ended")
        assert code_of(await ana.answer(1, 1)) == "question_closed"
        assert answers() == kept
        await close_all(stage, ana, bob, late, silent, thief, again)

    run(scenario())
    no_tracebacks(server)


# ============================================================= 3. payloads
NOT_ONE_OBJECT = ["junk", ["a", 1], 7, 1.5, True, ({}, {})]


def malformed(code: str, key: str) -> dict[str, tuple[set, list]]:
    """event -> (the error codes it may answer, the payloads). Sent by a connection that has
    not joined (join, host:attach), a joined phone (answer, respond) or the attached host."""
    simple = ({"bad_payload"}, [*NOT_ONE_OBJECT, {"x": 1}, {"force": True}])
    return {
        "join": (
            {"bad_payload", "bad_code", "bad_nickname"},
            [
                *NOT_ONE_OBJECT,
                {"code": 123456},
                {"code": "12345"},
                {"code": "1234567"},
                {"code": f" {code}"},
                {"code": [code]},
                {"code": code, "nickname": {"$ne": ""}},
                {"code": code, "nickname": ["Eve"]},
                {"code": code, "nickname": ""},
                {"code": code, "nickname": "\u200b\u202e\u0000"},
                {"code": code, "nickname": "x" * 21},
                {"code": code, "nickname": 5},
                {"code": code, "token": 5},
                {"code": code, "token": ""},
                {"code": code, "token": "t" * 101},
                {"code": code, "person": "me"},
                {"code": code, "person": {"id": True}},
                {"code": code, "person": {"id": 1, "key": "k"}},
                {"code": code, "person": {"name": "Eve", "email": "not an e-mail"}},
                {"code": code, "person": {"name": "", "email": "eve@example.com"}},
                {"code": code, "nickname": "Eve", "admin": True},
                {"code": code, "nickname": "Eve", "__proto__": {"admin": True}},
                {"code": code, "nickname": "\ud800"},  # a lone surrogate: JSON can carry it, UTF-8 cannot
                {"code": code, "nickname": "Zed", "token": "\ud800" * 40},
                {"code": code, "person": {"key": "\udfff"}},
            ],
        ),
        "answer": (
            {"bad_payload", "bad_answer"},
            [
                *NOT_ONE_OBJECT,
                {},
                {"question": 0},
                {"value": 0},
                {"question": "0", "value": 0},
                {"question": True, "value": 0},
                {"question": 0.0, "value": 0},
                {"question": None, "value": 0},
                {"question": 0, "value": True},
                {"question": 0, "value": 99},
                {"question": 0, "value": -1},
                {"question": 0, "value": [0, 1]},
                {"question": 0, "value": None},
                {"question": 0, "value": "0"},
                {"question": 0, "value": {"$gt": 0}},
                {"question": 0, "value": float("nan")},
                {"question": 0, "value": 0, "points": 9999},
            ],
        ),
        "respond": (
            {"bad_payload", "bad_answer", "closed"},
            [
                *NOT_ONE_OBJECT,
                {},
                {"position": "1", "action": "vote", "payload": {"value": 0}},
                {"position": True, "action": "vote", "payload": {"value": 0}},
                {"position": 1},
                {"position": 1, "action": 5},
                {"position": 1, "action": ""},
                {"position": 1, "action": "v" * 21},
                {"position": 1, "action": "nuke"},
                {"position": 1, "action": "entry", "payload": {"text": "hi"}},
                {"position": 1, "action": "vote", "payload": []},
                {"position": 1, "action": "vote", "payload": {}},
                {"position": 1, "action": "vote", "payload": {"value": True}},
                {"position": 1, "action": "vote", "payload": {"value": 2}},
                {"position": 1, "action": "vote", "payload": {"value": [0]}},
                {"position": 1, "action": "vote", "payload": {"value": "0"}},
                {"position": 1, "action": "vote", "payload": {"value": 0, "extra": 1}},
                {"position": 1, "action": "vote", "payload": {"value": 0}, "as": 2},
                {"position": 0, "action": "vote", "payload": {"value": 0}},
            ],
        ),
        "host:attach": (
            {"bad_payload", "bad_code", "not_host"},
            [
                *NOT_ONE_OBJECT,
                {},
                {"code": code},
                {"key": key},
                {"code": int(code), "key": key},
                {"code": code, "key": 5},
                {"code": code, "key": ""},
                {"code": code, "key": "k" * 101},
                {"code": code, "key": [key]},
                {"code": code, "key": key, "role": "admin"},
                {"code": code, "key": "\ud800"},
                ({"code": code, "key": key}, {}),
            ],
        ),
        "host:activity": (
            {"bad_payload"},
            [
                *NOT_ONE_OBJECT,
                {},
                {"action": 5},
                {"action": ""},
                {"action": "c" * 21},
                {"action": "drop_tables"},
                {"action": "close", "args": []},
                {"action": "close", "args": {"x": 1}},
                {"action": "close", "extra": 1},
                {"action": "approve", "args": {"entry": 1}},
                {"action": "hide", "args": {"word": "X"}},
                {"action": "open_voting", "args": {"votes": 5}},
            ],
        ),
        "host:lock": (
            {"bad_payload"},
            [*NOT_ONE_OBJECT, {"locked": "yes"}, {"locked": 1}, {"locked": None}, {"lock": True}],
        ),
        "host:remove": (
            {"bad_payload", "unknown_participant"},
            [
                *NOT_ONE_OBJECT,
                {},
                {"participant": "1"},
                {"participant": True},
                {"participant": 1.5},
                {"participant": -1},
                {"participant": 2**63},
                {"participant": 1, "all": True},
            ],
        ),
        "host:settings": (
            {"bad_payload"},
            [
                *NOT_ONE_OBJECT,
                {"question_on_device": "no"},
                {"question_on_device": 0},
                {"approve_joiners": None},
                {"theme": "dark"},
                {"question_on_device": True, "admin": True},
            ],
        ),
        "host:admit": (
            {"bad_payload", "unknown_request"},
            [
                *NOT_ONE_OBJECT,
                {},
                {"request": "1", "admit": True},
                {"request": 1, "admit": "yes"},
                {"request": 1},
                {"request": 1.0, "admit": True},
                {"request": 999, "admit": True},
                {"request": 1, "admit": True, "as": "host"},
            ],
        ),
        "host:cohost_add": (
            {"bad_payload", "unknown_trainer"},
            [
                *NOT_ONE_OBJECT,
                {},
                {"trainer": "1"},
                {"trainer": True},
                {"trainer": 1, "email": "a@example.com"},
                {"email": 5},
                {"email": "nobody@example.com"},
                {"trainer": 999},
                {"email": "e" * 300},
                {"trainer": 1, "role": "owner"},
            ],
        ),
        **{
            event: (
                {"bad_payload", "unknown_cohost"},
                [
                    *NOT_ONE_OBJECT,
                    {},
                    {"trainer": "1"},
                    {"trainer": 1.5},
                    {"trainer": -1},
                    {"trainer": 999},
                    {"trainer": 1, "x": 1},
                ],
            )
            for event in ("host:cohost_remove", "host:handover")
        },
        **{event: simple for event in HOST_COMMANDS if HOST_COMMANDS[event] is None},
    }


def test_malformed_payloads_of_every_event_get_an_error_and_change_nothing(server):
    room = open_room(server, PLAN)
    code, key, room_id = room["code"], room["host_key"], room["room_id"]
    table = malformed(code, key)
    assert set(table) == set(HOST_COMMANDS) | {"join", "answer", "respond", "host:attach"}

    async def scenario() -> int:
        stage = await host(server, room)
        eve, other = await phone(server, code, "Eve"), await phone(server, code, "Other")
        sent = 0

        async def throw(events: list[str], sender) -> None:
            nonlocal sent
            before = stored(server, room_id)
            for event in events:
                allowed, payloads = table[event]
                for payload in payloads:
                    client = sender(event)
                    if isinstance(client, ProtocolClient) and not client.connected:
                        await client.connect()
                    ack = await client.call(event, payload)
                    assert ack["ok"] is False and code_of(ack) in allowed, (event, payload, ack)
                    sent += 1
            assert stored(server, room_id) == before, events

        fresh = ProtocolClient(server.url, code, name="fresh")
        await fresh.connect()
        hosts = [e for e in table if e.startswith("host:") and e not in ("host:attach", "host:activity")]
        await stage.must("host:start")
        await eve.wait_phase("question", 0)
        await throw(["join", "host:attach"], lambda _event: fresh)
        await throw(["answer"], lambda _event: eve)
        await throw(hosts, lambda _event: stage)
        for _ in range(3):
            await stage.must("host:next")
        await eve.wait_phase("activity", 1)
        await throw(["respond"], lambda _event: eve)
        await throw(["host:activity"], lambda _event: stage)
        # Still working for everyone.
        assert (await other.respond(1, "vote", {"value": 1}))["ok"]
        assert (await eve.respond(1, "vote", {"value": 0}))["ok"]
        await close_all(stage, eve, other, fresh)
        return sent

    sent = run(scenario())
    assert sent == sum(len(payloads) for _allowed, payloads in table.values())
    no_tracebacks(server)


def test_oversized_messages_drop_that_connection_and_the_server_keeps_serving(server):
    room = open_room(server, PLAN)
    code, room_id = room["code"], room["room_id"]
    big = "x" * OVER_LIMIT

    async def scenario() -> int:
        stage = await host(server, room)
        bystander = await phone(server, code, "Bystander")
        await stage.must("host:start")
        await bystander.wait_phase("question", 0)
        before = stored(server, room_id)
        dropped = 0

        async def still_serving() -> None:
            assert code_of(await bystander.answer(5, 0)) == "question_closed"
            assert code_of(await stage.call("host:resume")) == "not_paused"
            assert requests.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}

        async def drop(client: ProtocolClient, event: str, data) -> None:
            nonlocal dropped
            mark = client.mark()
            await client.sio.emit(event, data)  # no ack comes: the transport closes the connection
            await client.wait_for("disconnect", since=mark)
            assert not client.connected
            dropped += 1
            await still_serving()

        # Phones: as a stranger, then joined (and after the drop they resume by token).
        phone_events = {
            "join": {"code": code, "nickname": big},
            "answer": {"question": 0, "value": big},
            "respond": {"position": 1, "action": "vote", "payload": {"text": big}},
        }
        token = None
        for event, data in phone_events.items():
            stranger = ProtocolClient(server.url, code, name=f"stranger {event}")
            await stranger.connect()
            await drop(stranger, event, data)
            eve = Phone(server.url, code, name=f"eve {event}")
            await eve.connect()
            ack = await (eve.join("Eve") if token is None else eve.join(token=token))
            assert ack["ok"], ack
            token = eve.token
            await drop(eve, event, data)
        # Hosts: an attached second stage, for every host event; it can attach again after.
        for event in ["host:attach", *HOST_COMMANDS]:
            second = await host(server, room, name=f"second {event}")
            payload = {"code": code, "key": big} if event == "host:attach" else {"args": big}
            await drop(second, event, payload)
        # Binary attachments and the long-polling transport are held to the same limit.
        binary = ProtocolClient(server.url, code, name="binary")
        await binary.connect()
        await drop(binary, "join", {"code": code, "nickname": b"\0" * OVER_LIMIT})
        polling = socketio.AsyncClient(reconnection=False)
        gone = asyncio.Event()
        polling.on("disconnect", lambda *_reason: gone.set())
        await polling.connect(server.url, transports=["polling"], wait_timeout=10)
        await polling.emit("join", {"code": code, "nickname": big})
        await asyncio.wait_for(gone.wait(), 15)
        await polling.shutdown()
        dropped += 1
        await still_serving()

        # Just under the limit: an ordinary error ack, the connection stays.
        near = await phone(server, code)
        assert code_of(await near.call("join", {"code": code, "nickname": "y" * UNDER_LIMIT})) == "bad_nickname"
        assert near.connected
        assert code_of(await near.call("answer", {"question": 0, "value": "z" * UNDER_LIMIT})) == "not_joined"

        # Nothing the dropped messages carried was stored; Eve is still one participant.
        back, resumed = await Phone.resume(server.url, code, token, name="Eve back")
        assert resumed["ok"] and resumed["resumed"] and resumed["me"]["answered_current"] is False
        after = stored(server, room_id)
        assert after["answers"] == before["answers"] == [] and after["submissions"] == []
        nicknames = query(server, "SELECT nickname FROM participants WHERE room_id = ? ORDER BY id", room_id)
        assert nicknames == [("Bystander",), ("Eve",)] and len(after["participants"]) == 2
        await close_all(stage, bystander, near, back)
        return dropped

    dropped = run(scenario())
    assert dropped == 3 * 2 + (1 + len(HOST_COMMANDS)) + 2
    no_tracebacks(server)


# ============================================================= 5. CSV formulas
FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1",
    "-1+1",
    "@SUM(1)",
    "\t=2+2",
    "\r=3+3",
    "=cmd|' /C calc'!A0",
]


def shown_as(formula: str) -> str:
    """How the server keeps it (text is cleaned: leading white space and control characters go)."""
    return formula.lstrip("\t\r ")


def read_csv(response: requests.Response) -> list[list[str]]:
    assert response.status_code == 200, (response.url, response.status_code)
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_every_csv_export_neutralises_formulas(server):
    http = register(server, "formulas@example.com", '=HYPERLINK("http://evil.example","trainer")')
    url = server.url
    made = http.post(f"{url}/groups", data={"name": '=HYPERLINK("http://evil.example","group")'}, timeout=10)
    assert made.ok
    group_id = int(re.search(r"/groups/(\d+)", made.url).group(1))
    roster = io.StringIO()
    writer = csv.writer(roster)
    writer.writerow(["name", "email"])
    people = [f"{f} person" for f in FORMULAS]
    emails = ["=1+1@evil.example", "+x@evil.example", "-x@evil.example"]
    for i, name in enumerate(people):
        writer.writerow([name, emails[i] if i < len(emails) else ""])
    imported = http.post(f"{url}/groups/{group_id}/import", data={"roster": roster.getvalue()}, timeout=10)
    assert imported.ok and f"/groups/{group_id}" in imported.url, imported.status_code

    deck = {
        "title": '=HYPERLINK("http://evil.example","deck")',
        "questions": [
            {
                "uid": "formula-single",
                "type": "single",
                "text": "-1+1 question",
                "time_limit": 60,
                "topics": ["=topic", "@topic"],
                "choices": [
                    {"text": "=1+1", "correct": True},
                    {"text": "+2"},
                    {"text": "-3"},
                    {"text": "@SUM(4)"},
                ],
            },
            {
                "uid": "formula-typed",
                "type": "typed",
                "text": "@typed question",
                "time_limit": 60,
                "topics": ["+topic"],
                "accepted": ["=answer"],
            },
        ],
    }
    plan = {
        "title": "-plan title",
        "activities": [
            {
                "kind": "poll",
                "uid": "single",
                "type": "single",
                "text": "+poll",
                "options": ["=a", "+b", "-c", "@d"],
                "anonymous": False,
            },
            {"kind": "poll", "uid": "cloud", "type": "wordcloud", "text": "@cloud", "anonymous": False},
            {"kind": "poll", "uid": "open", "type": "open", "text": "-open", "max_entries": 5, "anonymous": False},
            {"kind": "board", "uid": "board", "prompt": "=board", "columns": ["=col", "+col"], "anonymous": False},
            {
                "kind": "survey",
                "uid": "survey",
                "title": "@survey",
                "anonymous": False,
                "items": [
                    {"id": "rate", "type": "rating", "text": "=rate"},
                    {"id": "said", "type": "text", "text": "+said"},
                ],
            },
        ],
    }
    quiz = open_room(server, deck, http=http, group_id=group_id)
    agenda = open_room(server, plan, http=http)
    listed = requests.get(f"{url}/j/{quiz['code']}/roster", timeout=10).json()["people"]
    roster_ids = {p["name"]: p["id"] for p in listed}
    assert set(roster_ids) == {shown_as(name) for name in people}

    async def play_quiz() -> None:
        stage = await host(server, quiz)
        phones = []
        for name in people:
            client = await phone(server, quiz["code"])
            ack = await client.call("join", {"code": quiz["code"], "person": {"id": roster_ids[shown_as(name)]}})
            assert ack["ok"], ack
            phones.append(client)
        optin = await phone(server, quiz["code"])
        ack = await optin.call(
            "join",
            {"code": quiz["code"], "nickname": "=1+1", "person": {"name": "@SUM(9)", "email": "-optin@evil.example"}},
        )
        assert ack["ok"], ack
        phones.append(optin)
        await stage.must("host:start")
        await asyncio.gather(*(p.wait_phase("question", 0) for p in phones))
        for i, client in enumerate(phones):
            assert (await client.answer(0, i % 4))["ok"]
        await stage.wait_phase("reveal", 0)
        await stage.must("host:next")
        await stage.must("host:next")
        await asyncio.gather(*(p.wait_phase("question", 1) for p in phones))
        for i, client in enumerate(phones):
            assert (await client.answer(1, FORMULAS[i % len(FORMULAS)]))["ok"]
        await stage.wait_phase("reveal", 1)
        await stage.must("host:end")
        await close_all(stage, *phones)

    async def play_agenda() -> None:
        stage = await host(server, agenda)
        nicknames = ["=nick", "+nick", "-nick", "@nick"]
        phones = [await phone(server, agenda["code"], n) for n in nicknames]

        async def on(position: int) -> None:
            await asyncio.gather(*(p.wait_phase("activity", position) for p in phones))

        await stage.must("host:start")
        await on(0)
        for i, client in enumerate(phones):
            assert (await client.respond(0, "vote", {"value": i}))["ok"]
        await stage.must("host:next")
        await on(1)
        for i, formula in enumerate(FORMULAS):
            ack = await phones[i % 4].respond(1, "entry", {"text": formula})
            assert ack["ok"], (formula, ack)
        await stage.must("host:next")
        await on(2)
        for i, formula in enumerate(FORMULAS):
            ack = await phones[i % 4].respond(2, "entry", {"text": formula})
            assert ack["ok"], (formula, ack)
        await stage.must("host:next")
        await on(3)
        notes = []
        for i, formula in enumerate(FORMULAS):
            ack = await phones[i % 4].respond(3, "note", {"text": formula, "column": i % 2})
            assert ack["ok"], ack
            notes.append(ack["personal"]["notes"][-1]["id"])
        await stage.must_activity("group", {"note": notes[1], "onto": notes[3]})
        await stage.must_activity("rename_group", {"group": "g1", "title": "=group title"})
        await stage.must_activity("open_voting", {"votes": 2})
        assert (await phones[0].respond(3, "vote", {"note": notes[1]}))["ok"]
        await stage.must_activity("close_voting")
        await stage.must("host:next")
        await on(4)
        for i, client in enumerate(phones):
            said = FORMULAS[i] + "\n=second line"
            assert (await client.respond(4, "submit", {"answers": {"rate": 1 + i, "said": said}}))["ok"]
        await stage.must("host:end")
        await close_all(stage, *phones)

    run(play_quiz())
    run(play_agenda())
    move_clock(server, 30 * 86400)  # a month later, recall has faded: everyone is "below" the threshold
    links = http.post(f"{url}/retention/review", data={"group": group_id, "size": 5, "mode": "links"}, timeout=10)
    assert links.ok and links.url.endswith("/retention/reviews"), links.status_code

    exports = {
        "quiz results": f"/results/{quiz['room_id']}.csv",
        **{f"agenda item {p}": f"/results/{agenda['room_id']}/activity/{p}.csv" for p in range(5)},
        **{f"retention {t}": f"/retention/export/{t}.csv?threshold=99" for t in ("questions", "topics", "people")},
        "retention engagement": "/retention/export/engagement.csv",
        "review links": "/retention/reviews.csv",
        "group links": f"/groups/{group_id}/links.csv",
    }
    tables = {what: read_csv(http.get(f"{url}{path}", timeout=10)) for what, path in exports.items()}
    cells = [(what, cell) for what, rows in tables.items() for row in rows for cell in row]
    live = [(what, cell) for what, cell in cells if cell.startswith(FORMULA_STARTS)]
    assert live == [], live[:10]
    texts = {what: {cell for row in rows for cell in row} for what, rows in tables.items()}

    def neutralised(what: str, *values: str) -> None:
        for value in values:
            want = "'" + shown_as(value)
            assert any(cell == want or cell.startswith(want + " ") for cell in texts[what]), (what, want, tables[what])

    neutralised("quiz results", deck["title"], "-1+1 question", "=1+1", "+2", "-3", "@SUM(4)", *FORMULAS)
    neutralised("quiz results", *(shown_as(p)[:20].rstrip() for p in people))  # nicknames
    neutralised("agenda item 0", "+poll", "=a", "+b", "-c", "@d", "=nick", "+nick", "-nick", "@nick")
    neutralised("agenda item 1", "@cloud", *FORMULAS)
    neutralised("agenda item 2", "-open", *FORMULAS)
    neutralised("agenda item 3", "=board", "=col", "+col", "=group title", *FORMULAS)
    neutralised("agenda item 4", "@survey", *(f + "\n=second line" for f in FORMULAS[:4]))
    neutralised("retention questions", "-1+1 question", "@typed question", "=topic, @topic")
    neutralised("retention topics", "=topic", "@topic", "+topic")
    neutralised("retention people", *people, "@SUM(9)")
    neutralised("retention engagement", deck["title"])
    neutralised("review links", *people, *emails)
    neutralised("group links", *people, *emails)
    print(f"CSV: {len(tables)} exports, {len(cells)} cells checked")
    no_tracebacks(server)


# ========================================================== 6. floods and guessing
def test_a_join_flood_from_one_address_stops_at_the_limits(limited):
    room = open_room(limited, DECK)
    code, room_id = room["code"], room["room_id"]
    flood = "198.51.100.1"

    def participants() -> int:
        return query(limited, "SELECT COUNT(*) FROM participants WHERE room_id = ?", room_id)[0][0]

    async def scenario() -> None:
        # Twelve phones at once from one address, each forging another address in front of it.
        phones = [Phone(limited.url, code, name=f"f{i}", address=flood, spoofed=f"10.0.0.{i}") for i in range(12)]
        await asyncio.gather(*(p.connect() for p in phones))
        acks = await asyncio.gather(*(p.join(f"Flood {i}") for i, p in enumerate(phones)))
        joined = [p for p, ack in zip(phones, acks, strict=True) if ack["ok"]]
        refused = [p for p, ack in zip(phones, acks, strict=True) if not ack["ok"]]
        assert sorted(code_of(a) or "ok" for a in acks) == ["ok"] * 4 + ["rate_limited"] * 8
        assert participants() == LIMITS["JOIN_RATE_PER_IP"]
        assert all("wait" in a["error"]["message"] for a in acks if not a["ok"])
        # Retrying at once does not help; resuming by token is never refused.
        assert code_of(await refused[0].join("Flood again")) == "rate_limited"
        back, resumed = await Phone.resume(limited.url, code, joined[0].token, name="back")
        assert resumed["ok"] and resumed["resumed"]
        await back.disconnect()
        back = Phone(limited.url, code, name="back 2", address=flood)
        await back.connect()
        assert (await back.join(token=joined[1].token))["resumed"]

        # The room cap: two more from elsewhere fill it, the next is refused, whoever it is.
        others = [await phone(limited, code, f"Other {i}", address="198.51.100.2") for i in range(2)]
        assert participants() == LIMITS["MAX_PARTICIPANTS"]
        late = Phone(limited.url, code, name="late", address="198.51.100.3")
        await late.connect()
        assert code_of(await late.join("One too many")) == "room_full"
        optin = {"code": code, "person": {"name": "Opt In", "email": "optin@example.com"}}
        assert code_of(await late.call("join", optin)) == "room_full"
        assert participants() == LIMITS["MAX_PARTICIPANTS"]
        assert query(limited, "SELECT COUNT(*) FROM people WHERE email = 'optin@example.com'") == [(0,)]
        # ...but anyone who is in can come back, and refused joins spent nothing.
        assert (await late.join(token=others[0].token))["resumed"]
        elsewhere = open_room(limited, DECK)
        fresh = [await phone(limited, elsewhere["code"], f"Fresh {i}", address="198.51.100.3") for i in range(4)]
        await close_all(*phones, back, *others, late, *fresh)

    run(scenario())
    no_tracebacks(limited)


def test_code_guessing_is_stopped_on_every_door_and_resumes_still_work(limited):
    room = open_room(limited, DECK)
    code, key = room["code"], room["host_key"]
    taken = {c for (c,) in query(limited, "SELECT code FROM rooms")}
    wrong = [c for c in (f"{n:06d}" for n in range(100_000, 999_999, 7919)) if c not in taken][:12]
    guesser = "198.51.100.40"

    def page(path: str, address: str | None = guesser) -> requests.Response:
        return requests.get(f"{limited.url}{path}", headers=forwarded(address), timeout=10, allow_redirects=False)

    async def scenario() -> None:
        gina = await phone(limited, code, "Gina", address=guesser)
        probe = Phone(limited.url, code, name="probe", address=guesser, spoofed="10.9.9.9")
        await probe.connect()
        # The budget: four failed look-ups, through any door (a wrong host key is one too).
        assert code_of(await probe.call("join", {"code": wrong[0], "nickname": "G"})) == "room_not_found"
        assert page(f"/j/{wrong[1]}").status_code == 404
        assert code_of(await probe.call("host:attach", {"code": wrong[2], "key": "0" * 40})) == "room_not_found"
        assert code_of(await probe.call("host:attach", {"code": code, "key": "0" * 40})) == "not_host"
        # Spent: every code is refused alike now, real ones too, on every door.
        for guess in (wrong[4], code):
            ack = await probe.call("join", {"code": guess, "nickname": "Guesser"})
            assert code_of(ack) == "too_many_guesses", (guess, ack)
            ack = await probe.call("host:attach", {"code": guess, "key": "0" * 40})
            assert code_of(ack) == "too_many_guesses", (guess, ack)
        refusals = {}
        for path in (f"/j/{code}", f"/j/{wrong[5]}", f"/join?code={code}", f"/join?code={wrong[3]}"):
            response = page(path)
            assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1, path
            page_text = re.sub(r'name="csrf-token" content="[^"]*"', "", response.text)  # new per request
            refusals[path] = re.sub(r"\d+", "N", page_text)
        assert len(set(refusals.values())) == 1, "a refusal must not tell real codes from wrong ones"
        for path in (f"/j/{code}/roster", f"/j/{wrong[7]}/roster"):
            response = page(path)
            assert response.status_code == 429 and response.json()["error"]["code"] == "too_many_guesses"
        # The QR code is no side door: the same 404 for a live code as for a wrong one.
        assert page(f"/rooms/{code}/qr.svg").status_code == page(f"/rooms/{wrong[8]}/qr.svg").status_code == 404
        # Gina (in the room) comes back by token, the trainer's stage attaches with its key.
        back = Phone(limited.url, code, name="gina back", address=guesser)
        await back.connect()
        assert (await back.join(token=gina.token))["resumed"]
        stage = Host(limited.url, code, key, address=guesser)
        await stage.connect()
        assert (await stage.attach())["ok"]
        # Another address is not affected.
        assert page(f"/j/{code}", address="198.51.100.41").status_code == 200
        await close_all(gina, probe, back, stage)

    run(scenario())
    no_tracebacks(limited)


def test_a_removed_participants_token_does_not_lift_the_join_limits(limited):
    room = open_room(limited, DECK)
    code = room["code"]
    troll = "198.51.100.60"

    async def scenario() -> list:
        stage = await host(limited, room)
        first = await phone(limited, code, "Troll", address=troll)
        await stage.must("host:remove", {"participant": first.id})
        await first.wait_for("removed")
        clones = [Phone(limited.url, code, name=f"clone {i}", address=troll) for i in range(8)]
        await asyncio.gather(*(c.connect() for c in clones))
        acks = []
        for i, clone in enumerate(clones):
            acks.append(await clone.call("join", {"code": code, "token": first.token, "nickname": f"Troll {i}"}))
        await close_all(stage, first, *clones)
        return acks

    acks = run(scenario())
    waiting = [a for a in acks if a.get("waiting")]
    assert len(waiting) <= LIMITS["JOIN_RATE_PER_IP"] - 1, acks  # one join was spent on "Troll"
    assert all(code_of(a) == "rate_limited" for a in acks if not a.get("waiting"))
