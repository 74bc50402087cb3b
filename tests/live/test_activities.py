"""Polls, boards and surveys over Socket.IO (Flask-SocketIO's test client, fake clock, no
ticker: ``stage.tick()`` plays it): ``respond`` is stored before its ack, every refusal
changes nothing, ``host:activity`` is the host's, ``activity`` events are coalesced per tick,
a restart rebuilds a board from the database, and a failed write is undone."""

from __future__ import annotations

import json
import threading

import pytest

from quizroom import create_app
from quizroom.engine.plan import default_survey, parse_plan
from quizroom.store import RoomStore
from tests.live.conftest import Phone, Stage

POLL = {"kind": "poll", "uid": "lunch", "type": "single", "text": "Lunch?", "options": ["Pizza", "Sushi", "Salad"]}
FIXED = {
    "kind": "poll",
    "uid": "fixed",
    "type": "single",
    "text": "Final?",
    "options": ["Yes", "No"],
    "allow_change": False,
}
CLOUD = {"kind": "poll", "uid": "words", "type": "wordcloud", "text": "One word", "max_entries": 2}
OPEN = {"kind": "poll", "uid": "asks", "type": "open", "text": "Questions?", "moderation": "approve"}
BOARD = {
    "kind": "board",
    "uid": "ideas",
    "prompt": "What slows us down?",
    "columns": ["Process", "Tools"],
    "note_limit": 2,
    "votes": 2,
}
QUIZ = {
    "kind": "question",
    "uid": "q1",
    "type": "single",
    "text": "2 + 2?",
    "time_limit": 20,
    "choices": [{"text": "4", "correct": True}, {"text": "5"}],
}
SURVEY = default_survey("pulse")


@pytest.fixture
def agenda(app, clock, trainer_id):
    """Open a room on a plan of these activities; returns its Stage (host attached)."""
    live = app.extensions["quizroom.live"]

    def open_(*specs: dict) -> Stage:
        plan = parse_plan({"title": "Workshop", "activities": list(specs)})
        room, key = live.open_room(trainer_id=trainer_id, deck_id=None, title=plan.title, activities=plan.activities)
        return Stage(app, clock, room, key)

    return open_


def respond(phone: Phone, action: str, payload: dict, position: int | None = None) -> dict:
    if position is None:
        position = phone.stage.engine.index
    ack = phone.emit("respond", {"position": position, "action": action, "payload": payload})
    phone.acks.append(ack)
    return ack


def submissions(stage: Stage) -> list[dict]:
    rows = stage.rows("SELECT * FROM submissions WHERE room_id = :r ORDER BY id", r=stage.room.id)
    for row in rows:
        row["record"] = json.loads(row["record"])
    return rows


def dump(stage: Stage) -> str:
    """Every row of every table a live room writes."""
    tables = {
        t: stage.rows(f"SELECT * FROM {t} ORDER BY id")  # noqa: S608
        for t in ("rooms", "participants", "answers", "submissions")
    }
    return json.dumps(tables, sort_keys=True, default=str)


def error(ack: dict) -> str:
    assert ack["ok"] is False, ack
    return ack["error"]["code"]


def restarted(stage: Stage) -> Stage:
    """A second app on the same database and secret (the first one is simply abandoned)."""
    app = create_app(
        {
            **{k: stage.app.config[k] for k in ("DATABASE_URL", "INSTANCE_DIR", "SECRET_KEY")},
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": stage.clock,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    return Stage(app, stage.clock, app.extensions["quizroom.live"].rooms[stage.code], stage.key)


# ------------------------------------------------------------ stored before the ack
def test_every_kind_of_response_is_committed_before_its_ack(agenda):
    stage = agenda(POLL, CLOUD, BOARD, SURVEY)
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")

    ack = respond(ana, "vote", {"value": 1})
    assert ack == {
        "ok": True,
        "position": 0,
        "personal": {"responded": True, "value": 1, "entries": [], "entries_left": None, "can_respond": True},
    }
    (row,) = submissions(stage)  # right after the ack: already committed
    assert (row["position"], row["activity_uid"], row["participant_number"], row["action"], row["record"]) == (
        0,
        "lunch",
        ana.id,
        "vote",
        {"value": 1},
    )
    assert respond(ana, "vote", {"value": 2})["ok"]  # a changed vote is a new row; the latest wins
    assert [r["record"] for r in submissions(stage)] == [{"value": 1}, {"value": 2}]

    stage.do("host:next")
    ack = respond(bo, "entry", {"text": "  Café\tcrème "})
    assert ack["ok"] and ack["personal"]["entries"] == [{"id": 1, "text": "Café crème", "status": "shown"}]
    assert submissions(stage)[-1]["record"] == {"id": 1, "text": "Café crème"}

    stage.do("host:next")
    ack = respond(ana, "note", {"text": "Slow CI", "column": 1})
    assert ack["ok"] and ack["personal"]["notes"] == [
        {"id": 1, "text": "Slow CI", "column": 1, "group": None, "hidden": False}
    ]
    assert submissions(stage)[-1]["record"] == {"id": 1, "text": "Slow CI", "column": 1}
    stage.do("host:activity", {"action": "open_voting"})
    ack = respond(bo, "vote", {"note": 1})
    assert ack["ok"] and ack["personal"]["my_votes"] == {"1": 1} and ack["personal"]["votes_left"] == 1
    assert submissions(stage)[-1]["record"] == {"note": 1}

    stage.do("host:next")
    ack = respond(bo, "submit", {"answers": {"session": 4, "comment": "Nice", "use": ""}})
    assert ack["ok"] and ack["personal"] == {
        "submitted": True,
        "answers": {"session": 4, "comment": "Nice"},
        "can_submit": True,
    }
    row = submissions(stage)[-1]
    assert (row["position"], row["activity_uid"], row["action"], row["record"]) == (
        3,
        "pulse",
        "submit",
        {"answers": {"session": 4, "comment": "Nice"}},
    )
    assert len(submissions(stage)) == 6


def test_a_phone_joining_mid_activity_gets_the_view_and_its_part(agenda):
    stage = agenda(BOARD)
    ana = stage.phone("Ana")
    stage.do("host:start")
    respond(ana, "note", {"text": "Mine", "column": 0})
    late = stage.phone()
    ack = late.join("Late")
    assert ack["state"]["phase"] == "activity" and ack["state"]["activity"]["kind"] == "board"
    assert ack["state"]["activity"]["notes"] == [] and ack["state"]["activity"]["note_count"] == 1
    assert ack["me"]["activity"]["notes"] == [] and ack["me"]["activity"]["can_post"] is True
    again = Phone(stage.app, stage.code, stage)
    resumed = again.join(token=ana.token)
    assert resumed["resumed"] and [n["text"] for n in resumed["me"]["activity"]["notes"]] == ["Mine"]


# --------------------------------------------------------------- refusals
BAD_RESPONDS = [
    ("not an object", None),
    ([0, "vote", {}], None),
    (5, None),
    (({"position": 0, "action": "vote", "payload": {"value": 0}}, {"again": 1}), None),  # two arguments
    ({"position": 0, "action": "vote", "payload": {"value": 0}, "extra": 1}, "bad_payload"),
    ({"action": "vote", "payload": {"value": 0}}, "bad_payload"),
    ({"position": "0", "action": "vote", "payload": {"value": 0}}, "bad_payload"),
    ({"position": True, "action": "vote", "payload": {"value": 0}}, "bad_payload"),
    ({"position": 0.0, "action": "vote", "payload": {"value": 0}}, "bad_payload"),
    ({"position": 0, "payload": {"value": 0}}, "bad_payload"),
    ({"position": 0, "action": 3, "payload": {"value": 0}}, "bad_payload"),
    ({"position": 0, "action": "", "payload": {"value": 0}}, "bad_payload"),
    ({"position": 0, "action": "v" * 21, "payload": {"value": 0}}, "bad_payload"),
    ({"position": 0, "action": "vote", "payload": "0"}, "bad_payload"),
    ({"position": 0, "action": "vote", "payload": [0]}, "bad_payload"),
    ({"position": 0, "action": "vote", "payload": None}, "bad_payload"),
    ({"position": 0, "action": "vote"}, "bad_answer"),  # no payload: {} has no value
    ({"position": 0, "action": "bogus", "payload": {}}, "bad_payload"),
    ({"position": 0, "action": "entry", "payload": {"text": "x"}}, "bad_payload"),  # a vote poll
    ({"position": 0, "action": "vote", "payload": {"value": 0, "weight": 9}}, "bad_payload"),
    ({"position": 0, "action": "vote", "payload": {"value": 3}}, "bad_answer"),
    ({"position": 0, "action": "vote", "payload": {"value": -1}}, "bad_answer"),
    ({"position": 0, "action": "vote", "payload": {"value": True}}, "bad_answer"),
    ({"position": 0, "action": "vote", "payload": {"value": "1"}}, "bad_answer"),
    ({"position": 0, "action": "vote", "payload": {"value": [1]}}, "bad_answer"),
    ({"position": 1, "action": "vote", "payload": {"value": 0}}, "closed"),
    ({"position": -1, "action": "vote", "payload": {"value": 0}}, "closed"),
]


@pytest.mark.parametrize(("data", "code"), BAD_RESPONDS, ids=range(len(BAD_RESPONDS)))
def test_a_refused_respond_changes_nothing(agenda, data, code):
    stage = agenda(POLL, BOARD)
    ana = stage.phone("Ana")
    stage.do("host:start")
    assert respond(ana, "vote", {"value": 2})["ok"]
    stage.tick()
    stage.host.pull(), ana.pull()
    before, view = dump(stage), json.dumps(stage.engine.host_view(stage.clock()))
    ack = ana.emit("respond", *data) if isinstance(data, tuple) else ana.emit("respond", data)
    assert error(ack) == (code or "bad_payload"), ack
    assert dump(stage) == before and json.dumps(stage.engine.host_view(stage.clock())) == view
    stage.tick()
    assert stage.host.events("activity") == [] and ana.events("activity") == []  # nothing left to flush


def refusal(stage: Stage, phone: Phone, code: str, action: str, payload: dict, position: int | None = None):
    before = dump(stage)
    ack = respond(phone, action, payload, position)
    assert error(ack) == code, ack
    assert dump(stage) == before


def test_refusals_of_each_activity_change_nothing_in_the_database(agenda):
    stage = agenda(FIXED, CLOUD, BOARD, SURVEY, QUIZ)
    ana, bo, cy = stage.phone("Ana"), stage.phone("Bo"), stage.phone("Cy")
    stranger = Phone(stage.app, stage.code, stage)  # connected, never joined
    refusal(stage, ana, "closed", "vote", {"value": 0}, 0)  # the lobby
    stage.do("host:start")
    refusal(stage, stranger, "not_joined", "vote", {"value": 0}, 0)
    assert respond(ana, "vote", {"value": 0})["ok"]
    refusal(stage, ana, "already_voted", "vote", {"value": 1})
    stage.do("host:activity", {"action": "close"})
    refusal(stage, bo, "closed", "vote", {"value": 1})

    stage.do("host:next")  # the word cloud, two entries each
    assert respond(ana, "entry", {"text": "fun"})["ok"] and respond(ana, "entry", {"text": "fast"})["ok"]
    refusal(stage, ana, "limit_reached", "entry", {"text": "more"})
    for text in ("", "   ", "x" * 41, 5, None, ["fun"], "\u0301"):
        refusal(stage, bo, "bad_answer", "entry", {"text": text})
    refusal(stage, bo, "bad_payload", "entry", {"words": "fun"})
    refusal(stage, bo, "bad_payload", "vote", {"value": 0})

    stage.do("host:next")  # the board: two notes each, two dots each
    refusal(stage, ana, "bad_payload", "note", {"text": "no column"})
    refusal(stage, ana, "bad_payload", "note", {"text": "bad column", "column": 2})
    refusal(stage, ana, "bad_answer", "note", {"text": "x" * 281, "column": 0})
    refusal(stage, ana, "closed", "vote", {"note": 1})
    assert respond(ana, "note", {"text": "one", "column": 0})["ok"]
    assert respond(ana, "note", {"text": "two", "column": 1})["ok"]
    assert respond(bo, "note", {"text": "three", "column": 1})["ok"]
    assert respond(bo, "note", {"text": "four", "column": 1})["ok"]
    refusal(stage, ana, "limit_reached", "note", {"text": "five", "column": 0})
    stage.do("host:activity", {"action": "lock"})
    refusal(stage, bo, "locked", "note", {"text": "locked out", "column": 0})
    stage.do("host:activity", {"action": "unlock"})
    stage.do("host:activity", {"action": "hide", "args": {"note": 3}})
    stage.do("host:activity", {"action": "open_voting"})
    refusal(stage, cy, "closed", "note", {"text": "too late", "column": 0})
    refusal(stage, cy, "unknown_note", "vote", {"note": 9})
    refusal(stage, cy, "unknown_note", "vote", {"note": 3})  # hidden
    refusal(stage, cy, "unknown_note", "vote", {"note": "1"})
    refusal(stage, cy, "bad_payload", "unvote", {"note": 1})  # no dot there
    assert respond(cy, "vote", {"note": 1})["ok"]
    refusal(stage, cy, "already_voted", "vote", {"note": 1})
    assert respond(cy, "vote", {"note": 2})["ok"]
    refusal(stage, cy, "no_votes_left", "vote", {"note": 4})
    stage.do("host:activity", {"action": "lock"})
    refusal(stage, bo, "locked", "vote", {"note": 1})

    stage.do("host:next")  # the survey
    for answers, code in (
        ({}, "bad_answer"),
        ({"session": 6}, "bad_answer"),
        ({"session": "5"}, "bad_answer"),
        ({"nope": 1}, "bad_payload"),
        ({"use": "x" * 501}, "bad_answer"),
        ("5", "bad_payload"),
    ):
        refusal(stage, ana, code, "submit", {"answers": answers})
    stage.do("host:activity", {"action": "close"})
    refusal(stage, ana, "closed", "submit", {"answers": {"session": 5}})

    stage.do("host:next")  # a question: the survey is not on screen
    refusal(stage, ana, "closed", "submit", {"answers": {"session": 5}}, 3)
    stage.do("host:remove", {"participant": bo.id})
    assert not bo.connected()  # the removal disconnected them
    back = Phone(stage.app, stage.code, stage)
    assert error(back.join(token=bo.token)) == "removed"
    refusal(stage, back, "not_joined", "vote", {"value": 0}, 0)


def test_the_eleventh_quick_response_is_rate_limited(agenda):
    stage = agenda(POLL)
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    for i in range(10):
        stage.clock.advance(0.5)
        assert respond(ana, "vote", {"value": i % 3})["ok"]
    refusal(stage, ana, "rate_limited", "vote", {"value": 0})
    assert respond(bo, "vote", {"value": 0})["ok"]  # per participant
    assert len(submissions(stage)) == 11
    stage.clock.advance(5.51)  # the first of the ten is now over 10 s old
    assert respond(ana, "vote", {"value": 0})["ok"]
    refusal(stage, ana, "rate_limited", "vote", {"value": 1})


BAD_HOST = [
    ("close", "bad_payload"),
    ([1], "bad_payload"),
    ({"action": 5}, "bad_payload"),
    ({}, "bad_payload"),
    ({"action": ""}, "bad_payload"),
    ({"action": "x" * 21}, "bad_payload"),
    ({"action": "close", "args": "x"}, "bad_payload"),
    ({"action": "close", "args": [1]}, "bad_payload"),
    ({"action": "close", "args": None}, "bad_payload"),
    ({"action": "close", "extra": 1}, "bad_payload"),
    ({"action": "bogus"}, "bad_payload"),
    ({"action": "open_voting"}, "bad_payload"),
    ({"action": "reopen"}, "wrong_phase"),  # already open
    ({"action": "approve", "args": {"entry": 1}}, "bad_payload"),  # a single-choice poll
    ({"action": "show_results", "args": {"x": 1}}, "bad_payload"),
]


@pytest.mark.parametrize(("data", "code"), BAD_HOST, ids=range(len(BAD_HOST)))
def test_a_refused_host_activity_changes_nothing(agenda, data, code):
    stage = agenda(POLL, BOARD)
    ana = stage.phone("Ana")
    stage.do("host:start")
    respond(ana, "vote", {"value": 0})
    stage.tick()
    stage.host.pull(), ana.pull()
    before, view = dump(stage), json.dumps(stage.engine.host_view(stage.clock()))
    assert error(stage.command("host:activity", data)) == code
    assert dump(stage) == before and json.dumps(stage.engine.host_view(stage.clock())) == view
    assert stage.host.events("activity") == [] and ana.events("activity") == []


def test_host_activity_refusals_on_boards_and_open_text(agenda):
    stage = agenda(BOARD, OPEN)
    ana = stage.phone("Ana")
    assert error(stage.command("host:activity", {"action": "lock"})) == "wrong_phase"  # lobby
    stage.do("host:start")
    respond(ana, "note", {"text": "one", "column": 0})
    respond(ana, "note", {"text": "two", "column": 1})
    cases = [
        ({"action": "group", "args": {"note": 1, "onto": 9}}, "unknown_note"),
        ({"action": "group", "args": {"note": 1, "onto": "g4"}}, "unknown_group"),
        ({"action": "group", "args": {"note": 1, "onto": 1}}, "bad_payload"),
        ({"action": "rename_group", "args": {"group": "g1", "title": "x"}}, "unknown_group"),
        ({"action": "move", "args": {"note": 1, "column": 5}}, "bad_payload"),
        ({"action": "hide", "args": {"note": "1"}}, "unknown_note"),
        ({"action": "ungroup", "args": {"note": 1}}, "bad_payload"),
        ({"action": "columns", "args": {"columns": ["a"] * 7}}, "bad_payload"),
        ({"action": "open_voting", "args": {"votes": 0}}, "bad_payload"),
        ({"action": "open_voting", "args": {"votes": 21}}, "bad_payload"),
        ({"action": "reopen"}, "wrong_phase"),
        ({"action": "close"}, "bad_payload"),
    ]
    for data, code in cases:
        before = dump(stage)
        assert error(stage.command("host:activity", data)) == code, data
        assert dump(stage) == before
    stage.do("host:activity", {"action": "group", "args": {"note": 2, "onto": 1}})
    before = dump(stage)
    assert (
        error(stage.command("host:activity", {"action": "rename_group", "args": {"group": "g1", "title": " "}}))
        == "bad_payload"
    )
    assert dump(stage) == before
    stage.do("host:next")
    respond(ana, "entry", {"text": "Why?"})
    for data, code in (
        ({"action": "approve", "args": {"entry": 2}}, "unknown_entry"),
        ({"action": "approve", "args": {"entry": "1"}}, "bad_payload"),
        ({"action": "hide", "args": {"word": "Why?"}}, "bad_payload"),
    ):
        before = dump(stage)
        assert error(stage.command("host:activity", data)) == code, data
        assert dump(stage) == before


def test_host_activity_and_back_are_the_hosts(agenda):
    stage = agenda(POLL, BOARD)
    ana = stage.phone("Ana")
    stranger = Phone(stage.app, stage.code, stage)
    stage.do("host:start")
    before = dump(stage)
    for client in (ana, stranger):
        assert error(client.emit("host:activity", {"action": "close"})) == "not_host"
        assert error(client.emit("host:back")) == "not_host"
    assert dump(stage) == before and stage.engine.run.is_open


def test_host_back_shows_the_previous_items_results(agenda):
    stage = agenda(POLL, QUIZ, BOARD)
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    assert error(stage.command("host:back")) == "wrong_phase"
    stage.do("host:start")
    assert error(stage.command("host:back")) == "no_previous"
    respond(ana, "vote", {"value": 1})
    stage.do("host:next")
    ana.answer(0), bo.answer(1)
    stage.do("host:next"), stage.do("host:next")  # leaderboard, board
    ana.pull()
    stage.do("host:back")
    state = ana.last("state")
    assert state["phase"] == "reveal" and state["position"] == 1 and state["reveal"]["answered"] == 2
    assert stage.engine.runs[2].phase == "closed"
    stage.do("host:back")
    state = ana.last("state")
    assert state["phase"] == "activity" and state["activity"]["open"] is False
    assert state["activity"]["results"] == {"counts": [0, 1, 0]}
    assert error(respond(bo, "vote", {"value": 0})) == "closed"
    snapshot = json.loads(stage.room_row()["snapshot"])
    assert snapshot["index"] == 0 and snapshot["played"] == [0, 1, 2]


# ------------------------------------------------------------- coalescing
def test_many_votes_between_two_ticks_make_one_activity_event_per_audience(agenda):
    stage = agenda(POLL)
    phones = [stage.phone(f"P{i}") for i in range(12)]
    stage.do("host:start")
    stage.tick()
    for client in (stage.host, *phones):
        client.pull()
    for i, phone in enumerate(phones):
        assert respond(phone, "vote", {"value": i % 3})["ok"]
        assert respond(phone, "vote", {"value": (i + 1) % 3})["ok"]  # changed: still one event
    assert stage.host.events("activity") == [] and all(p.events("activity") == [] for p in phones)
    stage.tick(0.25)
    (host,) = stage.host.events("activity")
    assert host["position"] == 0 and host["view"]["results"] == {"counts": [4, 4, 4]}
    assert host["view"]["responses"] == 12
    for phone in phones:
        (seen,) = phone.events("activity")
        assert seen == host  # the stage and the phones see the same poll
    stage.tick(0.25)
    assert stage.host.events("activity") == [] and all(p.events("activity") == [] for p in phones)


def test_phones_get_no_activity_event_when_only_the_stage_view_changed(agenda):
    stage = agenda(BOARD)
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    respond(ana, "note", {"text": "one", "column": 0})
    respond(bo, "note", {"text": "two", "column": 0})
    stage.tick(0.25)
    assert [e["view"]["notes"] for e in ana.events("activity")] == [[]]  # nobody's notes while open
    assert len(stage.host.events("activity")) == 1
    stage.do("host:activity", {"action": "group", "args": {"note": 2, "onto": 1}})
    stage.do("host:activity", {"action": "move", "args": {"group": "g1", "column": 1}})
    assert len(stage.host.events("activity")) == 2 and ana.events("activity") == []
    stage.do("host:activity", {"action": "open_voting"})
    (view,) = [e["view"] for e in ana.events("activity")]
    assert [(n["text"], n["group"], n["column"]) for n in view["notes"]] == [("one", "g1", 1), ("two", "g1", 1)]
    assert view["groups"] == [{"id": "g1", "title": "Group 1", "column": 1}]
    assert len(stage.host.events("activity")) == 1
    respond(ana, "vote", {"note": 1})
    stage.tick(0.25)
    assert len(ana.events("activity")) == 1  # someone voted (voters: 1)
    respond(ana, "vote", {"note": 2})
    stage.tick(0.25)
    assert ana.events("activity") == [] and len(stage.host.events("activity")) == 2


# ------------------------------------------------------------------ restart
def test_a_restart_mid_board_rebuilds_notes_groups_and_votes(agenda):
    stage = agenda(POLL, BOARD, SURVEY)
    ana, bo, cy = stage.phone("Ana"), stage.phone("Bo"), stage.phone("Cy")
    stage.do("host:start")
    respond(ana, "vote", {"value": 2})
    stage.do("host:next")
    for phone, text, column in ((ana, "Slow CI", 1), (bo, "Meetings", 0), (cy, "Flaky tests", 1), (ana, "Docs", 0)):
        assert respond(phone, "note", {"text": text, "column": column})["ok"]
    stage.do("host:activity", {"action": "group", "args": {"note": 3, "onto": 1}})
    stage.do("host:activity", {"action": "rename_group", "args": {"group": "g1", "title": "CI"}})
    stage.do("host:activity", {"action": "hide", "args": {"note": 4}})
    assert respond(bo, "note", {"text": "After the last snapshot", "column": 0})["ok"]
    stage.do("host:activity", {"action": "open_voting"})
    for phone, note_id in ((ana, 1), (ana, 5), (bo, 3), (bo, 1), (cy, 1)):
        assert respond(phone, "vote", {"note": note_id})["ok"]
    assert respond(ana, "unvote", {"note": 5})["ok"]  # stored after the snapshot: only in submissions
    now = stage.clock()
    stage_view = stage.engine.host_view(now)
    player_view = stage.engine.player_view(now)
    personal = {p.id: stage.engine.personal_view(p.id)["activity"] for p in (ana, bo, cy)}

    again = restarted(stage)
    try:
        assert again.attached["state"]["activity"] == stage_view["activity"]
        assert again.engine.player_view(now) == player_view
        for old in (ana, bo, cy):
            phone = Phone(again.app, again.code, again)
            ack = phone.join(token=old.token)
            assert ack["ok"] and ack["resumed"], ack
            assert ack["me"]["activity"] == personal[old.id]
            assert ack["state"]["activity"] == player_view["activity"]
        mine = again.engine.personal_view(ana.id)["activity"]
        assert mine["votes_left"] == 1 and mine["my_votes"] == {"1": 1}
        assert [n["text"] for n in mine["notes"]] == ["Slow CI", "Docs"] and mine["notes"][1]["hidden"]
        # the rebuilt board goes on: dots, then the results
        resumed = Phone(again.app, again.code, again)
        resumed.join(token=cy.token)
        assert respond(resumed, "vote", {"note": 5})["ok"]
        assert error(respond(resumed, "vote", {"note": 1})) == "already_voted"
        again.do("host:activity", {"action": "close_voting"})
        board = again.engine.player_view(again.clock())["activity"]
        assert [(n["id"], n["votes"]) for n in board["notes"]] == [(1, 3), (3, 1), (5, 1), (2, 0)]
        assert board["groups"] == [{"id": "g1", "title": "CI", "column": 1, "votes": 4}]
    finally:
        again.app.extensions["quizroom.db"].dispose()


# ------------------------------------------------------------- failed writes
def failing_once(monkeypatch) -> list:
    calls: list = []
    real = RoomStore.save_submissions

    def save(self, room_id, items):
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(self, room_id, items)

    monkeypatch.setattr(RoomStore, "save_submissions", save)
    return calls


def test_a_failed_vote_write_acks_not_stored_and_keeps_the_stored_vote(agenda, monkeypatch, caplog):
    stage = agenda(POLL)
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    assert respond(ana, "vote", {"value": 1})["ok"]
    stage.tick()
    for client in (stage.host, ana, bo):
        client.pull()
    before, view = dump(stage), stage.engine.host_view(stage.clock())
    failing_once(monkeypatch)
    assert error(respond(ana, "vote", {"value": 2})) == "not_stored"
    assert dump(stage) == before
    assert stage.engine.host_view(stage.clock()) == view
    assert stage.engine.personal_view(ana.id)["activity"]["value"] == 1
    stage.tick()
    assert ana.events("activity") == []  # the phones' view did not change
    assert respond(ana, "vote", {"value": 2})["ok"]  # sent again: stored
    assert [r["record"] for r in submissions(stage)] == [{"value": 1}, {"value": 2}]
    assert stage.engine.run.view(False, {})["results"] == {"counts": [0, 0, 1]}
    assert "could not store a submission" in caplog.text


def test_a_failed_note_write_leaves_the_board_as_the_database_has_it(agenda, monkeypatch):
    stage = agenda(BOARD)
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    assert respond(ana, "note", {"text": "kept", "column": 0})["ok"]
    stage.do("host:activity", {"action": "move", "args": {"note": 1, "column": 1}})
    before, view = dump(stage), stage.engine.host_view(stage.clock())
    failing_once(monkeypatch)
    assert error(respond(bo, "note", {"text": "lost", "column": 0})) == "not_stored"
    assert dump(stage) == before and stage.engine.host_view(stage.clock()) == view
    assert stage.engine.personal_view(bo.id)["activity"]["notes"] == []
    ack = respond(bo, "note", {"text": "again", "column": 0})
    assert ack["ok"] and ack["personal"]["notes"][0]["id"] == 3  # the refused id is not reused
    notes = stage.engine.host_view(stage.clock())["activity"]["notes"]
    assert [(n["id"], n["text"], n["column"]) for n in notes] == [(1, "kept", 1), (3, "again", 0)]
    assert [r["record"]["text"] for r in submissions(stage)] == ["kept", "again"]


def test_a_vote_in_flight_survives_a_rebuild_caused_by_another_failed_write(agenda, monkeypatch):
    """Votes are stored outside the room lock (so they can share a group commit); a failed
    write rebuilds the run from the database, which must not lose a vote committed later."""
    stage = agenda(POLL)
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    real = RoomStore.save_submissions
    ana_writing, ana_may_commit = threading.Event(), threading.Event()

    def save(self, room_id, items):
        if items[0].participant == ana.id:
            ana_writing.set()
            assert ana_may_commit.wait(10)
            return real(self, room_id, items)
        raise RuntimeError("disk full")

    monkeypatch.setattr(RoomStore, "save_submissions", save)
    acks: list = []
    writer = threading.Thread(target=lambda: acks.append(respond(ana, "vote", {"value": 0})))
    writer.start()
    assert ana_writing.wait(10)
    assert error(respond(bo, "vote", {"value": 2})) == "not_stored"  # rebuilt without Ana's vote
    ana_may_commit.set()
    writer.join(10)
    assert acks and acks[0]["ok"]
    assert [r["record"] for r in submissions(stage)] == [{"value": 0}]
    assert stage.engine.run.view(False, {})["results"] == {"counts": [1, 0, 0]}
    assert stage.engine.personal_view(ana.id)["activity"]["value"] == 0
