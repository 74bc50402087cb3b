"""Property-based fuzzing of every Socket.IO event (issue #6), in-process with Flask-SocketIO's
test client and the fake clock.

Hypothesis sends each client -> server event of docs/protocol.md, from the role that may send
it and from the wrong ones (a phone sending host commands, a stranger answering, the host
joining), in rooms in every phase (lobby, each question type open, paused, reveal,
leaderboard, each poll, board and survey on screen, ended). Payloads are (a) random JSON-like
values (None, booleans, integers up to 99 digits, NaN and infinities, text with control,
format, bidi, surrogate and emoji characters, long strings, nested lists and objects with
random keys), (b) near-valid ones (a valid payload for the event with one field removed,
replaced by random JSON, type-swapped, given another value of its type — an odd character
such as a lone surrogate inserted, a long run of its last character — or an extra key; inside
nested objects too; or as is), and (c) several positional arguments, or none. A fixed corpus
(``NASTY``) replays what the fuzzer found, and what it is too unlikely to draw. For every
payload:

- the ack is a dict with a boolean ``ok``; a refusal has ``error.code`` and ``error.message``
  (strings), short, and the code is never ``server_error`` (our 5xx);
- the ``quizroom`` loggers log nothing at ERROR and the sender stays connected;
- a refused payload changes nothing and sends nothing: not the room's rows (rooms,
  participants, answers, submissions), people, group members and memory states, not the
  engine (snapshot, host and player views, lobby, every personal view, run versions and
  rate windows), not the live room's tokens, known people and connections — and nothing is
  emitted to the stage or any phone, then or at the next tick.

Each Hypothesis example sends BATCH payloads in one room of its scenario; accepted payloads
move that room on (so later ones meet it answered, locked, ended...), and a room an accepted
payload changed is rebuilt for the next example. The figures (payloads per event, accepted,
refusals by code, crashes, state changes on refusal) are printed at the end of the module
(``-s`` shows them) and written to ``$TMPDIR/quizroom-fuzz-figures.json``. Hypothesis runs
with no example database, so every run draws new payloads; a failure prints the blob to
reproduce it with ``@reproduce_failure``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizroom.engine import Settings
from quizroom.engine.plan import default_survey, parse_plan
from quizroom.live import limits
from quizroom.live.handlers import SIMPLE_HOST_EVENTS
from quizroom.people import people_of
from tests.engine.helpers import multi, order, poll, single, slider, truefalse, typed
from tests.live.conftest import Phone, Stage

FIGURES_FILE = Path(tempfile.gettempdir()) / "quizroom-fuzz-figures.json"
MIN_PAYLOADS = 10_000  # issue #6: at least this many generated payloads in all (see PAYLOADS)

# --------------------------------------------------------------------------- payloads
FIELD_NAMES = [
    "code",
    "nickname",
    "token",
    "person",
    "key",
    "id",
    "name",
    "email",
    "question",
    "value",
    "position",
    "action",
    "payload",
    "args",
    "locked",
    "participant",
    "question_on_device",
    "approve_joiners",
    "request",
    "admit",
    "text",
    "column",
    "note",
    "onto",
    "group",
    "title",
    "columns",
    "entry",
    "word",
    "votes",
    "multiple_votes",
    "answers",
    "session",
    "trainer",
    "use",
    "comment",
    "__proto__",
    "constructor",
]
SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "\n\t\r",
    "\u200b",
    "\ufeff",
    "\u202eevil\u202c",
    "\u0301",
    "\ud800",
    "\udfff",
    "a\ud83d",
    "مرحبا بالعالم",
    "שלום",
    "\u200fRTL\u200e",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "Ａｎａ",
    "ANA",
    "ana",
    "Ana Lima",
    "NaN",
    "Infinity",
    "null",
    "true",
    "0",
    "1",
    "-1",
    "1e309",
    "0x10",
    "g1",
    "g0",
    "G1",
    "g-1",
    "g1.0",
    "g²",
    "g١",
    "g" + "9" * 5000,
    "x" * 300,
    "<script>alert(1)</script>",
    "'; DROP TABLE rooms; --",
    "%s%n",
    "{}",
    "[]",
    "000000",
    "123456",
    "\\",
    '"',
    "a@b.co",
    "ana@example.org",
    "dana@example.org",
    "Paris",
    "fun",
    "Pizza",
    "f" * 48,
    "é" * 101,
]
# engineio refuses integers of more than 100 digits when it decodes a packet (before any handler)
INTEGERS = st.one_of(
    st.integers(-3, 25),
    st.integers(-(10**99) + 1, 10**99 - 1),
    st.sampled_from([2**31, 2**53, 2**53 + 1, 2**63, -(2**63), 2**64, 10**20]),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Zs", "Mn", "So"]), max_size=20),
    st.sampled_from(SPECIAL_TEXT),
    st.builds(
        lambda chunk, n: chunk * n,
        st.sampled_from(["x", "é", "😀", "\u202e", "\x00", " ", "\ud800", "g1"]),
        st.integers(41, 4000),
    ),
)
LEAVES = st.one_of(st.none(), st.booleans(), INTEGERS, st.floats(), TEXT)
KEYS = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12))
JSON = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=8
)


def _swaps(value: object) -> list:
    """The same value as other JSON types (and a few near misses of the same type)."""
    swaps: list = [None, str(value)[:200], [value], {"value": value}, True, False, 0, -1, 1.5, float("nan"), ""]
    if isinstance(value, int) and not isinstance(value, bool):
        swaps += [float(value), value + 1, -value - 1, 10**30, str(value)]
    if isinstance(value, str):
        swaps += [value.upper(), value + "\u200b", " " + value + " ", value * 30, value[:-1], value[::-1]]
    if isinstance(value, list):
        swaps += [value * 2, value[:-1], list(reversed(value)), [*value, value[0] if value else 0], {}]
    if isinstance(value, dict):
        swaps += [[], list(value.values()), {}]
    return swaps


def pick(data, options: list | tuple, label: str = "pick"):
    """One of `options` (by index: a strategy made once, whatever the options are)."""
    return options[data.draw(st.integers(0, len(options) - 1), label=label)]


def tweak(data, value: object) -> object:
    """Another value of the same type: other text, another number, a list with one element
    changed, removed or doubled."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return data.draw(INTEGERS, label="int")
    if isinstance(value, float):
        return data.draw(st.floats(), label="float")
    if isinstance(value, str):
        change = pick(data, ("insert", "extend", "other", "insert"), "text change")
        if change == "other":
            return data.draw(TEXT, label="text")
        at = data.draw(st.integers(0, len(value)), label="at")
        if change == "insert":  # one odd character somewhere: a lone surrogate, a NUL, a bidi override...
            return value[:at] + pick(data, ODD_CHARACTERS, "character") + value[at:]
        return value + value[-1:] * data.draw(st.sampled_from([5000, 1, 20, 100]), label="run")  # "g1" -> "g111..."
    if isinstance(value, list):
        if not value:
            return [data.draw(LEAVES, label="element")]
        items, i = list(value), data.draw(st.integers(0, len(value) - 1), label="element")
        change = pick(data, ("tweak", "drop", "double"), "list change")
        if change == "tweak":
            items[i] = tweak(data, items[i])
        elif change == "drop":
            del items[i]
        else:
            items.insert(i, items[i])
        return items
    if isinstance(value, dict):
        return near_valid(data, value, 1, changed=True)
    return data.draw(LEAVES, label="value")


ODD_CHARACTERS = (
    "\ud800",
    "\udfff",
    "\x00",
    "\x1b",
    "\n",
    "\u2028",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\u0301",
    "😀",
    "\uffff",
)
MUTATIONS = ("tweak", "drop", "replace", "swap", "as_is", "tweak", "swap", "as_is", "tweak", "extra", "tweak", "as_is")


def near_valid(data, valid: object, depth: int = 0, changed: bool = False) -> object:
    """A valid payload with at most one change: a field removed, replaced by random JSON,
    swapped for another type, given another value of its type, an extra field, or the same
    inside a nested object (person, payload, args, answers). `changed`: not as is."""
    if not isinstance(valid, dict):  # events that take nothing: None, {} or something else
        return pick(data, [None, {}, None, {}, {"now": True}, [], "", 0, {"seconds": 3600}])
    payload = copy.deepcopy(valid)
    nested = [k for k, v in payload.items() if isinstance(v, dict) and depth < 2]
    kind = pick(data, MUTATIONS[: len(MUTATIONS) - changed] + (("nested",) * 6 if nested else ()), "mutation")
    if kind == "as_is" or (not payload and kind in ("drop", "replace", "swap", "tweak")):
        return payload
    if kind == "extra":
        payload[data.draw(KEYS, label="extra key")] = data.draw(JSON, label="extra value")
        return payload
    if kind == "nested":
        key = pick(data, nested, "nested field")
        payload[key] = near_valid(data, payload[key], depth + 1, changed=True)
        return payload
    key = pick(data, list(payload), "field")
    if kind == "drop":
        del payload[key]
    elif kind == "replace":
        payload[key] = data.draw(JSON, label="replacement")
    elif kind == "swap":
        payload[key] = pick(data, _swaps(payload[key]), "swap")
    else:
        payload[key] = tweak(data, payload[key])
    return payload


# ------------------------------------------------------------------- the agenda
FILLER = {"kind": "question", **single("filler")}
QUESTIONS = {
    "single": single("qs"),
    "multi": multi("qm"),
    "truefalse": truefalse("qtf"),
    "typed": typed("qt"),
    "slider": slider("ql"),
    "order": order("qo"),
    "poll": poll("qp"),
}
ACTIVITIES = {
    "poll": {
        "kind": "poll",
        "uid": "lunch",
        "type": "single",
        "text": "Lunch?",
        "options": ["Pizza", "Sushi", "Salad"],
    },
    "multi": {"kind": "poll", "uid": "tools", "type": "multi", "text": "Tools?", "options": ["Git", "CI", "Chat"]},
    "rating": {"kind": "poll", "uid": "rate", "type": "rating", "text": "How useful?", "scale": 5},
    "ranking": {"kind": "poll", "uid": "rank", "type": "ranking", "text": "Rank", "options": ["A", "B", "C"]},
    "wordcloud": {"kind": "poll", "uid": "words", "type": "wordcloud", "text": "One word", "max_entries": 3},
    "open": {
        "kind": "poll",
        "uid": "asks",
        "type": "open",
        "text": "Questions?",
        "moderation": "approve",
        "max_entries": 5,
    },
    "board": {
        "kind": "board",
        "uid": "ideas",
        "prompt": "What slows us down?",
        "columns": ["Process", "Tools"],
        "note_limit": 5,
        "votes": 3,
    },
    "board_free": {"kind": "board", "uid": "free", "prompt": "Anything?"},
    "survey": default_survey("pulse"),
}


@dataclass
class World:
    """One room in a given phase: the host attached, Ana (by her personal link) and Bo joined,
    and a stranger connected who never joined."""

    scenario: str
    stage: Stage
    ana: Phone
    bo: Phone
    stranger: Phone
    ana_person: object  # Ana's row in people (she joined by her personal link)
    changed: bool = False  # by an accepted payload: no longer the scenario's room
    broken: bool = False  # one of its clients was disconnected (removed by the host)

    @property
    def code(self) -> str:
        return self.stage.code

    @property
    def engine(self):
        return self.stage.engine

    @property
    def clients(self) -> list:
        return [self.stage.host, self.ana, self.bo, self.stranger]

    def client(self, role: str):
        return {"host": self.stage.host, "phone": self.ana, "stranger": self.stranger}[role]

    def do(self, event: str, data: object = None) -> None:
        self.stage.do(event, data)

    def respond(self, phone: Phone, action: str, payload: dict) -> None:
        ack = phone.emit("respond", {"position": self.engine.index, "action": action, "payload": payload})
        assert ack["ok"], ack

    def drain(self) -> list[tuple[str, str]]:
        """Every message received since the last drain, as (client, event)."""
        names = ["host", "ana", "bo", "stranger"]
        received = []
        for name, client in zip(names, self.clients, strict=True):
            if client.sio.is_connected():
                messages = client.sio.get_received()
            else:
                messages, client.sio.queue = client.sio.queue, []
            received += [(name, m["name"]) for m in messages]
        return received


def to_target(w: World) -> None:
    """The filler question opens, is skipped: the scenario's item (position 1) is on screen."""
    w.do("host:start")
    w.do("host:skip")


def seeded(kind: str) -> Callable[[World], None]:
    def seed(w: World) -> None:
        to_target(w)
        if kind == "poll":
            w.respond(w.ana, "vote", {"value": 1})
        elif kind == "multi":
            w.respond(w.ana, "vote", {"value": [0, 2]})
        elif kind == "rating":
            w.respond(w.ana, "vote", {"value": 4})
        elif kind == "ranking":
            w.respond(w.ana, "vote", {"value": [2, 0, 1]})
        elif kind == "wordcloud":
            w.respond(w.ana, "entry", {"text": "fun"})
            w.respond(w.bo, "entry", {"text": "Fast"})
        elif kind == "open":
            w.respond(w.ana, "entry", {"text": "Why?"})
            w.respond(w.bo, "entry", {"text": "How?\nReally?"})
            w.do("host:activity", {"action": "approve", "args": {"entry": 1}})
        elif kind in ("board", "voting"):
            w.respond(w.ana, "note", {"text": "one", "column": 0})
            w.respond(w.ana, "note", {"text": "two", "column": 1})
            w.respond(w.bo, "note", {"text": "three", "column": 1})
            w.do("host:activity", {"action": "group", "args": {"note": 2, "onto": 1}})  # g1: notes 1 and 2
            if kind == "voting":
                w.do("host:activity", {"action": "open_voting"})
                w.respond(w.ana, "vote", {"note": 1})
        elif kind == "board_free":
            w.respond(w.ana, "note", {"text": "one"})
            w.respond(w.bo, "note", {"text": "two"})
        elif kind == "survey":
            w.respond(w.ana, "submit", {"answers": {"session": 4, "use": "Everything"}})

    return seed


def answered_then(*steps: str) -> Callable[[World], None]:
    def setup(w: World) -> None:
        to_target(w)
        assert w.ana.emit("answer", {"question": 1, "value": 0})["ok"]
        for step in steps:
            w.do(step)

    return setup


def then(*steps: tuple) -> Callable[[World], None]:
    def setup(w: World) -> None:
        for event, *data in steps:
            w.do(event, *data)

    return setup


def waiting(w: World) -> None:
    """Approve joiners on, and a phone waiting for the host (request 1)."""
    w.do("host:settings", {"approve_joiners": True})
    waiter = Phone(w.stage.app, w.code, w.stage)
    w.stage.phones.append(waiter)
    ack = waiter.emit("join", {"code": w.code, "nickname": "Wes"})
    assert ack.get("waiting"), ack


SCENARIOS: dict[str, tuple[dict, Callable[[World], None]]] = {
    "lobby": (ACTIVITIES["board"], lambda w: None),
    "locked": (ACTIVITIES["board"], then(("host:lock", {"locked": True}))),
    **{f"question:{kind}": ({"kind": "question", **spec}, to_target) for kind, spec in QUESTIONS.items()},
    "paused": ({"kind": "question", **QUESTIONS["single"]}, lambda w: (to_target(w), w.do("host:pause"))),
    "reveal": ({"kind": "question", **QUESTIONS["single"]}, answered_then("host:end_question")),
    "leaderboard": ({"kind": "question", **QUESTIONS["single"]}, answered_then("host:end_question", "host:next")),
    **{f"activity:{kind}": (spec, seeded(kind)) for kind, spec in ACTIVITIES.items()},
    "activity:voting": (ACTIVITIES["board"], seeded("voting")),
    "ended": (ACTIVITIES["poll"], then(("host:start",), ("host:end",))),
}
# "Approve joiners" (host:admit): a waiting phone, where the server has the feature.
WAITING = ["waiting"] if "approve_joiners" in Settings.__dataclass_fields__ else []
if WAITING:
    SCENARIOS["waiting"] = (ACTIVITIES["poll"], waiting)
QUESTION_SCENARIOS = [f"question:{kind}" for kind in QUESTIONS]
ACTIVITY_SCENARIOS = [f"activity:{kind}" for kind in [*ACTIVITIES, "voting"]]
SOME_SCENARIOS = ["lobby", "question:single", "paused", "reveal", "activity:board", "activity:open", "ended"]


# -------------------------------------------------------- near-valid payloads
def join_payloads(w: World, team: dict) -> list:
    code = w.code
    return [
        {"code": code, "nickname": "Eve"},
        {"code": code, "nickname": "ana"},  # taken (ignoring case)
        {"code": code, "token": w.ana.token},  # a resume
        {"code": code, "token": "f" * 48, "nickname": "Eve"},
        {"code": code, "token": w.bo.token, "nickname": "Bo"},
        {"code": code, "token": "a" * 48, "person": {"key": w.ana_person.link_key}},  # her seat, resumed
        {"code": code, "person": {"id": team["cy"].id}},
        {"code": code, "person": {"id": team["bo"].id}},
        {"code": code, "person": {"key": team["dee"].link_key}},
        {"code": code, "nickname": "Dana", "person": {"name": "Dana Scully", "email": "dana@example.org"}},
        {"code": code, "nickname": "Al", "person": {"name": "Ana Lima", "email": w.ana_person.email.upper()}},
        {"code": code, "nickname": "Al", "person": {"name": "Ana Lima", "email": "ana@example.org"}},  # not seated
    ]


ANSWERS = {  # per question type: near-valid answer values
    "single": [0, 2],
    "multi": [[0, 1], [1]],
    "truefalse": [0, 1],
    "typed": ["Paris", " pÂris "],
    "slider": [42, 42.5],
    "order": [[0, 1, 2, 3], [3, 2, 1, 0]],
    "poll": [1, 2],
}


def answer_payloads(w: World, team: dict) -> list:
    question = w.engine.activities[w.engine.index] if w.engine.index >= 0 else None
    kind = getattr(question, "kind", None)
    mine = ANSWERS.get(kind, [])
    values = [*mine, *mine, *(values[0] for other, values in ANSWERS.items() if other != kind)]
    return [*({"question": w.engine.index, "value": v} for v in values), {"question": 0, "value": 0}]


RESPONSES = {  # per kind of activity (poll type): near-valid `respond` actions
    "single": [("vote", {"value": 1}), ("vote", {"value": 2})],
    "multi": [("vote", {"value": [0, 2]}), ("vote", {"value": [1]})],
    "rating": [("vote", {"value": 4}), ("vote", {"value": 1})],
    "ranking": [("vote", {"value": [2, 0, 1]})],
    "wordcloud": [("entry", {"text": "Great"}), ("entry", {"text": "fun"})],
    "open": [("entry", {"text": "line one\n\n\nline two"})],
    "board": [
        ("note", {"text": "An idea", "column": 1}),
        ("note", {"text": "Free idea"}),
        ("note", {"text": "No column", "column": None}),
        ("vote", {"note": 1}),
        ("vote", {"note": 3}),
        ("unvote", {"note": 1}),
    ],
    "survey": [
        ("submit", {"answers": {"session": 5, "comment": "Nice"}}),
        ("submit", {"answers": {"trainer": 2, "use": "", "unclear": None}}),
    ],
}
POLL_COMMANDS = [
    ("close", {}),
    ("reopen", {}),
    ("show_results", {}),
    ("hide_results", {}),
    ("approve", {"entry": 2}),
    ("approve_all", {}),
    ("hide", {"entry": 1}),
    ("show", {"entry": 1}),
    ("hide", {"word": "FUN"}),
    ("show", {"word": "fun"}),
]
COMMANDS = {  # per kind of activity (poll type): near-valid `host:activity` commands
    **dict.fromkeys(("single", "multi", "rating", "ranking", "wordcloud", "open"), POLL_COMMANDS),
    "board": [
        ("lock", {}),
        ("unlock", {}),
        ("open_voting", {"votes": 2, "multiple_votes": True}),
        ("open_voting", {}),
        ("close_voting", {}),
        ("reopen", {}),
        ("move", {"note": 1, "column": 1}),
        ("move", {"group": "g1", "column": 0}),
        ("group", {"note": 3, "onto": 1}),
        ("group", {"note": 3, "onto": "g1"}),
        ("ungroup", {"note": 2}),
        ("rename_group", {"group": "g1", "title": "Tooling"}),
        ("hide", {"note": 1}),
        ("show", {"note": 1}),
        ("delete", {"note": 3}),
        ("columns", {"columns": ["Now", "Next", "Later"]}),
        ("columns", {"columns": []}),
    ],
    "survey": [("close", {}), ("reopen", {})],
}


def for_screen(w: World, table: dict) -> list:
    """The entries of `table` for the kind of activity on screen (a poll's type), twice, and the first
    of each other kind (everything, when no activity is on screen)."""
    run = w.engine.run
    kind = None if run is None else run.activity.type if run.activity.kind == "poll" else run.activity.kind
    if kind not in table:
        return [entry for entries in table.values() for entry in entries]
    return [*table[kind], *table[kind], *(entries[0] for other, entries in table.items() if other != kind)]


def respond_payloads(w: World, team: dict) -> list:
    position = w.engine.index
    payloads = [{"position": position, "action": a, "payload": p} for a, p in for_screen(w, RESPONSES)]
    return [*payloads, {"position": position, "action": "vote"}, {"position": 0, "action": "vote", "payload": {}}]


def activity_payloads(w: World, team: dict) -> list:
    return [{"action": a, "args": args} if args or len(a) % 2 else {"action": a} for a, args in for_screen(w, COMMANDS)]


TEMPLATES: dict[str, Callable[[World, dict], list]] = {
    "join": join_payloads,
    "answer": answer_payloads,
    "respond": respond_payloads,
    "host:attach": lambda w, team: [{"code": w.code, "key": w.stage.key}, {"code": w.code, "key": w.stage.key.upper()}],
    **{event: (lambda w, team: [None, {}]) for event in SIMPLE_HOST_EVENTS},
    "host:activity": activity_payloads,
    "host:lock": lambda w, team: [{"locked": True}, {"locked": False}],
    "host:remove": lambda w, team: [{"participant": w.bo.id}, {"participant": w.ana.id}, {"participant": 99}],
    "host:settings": lambda w, team: [{"question_on_device": False}, {"approve_joiners": True}, {}],
    "host:admit": lambda w, team: [{"request": 1, "admit": True}, {"request": 1, "admit": False}],
    # docs/cohosts.md (tests/live/test_cohosts.py has the accepted cases)
    "host:cohost_add": lambda w, team: [{"trainer": w.stage.room.trainer_id}, {"email": "nobody@example.com"}],
    "host:cohost_remove": lambda w, team: [{"trainer": w.stage.room.trainer_id}, {"trainer": 2}],
    "host:handover": lambda w, team: [{"trainer": w.stage.room.trainer_id}, {"trainer": 2}],
}
# The fields each event takes (docs/protocol.md): any other field is bad_payload.
FIELDS = {
    "join": {"code", "nickname", "token", "person"},
    "answer": {"question", "value"},
    "respond": {"position", "action", "payload"},
    "host:attach": {"code", "key", "view"},
    **{event: set() for event in SIMPLE_HOST_EVENTS},
    "host:activity": {"action", "args"},
    "host:lock": {"locked"},
    "host:remove": {"participant"},
    "host:settings": {"question_on_device", "approve_joiners"},
    "host:admit": {"request", "admit"},
    "host:cohost_add": {"trainer", "email"},
    "host:cohost_remove": {"trainer"},
    "host:handover": {"trainer"},
}
RIGHT_ROLE = {"join": "stranger", "host:attach": "stranger", "answer": "phone", "respond": "phone"}
ROLES = ["host", "phone", "stranger"]


def right_role(event: str) -> str:
    return RIGHT_ROLE.get(event, "host")


# ------------------------------------------------------------------ the figures
@dataclass
class EventFigures:
    tried: int = 0
    accepted: int = 0
    rejected: Counter = field(default_factory=Counter)
    forms: Counter = field(default_factory=Counter)  # random / near_valid / positional / none
    wrong_role: int = 0
    crashes: int = 0
    state_changes_on_rejection: int = 0

    def as_dict(self) -> dict:
        return {
            "tried": self.tried,
            "accepted": self.accepted,
            "rejected": sum(self.rejected.values()),
            "rejected_by_code": dict(self.rejected.most_common()),
            "forms": dict(self.forms.most_common()),
            "wrong_role": self.wrong_role,
            "crashes": self.crashes,
            "state_changes_on_rejection": self.state_changes_on_rejection,
        }


@dataclass
class Figures:
    events: dict[str, EventFigures] = field(default_factory=dict)
    tests: dict[str, dict] = field(default_factory=dict)  # per test: payloads, rooms built, seconds

    def event(self, name: str) -> EventFigures:
        return self.events.setdefault(name, EventFigures())

    def total(self) -> int:
        return sum(e.tried for e in self.events.values())

    def as_dict(self) -> dict:
        events = {name: self.events[name].as_dict() for name in sorted(self.events)}
        codes: Counter = Counter()
        for figures in self.events.values():
            codes.update(figures.rejected)
        return {
            "payloads": self.total(),
            "accepted": sum(e.accepted for e in self.events.values()),
            "rejected": sum(codes.values()),
            "rejected_by_code": dict(codes.most_common()),
            "crashes": sum(e.crashes for e in self.events.values()),
            "state_changes_on_rejection": sum(e.state_changes_on_rejection for e in self.events.values()),
            "tests": self.tests,
            "events": events,
        }

    def report(self) -> str:
        data = self.as_dict()
        lines = [
            f"fuzzed {data['payloads']} payloads: {data['accepted']} accepted, {data['rejected']} rejected, "
            f"crashes={data['crashes']}, state changes on rejection={data['state_changes_on_rejection']}",
            f"{'event':<18}{'tried':>7}{'ok':>6}{'refused':>8}{'wrong role':>11}  refusals by code",
        ]
        for name, e in data["events"].items():
            codes = ", ".join(f"{code} {n}" for code, n in e["rejected_by_code"].items())
            lines.append(f"{name:<18}{e['tried']:>7}{e['accepted']:>6}{e['rejected']:>8}{e['wrong_role']:>11}  {codes}")
        lines.append("refusals by code: " + ", ".join(f"{c} {n}" for c, n in data["rejected_by_code"].items()))
        for test, t in data["tests"].items():
            lines.append(f"{test}: {t['payloads']} payloads, {t['rooms']} rooms built, {t['seconds']} s")
        return "\n".join(lines)


@pytest.fixture(scope="module")
def figures():
    collected = Figures()
    yield collected
    if not collected.events:
        return
    FIGURES_FILE.write_text(json.dumps(collected.as_dict(), indent=2) + "\n")
    print(f"\n{collected.report()}\n(figures written to {FIGURES_FILE})")


# ------------------------------------------------------------------- the harness
class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Harness:
    """The rooms of one test function (one app): built per scenario, reused while payloads
    are refused, rebuilt once an accepted one changed them (or disconnected someone)."""

    def __init__(self, app, clock, trainer_id: int, team: dict, figures: Figures):
        self.app, self.clock, self.trainer_id, self.team, self.figures = app, clock, trainer_id, team, figures
        self.live = app.extensions["quizroom.live"]
        self.worlds: dict[str, World] = {}
        self.rooms_built = 0
        self.sent = 0
        path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
        self.db = sqlite3.connect(path, isolation_level=None)  # autocommit: always the latest commit
        self._db_cache: tuple[tuple, str] | None = None
        self.errors = ErrorLog()

    # ------------------------------------------------------------- rooms
    def world(self, scenario: str, fresh: bool = True) -> World:
        """The scenario's room as built (`fresh`), or as the example's accepted payloads left it."""
        world = self.worlds.get(scenario)
        if world is not None and not world.broken and not (fresh and world.changed):
            return world
        if world is not None:
            self.discard(world)
        self.app.extensions.pop(limits.EXTENSION, None)  # building a room spends joins too
        target, setup = SCENARIOS[scenario]
        plan = parse_plan({"title": "Fuzz", "activities": [FILLER, target]})
        room, key = self.live.open_room(
            trainer_id=self.trainer_id,
            deck_id=None,
            title=plan.title,
            activities=plan.activities,
            group_id=self.team["group"].id,
        )
        stage = Stage(self.app, self.clock, room, key)
        ana = Phone(self.app, room.code, stage)
        # Ana is someone new in every room: when a room ends, retention folds each known
        # participant's whole history, which would grow with every room built.
        ana_person = people_of(self.app).create_person(
            self.trainer_id, "Ana Lima", f"ana.{self.rooms_built}@example.org"
        )
        ack = ana.emit("join", {"code": room.code, "nickname": "Ana", "person": {"key": ana_person.link_key}})
        assert ack["ok"], ack
        ana.token, ana.id = ack["token"], ack["me"]["id"]
        bo = stage.phone("Bo")
        world = World(scenario, stage, ana, bo, Phone(self.app, room.code, stage), ana_person)
        setup(world)
        self.worlds[scenario] = world
        self.rooms_built += 1
        self.settle()
        return world

    def discard(self, world: World) -> None:
        for client in [*world.clients, *world.stage.phones]:
            if client.sio.is_connected():
                client.sio.disconnect()
        self.live.rooms.pop(world.code, None)  # (its rows stay; the ticker no longer visits it)
        del self.worlds[world.scenario]

    def settle(self) -> None:
        """A tick, and every message anyone got forgotten: the rooms are quiet."""
        self.live.tick()
        for world in self.worlds.values():
            world.drain()

    def close(self) -> None:
        for world in list(self.worlds.values()):
            self.discard(world)
        self.db.close()

    # ------------------------------------------------------------- state
    def stored(self, world: World) -> str:
        """Digest of the room's rows (rooms, participants, answers, submissions), those of the
        people its participants are and of the team (people, group_members, memory_states), and
        every table's row count; cached while no other connection committed (data_version)."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        key = (version, world.stage.room.id)
        if self._db_cache is not None and self._db_cache[0] == key:
            return self._db_cache[1]
        room = world.stage.room.id
        team = {name: self.team[name].id for name in ("ana", "bo", "cy", "dee")}
        params = {"room": room, **team}
        queries = {
            "rooms": ("SELECT * FROM rooms WHERE id = :room ORDER BY id", params),
            "participants": ("SELECT * FROM participants WHERE room_id = :room ORDER BY id", params),
            "answers": ("SELECT * FROM answers WHERE room_id = :room ORDER BY id", params),
            "submissions": ("SELECT * FROM submissions WHERE room_id = :room ORDER BY id", params),
            # the people the room's participants are, and the team
            "people": (
                "SELECT * FROM people WHERE id IN (SELECT person_id FROM participants WHERE room_id = :room)"
                " OR id IN (:ana, :bo, :cy, :dee) ORDER BY id",
                params,
            ),
            "group_members": (
                "SELECT * FROM group_members WHERE person_id IN (SELECT person_id FROM participants"
                " WHERE room_id = :room) OR person_id IN (:ana, :bo, :cy, :dee) ORDER BY rowid",
                params,
            ),
            "memory_states": (
                "SELECT * FROM memory_states WHERE person_id IN (SELECT person_id FROM participants"
                " WHERE room_id = :room) OR person_id IN (:ana, :bo, :cy, :dee) ORDER BY id",
                params,
            ),
            "counts": (
                "SELECT (SELECT count(*) FROM rooms), (SELECT count(*) FROM participants),"
                " (SELECT count(*) FROM answers), (SELECT count(*) FROM submissions),"
                " (SELECT count(*) FROM people), (SELECT count(*) FROM group_members),"
                " (SELECT count(*) FROM memory_states)",
                (),
            ),
        }
        rows = {name: self.db.execute(sql, params).fetchall() for name, (sql, params) in queries.items()}
        digest = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
        self._db_cache = (key, digest)
        return digest

    def in_memory(self, world: World) -> str:
        """Digest of everything the live room holds in memory."""
        live_room, engine, now = world.stage.room, world.engine, self.clock()
        admission = getattr(live_room, "admission", None)
        state = [
            engine.snapshot(),
            engine.host_view(now),
            engine.player_view(now),
            engine.lobby_view(),
            [p.to_record() for p in engine.participants.values()],
            [engine.personal_view(pid) for pid in sorted(engine.participants)],
            sorted(engine.current),
            engine.next_participant_id,
            [
                [i, run.version, sorted((pid, len(w)) for pid, w in run._recent.items())]
                for i, run in engine.runs.items()
            ],
            sorted(live_room.tokens.items()),
            sorted(live_room.people.items()),
            sorted(live_room.seats.items()),
            sorted((sid, c.code, c.role, c.participant) for sid, c in self.live.connections.items()),
            sorted((str(key), sorted(sids)) for key, sids in self.live.player_sids.items()),
            admission.view() if admission is not None else None,
            sorted(getattr(self.live, "waiting_sids", {}).items()),
        ]
        return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()

    # ------------------------------------------------------------- one payload
    def send(self, world: World, event: str, role: str, form: str, args: tuple) -> dict:
        figures = self.figures.event(event)
        figures.tried += 1
        figures.forms[form] += 1
        figures.wrong_role += role != right_role(event)
        self.sent += 1
        client = world.client(role)
        before = (self.in_memory(world), self.stored(world))
        self.errors.records.clear()
        try:
            ack = client.emit(event, *args)
        except Exception:
            figures.crashes += 1
            raise
        shown = repr(args)[:300]
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (event, shown, ack)
        if ack["ok"]:
            figures.accepted += 1
        else:
            error = ack.get("error")
            assert isinstance(error, dict), (event, shown, ack)
            code, message = error.get("code"), error.get("message")
            figures.rejected[code] += 1
            if code == "server_error":
                figures.crashes += 1
            assert isinstance(code, str) and code != "server_error", (event, role, shown, ack, self.errors.records)
            assert isinstance(message, str) and message, (event, shown, ack)
            assert len(json.dumps(ack)) < 1000, (event, shown, "a refusal does not echo the payload")
            self._check_oracles(event, args, code, shown)
        assert not self.errors.records, (event, shown, [r.getMessage() for r in self.errors.records])
        if ack["ok"]:  # it may change the room (then the next example gets a new one)
            self.settle()
            world.changed = world.changed or (self.in_memory(world), self.stored(world)) != before
            world.broken = not all(c.sio.is_connected() for c in world.clients)
            return ack
        self.live.tick()  # nothing may be left pending for the ticker either
        after = (self.in_memory(world), self.stored(world))
        sent = world.drain()
        if after != before or sent:
            figures.state_changes_on_rejection += 1
        assert after[0] == before[0], (event, role, shown, ack, "the room changed in memory")
        assert after[1] == before[1], (event, role, shown, ack, "the database changed")
        assert not sent, (event, role, shown, ack, "a refused payload sent", sent)
        assert client.sio.is_connected(), (event, shown, "a refused payload disconnected its sender")
        return ack

    @staticmethod
    def _check_oracles(event: str, args: tuple, code: str, shown: str) -> None:
        """What docs/protocol.md promises about malformed payloads, whatever the room."""
        if len(args) > 1:
            assert code == "bad_payload", (event, shown, code, "two arguments")
        elif args and args[0] is not None:
            payload = args[0]
            if not isinstance(payload, dict):
                assert code == "bad_payload", (event, shown, code, "not an object")
            elif event in FIELDS and set(payload) - FIELDS[event]:
                assert code == "bad_payload", (event, shown, code, "an unknown field")


@pytest.fixture
def team(app, trainer_id) -> dict:
    """A group with Ana (e-mail known), Bo and Cy; Dee is the trainer's, not in the group."""
    people = people_of(app)
    group = people.create_group(trainer_id, "Team A")
    return {
        "group": group,
        "ana": people.create_person(trainer_id, "Ana Lima", "ana@example.org", group.id),
        "bo": people.create_person(trainer_id, "Bo Chen", None, group.id),
        "cy": people.create_person(trainer_id, "Cy", "cy@example.org", group.id),
        "dee": people.create_person(trainer_id, "Dee", "dee@example.org"),
    }


@pytest.fixture
def harness(request, app, clock, trainer_id, team, figures, monkeypatch):
    live = app.extensions["quizroom.live"]
    # After a room with known people ends, retention folds it in a background task: run it
    # at once, so that its writes land in the payload that ended the room, not in a later one.
    monkeypatch.setattr(live.socketio, "start_background_task", lambda target, *args, **kw: target(*args, **kw))
    made = Harness(app, clock, trainer_id, team, figures)
    logger = logging.getLogger("quizroom")
    logger.addHandler(made.errors)
    started = time.perf_counter()
    yield made
    logger.removeHandler(made.errors)
    test = figures.tests.setdefault(request.node.originalname, {"payloads": 0, "rooms": 0, "seconds": 0.0})
    test["payloads"] += made.sent
    test["rooms"] += made.rooms_built
    test["seconds"] = round(test["seconds"] + time.perf_counter() - started, 1)
    made.close()


# ------------------------------------------------------------------- the tests
FORMS = ("near_valid",) * 6 + ("random",) * 3 + ("positional",)
BATCH = 12  # payloads per Hypothesis example (its own cost per example is several times a payload's)
ARGS = st.lists(JSON, min_size=2, max_size=4) | st.just([])


def draw_payload(data, event: str, world: World, team: dict, forms: tuple) -> tuple[str, tuple]:
    form = pick(data, forms, "form")
    templates = TEMPLATES.get(event)
    if form == "near_valid" and templates is not None:
        return form, (near_valid(data, pick(data, templates(world, team), "template")),)
    if form != "positional":
        return "random", (data.draw(JSON, label="payload"),)
    args = data.draw(ARGS, label="args")
    return ("positional" if args else "none"), tuple(args)


def fuzz(harness: Harness, events: list[str], scenarios: list[str], payloads: int, forms: tuple = FORMS) -> None:
    """Send `payloads` payloads (BATCH per example, in a room of one of `scenarios`) of these
    events, each by the right role three times in four, else by a wrong one."""
    roles = {event: (right_role(event),) * 3 + tuple(r for r in ROLES if r != right_role(event)) for event in events}

    @settings(
        max_examples=-(-payloads // BATCH),
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        scenario = pick(data, scenarios, "scenario")
        for i in range(BATCH):
            event = pick(data, events, "event")
            # Each example starts from the scenario's room; within it, accepted payloads move it on.
            world = harness.world(scenario, fresh=i == 0)
            role = pick(data, roles[event], "role")
            with join_limits(harness, event, data):
                form, args = draw_payload(data, event, world, harness.team, forms)
                harness.send(world, event, role, form, args)

    before = harness.sent
    run()
    assert harness.sent - before >= payloads  # (shrinking a failure would add more)


LIMIT_PROFILES = ("fresh",) * 5 + ("guesses", "full", "rate")


class join_limits:  # noqa: N801 - used as a context manager
    """Fresh limits for every payload (a refused join spends look-ups that never refill on the
    fake clock); for joins, sometimes a limit already spent: too_many_guesses, room_full,
    rate_limited."""

    def __init__(self, harness: Harness, event: str, data) -> None:
        self.app = harness.app
        self.profile = pick(data, LIMIT_PROFILES, "limits") if event == "join" else "fresh"

    def __enter__(self) -> None:
        self.app.extensions.pop(limits.EXTENSION, None)
        if self.profile == "full":
            self.app.config["MAX_PARTICIPANTS"] = 2
        rules = limits.for_app(self.app)
        spent = {"guesses": rules.code_lookups_per_ip, "rate": rules.joins_per_ip}.get(self.profile)
        for ip in ("unknown", "127.0.0.1") if spent is not None else ():  # (the test client has no address)
            while spent.take(ip):
                pass

    def __exit__(self, *exc) -> None:
        self.app.config.pop("MAX_PARTICIPANTS", None)
        self.app.extensions.pop(limits.EXTENSION, None)


# Payloads per test (each sends at least its number): together at least MIN_PAYLOADS.
PAYLOADS = {
    "join": 1500,
    "host_attach": 600,
    "answer": 1700,
    "respond": 1900,
    "host_activity": 1900,
    "simple_host_events": 1200,
    "host_lock_remove_settings_admit": 900,
    "random_payloads_to_every_event": 700,
}


def test_the_fuzz_tests_send_at_least_ten_thousand_payloads():
    assert sum(PAYLOADS.values()) >= MIN_PAYLOADS


def test_every_event_the_server_handles_is_fuzzed(app):
    registered = set(app.extensions["socketio"].server.handlers["/"]) - {"connect", "disconnect"}
    assert registered <= set(TEMPLATES), f"add near-valid payloads for {sorted(registered - set(TEMPLATES))}"


def test_fuzz_join(harness):
    scenarios = ["lobby", "locked", "question:single", "activity:board", "ended", *WAITING]
    fuzz(harness, ["join"], scenarios, PAYLOADS["join"])


def test_fuzz_host_attach(harness):
    fuzz(harness, ["host:attach"], ["lobby", "question:single", "ended"], PAYLOADS["host_attach"])


def test_fuzz_answer(harness):
    scenarios = [*QUESTION_SCENARIOS, "paused", "reveal", "lobby", "activity:poll", "ended"]
    fuzz(harness, ["answer"], scenarios, PAYLOADS["answer"])


def test_fuzz_respond(harness):
    scenarios = [*ACTIVITY_SCENARIOS, "question:single", "lobby", "ended"]
    fuzz(harness, ["respond"], scenarios, PAYLOADS["respond"])


def test_fuzz_host_activity(harness):
    boards = ["activity:board", "activity:voting", "activity:board_free"]  # (most commands are the boards')
    scenarios = [*ACTIVITY_SCENARIOS, *boards, "question:single", "lobby", "ended"]
    fuzz(harness, ["host:activity"], scenarios, PAYLOADS["host_activity"])


def test_fuzz_simple_host_events(harness):
    scenarios = ["lobby", "question:single", "paused", "reveal", "leaderboard", "activity:poll", "ended"]
    fuzz(harness, list(SIMPLE_HOST_EVENTS), scenarios, PAYLOADS["simple_host_events"])


def test_fuzz_host_lock_remove_settings_admit(harness):
    events = ["host:lock", "host:remove", "host:settings", "host:admit"]
    scenarios = ["lobby", "question:single", "activity:board", "ended", *WAITING]
    fuzz(harness, events, scenarios, PAYLOADS["host_lock_remove_settings_admit"])


def test_fuzz_random_payloads_to_every_event(harness, app):
    """Every event the server registers (also one added later), random payloads and arguments."""
    events = sorted(set(app.extensions["socketio"].server.handlers["/"]) - {"connect", "disconnect"})
    forms = ("random",) * 3 + ("positional",)
    fuzz(harness, events, SOME_SCENARIOS, PAYLOADS["random_payloads_to_every_event"], forms=forms)


# Payloads the fuzzer found (or that are too unlikely to draw): each once, every run.
CODE = object()  # stands for the room's code
NASTY = [
    # Lone surrogates: JSON carries them, UTF-8 does not (hashing a token, HMAC of a key, SQLite).
    ("lobby", "join", "stranger", {"code": CODE, "token": "\ud800", "nickname": "Eve"}, "bad_payload"),
    ("lobby", "join", "stranger", {"code": CODE, "token": "f" * 47 + "\udfff"}, "bad_payload"),
    ("lobby", "join", "stranger", {"code": CODE, "person": {"key": "\ud800"}}, "bad_payload"),
    ("lobby", "join", "stranger", {"code": CODE, "person": {"name": "Eve", "email": "e\ud800@x.org"}}, "bad_payload"),
    ("lobby", "host:attach", "stranger", {"code": CODE, "key": "\ud800" * 40}, "bad_payload"),
    ("lobby", "host:attach", "stranger", {"code": CODE, "key": "\udfff"}, "bad_payload"),
    # Group references with more digits than int() converts (4,300).
    (
        "activity:board",
        "host:activity",
        "host",
        {"action": "rename_group", "args": {"group": "g" + "1" * 5000, "title": "x"}},
        "unknown_group",
    ),
    (
        "activity:board",
        "host:activity",
        "host",
        {"action": "group", "args": {"note": 3, "onto": "g" + "9" * 4400}},
        "unknown_group",
    ),
    (
        "activity:board",
        "host:activity",
        "host",
        {"action": "move", "args": {"group": "g" + "0" * 5000, "column": 0}},
        "unknown_group",
    ),
    (
        "activity:board",
        "host:activity",
        "host",
        {"action": "move", "args": {"group": "g" + "1" * 19, "column": 0}},
        "unknown_group",
    ),
    # Numbers that are not numbers, or too big for a float.
    ("question:slider", "answer", "phone", {"question": 1, "value": float("nan")}, "bad_answer"),
    ("question:slider", "answer", "phone", {"question": 1, "value": float("-inf")}, "bad_answer"),
    ("question:slider", "answer", "phone", {"question": 1, "value": 10**99}, "bad_answer"),
    ("question:single", "answer", "phone", {"question": float("nan"), "value": 0}, "bad_payload"),
    (
        "activity:rating",
        "respond",
        "phone",
        {"position": 1, "action": "vote", "payload": {"value": 10**99}},
        "bad_answer",
    ),
    (
        "activity:survey",
        "respond",
        "phone",
        {"position": 1, "action": "submit", "payload": {"answers": {"comment": "\ud800"}}},
        "bad_answer",
    ),
]


@pytest.mark.parametrize("case", NASTY, ids=[f"{c[1]}-{i}" for i, c in enumerate(NASTY)])
def test_known_nasty_payloads(harness, case):
    scenario, event, role, payload, code = case
    world = harness.world(scenario)
    payload = {k: world.code if v is CODE else v for k, v in payload.items()}
    ack = harness.send(world, event, role, "corpus", (payload,))
    assert ack["ok"] is False and ack["error"]["code"] == code, ack
