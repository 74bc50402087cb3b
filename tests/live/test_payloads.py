"""A malformed payload, for every event, gets {"ok": false, "error": {code, message}} and
changes nothing: not the database, not the room."""

from __future__ import annotations

import json

import pytest

HUGE = "x" * 200_000
NOT_OBJECTS = ["a string", 5, 1.5, True, [1, 2], ["code", "123456"]]
HOST_SIMPLE = [
    "host:start",
    "host:next",
    "host:skip",
    "host:pause",
    "host:resume",
    "host:add_time",
    "host:end_question",
    "host:end",
]
ALL_EVENTS = ["join", "answer", "host:attach", *HOST_SIMPLE, "host:lock", "host:remove", "host:settings"]


def code_of(stage) -> str:
    return stage.code


# (event, payload built from the stage, expected error code, who sends it)
CASES = [
    # join
    ("join", lambda s: {"code": s.code, "nickname": "Eve", "admin": True}, "bad_payload", "stranger"),
    ("join", lambda s: {"code": int(s.code), "nickname": "Eve"}, "bad_code", "stranger"),
    ("join", lambda s: {"code": s.code + "0", "nickname": "Eve"}, "bad_code", "stranger"),
    ("join", lambda s: {"code": "abcdef", "nickname": "Eve"}, "bad_code", "stranger"),
    ("join", lambda s: {"code": HUGE, "nickname": "Eve"}, "bad_code", "stranger"),
    ("join", lambda s: {"code": [s.code], "nickname": "Eve"}, "bad_code", "stranger"),
    ("join", lambda s: {"code": s.code}, "bad_nickname", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": None}, "bad_nickname", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": 5}, "bad_nickname", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": ["Eve"]}, "bad_nickname", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": {"name": "Eve"}}, "bad_nickname", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": HUGE}, "bad_nickname", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": "\u200b\u202e\x00"}, "bad_nickname", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": "Eve", "token": 5}, "bad_payload", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": "Eve", "token": ""}, "bad_payload", "stranger"),
    ("join", lambda s: {"code": s.code, "nickname": "Eve", "token": HUGE}, "bad_payload", "stranger"),
    ("join", lambda s: {"code": s.code, "token": ["t"]}, "bad_payload", "stranger"),
    # answer
    ("answer", lambda s: {"question": 0, "value": 0, "points": 5000}, "bad_payload", "player"),
    ("answer", lambda s: {"question": 0}, "bad_payload", "player"),
    ("answer", lambda s: {"value": 0}, "bad_payload", "player"),
    ("answer", lambda s: {"question": "0", "value": 0}, "bad_payload", "player"),
    ("answer", lambda s: {"question": 0.0, "value": 0}, "bad_payload", "player"),
    ("answer", lambda s: {"question": True, "value": 0}, "bad_payload", "player"),
    ("answer", lambda s: {"question": None, "value": 0}, "bad_payload", "player"),
    ("answer", lambda s: {"question": 10**40, "value": 0}, "question_closed", "player"),
    ("answer", lambda s: {"question": 0, "value": None}, "bad_answer", "player"),
    ("answer", lambda s: {"question": 0, "value": "0"}, "bad_answer", "player"),
    ("answer", lambda s: {"question": 0, "value": True}, "bad_answer", "player"),
    ("answer", lambda s: {"question": 0, "value": 4}, "bad_answer", "player"),
    ("answer", lambda s: {"question": 0, "value": -1}, "bad_answer", "player"),
    ("answer", lambda s: {"question": 0, "value": [0]}, "bad_answer", "player"),
    ("answer", lambda s: {"question": 0, "value": {"id": 0}}, "bad_answer", "player"),
    ("answer", lambda s: {"question": 0, "value": HUGE}, "bad_answer", "player"),
    ("answer", lambda s: {"question": 0, "value": list(range(50_000))}, "bad_answer", "player"),
    # host:attach
    ("host:attach", lambda s: {"code": s.code, "key": s.key, "role": "admin"}, "bad_payload", "stranger"),
    ("host:attach", lambda s: {"code": s.code}, "not_host", "stranger"),
    ("host:attach", lambda s: {"key": s.key}, "bad_code", "stranger"),
    ("host:attach", lambda s: {"code": s.code, "key": 5}, "bad_payload", "stranger"),
    ("host:attach", lambda s: {"code": s.code, "key": ""}, "bad_payload", "stranger"),
    ("host:attach", lambda s: {"code": s.code, "key": HUGE}, "bad_payload", "stranger"),
    ("host:attach", lambda s: {"code": s.code, "key": [s.key]}, "bad_payload", "stranger"),
    ("host:attach", lambda s: {"code": s.code, "key": "é" * 40}, "not_host", "stranger"),
    ("host:attach", lambda s: {"code": s.code, "key": s.key[:-1]}, "not_host", "stranger"),
    # host commands with arguments
    ("host:lock", lambda s: {}, "bad_payload", "host"),
    ("host:lock", lambda s: {"locked": "yes"}, "bad_payload", "host"),
    ("host:lock", lambda s: {"locked": 1}, "bad_payload", "host"),
    ("host:lock", lambda s: {"locked": None}, "bad_payload", "host"),
    ("host:lock", lambda s: {"locked": True, "forever": True}, "bad_payload", "host"),
    ("host:remove", lambda s: {}, "bad_payload", "host"),
    ("host:remove", lambda s: {"participant": "1"}, "bad_payload", "host"),
    ("host:remove", lambda s: {"participant": 1.0}, "bad_payload", "host"),
    ("host:remove", lambda s: {"participant": True}, "bad_payload", "host"),
    ("host:remove", lambda s: {"participant": [1]}, "bad_payload", "host"),
    ("host:remove", lambda s: {"participant": 999}, "unknown_participant", "host"),
    ("host:remove", lambda s: {"participant": -1}, "unknown_participant", "host"),
    ("host:remove", lambda s: {"participant": 1, "ban": True}, "bad_payload", "host"),
    ("host:settings", lambda s: {"question_on_device": "no"}, "bad_payload", "host"),
    ("host:settings", lambda s: {"question_on_device": 0}, "bad_payload", "host"),
    ("host:settings", lambda s: {"question_on_device": None}, "bad_payload", "host"),
    ("host:settings", lambda s: {"theme": "dark"}, "bad_payload", "host"),
    *[(event, lambda s: {"now": True}, "bad_payload", "host") for event in HOST_SIMPLE],
    *[(event, lambda s: {"seconds": 3600}, "bad_payload", "host") for event in ["host:add_time"]],
    *[
        (event, lambda s, v=v: v, "bad_payload", role)
        for event, role in [("join", "stranger"), ("answer", "player"), ("host:attach", "stranger")]
        + [(e, "host") for e in HOST_SIMPLE + ["host:lock", "host:remove", "host:settings"]]
        for v in NOT_OBJECTS
    ],
]


def case_id(case) -> str:
    event, _, code, role = case
    return f"{event}-{code}-{role}"


@pytest.fixture
def room(stage):
    """A room with a question open: a valid answer or command would change something."""
    stage.phone("Ana")
    stage.phone("Bo")
    stage.do("host:start")
    stage.tick()
    for client in [stage.host, *stage.phones]:
        client.pull()
    return stage


def state_of(stage) -> str:
    engine = stage.engine
    return json.dumps(
        [
            engine.snapshot(),
            [p.to_record() for p in engine.participants.values()],
            sorted(engine.current),
            stage.live.connections.__len__(),
        ],
        sort_keys=True,
    )


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_malformed_payloads_are_refused_and_change_nothing(room, case):
    event, build, code, role = case
    sender = {"host": room.host, "player": room.phones[0]}.get(role) or room.phone()
    payload = build(room)
    before_db, before_room = room.dump(), state_of(room)
    ack = sender.emit(event, payload)
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code, ack
    assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]
    assert len(json.dumps(ack)) < 1000  # a huge payload is not echoed back
    assert room.dump() == before_db
    assert state_of(room) == before_room
    room.tick()
    assert room.dump() == before_db  # and nothing was left pending for the ticker either
    for phone in room.phones[:2]:
        assert [m["name"] for m in phone.pull()] == []


@pytest.mark.parametrize("event", ALL_EVENTS)
def test_more_than_one_argument_is_refused(room, event, caplog):
    sender = {"join": room.phone(), "host:attach": room.phone(), "answer": room.phones[0]}.get(event, room.host)
    before = room.dump()
    ack = sender.emit(event, {}, {})
    assert ack["ok"] is False and ack["error"]["code"] == "bad_payload"
    assert room.dump() == before
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("event", ["join", "answer", "host:attach", "host:lock", "host:remove"])
def test_no_payload_at_all(room, event):
    sender = {"join": room.phone(), "host:attach": room.phone(), "answer": room.phones[0]}.get(event, room.host)
    ack = sender.emit(event)
    assert ack["ok"] is False and ack["error"]["code"] in ("bad_payload", "bad_code")


def test_no_malformed_payload_logs_an_error(room, caplog):
    for event, build, _code, role in CASES:
        sender = {"host": room.host, "player": room.phones[0]}.get(role) or room.phone()
        sender.emit(event, build(room))
    assert "unexpected error" not in caplog.text and "Traceback" not in caplog.text
