"""A server restart mid-question: the room comes back from the database, phones resume
by token with their score and streak, and acknowledged answers still count."""

from __future__ import annotations

from quizroom import create_app
from tests.live.conftest import Phone, Stage


def restarted(stage: Stage, tmp_path, clock) -> Stage:
    """A second app on the same database and secret (the first one is simply abandoned)."""
    app = create_app(
        {
            **{k: stage.app.config[k] for k in ("DATABASE_URL", "INSTANCE_DIR", "SECRET_KEY")},
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": clock,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    live = app.extensions["quizroom.live"]
    return Stage(app, clock, live.rooms[stage.code], stage.key)


def test_restart_mid_question(stage, tmp_path, clock):
    ana, bo, cy = stage.phone("Ana"), stage.phone("Bo"), stage.phone("Cy")
    stage.do("host:start")
    for phone in (ana, bo, cy):
        phone.answer(0)
    stage.do("host:next"), stage.do("host:next")  # leaderboard, question 1
    clock.advance(2)
    assert ana.answer(0)["ok"]  # acknowledged, so stored
    clock.advance(1)
    stage.do("host:pause")

    again = restarted(stage, tmp_path, clock)
    try:
        engine = again.engine
        assert engine.phase == "question" and engine.index == 1 and engine.paused
        assert set(engine.current) == {ana.id}
        phones = {}
        for old in (ana, bo, cy):
            phone = Phone(again.app, again.code, again)
            ack = phone.join(token=old.token)
            assert ack["ok"] and ack["resumed"], ack
            assert ack["me"]["score"] == 1000 and ack["me"]["streak"] == 1
            phones[old.id] = phone
        assert phones[ana.id].acks[0]["me"]["answered_current"] is True
        assert again.attached["state"]["remaining_ms"] == 17000
        again.do("host:resume")
        assert phones[ana.id].answer(1)["error"]["code"] == "already_answered"
        clock.advance(1)
        assert phones[bo.id].answer(0)["response_ms"] == 4000  # the pause stays out of it
        assert phones[cy.id].answer(2)["ok"]  # everyone answered: reveal
        assert engine.phase == "reveal"
        scores = {r["number"]: (r["score"], r["streak"]) for r in again.participants()}
        assert scores == {ana.id: (1000 + 950 + 100, 2), bo.id: (1000 + 900 + 100, 2), cy.id: (1000, 0)}
    finally:
        again.app.extensions["quizroom.db"].dispose()


def test_an_ended_room_is_not_restored(stage, tmp_path, clock):
    stage.phone("Ana")
    stage.do("host:end")
    app = create_app(
        {
            **{k: stage.app.config[k] for k in ("DATABASE_URL", "INSTANCE_DIR", "SECRET_KEY")},
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": clock,
            "TESTING": True,
        }
    )
    try:
        assert app.extensions["quizroom.live"].rooms == {}
    finally:
        app.extensions["quizroom.db"].dispose()


def test_first_phone_back_after_a_restart_does_not_close_the_question(tmp_path, clock):
    """Everyone is "disconnected" in a rebuilt room; one early answer must not count as all."""
    from quizroom import create_app
    from tests.conftest import socket_client

    def build():
        return create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'grace.db'}",
                "INSTANCE_DIR": str(tmp_path),
                "SECRET_KEY": "test-secret",
                "ASYNC_MODE": "threading",
                "START_TICKER": False,
                "CLOCK": clock,
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
            }
        )

    from quizroom import accounts
    from quizroom.engine import parse_deck
    from tests.conftest import sample_deck

    first = build()
    trainer = accounts.create_trainer(first, email="g@example.com", name="G", password="long enough")
    live, key = first.extensions["quizroom.live"].open_room(
        trainer_id=trainer.id, deck_id=None, title="Grace", activities=parse_deck(sample_deck(2)).questions
    )
    host = socket_client(first)
    assert host.emit("host:attach", {"code": live.code, "key": key}, callback=True)["ok"]
    tokens = []
    for name in ("Ann", "Ben", "Cal"):
        phone = socket_client(first)
        ack = phone.emit("join", {"code": live.code, "nickname": name}, callback=True)
        tokens.append(ack["token"])
    assert host.emit("host:start", callback=True)["ok"]

    second = build()  # "restart": the room is rebuilt from the database
    service = second.extensions["quizroom.live"]
    phone = socket_client(second)
    assert phone.emit("join", {"code": live.code, "token": tokens[0]}, callback=True)["resumed"]
    clock.advance(1)
    assert phone.emit("answer", {"question": 0, "value": 0}, callback=True)["ok"]
    service.tick()
    assert service.rooms[live.code].engine.phase == "question"  # still open for Ben and Cal
    others = [socket_client(second) for _ in tokens[1:]]
    for other, token in zip(others, tokens[1:], strict=True):
        assert other.emit("join", {"code": live.code, "token": token}, callback=True)["resumed"]
        assert other.emit("answer", {"question": 0, "value": 1}, callback=True)["ok"]
    clock.advance(20)  # the hold is over; everyone back has answered
    service.tick()
    assert service.rooms[live.code].engine.phase == "reveal"


def test_after_a_restart_during_the_reveal_each_phone_gets_its_result_card_back(stage, tmp_path, clock):
    ana, bo, cy = stage.phone("Ana"), stage.phone("Bo"), stage.phone("Cy")
    stage.do("host:start")
    clock.advance(3)
    assert ana.answer(0)["ok"] and bo.answer(1)["ok"]  # Cy does not answer
    stage.do("host:next")  # reveal
    before = {p.id: p.last("me")["last_result"] for p in (ana, bo, cy)}
    assert before[ana.id]["correct"] is True and before[bo.id]["correct"] is False
    assert before[cy.id]["answered"] is False
    again = restarted(stage, tmp_path, clock)
    for phone in (ana, bo, cy):
        back = Phone(again.app, again.code, again)
        ack = back.join(token=phone.token)
        assert ack["resumed"] and ack["me"]["last_result"] == before[phone.id], phone.id
    again.do("host:next")  # the leaderboard keeps showing it too
    assert again.engine.personal_view(ana.id)["last_result"] == before[ana.id]
