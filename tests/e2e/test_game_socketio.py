"""The spine: a real server (eventlet subprocess, temp SQLite), one host and 24 phones on
real python-socketio websocket clients play a five-question deck to the podium.

What each phone saw (`me`) must match what the database holds, a phone that drops and
comes back keeps its score and streak, and late, duplicate and malformed answers are
refused. The host closes questions with host:next, except one that the timer closes.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

from tests.e2e.players import HostClient, PlayerClient, join_all

PLAYERS = 24
NEVER_ANSWERS_Q1 = 23
DROPS_AT_Q3 = 4
MALFORMED = 8
SKIP_TIMER_QUESTION = (20, 21, 22)  # they let the timer run out on question 2
LATE = 22

DECK = {
    "format": "quizroom.deck",
    "version": 1,
    "title": "End-to-end game",
    "questions": [
        {
            "uid": "capital",
            "type": "single",
            "text": "Capital of Norway?",
            "time_limit": 20,
            "points": 1000,
            "choices": [
                {"text": "Oslo", "correct": True},
                {"text": "Bergen"},
                {"text": "Trondheim"},
                {"text": "Stavanger"},
            ],
        },
        {
            "uid": "primes",
            "type": "multi",
            "text": "Which are prime?",
            "time_limit": 20,
            "points": 2000,
            "choices": [{"text": "2", "correct": True}, {"text": "3", "correct": True}, {"text": "4"}, {"text": "9"}],
        },
        {"uid": "flat", "type": "truefalse", "text": "The earth is flat.", "time_limit": 5, "correct": False},
        {
            "uid": "hamlet",
            "type": "typed",
            "text": "Who wrote Hamlet?",
            "time_limit": 20,
            "accepted": ["Shakespeare", "William Shakespeare"],
        },
        {
            "uid": "boiling",
            "type": "slider",
            "text": "Water boils at?",
            "time_limit": 20,
            "min": 0,
            "max": 200,
            "step": 1,
            "correct": 100,
            "tolerance": 2,
            "unit": "°C",
        },
    ],
}


def plan(player: int, question: int) -> tuple[object, bool | None]:
    """(value to send, expected `correct`); value None: this phone does not answer."""
    if question == 0:
        return (1, False) if player % 4 == 3 else (0, True)
    if question == 1:
        if player == NEVER_ANSWERS_Q1:
            return None, False
        if player % 5 == 0:
            return [0], False  # half the right choices: half the points, not "correct"
        if player % 5 == 1:
            return [0, 2], False  # a wrong choice: nothing
        return [1, 0], True
    if question == 2:
        if player in SKIP_TIMER_QUESTION:
            return None, False
        return (0, False) if player % 3 == 0 else (1, True)
    if question == 3:
        if player % 6 == 1:
            return "Marlowe", False
        return (" shakespeare ", True) if player % 2 == 0 else ("WILLIAM SHAKESPEARE", True)
    return {0: (101, True), 1: (150, False), 2: (100, True)}[player % 3]


def competition_ranks(scores: dict[int, int]) -> dict[int, int]:
    return {pid: 1 + sum(1 for other in scores.values() if other > score) for pid, score in scores.items()}


def query(db_path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(sql, params).fetchall()


async def play(server, room: dict) -> dict:
    url, code, room_id = server.url, room["code"], room["room_id"]
    host = HostClient(url, code, room["host_key"])
    await host.connect()
    attached = await host.attach()
    assert attached["ok"] and attached["state"]["phase"] == "lobby", attached

    # ------------------------------------------------------------------ join
    phones = await join_all(url, code, [f"Player {i:02d}" for i in range(PLAYERS)])
    assert sorted(p.join_ack["me"]["id"] for p in phones) == list(range(1, PLAYERS + 1))
    lobby = await host.wait_lobby(PLAYERS)
    assert lobby["count"] == PLAYERS and all(p["connected"] for p in lobby["participants"])

    # who may do what: checked on the real server
    intruder = HostClient(url, code, "0" * 40, name="intruder")
    await intruder.connect()
    assert (await intruder.attach())["error"]["code"] == "not_host"
    assert (await intruder.command("start"))["error"]["code"] == "not_host"
    assert (await phones[0].call("host:start"))["error"]["code"] == "not_host"
    assert (await intruder.call("join", {"code": code, "nickname": 5}))["error"]["code"] == "bad_nickname"
    assert (await intruder.call("join", {"code": code, "nickname": "Player 00"}))["error"]["code"] == "nickname_taken"
    await intruder.sio.emit("join", {"code": code, "nickname": "x" * 100_000})  # over the 64 KiB limit
    await intruder.wait_for("disconnect")  # dropped by the transport, no ack, no traceback

    accepted = 0
    results: dict[int, dict[int, dict]] = {i: {} for i in range(PLAYERS)}

    async def answer(i: int, phone: PlayerClient, question: int, delay: float) -> None:
        nonlocal accepted
        value, _ = plan(i, question)
        if value is None:
            return
        await asyncio.sleep(delay)  # phones answer at different moments
        ack = await phone.answer(question, value)
        assert ack["ok"], (i, question, ack)
        assert ack["question"] == question and ack["response_ms"] >= 0
        accepted += 1

    async def collect(question: int) -> None:
        mes = await asyncio.gather(*(phone.wait_result(question) for phone in phones))
        for i, me in enumerate(mes):
            results[i][question] = me

    async def open_next(index: int, first: bool = False) -> None:
        marks = [p.mark() for p in phones]
        await host.must("start" if first else "next")
        states = await asyncio.gather(
            *(p.wait_phase("question", index, since=m) for p, m in zip(phones, marks, strict=True))
        )
        for state in states:
            question = state["question"]
            assert state["reveal"] is None and "correct" not in json.dumps(question)
            assert question["uid"] == DECK["questions"][index]["uid"]

    async def to_leaderboard() -> None:
        mark = host.mark()
        await host.must("next")
        board = await host.wait_phase("leaderboard", since=mark)
        assert len(board["leaderboard"]) == 5

    # ------------------------------------------------- question 0: everyone answers
    await open_next(0, first=True)
    bad = phones[MALFORMED]
    for payload in (
        "junk",
        [0, 0],
        {"question": 0, "value": 0, "points": 9000},
        {"question": "0", "value": 0},
        {"question": 0, "value": 99},
        {"question": 0},
        ({"question": 0, "value": 0}, {"x": 1}),
    ):
        ack = await bad.call("answer", payload)
        assert ack["ok"] is False and ack["error"]["code"] in ("bad_payload", "bad_answer"), (payload, ack)
    first = await phones[1].answer(0, 0)
    assert first["ok"]
    rows = query(
        server.db_path, "SELECT points FROM answers WHERE room_id = ? AND participant_number = ?", room_id, phones[1].id
    )
    assert len(rows) == 1  # committed before it was acknowledged
    accepted += 1
    duplicate = await phones[1].answer(0, 1)
    assert duplicate["ok"] is False and duplicate["error"]["code"] == "already_answered"
    others = [answer(i, p, 0, (i % 6) * 0.04) for i, p in enumerate(phones) if i != 1]
    await asyncio.gather(*others)
    await collect(0)  # the last answer closed the question
    await to_leaderboard()

    # ------------------------------------------ question 1: one phone never answers
    await open_next(1)
    await asyncio.gather(*(answer(i, p, 1, (i % 5) * 0.03) for i, p in enumerate(phones)))
    progress = await host.wait_for("progress", lambda p: p["question"] == 1 and p["answered"] == PLAYERS - 1)
    assert progress["expected"] == PLAYERS
    await host.must("next")  # the host closes it
    await collect(1)
    await to_leaderboard()

    # ----------------------------------------------- question 2: the timer closes it
    await open_next(2)
    opened = time.monotonic()
    await asyncio.gather(*(answer(i, p, 2, (i % 4) * 0.05) for i, p in enumerate(phones)))
    await collect(2)
    assert 4.5 < time.monotonic() - opened < 8, "the 5 s timer closed the question"
    late = await phones[LATE].answer(2, 1)
    assert late["ok"] is False and late["error"]["code"] == "question_closed"
    await to_leaderboard()

    # ---------------------------- question 3: a phone drops and comes back mid-question
    await open_next(3)
    before = results[DROPS_AT_Q3][2]
    old = phones[DROPS_AT_Q3]
    await old.disconnect()
    back, resumed = await PlayerClient.resume(url, code, old.token, name="Player 04 again")
    assert resumed["ok"] and resumed["resumed"], resumed
    assert resumed["me"]["id"] == old.id and resumed["me"]["score"] == before["score"]
    assert resumed["me"]["streak"] == before["streak"] and resumed["me"]["answered_current"] is False
    assert resumed["state"]["phase"] == "question" and resumed["state"]["index"] == 3
    phones[DROPS_AT_Q3] = back
    await answer(DROPS_AT_Q3, back, 3, 0)  # the still-open question
    await asyncio.gather(*(answer(i, p, 3, (i % 3) * 0.05) for i, p in enumerate(phones) if i != DROPS_AT_Q3))
    await collect(3)
    await to_leaderboard()

    # --------------------------------------------------- question 4, then the podium
    await open_next(4)
    await asyncio.gather(*(answer(i, p, 4, (i % 6) * 0.03) for i, p in enumerate(phones)))
    await collect(4)
    await to_leaderboard()
    marks = [p.mark() for p in phones]
    await host.must("next")
    final_state = await host.wait_phase("ended")
    finals = await asyncio.gather(
        *(p.wait_for("me", lambda me: "summary" in me, since=m) for p, m in zip(phones, marks, strict=True))
    )
    ended_states = await asyncio.gather(*(p.wait_phase("ended") for p in phones))
    assert all(s["podium"] == final_state["podium"] for s in ended_states)
    assert (await phones[0].answer(4, 100))["error"]["code"] == "question_closed"

    for client in [host, *phones]:
        await client.disconnect()
    return {
        "results": results,
        "finals": finals,
        "podium": final_state["podium"],
        "accepted": accepted,
        "phones": [p.id for p in phones],
    }


def test_a_full_game_over_real_sockets(live_server):
    started = time.monotonic()
    room = live_server.start_room(DECK)
    outcome = asyncio.run(asyncio.wait_for(play(live_server, room), timeout=60))
    room_id = room["room_id"]
    db = live_server.db_path

    scores = dict(query(db, "SELECT number, score FROM participants WHERE room_id = ?", room_id))
    sums = dict(
        query(
            db,
            "SELECT participant_number, SUM(points) FROM answers WHERE room_id = ? AND NOT voided "
            "GROUP BY participant_number",
            room_id,
        )
    )
    assert len(scores) == PLAYERS
    assert all(scores[pid] == sums.get(pid, 0) for pid in scores), (scores, sums)
    (count,) = query(db, "SELECT COUNT(*) FROM answers WHERE room_id = ?", room_id)[0]
    assert count == outcome["accepted"]
    assert query(db, "SELECT live FROM rooms WHERE id = ?", room_id) == [(0,)]

    ranks = competition_ranks(scores)
    for i, (pid, final) in enumerate(zip(outcome["phones"], outcome["finals"], strict=True)):
        assert final["id"] == pid
        assert final["score"] == scores[pid], (i, final, scores[pid])
        assert final["rank"] == ranks[pid], (i, final, ranks[pid])
        seen = outcome["results"][i]
        assert sum(me["last_result"]["points"] for me in seen.values()) == scores[pid]
        assert seen[4]["score"] == scores[pid]
        for question, me in seen.items():
            value, correct = plan(i, question)
            assert me["last_result"]["answered"] is (value is not None), (i, question, me)
            assert me["last_result"]["correct"] is correct, (i, question, me)
            if not correct:
                assert me["streak"] == 0
        partial = seen[1]["last_result"]
        if i % 5 == 0 and i != NEVER_ANSWERS_Q1:
            assert 0 < partial["points"] <= 1000  # half of 2000 at most
        answered = sum(1 for q in range(5) if plan(i, q)[0] is not None)
        assert final["summary"]["answered"] == answered
        assert final["summary"]["correct"] == sum(1 for q in range(5) if plan(i, q)[1])
        assert final["summary"]["questions"] == 5

    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:3]
    assert [(p["id"], p["score"], p["rank"]) for p in outcome["podium"]] == [
        (pid, score, ranks[pid]) for pid, score in best
    ]
    log = live_server.log()
    assert "Traceback" not in log, log[-3000:]
    assert time.monotonic() - started < 40
