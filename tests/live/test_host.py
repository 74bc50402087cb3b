"""The host's side: attaching with the key, who may command, coalesced updates, settings."""

from __future__ import annotations

import pytest

from tests.conftest import sample_deck
from tests.engine.helpers import deck_doc, poll, single
from tests.live.conftest import Client

HOST_EVENTS = {
    "host:start": None,
    "host:next": None,
    "host:skip": None,
    "host:pause": None,
    "host:resume": None,
    "host:add_time": None,
    "host:end_question": None,
    "host:end": None,
    "host:lock": {"locked": True},
    "host:remove": {"participant": 1},
    "host:settings": {"question_on_device": False},
}


def test_attach_returns_the_host_view_and_the_lobby(stage):
    stage.phone("Ana")
    other = Client(stage.app)
    ack = other.emit("host:attach", {"code": stage.code, "key": stage.key})
    assert ack["ok"] is True
    assert ack["state"]["phase"] == "lobby" and ack["state"]["participants"] == 1
    assert ack["state"]["progress"] == {"question": -1, "answered": 0, "expected": 1}
    assert ack["lobby"] == {"count": 1, "participants": [{"id": 1, "nickname": "Ana", "connected": True}]}
    stage.do("host:start")  # both host connections follow the room
    assert other.last("state")["phase"] == "question"


@pytest.mark.parametrize("key", ["0" * 40, "", "x", "é" * 40, "k" * 100])
def test_a_wrong_host_key_is_refused(stage, key):
    intruder = Client(stage.app)
    ack = intruder.emit("host:attach", {"code": stage.code, "key": key})
    assert ack["ok"] is False and ack["error"]["code"] in ("not_host", "bad_payload")
    assert intruder.emit("host:start")["error"]["code"] == "not_host"
    assert stage.engine.phase == "lobby"


def test_a_key_opens_only_its_own_room(open_room):
    first, second = open_room(), open_room()
    ack = Client(first.app).emit("host:attach", {"code": second.code, "key": first.key})
    assert ack["error"]["code"] == "not_host"


def test_attach_to_an_unknown_room(stage):
    ack = Client(stage.app).emit(
        "host:attach", {"code": "999999" if stage.code != "999999" else "999998", "key": stage.key}
    )
    assert ack["error"]["code"] == "room_not_found"


@pytest.mark.parametrize(("event", "data"), list(HOST_EVENTS.items()))
def test_host_events_from_a_participant_are_refused(stage, event, data):
    ana = stage.phone("Ana")
    before = stage.dump()
    ack = ana.emit(event, data) if data is not None else ana.emit(event)
    assert ack["ok"] is False and ack["error"]["code"] == "not_host"
    assert stage.dump() == before
    assert stage.engine.phase == "lobby" and not stage.engine.locked


@pytest.mark.parametrize(("event", "data"), list(HOST_EVENTS.items()))
def test_host_events_from_an_anonymous_connection_are_refused(stage, event, data):
    anonymous = Client(stage.app)
    ack = anonymous.emit(event, data) if data is not None else anonymous.emit(event)
    assert ack["error"]["code"] == "not_host"


def test_the_host_drives_a_whole_game(open_room):
    stage = open_room(deck_doc(single("a"), poll("b"), single("c")))
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    seen = []

    def step(event):
        stage.do(event)
        state = stage.host.last("state")
        seen.append((state["phase"], state["index"]))

    step("host:start")
    ana.answer(0)
    step("host:next")  # closes the question
    step("host:next")  # leaderboard
    step("host:next")  # the poll
    ana.answer(1), bo.answer(2)  # everyone voted: reveal
    seen.append((stage.host.last("state")["phase"], stage.host.last("state")["index"]))
    step("host:next")  # polls have no leaderboard
    step("host:end_question")
    step("host:next")
    step("host:next")  # the end
    assert seen == [
        ("question", 0),
        ("reveal", 0),
        ("leaderboard", 0),
        ("question", 1),
        ("reveal", 1),
        ("question", 2),
        ("reveal", 2),
        ("leaderboard", 2),
        ("ended", 2),
    ]
    assert stage.command("host:next")["error"]["code"] == "wrong_phase"
    assert stage.command("host:end")["error"]["code"] == "room_ended"
    assert stage.room_row()["live"] == 0


@pytest.mark.parametrize(
    ("event", "code"),
    [
        ("host:pause", "wrong_phase"),
        ("host:resume", "wrong_phase"),
        ("host:add_time", "wrong_phase"),
        ("host:skip", "wrong_phase"),
        ("host:end_question", "wrong_phase"),
    ],
)
def test_wrong_phase_commands_change_nothing(stage, event, code):
    stage.phone("Ana")
    before = stage.dump()
    assert stage.command(event)["error"]["code"] == code
    assert stage.dump() == before


def test_lobby_is_coalesced_and_sent_on_tick_only(stage):
    stage.host.pull()
    for name in ("Ana", "Bo", "Cy"):
        stage.phone(name)
    assert stage.host.events("lobby") == []  # nothing per join
    stage.tick()
    lobby = stage.host.events("lobby")
    assert lobby == [
        {
            "count": 3,
            "participants": [
                {"id": i, "nickname": n, "connected": True} for i, n in enumerate(("Ana", "Bo", "Cy"), start=1)
            ],
        }
    ]
    stage.tick()
    assert stage.host.events("lobby") == []  # nothing new, nothing sent
    assert all(m["name"] != "lobby" for p in stage.phones for m in p.pull())  # never to phones


def test_progress_is_coalesced_and_sent_on_tick_only(stage):
    phones = [stage.phone(f"P{i}") for i in range(4)]
    stage.do("host:start")
    stage.tick()
    assert stage.host.events("progress") == [{"question": 0, "answered": 0, "expected": 4}]
    for phone in phones[:3]:
        phone.answer(0)
    assert stage.host.events("progress") == []
    stage.tick()
    assert stage.host.events("progress") == [{"question": 0, "answered": 3, "expected": 4}]
    stage.tick()
    assert stage.host.events("progress") == []
    assert all(m["name"] != "progress" for p in phones for m in p.pull())


def test_question_on_device_off_hides_the_text_from_phones_not_the_host(open_room):
    stage = open_room(sample_deck(2), settings={"question_on_device": False})
    ana = stage.phone("Ana")
    assert ana.acks[0]["state"]["settings"] == {"question_on_device": False}
    stage.do("host:start")
    assert ana.last("state")["question"]["text"] is None
    assert [c["text"] for c in ana.last("state")["question"]["choices"]] == ["right", "wrong", "also wrong", "nope"]
    assert stage.host.last("state")["question"]["text"] == "Question 0?"
    assert "Question 0?" not in str(ana.log)
    stage.do("host:settings", {"question_on_device": True})
    assert ana.last("state")["question"]["text"] == "Question 0?"
    assert stage.room_row()["snapshot"]  # the setting is part of the stored snapshot
    assert '"question_on_device": true' in stage.room_row()["snapshot"]


def test_remove_from_the_host(stage):
    ana = stage.phone("Ana")
    stage.do("host:remove", {"participant": ana.id})
    stage.tick()
    assert stage.host.last("lobby") == {"count": 0, "participants": []}
    assert stage.command("host:remove", {"participant": 42})["error"]["code"] == "unknown_participant"


def test_lock_is_broadcast_and_stored(stage):
    ana = stage.phone("Ana")
    stage.do("host:lock", {"locked": True})
    assert ana.last("state")["locked"] is True
    assert '"locked": true' in stage.room_row()["snapshot"]
