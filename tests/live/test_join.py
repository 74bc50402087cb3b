"""Joining, resuming by token, locking, removing: through the Socket.IO handlers."""

from __future__ import annotations

import pytest

from tests.conftest import sample_deck


def test_join_acks_with_token_state_and_me(stage):
    phone = stage.phone()
    ack = phone.join("  Ana  ")
    assert ack["ok"] and ack["resumed"] is False
    assert len(ack["token"]) >= 24
    assert ack["state"]["phase"] == "lobby" and ack["state"]["code"] == stage.code
    assert ack["me"] == {
        "id": 1,
        "nickname": "Ana",
        "score": 0,
        "streak": 0,
        "rank": 1,
        "participants": 1,
        "answered_current": False,
        "last_result": None,
        "activity": None,
    }
    row = stage.participants()[0]
    assert (row["number"], row["nickname"], row["score"]) == (1, "Ana", 0)
    assert row["token_hash"] != ack["token"]  # only a hash of the token is stored


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"code": "000000", "nickname": "Ana"}, "room_not_found"),
        ({"code": "12345", "nickname": "Ana"}, "bad_code"),
        ({"nickname": "Ana"}, "bad_code"),
        ({"code": None, "nickname": "Ana"}, "bad_code"),
    ],
)
def test_join_needs_a_live_room(stage, data, code):
    ack = stage.phone().emit("join", data)
    assert ack["ok"] is False and ack["error"]["code"] == code
    assert stage.participants() == []


def test_nicknames_are_unique_and_cleaned(stage):
    stage.phone("Ana")
    for taken in ("ana", " ANA ", "A\u200bna"):
        ack = stage.phone().join(taken)
        assert ack["error"]["code"] == "nickname_taken", taken
    for bad in ("", "   ", "x" * 21, "\x00\x07"):
        assert stage.phone().join(bad)["error"]["code"] == "bad_nickname", bad
    assert stage.phone().join("Bob\u202e\n")["me"]["nickname"] == "Bob"
    assert [r["nickname"] for r in stage.participants()] == ["Ana", "Bob"]


def test_resume_by_token_keeps_score_and_streak(stage):
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    assert ana.answer(0)["ok"] and bo.answer(1)["ok"]  # both answered: the reveal comes
    stage.do("host:next")  # leaderboard
    stage.do("host:next")  # question 1
    ana.answer(0)
    me_before = stage.engine.personal_view(ana.id)
    ana.disconnect()
    stage.tick()
    lobby = stage.host.last("lobby")
    assert {"id": ana.id, "nickname": "Ana", "connected": False} in lobby["participants"]

    again = stage.phone()
    ack = again.join(token=ana.token)
    assert ack["ok"] and ack["resumed"] is True and ack["token"] == ana.token
    assert ack["me"]["id"] == ana.id and ack["me"]["score"] == 1000 and ack["me"]["streak"] == 1
    assert ack["me"]["answered_current"] is True and ack["me"] == me_before
    assert ack["state"]["phase"] == "question" and ack["state"]["index"] == 1
    assert again.answer(0)["error"]["code"] == "already_answered"
    stage.tick()
    assert {"id": ana.id, "nickname": "Ana", "connected": True} in stage.host.last("lobby")["participants"]
    bo.answer(0)  # everyone answered: the reveal reaches the new connection
    me = again.last("me")
    assert me["score"] == 1000 + 1100 and me["streak"] == 2 and me["last_result"]["points"] == 1100
    assert len(stage.participants()) == 2


def test_resume_while_another_connection_is_still_open(stage):
    ana = stage.phone("Ana")
    second = stage.phone()
    assert second.join(token=ana.token)["resumed"] is True
    stage.do("host:start")
    # both of Ana's phones get her personal messages; answering from one is enough
    assert second.answer(0)["ok"]
    assert ana.last("me")["score"] == second.last("me")["score"] == 1000
    ana.disconnect()
    stage.tick()
    assert stage.host.last("lobby")["participants"][0]["connected"] is True  # still there through `second`


def test_unknown_token(stage):
    phone = stage.phone()
    assert phone.join(token="not-a-token")["error"]["code"] == "unknown_token"
    ack = phone.join("Ana", token="not-a-token")  # a stale token plus a nickname: a fresh join
    assert ack["ok"] and ack["resumed"] is False and ack["token"] != "not-a-token"


def test_a_retried_join_with_the_phones_own_token_resumes_instead_of_clashing(stage):
    """The phone proposes its token; if the first ack is lost, the retry finds it."""
    token = "f" * 48
    first = stage.phone()
    ack = first.join("Ana", token=token)
    assert ack["ok"] and ack["token"] == token and ack["resumed"] is False
    retry = stage.phone()  # the same phone on a new connection, same payload
    again = retry.join("Ana", token=token)
    assert again["ok"] and again["resumed"] is True and again["me"]["id"] == ack["me"]["id"]
    assert len(stage.engine.participants) == 1


def test_a_short_client_token_is_replaced_by_a_server_one(stage):
    ack = stage.phone().join("Ana", token="short")
    assert ack["ok"] and ack["token"] != "short" and len(ack["token"]) >= 32


def test_a_token_only_opens_its_own_room(open_room):
    first, second = open_room(), open_room()
    ana = first.phone("Ana")
    ack = second.phone().join(token=ana.token)
    assert ack["error"]["code"] == "unknown_token"


def test_lock_refuses_new_joins_but_allows_rejoin(stage):
    ana = stage.phone("Ana")
    stage.do("host:lock", {"locked": True})
    assert stage.host.last("state")["locked"] is True
    assert ana.last("state")["locked"] is True
    assert stage.phone().join("Bo")["error"]["code"] == "room_locked"
    ana.disconnect()
    assert stage.phone().join(token=ana.token)["resumed"] is True
    stage.do("host:lock", {"locked": False})
    assert stage.phone().join("Bo")["ok"]
    assert [r["nickname"] for r in stage.participants()] == ["Ana", "Bo"]


def test_a_removed_participant_is_told_disconnected_and_cannot_come_back(stage):
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.do("host:start")
    ana.answer(0)
    stage.do("host:remove", {"participant": ana.id})
    assert not ana.connected()
    assert [m for m in ana.pull() if m["name"] == "removed"] == [
        {"name": "removed", "data": {"reason": "removed by the host"}}
    ]
    assert stage.participants()[0]["removed"]
    # their answer to the open question stays stored but no longer counts
    assert [(a["participant_number"], a["voided"]) for a in stage.answers()] == [(ana.id, 1)]
    assert stage.phone().join(token=ana.token)["error"]["code"] == "removed"
    ack = stage.phone().join("Ana")  # the name is free again: a new participant with no score
    assert ack["ok"] and ack["me"]["id"] == 3
    # a removed participant does not hold the question open
    bo.answer(0)
    assert stage.engine.phase == "question"  # the new "Ana" has not answered
    assert stage.command("host:remove", {"participant": ana.id})["error"]["code"] == "unknown_participant"


def test_join_after_the_end_and_resume_after_the_end(stage):
    ana = stage.phone("Ana")
    stage.do("host:end")
    assert stage.phone().join("Late")["error"]["code"] == "room_ended"
    ack = stage.phone().join(token=ana.token)
    assert ack["ok"] and ack["state"]["phase"] == "ended" and ack["me"]["summary"]["questions"] == 3


def test_one_connection_joins_once(stage, open_room):
    phone = stage.phone("Ana")
    assert phone.join("Bo")["error"]["code"] == "already_joined"
    assert phone.join(token=phone.token)["resumed"] is True  # the same person again is fine
    other = open_room(sample_deck(1))
    assert phone.join("Ana", code=other.code)["error"]["code"] == "already_joined"
    assert phone.emit("host:attach", {"code": stage.code, "key": stage.key})["error"]["code"] == "already_joined"
    assert len(stage.participants()) == 1
    assert stage.host.emit("join", {"code": stage.code, "nickname": "Host"})["error"]["code"] == "already_joined"


def test_a_disconnected_phone_is_not_waited_for(stage):
    ana, bo, cy = stage.phone("Ana"), stage.phone("Bo"), stage.phone("Cy")
    stage.do("host:start")
    ana.answer(0)
    bo.answer(0)
    cy.disconnect()
    assert stage.engine.phase == "reveal"
    assert stage.participants()[0]["score"] == 1000  # scores were stored with the reveal
