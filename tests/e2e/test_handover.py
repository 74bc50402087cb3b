"""Hand-over on a real server (docs/cohosts.md): the owner adds a colleague as co-host, the
colleague attaches from their presenter view (signed in, with their own key), and the room
is handed over mid-question. Phones notice nothing: no message, no disconnect; answers
before and after it all count, and every score equals what the same answers give in a
room that was never handed over (the engine replayed from the stored answers).
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from datetime import UTC, datetime

from werkzeug.security import generate_password_hash

from quizroom.engine import Room, parse_deck
from tests.conftest import TRAINER_PASSWORD
from tests.e2e.players import HostClient, PlayerClient, join_all

PLAYERS = 6
COHOST_EMAIL = "bo@example.com"
DECK = {
    "format": "quizroom.deck",
    "version": 1,
    "title": "Hand-over",
    "questions": [
        {
            "uid": f"h{i}",
            "type": "single",
            "text": f"Question {i}?",
            "notes": f"Presenter note {i}",
            "time_limit": 30,
            "choices": [{"text": "right", "correct": True}, {"text": "wrong"}],
        }
        for i in range(3)
    ],
}


def query(db_path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(sql, params).fetchall()


def add_colleague(db_path) -> None:
    """Bo, a trainer of the owner's workspace (the owner is account 1)."""
    with sqlite3.connect(db_path, timeout=10) as connection:
        connection.execute(
            "INSERT INTO trainers (email, name, password_hash, created_at, workspace_id, role) "
            "SELECT ?, 'Bo Cohost', ?, ?, workspace_id, 'trainer' FROM trainers WHERE id = 1",
            (COHOST_EMAIL, generate_password_hash(TRAINER_PASSWORD), datetime.now(UTC).isoformat(" ")),
        )


def value_for(player: int, question: int) -> int:
    return 1 if (player + question) % 3 == 0 else 0  # some wrong answers break streaks


async def play(server, room: dict, cohost_key: str) -> dict:
    url, code = server.url, room["code"]
    owner = HostClient(url, code, room["host_key"], name="owner")
    bo = HostClient(url, code, cohost_key, name="bo")
    await owner.connect()
    await bo.connect()
    assert (await owner.attach())["ok"]
    attached = await bo.call("host:attach", {"code": code, "key": cohost_key, "view": "presenter"})
    assert attached["ok"] and attached["team"]["presenter"]["name"] != "Bo Cohost", attached
    assert attached["presenter"]["next"]["notes"] == "Presenter note 0"
    phones = await join_all(url, code, [f"Player {i}" for i in range(PLAYERS)])
    await owner.wait_lobby(PLAYERS)

    async def answer(i: int, phone: PlayerClient, question: int) -> None:
        await asyncio.sleep(0.05 * (i % 3))  # different response times, so different points
        ack = await phone.answer(question, value_for(i, question))
        assert ack["ok"], (i, question, ack)

    async def question(host: HostClient, index: int, who: range) -> None:
        marks = [p.mark() for p in phones]
        await host.must("start" if index == 0 else "next")
        await asyncio.gather(*(p.wait_phase("question", index, since=m) for p, m in zip(phones, marks, strict=True)))
        await asyncio.gather(*(answer(i, phones[i], index) for i in who))

    async def to_leaderboard(host: HostClient, index: int) -> None:
        await asyncio.gather(*(p.wait_result(index) for p in phones))  # everyone answered: the reveal
        mark = host.mark()
        await host.must("next")
        await host.wait_phase("leaderboard", index, since=mark)

    # Question 0: the owner presents.
    await question(owner, 0, range(PLAYERS))
    await to_leaderboard(owner, 0)

    # Question 1: opened by the owner, half the answers, hand-over, the other half.
    await question(owner, 1, range(PLAYERS // 2))
    await bo.wait_for("presenter", lambda v: v["waiting"] and v["waiting"]["count"] == PLAYERS - PLAYERS // 2)
    marks = [p.mark() for p in phones]
    owner_mark, bo_mark = owner.mark(), bo.mark()
    ack = await owner.command("handover", {"trainer": attached["you"]})
    assert ack == {"ok": True}, ack
    for host, mark in ((owner, owner_mark), (bo, bo_mark)):  # the stage shows the new name
        await host.wait_for("hosts", lambda v: v["presenter"]["name"] == "Bo Cohost", since=mark)
    await asyncio.gather(*(answer(i, phones[i], 1) for i in range(PLAYERS // 2, PLAYERS)))
    await asyncio.gather(*(p.wait_result(1) for p in phones))
    for phone, mark in zip(phones, marks, strict=True):
        # Nothing but the reveal (its state, then `me`): the hand-over sent phones nothing.
        names = [name for name, _data in phone.received[mark:]]
        assert names == ["state", "me"], (phone.name, phone.received[mark:])
        assert phone.connected
    mark = bo.mark()
    await bo.must("next")
    await bo.wait_phase("leaderboard", 1, since=mark)

    # Question 2 and the podium: Bo presents.
    await question(bo, 2, range(PLAYERS))
    await to_leaderboard(bo, 2)
    mark = bo.mark()
    await bo.must("next")
    ended = await bo.wait_phase("ended", since=mark)
    finals = await asyncio.gather(*(p.wait_for("me", lambda me: "summary" in me) for p in phones))
    for client in (owner, bo, *phones):
        await client.disconnect()
    return {"podium": ended["podium"], "finals": {me["id"]: me["score"] for me in finals}}


def epoch(text: str) -> float:
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def replayed_scores(db_path, room_id: int) -> dict[int, int]:
    """The scores the same answers earn in a room nobody handed over: the engine, replayed."""
    snapshot = json.loads(query(db_path, "SELECT snapshot FROM rooms WHERE id = ?", room_id)[0][0])
    opened = {int(k): v for k, v in snapshot["opened_times"].items()}
    room = Room("000000", DECK["title"], parse_deck(DECK).questions)
    for _number, nickname in query(
        db_path, "SELECT number, nickname FROM participants WHERE room_id = ? ORDER BY number", room_id
    ):
        room.join(nickname, opened[0] - 1)
    rows = query(
        db_path,
        "SELECT question_index, participant_number, value, answered_at FROM answers WHERE room_id = ? ORDER BY id",
        room_id,
    )
    for index in range(3):
        room.next(opened[index])  # lobby -> question 0, leaderboard -> the next question
        for question, participant, value, at in rows:
            if question == index:
                room.answer(participant, index, json.loads(value)["v"], epoch(at))
        assert room.phase == "reveal"
        room.next(opened[index])  # the leaderboard
    return {p.id: p.score for p in room.participants.values()}


def test_handover_mid_question_keeps_every_score(live_server):
    add_colleague(live_server.db_path)
    room = live_server.start_room(DECK)
    bo_http = live_server.session(COHOST_EMAIL, TRAINER_PASSWORD)
    assert bo_http.get(f"{live_server.url}/rooms/{room['code']}/presenter", timeout=10).status_code == 404

    async def run() -> dict:
        # Bo's key comes from the presenter page, once the owner has added Bo (inside play).
        owner = HostClient(live_server.url, room["code"], room["host_key"], name="setup")
        await owner.connect()
        assert (await owner.attach())["ok"]
        assert (await owner.command("cohost_add", {"email": COHOST_EMAIL})) == {"ok": True}
        await owner.disconnect()
        page = bo_http.get(f"{live_server.url}/rooms/{room['code']}/presenter", timeout=10)
        assert page.status_code == 200
        key = re.search(r'data-key="([0-9a-f]{40})"', page.text).group(1)
        return await play(live_server, room, key)

    outcome = asyncio.run(asyncio.wait_for(run(), timeout=60))
    db, room_id = live_server.db_path, room["room_id"]
    scores = dict(query(db, "SELECT number, score FROM participants WHERE room_id = ?", room_id))
    (answers,) = query(db, "SELECT COUNT(*) FROM answers WHERE room_id = ? AND NOT voided", room_id)[0]
    assert answers == 3 * PLAYERS  # before and after the hand-over, every answer counts
    assert scores == replayed_scores(db, room_id) == outcome["finals"]
    assert [(p["id"], p["score"]) for p in outcome["podium"]] == sorted(
        scores.items(), key=lambda item: (-item[1], item[0])
    )[:3]
    [(position, to_name)] = query(
        db,
        "SELECT h.position, t.name FROM room_handovers h JOIN trainers t ON t.id = h.to_trainer_id WHERE room_id = ?",
        room_id,
    )
    assert (position, to_name) == (1, "Bo Cohost")
    assert "Traceback" not in live_server.log()
