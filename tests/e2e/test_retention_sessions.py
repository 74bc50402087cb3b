"""Retention end to end: the same 10 named people play the same deck in three sessions
spread over three weeks (the server's clock is moved by QUIZROOM_TIME_OFFSET_FILE), then
the dashboard's figures are checked against hand-computed ones, the review round picks the
questions they got wrong most, and a self-paced review updates a person's memory.

The script (question -> who answers what), counted by hand below:

    session 1, day 0   q1 all right; q2 all right; q3 all right; q4 right for P1-P5 only
    session 2, day 7   P10 misses it. q1 all right; q2 wrong for P1-P3; q3 all right;
                       q4 right for P1-P5 only
    session 3, day 21  q1 all right; q2 wrong for P1-P6; q3 no answer from P9;
                       q4 right for P1-P5 only

First attempts: 40, right 35 (q4 wrong for five) -> 88 % (87.5 rounded half up).
Repeat attempts: 9 x 4 + 10 x 4 = 76; right: session 2 9 + 6 + 9 + 5 (P10 is away),
session 3 10 + 4 + 9 + 5 -> 57 of 76 (75 %).
Forgotten (right before, not right at the latest attempt): q2 six people (P1-P6), q3 one
(P9), q1 and q4 nobody (P6-P10 were never right at q4).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import requests

from tests.conftest import TRAINER_EMAIL, TRAINER_PASSWORD, _csrf_from, run_cli, start_server
from tests.e2e.players import HostClient, PlayerClient

DAY = 86400
PEOPLE = [f"Person {i}" for i in range(1, 11)]


def question(uid: str, text: str, topic: str) -> dict:
    return {
        "uid": uid,
        "type": "single",
        "text": text,
        "time_limit": 30,
        "topics": [topic],
        "choices": [{"text": "right", "correct": True}, {"text": "wrong"}, {"text": "also wrong"}],
    }


DECK = {
    "title": "Safety and tools",
    "questions": [
        question("q1", "Where is the fire exit?", "Safety"),
        question("q2", "Who do you call after an accident?", "Safety"),
        question("q3", "Which key opens the store room?", "Tools"),
        question("q4", "What torque for the M8 bolts?", "Tools"),
    ],
}


def script(session: int, person: int, q: int) -> int | None:
    """The choice person (1-10) sends at question q (1-4) in session (1-3): 0 right, 1 wrong, None silent."""
    if q == 4:
        return 0 if person <= 5 else 1
    if q == 2 and ((session == 2 and person <= 3) or (session == 3 and person <= 6)):
        return 1
    if q == 3 and session == 3 and person == 9:
        return None
    return 0


def attends(session: int, person: int) -> bool:
    return not (session == 2 and person == 10)


def expected_counts() -> dict:
    """The dashboard's figures, counted from the script the slow way."""
    history: dict[tuple[int, int], list[bool]] = {}
    first = [0, 0]
    repeat = [0, 0]
    for session in (1, 2, 3):
        for person in range(1, 11):
            if not attends(session, person):
                continue
            for q in range(1, 5):
                right = script(session, person, q) == 0
                seen = history.setdefault((person, q), [])
                bucket = repeat if seen else first
                bucket[0] += 1
                bucket[1] += right
                seen.append(right)
    forgotten = {
        q: sum(1 for p in range(1, 11) if any(history[(p, q)][:-1]) and not history[(p, q)][-1]) for q in (1, 2, 3, 4)
    }
    return {"first": first, "repeat": repeat, "forgotten": forgotten}


def half_up(part: int, whole: int) -> int:
    return (200 * part + whole) // (2 * whole)


async def run_session(server, http, session: int, deck_id: int, group_id: int, people: dict) -> None:
    room = http.post(f"{server.url}/api/rooms", json={"deck_id": deck_id, "group_id": group_id}, timeout=10)
    assert room.status_code == 201, room.text
    code, key = room.json()["code"], room.json()["host_key"]
    roster = {p["name"]: p["id"] for p in requests.get(f"{server.url}/j/{code}/roster", timeout=10).json()["people"]}
    assert set(roster) == set(PEOPLE)
    host = HostClient(server.url, code, key)
    await host.connect()
    assert (await host.attach())["ok"]
    phones: dict[int, PlayerClient] = {}
    for number in range(1, 11):
        if not attends(session, number):
            continue
        name = f"Person {number}"
        phone = PlayerClient(server.url, code, name=name)
        await phone.connect()
        # Half use their personal link, half pick their name; in session 3 Person 10 opts in
        # with the e-mail of the roster instead, and is still recognised as the same person.
        if session == 3 and number == 10:
            who = {"name": "P. Ten", "email": people[name]["email"].upper()}
        elif number <= 5:
            who = {"key": people[name]["key"]}
        else:
            who = {"id": roster[name]}
        ack = await phone.call("join", {"code": code, "person": who})
        assert ack["ok"], (name, ack)
        phones[number] = phone
    await host.must("start")
    for q in range(1, 5):
        index = q - 1
        await asyncio.gather(*(p.wait_phase("question", index) for p in phones.values()))
        acks = await asyncio.gather(
            *(
                phone.answer(index, script(session, number, q))
                for number, phone in phones.items()
                if script(session, number, q) is not None
            )
        )
        assert all(a["ok"] for a in acks), acks
        if len(acks) < len(phones):  # someone stays silent: the host closes the question
            await host.must("next")
        await host.wait_phase("reveal", index)  # (when all have answered it closes by itself)
        await host.must("next")
        await host.wait_phase("leaderboard", index)
        if q < 4:
            await host.must("next")
    await host.must("end")
    await host.wait_phase("ended")
    for phone in [*phones.values(), host]:
        await phone.disconnect()


def test_three_sessions_weeks_apart(tmp_path):
    offset = tmp_path / "clock-offset"
    offset.write_text("0")
    env_cli = {
        "QUIZROOM_INSTANCE": str(tmp_path / "instance"),
        "QUIZROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'quizroom.db'}",
        "QUIZROOM_SECRET_KEY": "e2e-secret",
    }
    created = run_cli(
        "create-trainer",
        "--email",
        TRAINER_EMAIL,
        "--name",
        "Tess",
        "--password",
        TRAINER_PASSWORD,
        env={**os.environ, **env_cli},
    )
    assert created.returncode == 0, created.stderr
    server = start_server(tmp_path, extra_env={"QUIZROOM_TIME_OFFSET_FILE": str(offset)})
    try:
        http = server.session()
        deck_id = http.post(f"{server.url}/api/decks", json=DECK, timeout=10).json()["id"]
        # The roster, imported from CSV like a trainer would.
        page = http.post(f"{server.url}/groups", data={"name": "Workshop crew"}, timeout=10)
        group_id = int(re.search(r"/groups/(\d+)", page.url).group(1))
        roster_csv = "name,email\n" + "".join(f"{n},{n.replace(' ', '').lower()}@example.org\n" for n in PEOPLE)
        imported = http.post(f"{server.url}/groups/{group_id}/import", data={"roster": roster_csv}, timeout=10)
        assert imported.ok, imported.text[:500]
        links = list(
            csv.DictReader(io.StringIO(http.get(f"{server.url}/groups/{group_id}/links.csv").text.lstrip("\ufeff")))
        )
        people = {row["name"]: {"email": row["email"], "key": row["link"].rsplit("/", 1)[1]} for row in links}
        assert set(people) == set(PEOPLE)

        for session, day in ((1, 0), (2, 7), (3, 21)):
            offset.write_text(str(day * DAY))
            asyncio.run(asyncio.wait_for(run_session(server, http, session, deck_id, group_id, people), timeout=90))
        offset.write_text(str(28 * DAY))  # the dashboard, a week after the last session

        expected = expected_counts()
        assert expected == {"first": [40, 35], "repeat": [76, 57], "forgotten": {1: 0, 2: 6, 3: 1, 4: 0}}
        page = http.get(f"{server.url}/retention", params={"deck": deck_id, "group": group_id}, timeout=30).text
        figure = lambda name: re.search(rf'data-figure="{name}">([^<]+)<', page).group(1)  # noqa: E731
        assert figure("first-rate") == f"{half_up(35, 40)} %"
        assert figure("repeat-rate") == f"{half_up(expected['repeat'][1], 76)} %"
        forgotten = dict(re.findall(r'<tr data-uid="(\w+)">.*?data-figure="forgotten">(\d+)<', page, re.S))
        assert forgotten == {f"q{q}": str(n) for q, n in expected["forgotten"].items()}
        rows = re.findall(r'<tr data-uid="(\w+)">', page)
        assert rows[:2] == ["q2", "q3"]  # most forgotten first
        curve = re.findall(
            r"<tr><th scope=\"row\">(\d+)</th><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", page
        )
        assert [(int(d), int(n)) for d, n, _ in curve] == [(7, 36), (21, 40)]

        # Who needs a refresher: at 70 % only Person 9 (never right at q4, silent at q3, both
        # Tools); at 80 % everyone who was never right at q4 (P6-P10), on Tools only.
        def below(html: str) -> set[tuple[str, str]]:
            return set(re.findall(r'people/\d+">(Person \d+)</a></th><td>(\w+)</td>', html))

        assert below(page) == {("Person 9", "Tools")}
        at80 = http.get(f"{server.url}/retention", params={"deck": deck_id, "group": group_id, "threshold": 80}).text
        assert below(at80) == {(f"Person {n}", "Tools") for n in (6, 7, 8, 9, 10)}
        engagement = re.findall(r"\((\d+) of (\d+)\)", page.split('id="engagement-table"')[1])
        assert engagement == [("10", "10"), ("9", "10"), ("10", "10")]
        assert page.count("<svg") == 5

        # The review round: the two questions with the lowest predicted recall are the two
        # they got wrong most (q4: 15 wrong answers, q2: 9).
        made = http.post(
            f"{server.url}/retention/review",
            data={"deck": deck_id, "group": group_id, "size": "3", "mode": "deck"},
            timeout=30,
        )
        assert made.ok
        review_deck = re.search(r"/decks/(\d+)/edit", made.url).group(1)
        document = http.get(f"{server.url}/decks/{review_deck}/export.json", timeout=10).json()
        assert [q["uid"] for q in document["questions"]][:2] == ["q4", "q2"]

        # A self-paced review for Person 6 updates their memory of q4.
        db = sqlite3.connect(server.db_path)
        person6 = db.execute("select id from people where name = 'Person 6'").fetchone()[0]
        before = db.execute(
            "select reviews, stability from memory_states where person_id = ? and question_uid = 'q4'", (person6,)
        ).fetchone()
        assert before[0] == 3
        made = http.post(
            f"{server.url}/retention/review", data={"person": person6, "size": "3", "mode": "links"}, timeout=30
        )
        assert made.ok
        link = re.search(r'class="review-link">(http[^<]+)<', http.get(f"{server.url}/retention/reviews").text).group(1)
        token = link.rsplit("/", 1)[1]
        phone = requests.Session()
        csrf = _csrf_from(phone.get(link, timeout=10).text)
        answered = 0
        while True:
            view = phone.post(f"{server.url}/api/r/{token}/start", headers={"X-CSRFToken": csrf}, timeout=10).json()
            if view.get("state") == "finished" or answered > 5:
                break
            position = view["position"]
            reply = phone.post(
                f"{server.url}/api/r/{token}/answer",
                json={"position": position, "value": 0},
                headers={"X-CSRFToken": csrf},
                timeout=10,
            )
            assert reply.ok, reply.text
            answered += 1
        assert answered == 3
        after = db.execute(
            "select reviews, stability from memory_states where person_id = ? and question_uid = 'q4'", (person6,)
        ).fetchone()
        assert after[0] == 4 and after[1] > before[1]
        stamped = db.execute("select max(answered_at) from practice_answers").fetchone()[0]
        assert datetime.fromisoformat(stamped).replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(days=27)
        person_page = http.get(f"{server.url}/retention/people/{person6}", timeout=30).text
        assert "Self-paced review" in person_page
        assert "error" not in server.log().lower().replace("errors", "")
    finally:
        server.stop()
