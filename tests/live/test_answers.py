"""Answers through Socket.IO: committed before the ack, judged by the server's clock."""

from __future__ import annotations

import pytest

from tests.engine.helpers import deck_doc, multi, single, typed


def test_an_answer_is_in_the_database_when_the_ack_arrives(stage):
    ana, _bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    stage.clock.advance(1.25)
    ack = ana.answer(0)
    assert ack == {"ok": True, "question": 0, "response_ms": 1250}
    rows = stage.answers()  # read right after the ack, from another connection
    assert len(rows) == 1
    row = rows[0]
    assert (row["participant_number"], row["question_index"], row["question_uid"]) == (ana.id, 0, "q0")
    assert (row["correct"], row["points"], row["streak"], row["response_ms"], row["voided"]) == (1, 969, 1, 1250, 0)
    assert stage.participants()[0]["score"] == 0  # the score moves at the reveal


def test_an_answer_that_cannot_be_stored_is_not_acknowledged(stage, monkeypatch):
    ana, _bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(stage.live.store, "save_answers", broken)
        ack = ana.answer(0)
    assert ack["ok"] is False and ack["error"]["code"] == "not_stored"
    assert stage.answers() == [] and stage.engine.current == {}
    assert ana.answer(0)["ok"]  # sent again once the database is back: accepted
    assert len(stage.answers()) == 1


def test_a_second_answer_is_refused(stage):
    ana, _bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    assert ana.answer(1)["ok"]
    assert ana.answer(0)["error"]["code"] == "already_answered"
    assert [r["value"] for r in stage.answers()] == [{"v": 1}]


def test_exactly_at_the_limit_is_accepted_with_half_points(stage):
    ana, _bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    stage.clock.advance(20)
    assert ana.answer(0)["response_ms"] == 20000
    assert stage.answers()[0]["points"] == 500


def test_after_the_limit_too_late_then_question_closed_once_the_ticker_closes_it(stage):
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    stage.clock.advance(20.01)
    assert ana.answer(0)["error"]["code"] == "too_late"
    stage.tick()
    assert stage.engine.phase == "reveal"
    assert bo.last("state")["phase"] == "reveal"
    assert bo.answer(0, question=0)["error"]["code"] == "question_closed"
    assert stage.answers() == []
    assert bo.last("me")["last_result"] == {
        "question": 0,
        "answered": False,
        "value": None,
        "correct": False,
        "points": 0,
        "response_ms": None,
    }


def test_the_ticker_does_not_close_before_the_limit(stage):
    stage.phone("Ana")
    stage.do("host:start")
    stage.tick(19.9)
    stage.tick(0.1)
    assert stage.engine.phase == "question"
    stage.tick(0.01)
    assert stage.engine.phase == "reveal"


def test_pause_stops_the_clock_and_refuses_answers(stage):
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    stage.clock.advance(2)
    stage.do("host:pause")
    assert ana.last("state")["paused"] is True and ana.last("state")["remaining_ms"] == 18000
    assert ana.answer(0)["error"]["code"] == "paused"
    stage.tick(60)
    assert stage.engine.phase == "question"
    stage.do("host:resume")
    stage.clock.advance(1)
    assert ana.answer(0)["response_ms"] == 3000
    stage.do("host:add_time")
    assert bo.last("state")["question"]["time_limit"] == 30
    stage.tick(26)  # 29 s of open time: the extended limit still holds
    assert bo.answer(0)["ok"]


def test_the_answer_that_completes_the_question_gets_its_ack_and_everyone_the_reveal(stage):
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    assert ana.answer(0)["ok"]
    assert ana.last("state")["phase"] == "question"
    assert bo.answer(2)["ok"]
    for phone in (ana, bo):
        assert phone.last("state")["phase"] == "reveal"
    assert stage.host.last("state")["reveal"]["distribution"] == {"counts": [1, 0, 1, 0]}
    rows = {r["number"]: r for r in stage.participants()}
    assert (rows[ana.id]["score"], rows[ana.id]["streak"], rows[ana.id]["correct"], rows[ana.id]["answered"]) == (
        1000,
        1,
        1,
        1,
    )
    assert (rows[bo.id]["score"], rows[bo.id]["streak"], rows[bo.id]["answered"]) == (0, 0, 1)


@pytest.mark.parametrize(
    ("spec", "value", "stored"),
    [
        (typed(accepted=("Paris",)), "  pÂris ", "pÂris"),
        (multi(correct=(0, 1)), [1, 0], [0, 1]),
    ],
)
def test_the_clean_value_is_what_is_stored(open_room, spec, value, stored):
    stage = open_room(deck_doc(spec))
    ana, _bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    assert ana.answer(value)["ok"]
    assert stage.answers()[0]["value"] == {"v": stored}


def test_answers_from_outside_the_room_are_refused(stage, open_room):
    stage.phone("Ana")
    stage.do("host:start")
    stranger = stage.phone()  # connected, never joined
    assert stranger.answer(0, question=0)["error"]["code"] == "not_joined"
    other = open_room(deck_doc(single("x")))
    outsider = other.phone("Zed")  # joined another room, whose question is not open
    assert outsider.answer(0, question=0)["error"]["code"] == "question_closed"
    assert stage.host.emit("answer", {"question": 0, "value": 0})["error"]["code"] == "not_joined"
    assert stage.answers() == []


def test_skip_voids_the_stored_answers(stage):
    ana, _bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    ana.answer(0)
    stage.do("host:skip")
    assert stage.answers()[0]["voided"]
    assert stage.engine.index == 1 and stage.engine.phase == "question"
    assert stage.participants()[0]["score"] == 0


def test_end_stores_final_scores_and_closes_the_room(stage):
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    stage.clock.advance(1)
    ana.answer(0)
    stage.do("host:end")  # mid-question: the open question counts
    room = stage.room_row()
    assert room["live"] == 0 and room["ended_at"] is not None and room["snapshot"]
    rows = {r["number"]: r["score"] for r in stage.participants()}
    assert rows == {ana.id: 975, bo.id: 0}
    me = ana.last("me")
    assert me["rank"] == 1 and me["summary"] == {"correct": 1, "questions": 3, "best_streak": 1, "answered": 1}
    podium = bo.last("state")["podium"]
    assert [(p["nickname"], p["score"], p["rank"]) for p in podium] == [("Ana", 975, 1), ("Bo", 0, 2)]
