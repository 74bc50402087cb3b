"""Issue #8: SIGKILL the real server in the middle of a question while 200 phones are
answering, restart it on the same port and database, and check that nothing acknowledged
was lost and that everyone comes back where they were.

The phones and the stage use python-socketio's own reconnection (``AsyncClient(reconnection=
True)``); on every reconnect a phone sends ``join`` with its token, as play.js does, and the
stage sends ``host:attach`` with its key (docs/protocol.md, *Reconnection and resume*).
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sqlite3
import time
from typing import Any

import pytest
import socketio

from tests.conftest import LiveServer, start_server, start_trainer_server
from tests.e2e.players import HostClient, PlayerClient

PHONES = 200
KILL_AFTER_ACKS = 80  # SIGKILL once this many answers to the crash question are acknowledged
SILENT = set(range(190, PHONES))  # never answer the crash question: the host closes it
SEED = 8
CRASH_Q = 1
TIME_LIMIT = 30
RESUME_TIMEOUT = 40.0
ENV = {"QUIZROOM_JOIN_RATE_PER_IP": "0"}  # 200 phones from one address

DECK = {
    "format": "quizroom.deck",
    "version": 1,
    "title": "Crash deck",
    "questions": [
        {
            "uid": f"crash{i}",
            "type": "single",
            "text": f"Crash question {i}?",
            "time_limit": TIME_LIMIT,
            "points": 1000,
            "choices": [{"text": "right", "correct": True}, {"text": "wrong"}, {"text": "also wrong"}],
        }
        for i in range(3)
    ],
}


def choice(phone: int, question: int) -> int:
    return 1 if (phone + question) % 4 == 3 else 0


def query(db_path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(sql, params).fetchall()


class AutoRejoin:
    """Replaces the client's AsyncClient by one that reconnects by itself; on every
    reconnect, ``rejoin()`` runs (in a task: the connect handler runs in the read loop, which
    must stay free to receive the ack) and its ack is recorded as the pseudo-event ``rejoined``."""

    def _reconnecting(self) -> None:
        self.sio = socketio.AsyncClient(
            reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2.0, randomization_factor=0.5
        )
        self.sio.on("*", self._record)
        self.sio.on("disconnect", self._disconnected)
        self.sio.on("connect", self._connected)
        self.connects = 0
        self._tasks: set[asyncio.Task] = set()

    async def _connected(self) -> None:
        self.connects += 1
        if self.connects > 1:
            task = asyncio.create_task(self._rejoin())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _rejoin(self) -> None:
        try:
            ack = await self.rejoin()
        except Exception as error:  # recorded, so the test fails with it instead of hanging
            ack = {"ok": False, "error": {"code": "client", "message": repr(error)}}
        await self._record("rejoined", ack)


class Phone(AutoRejoin, PlayerClient):
    def __init__(self, url: str, code: str, *, name: str):
        super().__init__(url, code, name=name)
        self._reconnecting()

    async def rejoin(self) -> dict:
        return await self.join(token=self.token)


class Stage(AutoRejoin, HostClient):
    def __init__(self, url: str, code: str, key: str):
        super().__init__(url, code, key, name="host")
        self._reconnecting()

    async def rejoin(self) -> dict:
        return await self.attach()


async def join_phones(url: str, code: str) -> list[Phone]:
    async def one(i: int) -> Phone:
        phone = Phone(url, code, name=f"Phone {i:03d}")
        await phone.connect()
        ack = await phone.join(phone.name)
        assert ack.get("ok"), (phone.name, ack)
        return phone

    return list(await asyncio.gather(*(one(i) for i in range(PHONES))))


def db_scores(db_path, room_id: int, closed: int) -> dict[int, int]:
    """Each participant's score as the database says: points of non-voided answers to the
    questions closed so far (indexes < ``closed``)."""
    rows = query(
        db_path,
        "SELECT p.number, COALESCE(SUM(a.points), 0) FROM participants p LEFT JOIN answers a "
        "ON a.room_id = p.room_id AND a.participant_number = p.number AND NOT a.voided AND a.question_index < ? "
        "WHERE p.room_id = ? GROUP BY p.number",
        closed,
        room_id,
    )
    return dict(rows)


async def scenario(tmp_path, holder: dict) -> dict:
    server: LiveServer = holder["server"]
    room = server.start_room(DECK)
    url, code, room_id, db = server.url, room["code"], room["room_id"], server.db_path
    figures: dict[str, Any] = {"phones": PHONES}

    host = Stage(url, code, room["host_key"])
    await host.connect()
    assert (await host.attach())["ok"]
    phones = await join_phones(url, code)
    tokens = [p.token for p in phones]
    await host.wait_lobby(PHONES, timeout=30)

    # ------------------------------------------- question 0: everyone answers, reveal
    marks = [p.mark() for p in phones]
    await host.must("start")
    await asyncio.gather(*(p.wait_phase("question", 0, since=m) for p, m in zip(phones, marks, strict=True)))
    acks = await asyncio.gather(*(p.answer(0, choice(i, 0)) for i, p in enumerate(phones)))
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
    firsts = await asyncio.gather(*(p.wait_result(0, timeout=30) for p in phones))  # the last answer closed it
    assert any(me["score"] > 0 for me in firsts)
    mark = host.mark()
    await host.must("next")
    await host.wait_phase("leaderboard", since=mark)

    # ------------------------------------ question 1: SIGKILL while answers are in flight
    marks = [p.mark() for p in phones]
    await host.must("next")
    opened = time.monotonic()
    await asyncio.gather(
        *(p.wait_phase("question", CRASH_Q, since=m, timeout=30) for p, m in zip(phones, marks, strict=True))
    )
    rng = random.Random(SEED)
    # staggered over 2 s in bursts (slots of 0.25 s), so the kill lands while the server is busy
    delays = {i: round(rng.uniform(0.0, 2.0) * 4) / 4 for i in range(PHONES) if i not in SILENT}
    acked: dict[int, int] = {}  # phone -> value, for answers acknowledged ok before the kill
    enough = asyncio.Event()

    async def answer(i: int) -> None:
        await asyncio.sleep(delays[i])  # staggered phones, not synchronisation
        ack = await phones[i].answer(CRASH_Q, choice(i, CRASH_Q))
        assert ack["ok"], (i, ack)
        acked[i] = choice(i, CRASH_Q)
        if len(acked) >= KILL_AFTER_ACKS:
            enough.set()

    tasks = [asyncio.create_task(answer(i)) for i in delays]
    await asyncio.wait_for(enough.wait(), 20)
    marks = [p.mark() for p in phones]
    host_mark = host.mark()
    log_offset = server.log_path.stat().st_size
    server.stop(sig=signal.SIGKILL)
    killed = time.monotonic()
    for task in tasks:
        task.cancel()  # in flight or not sent yet: no ack
    # An ack that reached the client before the kill may still be waiting for its task to
    # resume: that task finishes now and counts (the server sent it, so it had committed).
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for outcome in outcomes:  # an acknowledged answer was ok; the rest were cut off
        assert outcome is None or isinstance(outcome, asyncio.CancelledError), outcome
    acked_before_kill = dict(acked)
    figures["answers in flight or not sent at the kill"] = len(delays) - len(acked_before_kill)
    figures["answers acked before kill"] = len(acked_before_kill)

    # ----------------------------------------------- restart on the same port and database
    server = holder["server"] = await asyncio.to_thread(
        start_server, tmp_path, extra_env=ENV, port=server.port, db_path=db
    )
    figures["time to restart (s)"] = round(time.monotonic() - killed, 2)
    assert query(db, "SELECT live FROM rooms WHERE id = ?", room_id) == [(1,)]

    rejoined = await asyncio.gather(
        *(p.wait_for("rejoined", since=m, timeout=RESUME_TIMEOUT) for p, m in zip(phones, marks, strict=True))
    )
    figures["time for all phones to resume (s)"] = round(time.monotonic() - killed, 2)
    attached = await host.wait_for("rejoined", since=host_mark, timeout=RESUME_TIMEOUT)
    assert attached["ok"] and attached["state"]["phase"] == "question" and attached["state"]["index"] == CRASH_Q

    rows = query(
        db,
        "SELECT participant_number, question_index, value, points FROM answers WHERE room_id = ?",
        room_id,
    )
    stored = {(pid, q): (value, points) for pid, q, value, points in rows}
    assert len(stored) == len(rows), "duplicate answers"
    by_pid = {p.id: i for i, p in enumerate(phones)}
    crash_stored = {
        by_pid[pid]: json.loads(value)["v"] for (pid, q), (value, _points) in stored.items() if q == CRASH_Q
    }
    lost = [i for i, value in acked_before_kill.items() if crash_stored.get(i) != value]
    figures["answers stored (crash question)"] = len(crash_stored)
    figures["lost"] = len(lost)
    assert not lost, [(i, acked_before_kill[i], crash_stored.get(i)) for i in lost]
    assert set(crash_stored) <= set(delays), "an answer from a phone that never sent one"
    figures["stored without an ack"] = len(set(crash_stored) - set(acked_before_kill))

    # every phone resumed with its token, on the reopened question, with its stored score
    scores = db_scores(db, room_id, closed=CRASH_Q)
    for i, (phone, ack) in enumerate(zip(phones, rejoined, strict=True)):
        assert ack["ok"] and ack["resumed"] and ack["token"] == tokens[i], (i, ack)
        state, me = ack["state"], ack["me"]
        assert state["phase"] == "question" and state["index"] == CRASH_Q, (i, state["phase"], state["index"])
        expected_ms = (TIME_LIMIT - (phone.received_at[phone.received.index(("rejoined", ack))] - opened)) * 1000
        assert abs(state["remaining_ms"] - expected_ms) < 2000, (i, state["remaining_ms"], expected_ms)
        assert me["id"] == phone.id and me["score"] == scores[phone.id] == firsts[i]["score"], (i, me, scores)
        assert me["answered_current"] is (i in crash_stored), (i, me["answered_current"])
        assert phone.connects >= 2

    # the phones whose answer was cut off send it again; the others' second try is refused
    retried = [i for i in delays if i not in crash_stored]
    acks = await asyncio.gather(*(phones[i].answer(CRASH_Q, choice(i, CRASH_Q)) for i in retried))
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
    if crash_stored:
        again = next(iter(crash_stored))
        refused = await phones[again].answer(CRASH_Q, choice(again, CRASH_Q))
        assert refused["error"]["code"] == "already_answered", refused
    figures["answers resent after resume"] = len(retried)

    # ------------------------------------------------ the host closes it: scores match the DB
    marks = [p.mark() for p in phones]
    host_mark = host.mark()
    await host.must("next")
    reveal = await host.wait_phase("reveal", CRASH_Q, since=host_mark)
    results = await asyncio.gather(*(p.wait_result(CRASH_Q, since=m) for p, m in zip(phones, marks, strict=True)))
    finals = db_scores(db, room_id, closed=CRASH_Q + 1)
    (answered,) = query(db, "SELECT COUNT(*) FROM answers WHERE room_id = ? AND question_index = ?", room_id, CRASH_Q)[
        0
    ]
    assert answered == len(delays), "every answering phone has exactly one stored answer"
    for i, (phone, me) in enumerate(zip(phones, results, strict=True)):
        assert me["score"] == finals[phone.id], (i, me, finals[phone.id])
        assert me["last_result"]["answered"] is (i not in SILENT)
    assert reveal["reveal"] is not None
    mark = host.mark()
    await host.must("next")
    board = await host.wait_phase("leaderboard", since=mark)
    best = sorted(finals.items(), key=lambda item: (-item[1], item[0]))[:5]
    assert [(p["id"], p["score"]) for p in board["leaderboard"]] == best
    assert dict(query(db, "SELECT number, score FROM participants WHERE room_id = ?", room_id)) == finals

    after = server.log_path.read_bytes()[log_offset:].decode(errors="replace")
    assert "Traceback" not in after, after[-3000:]
    assert "restored 1 live room(s) from the database" in after, after[-3000:]
    for client in [host, *phones]:
        await client.disconnect()
    return figures


@pytest.mark.timeout(180)
def test_sigkill_mid_question_loses_no_acknowledged_answer(tmp_path):
    started = time.monotonic()
    holder = {"server": start_trainer_server(tmp_path, extra_env=ENV)}
    try:
        figures = asyncio.run(asyncio.wait_for(scenario(tmp_path, holder), timeout=150))
    finally:
        holder["server"].stop()
    figures["whole test (s)"] = round(time.monotonic() - started, 1)
    print("\ncrash figures: " + ", ".join(f"{k}: {v}" for k, v in figures.items()))
