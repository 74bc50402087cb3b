"""Results: rooms list, the report page, the CSV and the JSON, for rooms played through LiveRooms."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from quizroom import accounts, models
from quizroom.app import database
from quizroom.engine import parse_deck
from quizroom.results import neutralise
from tests.conftest import socket_client

HOSTILE = "<svg/onload=alert()>"  # 20 characters: the longest nickname allowed
FORMULA = "=HYPERLINK(1)"

DECK = {
    "format": "quizroom.deck",
    "version": 1,
    "title": "Results deck",
    "questions": [
        {
            "uid": "r-single",
            "type": "single",
            "text": "Capital of France?",
            "time_limit": 20,
            "choices": [{"text": "Paris", "correct": True}, {"text": "Lyon"}, {"text": "=cmd|' /C calc'!A0"}],
        },
        {
            "uid": "r-multi",
            "type": "multi",
            "text": "Which are prime?",
            "time_limit": 20,
            "choices": [{"text": "2", "correct": True}, {"text": "3", "correct": True}, {"text": "4"}],
        },
        {"uid": "r-typed", "type": "typed", "text": "Type the answer: 1+1", "accepted": ["two", "2"]},
        {
            "uid": "r-slider",
            "type": "slider",
            "text": "Degrees?",
            "min": -20,
            "max": 40,
            "correct": 20,
            "tolerance": 2,
            "unit": "°C",
        },
        {"uid": "r-order", "type": "order", "text": "Order these", "items": ["first", "second", "third"]},
        {"uid": "r-poll", "type": "poll", "text": "Mood?", "choices": [{"text": "Good"}, {"text": "Meh"}]},
        {"uid": "r-skip", "type": "truefalse", "text": "Skipped one", "correct": True},
        {"uid": "r-never", "type": "truefalse", "text": "Never asked", "correct": False},
    ],
}


class Room:
    """Drives one live room through the Socket.IO handlers with the test's fake clock."""

    def __init__(self, app, clock, trainer_id: int, deck: dict = DECK):
        self.app, self.clock = app, clock
        self.live = app.extensions["quizroom.live"]
        questions = parse_deck(deck).questions
        self.room, key = self.live.open_room(
            trainer_id=trainer_id, deck_id=None, title=deck["title"], activities=questions, settings={}
        )
        self.host = socket_client(app)
        assert self.host.emit("host:attach", {"code": self.room.code, "key": key}, callback=True)["ok"]
        self.players: dict[str, object] = {}

    @property
    def id(self) -> int:
        return self.room.id

    def join(self, nickname: str):
        player = socket_client(self.app)
        ack = player.emit("join", {"code": self.room.code, "nickname": nickname}, callback=True)
        assert ack["ok"], ack
        self.players[nickname] = player

    def host_do(self, event: str):
        ack = self.host.emit(event, {}, callback=True)
        assert ack["ok"], (event, ack)

    def answer(self, nickname: str, question: int, value, after: float = 1.0):
        self.clock.advance(after)
        ack = self.players[nickname].emit("answer", {"question": question, "value": value}, callback=True)
        assert ack["ok"], (nickname, value, ack)

    def order_answer(self, index: int, correct: bool) -> list[int]:
        """Screen ids in the right order (or reversed: wrong)."""
        display = self.room.engine.questions[index].display
        right = sorted(range(len(display)), key=lambda i: display[i])
        return right if correct else list(reversed(right))

    def phase(self) -> str:
        return self.room.engine.phase


@pytest.fixture
def played(app, clock, trainer):
    """A finished room: three people, every question type, one skipped, one never asked."""
    room = Room(app, clock, trainer.id)
    for name in ("Ann", HOSTILE, FORMULA):
        room.join(name)
    room.host_do("host:start")
    # Q1 single: Ann right fast, hostile wrong, formula right slower.
    room.answer("Ann", 0, 0, after=2)
    room.answer(HOSTILE, 0, 2)
    room.answer(FORMULA, 0, 0, after=3)
    assert room.phase() == "reveal"
    room.host_do("host:next")  # leaderboard
    room.host_do("host:next")  # Q2 multi
    room.answer("Ann", 1, [0, 1])
    room.answer(HOSTILE, 1, [0, 2])
    room.answer(FORMULA, 1, [1])
    room.host_do("host:next")
    room.host_do("host:next")  # Q3 typed (formula person stays silent; time runs out)
    room.answer("Ann", 2, "Two")
    room.answer(HOSTILE, 2, "-2+3")
    room.clock.advance(25)
    room.live.tick()
    assert room.phase() == "reveal"
    room.host_do("host:next")
    room.host_do("host:next")  # Q4 slider
    room.answer("Ann", 3, 21)
    room.answer(HOSTILE, 3, -5)
    room.answer(FORMULA, 3, 20)
    room.host_do("host:next")
    room.host_do("host:next")  # Q5 order
    room.answer("Ann", 4, room.order_answer(4, True))
    room.answer(HOSTILE, 4, room.order_answer(4, False))
    room.answer(FORMULA, 4, room.order_answer(4, True))
    room.host_do("host:next")
    room.host_do("host:next")  # Q6 poll: reveal, then straight on
    room.answer("Ann", 5, 0)
    room.answer(HOSTILE, 5, 1)
    room.answer(FORMULA, 5, 0)
    room.host_do("host:next")  # Q7 opens
    room.answer("Ann", 6, 0)
    room.host_do("host:skip")  # Q7 voided; Q8 opens
    room.host_do("host:end")  # nobody answered Q8: it counts as asked, no answers
    assert room.phase() == "ended"
    return room


def report_json(client, room_id):
    response = client.get(f"/api/rooms/{room_id}/results")
    assert response.status_code == 200
    return response.json


# ------------------------------------------------------------------ list
def test_results_list_shows_rooms(logged_in, played, app, clock, trainer):
    live_room = Room(app, clock, trainer.id)
    live_room.join("Solo")
    html = logged_in.get("/results").text
    assert html.count('<th scope="row"><a href="/results/') == 2
    assert f'href="/results/{played.id}"' in html and f'href="/results/{live_room.id}"' in html
    assert played.room.code in html and live_room.room.code in html
    assert "Ended" in html and "Live: in the lobby" in html
    assert f'<a href="/rooms/{live_room.room.code}/stage">' in html
    assert '<td class="num">3</td>' in html and '<td class="num">1</td>' in html


def test_results_are_private(app, played):
    accounts.create_trainer(app, email="other@example.com", name="Other", password="other password")
    other = app.test_client()
    other.post("/login", data={"email": "other@example.com", "password": "other password"})
    assert 'href="/results/1' not in other.get("/results").text
    for url in (f"/results/{played.id}", f"/results/{played.id}.csv", f"/api/rooms/{played.id}/results"):
        assert other.get(url).status_code == 404
    assert app.test_client().get(f"/api/rooms/{played.id}/results").status_code == 401


# ---------------------------------------------------------------- report
def test_report_per_question(logged_in, played):
    data = report_json(logged_in, played.id)
    assert data["room"]["status"] == "ended" and data["room"]["code"] == played.room.code
    questions = data["questions"]
    assert [q["status"] for q in questions] == ["asked"] * 6 + ["skipped", "asked"]

    single = questions[0]
    assert single["correct_answer"] == "Paris"
    assert (single["answered"], single["correct"], single["percent_correct"]) == (3, 2, 67)
    assert single["average_ms"] == 3667  # 2 s, 3 s and 6 s after the question opened
    assert [(b["label"], b["count"], b["percent"], b["correct"]) for b in single["distribution"]] == [
        ("Paris", 2, 67, True),
        ("Lyon", 0, 0, False),
        ("=cmd|' /C calc'!A0", 1, 33, False),
    ]

    multi = questions[1]
    assert multi["correct_answer"] == "2; 3"
    assert multi["correct"] == 1  # only Ann picked exactly the right ones
    assert [b["count"] for b in multi["distribution"]] == [2, 2, 1]

    typed = questions[2]
    assert (typed["answered"], typed["correct"], typed["correct_answer"]) == (2, 1, "two / 2")
    assert {(b["label"], b["correct"]) for b in typed["distribution"]} == {("Two", True), ("-2+3", False)}

    slider = questions[3]
    assert slider["correct_answer"] == "20 °C (± 2)"
    assert slider["correct"] == 2
    assert slider["stats"]["median"] == 20
    assert [(b["label"], b["correct"]) for b in slider["distribution"]] == [
        ("-5 °C", False),
        ("20 °C", True),
        ("21 °C", True),
    ]

    order = questions[4]
    assert order["correct_answer"] == "first → second → third"
    assert {(b["label"], b["count"], b["correct"]) for b in order["distribution"]} == {
        ("first → second → third", 2, True),
        ("third → second → first", 1, False),
    }

    poll = questions[5]
    assert poll["correct_answer"] is None and poll["percent_correct"] is None
    assert [(b["label"], b["count"], b["correct"]) for b in poll["distribution"]] == [
        ("Good", 2, None),
        ("Meh", 1, None),
    ]

    skipped = questions[6]
    assert skipped["answered"] == 0 and skipped["distribution"][0]["count"] == 0  # Ann's answer was voided
    assert questions[7]["answered"] == 0


def test_report_per_participant(logged_in, played):
    data = report_json(logged_in, played.id)
    people = {p["nickname"]: p for p in data["participants"]}
    ann, hostile, formula = people["Ann"], people[HOSTILE], people[FORMULA]
    assert [p["nickname"] for p in data["participants"]][0] == "Ann"
    assert ann["rank"] == 1 and ann["correct"] == 5 and ann["best_streak"] == 5
    assert hostile["correct"] == 0 and hostile["score"] == 0 and hostile["rank"] == 3
    assert formula["correct"] == 3 and formula["rank"] == 2
    assert ann["score"] > formula["score"] > 0
    # The participant x question grid.
    cells = ann["answers"]
    assert len(cells) == 8
    assert cells[0] == {
        "question": 0,
        "status": "answered",
        "value": 0,
        "answer": "Paris",
        "correct": True,
        "points": cells[0]["points"],
        "response_ms": 2000,
    }
    assert cells[1]["answer"] == "2; 3"
    assert cells[4]["answer"] == "first → second → third"
    assert cells[6]["status"] == "skipped" and cells[6]["answer"] == ""
    assert cells[7]["status"] == "no answer"
    assert formula["answers"][2]["status"] == "no answer"
    assert sum(c["points"] for c in cells) == ann["score"]
    summary = data["summary"]
    assert summary["participants"] == 3 and summary["asked"] == 7 and summary["skipped"] == 1
    assert summary["answers"] == 17
    assert [p["nickname"] for p in summary["podium"]] == ["Ann", FORMULA, HOSTILE]


def test_results_page_escapes_nicknames_and_shows_everything(logged_in, played):
    response = logged_in.get(f"/results/{played.id}")
    assert response.status_code == 200
    html = response.text
    assert HOSTILE not in html
    assert "&lt;svg/onload=alert()&gt;" in html
    assert "<h1>Results deck</h1>" in html
    for heading in ("Summary", "Participants", "Questions", "Answer grid"):
        assert f">{heading}</h2>" in html
    assert "Question 1: Capital of France?" in html
    assert "<strong>Correct answer:</strong> Paris" in html
    assert "3 of 3 answered · 2 correct" in html
    assert "(67% of answers)" in html
    assert "<strong>skipped</strong>" in html
    assert f'href="/results/{played.id}.csv"' in html
    assert '<caption id="grid-caption">' in html
    assert html.count('<td class="cell cell-correct">') == 2 + 1 + 1 + 2 + 2  # per question, right answers
    assert logged_in.get("/results/999").status_code == 404


def test_csv_has_one_row_per_participant_and_question(logged_in, played):
    response = logged_in.get(f"/results/{played.id}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=quizroom-results-deck-")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header == [
        "room",
        "room_code",
        "room_date",
        "question_number",
        "question_type",
        "question_text",
        "participant",
        "answer",
        "correct",
        "points",
        "response_ms",
        "status",
    ]
    assert len(body) == 3 * 8  # every question was opened (Q7 skipped, Q8 ended with no answers)
    by_key = {(r[6], int(r[3])): dict(zip(header, r, strict=True)) for r in body}
    ann_q1 = by_key[("Ann", 1)]
    assert ann_q1["room"] == "Results deck" and ann_q1["room_code"] == played.room.code
    assert (ann_q1["answer"], ann_q1["correct"], ann_q1["response_ms"]) == ("Paris", "yes", "2000")
    assert int(ann_q1["points"]) > 0
    assert by_key[("Ann", 2)]["answer"] == "2; 3"
    assert by_key[("Ann", 3)]["answer"] == "Two"
    assert by_key[("Ann", 4)]["answer"] == "21 °C"
    assert by_key[("Ann", 5)]["answer"] == "first → second → third"
    assert (by_key[("Ann", 6)]["answer"], by_key[("Ann", 6)]["correct"]) == ("Good", "")
    assert by_key[("Ann", 7)]["status"] == "skipped" and by_key[("Ann", 7)]["answer"] == ""
    # Formula injection is neutralised in every text cell: nickname, answers, choice texts.
    formula_rows = [r for r in body if r[6] == "'" + FORMULA]
    assert len(formula_rows) == 8
    assert by_key[(HOSTILE, 1)]["answer"] == "'=cmd|' /C calc'!A0"
    assert by_key[(HOSTILE, 3)]["answer"] == "'-2+3"
    assert by_key[(HOSTILE, 4)]["answer"] == "'-5 °C"
    assert by_key[("'" + FORMULA, 3)]["status"] == "no answer"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in body for cell in row)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_neutralise(cell, safe):
    assert neutralise(cell) == safe


def test_live_room_results_and_removed_participants(app, clock, trainer, logged_in):
    room = Room(app, clock, trainer.id)
    room.join("Stays")
    room.join("Leaves")
    room.host_do("host:start")
    room.answer("Leaves", 0, 0)
    leaver = room.room.engine.by_key["leaves"]
    ack = room.host.emit("host:remove", {"participant": leaver}, callback=True)
    assert ack["ok"]
    data = report_json(logged_in, room.id)
    assert data["room"]["status"] == "live"
    assert data["questions"][0]["status"] == "open"
    assert data["summary"]["participants"] == 1 and data["summary"]["removed"] == 1
    people = {p["nickname"]: p for p in data["participants"]}
    assert people["Leaves"]["removed"] and people["Leaves"]["rank"] is None
    assert people["Stays"]["rank"] == 1
    assert data["participants"][-1]["nickname"] == "Leaves"
    html = logged_in.get(f"/results/{room.id}").text
    assert "This room is still live" in html and "removed</span>" in html
    csv_text = logged_in.get(f"/results/{room.id}.csv").data.decode("utf-8-sig")
    assert "Leaves (removed)" in csv_text


def test_rows_inserted_directly(app, trainer, logged_in):
    """Reports read only the tables: a room written by another process (or an older version)."""
    specs = parse_deck(DECK).to_document()["questions"][:1]
    with database(app).transaction() as s:
        row = models.Room(
            code="123456",
            trainer_id=trainer.id,
            deck_id=None,
            title="Imported room",
            host_salt="x",
            live=False,
            snapshot={"questions": specs, "phase": "ended", "index": 0, "voided": []},
        )
        s.add(row)
        s.flush()
        s.add(
            models.Participant(
                room_id=row.id,
                number=1,
                nickname="@evil",
                token_hash="t1",
                score=900,
                correct=1,
                answered=1,
                best_streak=1,
            )
        )
        s.add(
            models.Answer(
                room_id=row.id,
                participant_number=1,
                question_index=0,
                question_uid="r-single",
                value={"v": 0},
                correct=True,
                points=900,
                streak=1,
                response_ms=1500,
                answered_at=models.utcnow(),
            )
        )
        room_id = row.id
    with database(app).read() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(models.Answer)) == 1
    rows = list(csv.reader(io.StringIO(logged_in.get(f"/results/{room_id}.csv").data.decode("utf-8-sig"))))
    assert rows[1][6:11] == ["'@evil", "Paris", "yes", "900", "1500"]
