"""The correct answer never reaches a phone before the reveal: every payload a phone
receives while answers are open (broadcasts, personal messages, acks, a resume) is checked."""

from __future__ import annotations

import json

from tests.engine.helpers import assert_no_solution, deck_doc, multi, order, poll, single, slider, truefalse, typed

SECRET_WORD = "Zanzibarquux"
SECRET_NUMBER = 73.25

DECK = deck_doc(
    single("s", correct=3, time_limit=30),
    multi("m", correct=(1, 2), time_limit=30),
    truefalse("tf", correct=False, time_limit=30),
    typed("t", accepted=(SECRET_WORD, "Zanzi bar"), time_limit=30),
    slider("sl", correct=SECRET_NUMBER, tolerance=0.5, time_limit=30),
    order("o", items=("one", "two", "three", "four", "five"), time_limit=30),
    poll("p", time_limit=30),
)
ANSWERS = {
    "single": 3,
    "multi": [1, 2],
    "truefalse": 1,
    "typed": SECRET_WORD.lower(),
    "slider": SECRET_NUMBER,
    "poll": 0,
}


def check_secret(payload: object) -> None:
    assert_no_solution(payload)
    text = json.dumps(payload)
    assert SECRET_WORD.lower() not in text.lower() and "zanzi bar" not in text.lower()
    assert "73.25" not in text


def test_phones_never_receive_the_solution_before_the_reveal(open_room):
    stage = open_room(DECK)
    phones = [stage.phone(name) for name in ("Ana", "Bo", "Cy")]
    for ack in (p.acks[0] for p in phones):
        check_secret(ack)
    stage.do("host:start")
    for index, question in enumerate(stage.engine.questions):
        received = []
        for phone in phones:
            received += phone.pull()
        state = [m["data"] for m in received if m["name"] == "state"][-1]
        assert state["phase"] == "question" and state["index"] == index
        if question.kind == "order":
            shown = state["question"]["items"]
            assert [i["id"] for i in shown] == [0, 1, 2, 3, 4]
            assert [i["text"] for i in shown] != ["one", "two", "three", "four", "five"]
            value = question.solution()["order"]
        else:
            value = ANSWERS[question.kind]
        # the host fiddles with the question, one phone answers right, one reconnects
        for event, data in (
            ("host:pause", None),
            ("host:resume", None),
            ("host:add_time", None),
            ("host:settings", {"question_on_device": False}),
            ("host:settings", {"question_on_device": True}),
            ("host:lock", {"locked": True}),
        ):
            stage.do(event, data)
        stage.tick(1)
        ack = phones[0].answer(value)
        assert ack["ok"], ack
        check_secret(ack)
        phones[2].disconnect()
        back = stage.phone()
        resumed = back.join(token=phones[2].token)
        check_secret(resumed)
        phones[2] = back
        stage.do("host:lock", {"locked": False})
        stage.tick(1)
        for phone in phones:
            for message in phone.pull():
                received.append(message)
        for message in received:
            assert message["name"] == "state", message  # no `me` while answers are open
            check_secret(message["data"])

        stage.do("host:next")  # the reveal
        reveal = [m["data"] for m in phones[1].pull() if m["name"] == "state"][-1]
        assert reveal["phase"] == "reveal"
        if question.kind != "poll":
            assert reveal["reveal"]["solution"] == question.solution()
        me = phones[0].last("me")
        assert me["last_result"]["correct"] is (None if question.kind == "poll" else True)
        if question.scored:
            stage.do("host:next")  # the leaderboard
        for phone in phones:
            phone.pull()  # what came with the reveal and the leaderboard may show the solution
        stage.do("host:next")  # the next question, or the end
    assert stage.engine.phase == "ended"


def test_the_stage_gets_no_solution_either_before_the_reveal(open_room):
    stage = open_room(DECK)
    stage.phone("Ana")
    stage.do("host:start")
    for _ in range(3):
        stage.tick(1)
    for message in stage.host.pull():
        assert message["name"] in ("state", "lobby", "progress")
        if message["name"] == "state":
            check_secret(message["data"])
