"""A whole workshop agenda on a real server (eventlet subprocess, temp SQLite): one host and
24 python-socketio phones run a poll, a word cloud, a board (notes, a group, dot voting),
a quiz question and the default pulse survey.

Everything a phone sent and got acknowledged must be exactly what the database holds
(the submissions table and GET /api/rooms/<id>/results), the phones' last `activity`
views must show the final aggregates, and the `activity` broadcasts stay within the
ticker's coalescing limit (one per tick, ticks every 0.25 s) while every phone votes at
once. The broadcast counts and the vote-ack latencies are printed, not asserted.
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import time
import unicodedata
from collections import Counter, defaultdict

from quizroom.engine.plan import default_survey
from tests.e2e.players import HostClient, PlayerClient, ProtocolClient, join_all

PHONES = 24
TICKS_PER_SECOND = 4  # QUIZROOM_TICK_SECONDS = 0.25
OPTIONS = ["Monday", "Wednesday", "Friday", "Never"]
COLUMNS = ["Keep", "Change"]
SURVEY = default_survey("pulse")
PLAN = {
    "format": "quizroom.plan",
    "version": 1,
    "title": "Release retro",
    "description": "End-to-end agenda",
    "activities": [
        {"kind": "poll", "uid": "train", "type": "single", "text": "Which release day?", "options": OPTIONS},
        {"kind": "poll", "uid": "mood", "type": "wordcloud", "text": "One word for the last release", "max_entries": 2},
        {"kind": "board", "uid": "retro", "prompt": "What should we keep or change?", "columns": COLUMNS},
        {
            "kind": "question",
            "uid": "q-ci",
            "type": "single",
            "text": "What does CI stand for?",
            "time_limit": 30,
            "points": 1000,
            "choices": [{"text": "Continuous integration", "correct": True}, {"text": "Code inspection"}],
        },
        SURVEY,
    ],
}
POLL, CLOUD, BOARD, QUIZ, PULSE = range(5)


POLL_ROUNDS = 8  # every phone changes its vote this many times (under the 10-in-10-s rate limit)
PACE = 0.1  # seconds between two rounds of a burst, so that it spans several ticks


def poll_votes(i: int) -> list[int]:
    """What phone i sends to the poll, in order (the last one stands)."""
    final = (i * 7) % 11 % 4
    return [(final + i + k) % 4 for k in range(POLL_ROUNDS - 1, 0, -1)] + [final]


def cloud_entries(i: int) -> list[str]:
    word = {0: "Fun", 1: "Fun", 2: "Fun", 3: "fun", 4: "FUN ", 5: "Teamwork", 6: "Teamwork", 7: "Café"}[i % 8]
    return [word, "cafe"] if i % 6 == 0 else [word]


def survey_answers(i: int) -> list[dict]:
    first = {"session": 1 + i % 5, "trainer": 5 - i % 3, "use": f"Use {i}"}
    return [first, {"session": 5, "comment": "Changed my mind"}] if i % 4 == 0 else [first]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def query(db_path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(sql, params).fetchall()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


class Burst:
    """`activity` events each client received from `start` until the final aggregate."""

    def __init__(self, name: str, clients: list[ProtocolClient]):
        self.name = name
        self.clients = clients
        self.marks = [c.mark() for c in clients]
        self.start = time.monotonic()
        self.latencies: list[float] = []

    async def call(self, coroutine):
        sent = time.monotonic()
        ack = await coroutine
        self.latencies.append(time.monotonic() - sent)
        return ack

    def check(self) -> dict:
        """Per audience: no more events than ticks in the window (+1)."""
        counts = []
        for client, mark in zip(self.clients, self.marks, strict=True):
            arrivals = client.arrivals("activity", since=mark)
            assert arrivals, f"{client.name} got no activity event in the {self.name} burst"
            seconds = arrivals[-1] - self.start
            limit = math.ceil(seconds * TICKS_PER_SECOND) + 1
            per_second = Counter(int(at - self.start) for at in arrivals)
            assert len(arrivals) <= limit, (self.name, client.name, len(arrivals), seconds)
            counts.append((client.name, len(arrivals), seconds, max(per_second.values())))
        host = counts[0]
        phones = counts[1:]
        print(
            f"\n[{self.name}] {len(self.latencies)} acks: p50 {percentile(self.latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(self.latencies, 0.99) * 1000:.1f} ms, max {max(self.latencies) * 1000:.1f} ms; "
            f"activity events: host {host[1]} in {host[2]:.2f} s (max {host[3]}/s), phones "
            f"{min(p[1] for p in phones)}-{max(p[1] for p in phones)} each in up to "
            f"{max(p[2] for p in phones):.2f} s (max {max(p[3] for p in phones)}/s)"
        )
        return {
            "host": host[1],
            "phones": max(p[1] for p in phones),
            "seconds": host[2],
            "p50_ms": percentile(self.latencies, 0.5) * 1000,
            "p99_ms": percentile(self.latencies, 0.99) * 1000,
        }


async def run(server, room: dict) -> dict:
    url, code = server.url, room["code"]
    host = HostClient(url, code, room["host_key"])
    await host.connect()
    assert (await host.attach())["ok"]
    phones = await join_all(url, code, [f"Phone {i:02d}" for i in range(PHONES)])
    await host.wait_lobby(PHONES)
    audience: list[ProtocolClient] = [host, *phones]
    stored: list[tuple] = []  # (participant, position, action, record) of every acknowledged response
    measured: dict[str, dict] = {}

    async def everyone_at(position: int, phase: str = "activity") -> None:
        await asyncio.gather(
            *(c.wait_for("state", lambda s: s["phase"] == phase and s["position"] == position) for c in audience)
        )

    async def final_view(position: int, predicate) -> list[dict]:
        return await asyncio.gather(*(c.wait_activity(predicate, since=0) for c in audience))

    # ------------------------------------------------------------------ the poll
    await host.must("start")
    await everyone_at(POLL)
    wrong = await phones[0].respond(CLOUD, "entry", {"text": "early"})
    assert wrong["ok"] is False and wrong["error"]["code"] == "closed"
    bad = await phones[0].respond(POLL, "vote", {"value": 9})
    assert bad["error"]["code"] == "bad_answer"
    assert (await phones[0].call("host:activity", {"action": "close"}))["error"]["code"] == "not_host"

    burst = Burst("poll votes", audience)

    async def vote_poll(i: int, phone: PlayerClient) -> None:
        for value in poll_votes(i):
            await asyncio.sleep(PACE)  # pacing the load (not waiting for anything)
            ack = await burst.call(phone.respond(POLL, "vote", {"value": value}))
            assert ack["ok"] and ack["personal"]["value"] == value, ack
            stored.append((phone.id, POLL, "vote", {"value": value}))

    await asyncio.gather(*(vote_poll(i, p) for i, p in enumerate(phones)))
    counts = [0] * len(OPTIONS)
    for i in range(PHONES):
        counts[poll_votes(i)[-1]] += 1
    measured["poll"] = burst.check()
    # Votes change, so the counts can pass through the final ones on the way: closing the poll
    # gives a view that is certainly after every vote.
    await host.must_activity("close")
    views = await final_view(POLL, lambda v: v["uid"] == "train" and v["open"] is False)
    assert all(v["results"]["counts"] == counts and v["responses"] == PHONES for v in views)

    # ------------------------------------------------------------- the word cloud
    await host.must("next")
    await everyone_at(CLOUD)

    async def words(i: int, phone: PlayerClient) -> None:
        for text in cloud_entries(i):
            ack = await phone.respond(CLOUD, "entry", {"text": text})
            assert ack["ok"], ack
            entry = ack["personal"]["entries"][-1]
            assert entry["text"] == text.strip()
            stored.append((phone.id, CLOUD, "entry", {"id": entry["id"], "text": entry["text"]}))

    await asyncio.gather(*(words(i, p) for i, p in enumerate(phones)))
    spellings: dict[str, Counter] = defaultdict(Counter)
    for i in range(PHONES):
        for text in cloud_entries(i):
            spellings[fold(text)][text.strip()] += 1
    expected_words = sorted(
        ({"text": c.most_common(1)[0][0], "count": sum(c.values())} for c in spellings.values()),
        key=lambda w: (-w["count"], w["text"].casefold(), w["text"]),
    )
    assert [w["text"] for w in expected_words] == ["Fun", "cafe", "Teamwork"]
    entries = sum(len(cloud_entries(i)) for i in range(PHONES))
    await final_view(CLOUD, lambda v: v["uid"] == "mood" and v["results"]["entries"] == entries)
    for client in audience:
        cloud = client.last("activity")["view"]["results"]
        assert [{"text": w["text"], "count": w["count"]} for w in cloud["words"]] == expected_words

    # ------------------------------------------------------------------ the board
    await host.must("next")
    await everyone_at(BOARD)
    note_of: dict[int, int] = {}  # phone index -> its note id

    async def post(i: int, phone: PlayerClient) -> None:
        ack = await phone.respond(BOARD, "note", {"text": f"Note from phone {i:02d}", "column": i % 2})
        assert ack["ok"], ack
        (mine,) = ack["personal"]["notes"]
        note_of[i] = mine["id"]
        stored.append((phone.id, BOARD, "note", {"id": mine["id"], "text": mine["text"], "column": i % 2}))

    await asyncio.gather(*(post(i, p) for i, p in enumerate(phones)))
    open_board = await host.wait_activity(lambda v: v["uid"] == "retro" and v["note_count"] == PHONES, since=0)
    assert len(open_board["notes"]) == PHONES and "votes" not in json.dumps(open_board["notes"])
    assert all(
        m["view"]["notes"] == [] for p in phones for m in p.messages("activity") if m["position"] == BOARD
    )  # nobody else's notes while the board is open
    await host.must_activity("group", {"note": note_of[2], "onto": note_of[0]})
    mark = [p.mark() for p in phones]
    await host.must_activity("open_voting", {"votes": 3})
    voting = await asyncio.gather(
        *(p.wait_activity(lambda v: v["phase"] == "voting", since=m) for p, m in zip(phones, mark, strict=True))
    )
    for view in voting:
        assert len(view["notes"]) == PHONES and view["votes"] == 3
        assert view["groups"] == [{"id": "g1", "title": "Group 1", "column": 0}]
        assert "votes" not in json.dumps(view["notes"])

    burst = Burst("dot votes", audience)
    dots: Counter = Counter()

    async def vote_notes(i: int, phone: PlayerClient) -> None:
        targets: list[int] = []
        for step in (1, 2 * i + 3, i * i + 5, 11, 13, 17):
            target = note_of[(i + step) % PHONES]
            if target not in targets:
                targets.append(target)
        plan = [("vote", targets[0]), ("vote", targets[1]), ("vote", targets[2])]
        if i % 6 == 0:
            plan += [("unvote", targets[0]), ("vote", targets[3])]
        for action, note_id in plan:
            await asyncio.sleep(PACE)  # pacing the load (not waiting for anything)
            ack = await burst.call(phone.respond(BOARD, action, {"note": note_id}))
            assert ack["ok"], (i, action, ack)
            dots[note_id] += 1 if action == "vote" else -1
            stored.append((phone.id, BOARD, action, {"note": note_id}))
        refused = await phone.respond(BOARD, "vote", {"note": targets[4]})
        assert refused["error"]["code"] == "no_votes_left"

    await asyncio.gather(*(vote_notes(i, p) for i, p in enumerate(phones)))
    assert sum(dots.values()) == 3 * PHONES
    await final_view(BOARD, lambda v: v.get("phase") == "voting" and v["voters"] == PHONES)
    measured["board"] = burst.check()
    await host.must_activity("close_voting")
    closed = await final_view(BOARD, lambda v: v["uid"] == "retro" and v["phase"] == "closed")
    group_votes = dots[note_of[0]] + dots[note_of[2]]
    for view in closed:
        assert {n["id"]: n["votes"] for n in view["notes"]} == {note_of[i]: dots[note_of[i]] for i in range(PHONES)}
        assert [n["votes"] for n in view["notes"]] == sorted((n["votes"] for n in view["notes"]), reverse=True)
        assert view["groups"] == [{"id": "g1", "title": "Group 1", "column": 0, "votes": group_votes}]

    # ---------------------------------------------------------- the quiz question
    await host.must("next")
    await everyone_at(QUIZ, "question")
    acks = await asyncio.gather(*(p.answer(QUIZ, 0 if i % 3 else 1) for i, p in enumerate(phones)))
    assert all(a["ok"] for a in acks)
    await everyone_at(QUIZ, "reveal")  # everyone answered
    await host.must("next")
    await host.wait_phase("leaderboard")

    # -------------------------------------------------------------- the survey
    await host.must("next")
    await everyone_at(PULSE)

    async def fill(i: int, phone: PlayerClient) -> None:
        for answers in survey_answers(i):
            ack = await phone.respond(PULSE, "submit", {"answers": answers})
            assert ack["ok"] and ack["personal"]["answers"] == answers, ack
            stored.append((phone.id, PULSE, "submit", {"answers": answers}))

    await asyncio.gather(*(fill(i, p) for i, p in enumerate(phones)))
    await host.wait_activity(lambda v: v["uid"] == "pulse" and v["responses"] == PHONES, since=0)
    await host.must_activity("close")
    surveys = await final_view(PULSE, lambda v: v["uid"] == "pulse" and not v["open"])
    assert all(v["results"] is None for v in surveys[1:])  # phones never see survey results
    stage_results = surveys[0]["results"]
    finals = [survey_answers(i)[-1] for i in range(PHONES)]
    session = stage_results["items"][0]
    assert stage_results["responses"] == PHONES and session["id"] == "session"
    assert session["distribution"] == [sum(1 for a in finals if a.get("session") == v) for v in range(1, 6)]

    await host.must("next")  # the last item: the end
    ended = await host.wait_phase("ended")
    assert ended["podium"] and ended["activity"] is None

    # every phone's last view of each activity (from an `activity` event, or from the `state`
    # that moved on, which carries the view as it was then) is the final aggregate
    for phone in phones:
        last = {}
        for name, data in phone.received:
            if name == "activity":
                last[data["position"]] = data["view"]
            elif name == "state" and data.get("activity"):
                last[data["activity"]["position"]] = data["activity"]
        assert last[POLL]["results"]["counts"] == counts
        assert [w["text"] for w in last[CLOUD]["results"]["words"]] == [w["text"] for w in expected_words]
        assert last[BOARD]["phase"] == "closed" and last[BOARD]["groups"][0]["votes"] == group_votes
        assert last[PULSE]["open"] is False and last[PULSE]["results"] is None
    totals = [len(c.messages("activity")) for c in audience]
    print(f"\nactivity events over the whole agenda: host {totals[0]}, each phone {min(totals[1:])}-{max(totals[1:])}")
    for client in audience:
        await client.disconnect()
    return {
        "stored": stored,
        "counts": counts,
        "words": expected_words,
        "dots": dots,
        "notes": note_of,
        "group_votes": group_votes,
        "finals": finals,
        "ids": [p.id for p in phones],
        "measured": measured,
    }


def test_a_workshop_agenda_over_real_sockets(live_server):
    started = time.monotonic()
    http = live_server.session()
    created = http.post(f"{live_server.url}/api/plans", json=PLAN, timeout=10)
    assert created.status_code == 201, created.text
    opened = http.post(f"{live_server.url}/api/rooms", json={"plan_id": created.json()["id"]}, timeout=10)
    assert opened.status_code == 201, opened.text
    room = opened.json()
    outcome = asyncio.run(asyncio.wait_for(run(live_server, room), timeout=60))
    room_id = room["room_id"]

    # the submissions table: exactly the acknowledged responses, in each phone's order
    rows = query(
        live_server.db_path,
        "SELECT participant_number, position, action, record, activity_uid "
        "FROM submissions WHERE room_id = ? ORDER BY id",
        room_id,
    )
    uids = [a["uid"] for a in PLAN["activities"]]
    assert all(uid == uids[position] for _, position, _, _, uid in rows)
    got = [(pid, position, action, json.loads(record)) for pid, position, action, record, _ in rows]
    key = lambda item: (item[0], item[1], item[2], json.dumps(item[3], sort_keys=True))  # noqa: E731
    assert sorted(got, key=key) == sorted(outcome["stored"], key=key)
    for pid in outcome["ids"]:  # per phone, in the order its acks came back
        assert [g for g in got if g[0] == pid] == [s for s in outcome["stored"] if s[0] == pid]

    # the results API: the same aggregates
    results = http.get(f"{live_server.url}/api/rooms/{room_id}/results", timeout=10)
    assert results.status_code == 200, results.text
    activities = {a["position"]: a for a in results.json()["activities"]}
    assert sorted(activities) == [POLL, CLOUD, BOARD, PULSE]
    assert all(a["status"] == "done" for a in activities.values())
    poll = activities[POLL]["report"]
    assert poll["results"] == {"counts": outcome["counts"]} and poll["responses"] == len(outcome["ids"])
    cloud = activities[CLOUD]["report"]
    assert [{"text": w["text"], "count": w["count"]} for w in cloud["results"]["words"]] == outcome["words"]
    assert sorted(a["text"] for a in cloud["answers"]) == sorted(
        r["text"] for _, p, _, r in outcome["stored"] if p == CLOUD
    )
    board = activities[BOARD]["report"]
    assert {n["id"]: n["votes"] for n in board["notes"]} == {n: outcome["dots"][n] for n in outcome["notes"].values()}
    assert all(not n["hidden"] and not n["deleted"] for n in board["notes"])
    assert board["phase"] == "closed" and board["voters"] == len(outcome["ids"])
    assert board["groups"] == [
        {
            "id": "g1",
            "title": "Group 1",
            "column": 0,
            "votes": outcome["group_votes"],
            "notes": sorted([outcome["notes"][0], outcome["notes"][2]], key=lambda n: (-outcome["dots"][n], n)),
        }
    ]
    survey = activities[PULSE]["report"]["results"]
    assert survey["responses"] == len(outcome["ids"])
    items = {item["id"]: item for item in survey["items"]}
    for item in ("session", "trainer"):
        given = [f[item] for f in outcome["finals"] if item in f]
        assert items[item]["distribution"] == [given.count(v) for v in range(1, 6)]
        assert items[item]["count"] == len(given) and items[item]["mean"] == round(sum(given) / len(given), 2)
    assert sorted(a["text"] for a in items["use"]["answers"]) == sorted(
        f["use"] for f in outcome["finals"] if "use" in f
    )
    assert [a["text"] for a in items["comment"]["answers"]] == ["Changed my mind"] * 6

    measured = outcome["measured"]
    print(
        f"\nactivity broadcasts during the bursts: poll host {measured['poll']['host']} / players "
        f"{measured['poll']['phones']} in {measured['poll']['seconds']:.2f} s; board host "
        f"{measured['board']['host']} / players {measured['board']['phones']} "
        f"in {measured['board']['seconds']:.2f} s"
    )
    log = live_server.log()
    assert "Traceback" not in log, log[-3000:]
    assert time.monotonic() - started < 40
