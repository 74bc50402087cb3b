"""The session report of a plan room: polls, a board and a survey played in-process through
the Socket.IO handlers (fake clock), then the results page, the JSON, the per-activity CSV
and the board's Markdown, with numbers computed by hand."""

from __future__ import annotations

import csv
import io
import re

import pytest

from quizroom import accounts
from quizroom.results import markdown_text
from tests.conftest import socket_client

HOSTILE_NOTE = "<script>alert(1)</script>"
FORMULA = "=cmd()"

PLAN = {
    "format": "quizroom.plan",
    "version": 1,
    "title": "Retro workshop",
    "activities": [
        {
            "kind": "poll",
            "uid": "drink",
            "type": "single",
            "text": "Tea or coffee?",
            "options": ["Tea", "Coffee", "=1+1"],
            "anonymous": False,
        },  # 0
        {"kind": "poll", "uid": "cloud", "type": "wordcloud", "text": "One word for Git?"},  # 1
        {"kind": "poll", "uid": "mood", "type": "rating", "text": "How do you feel?", "scale": 5},  # 2
        {
            "kind": "poll",
            "uid": "rank",
            "type": "ranking",
            "text": "Rank the topics",
            "options": ["Alpha", "Beta", "Gamma"],
        },  # 3
        {"kind": "poll", "uid": "ideas", "type": "open", "text": "Ideas?", "anonymous": False},  # 4
        {
            "kind": "board",
            "uid": "retro",
            "prompt": "What should we keep or change?",
            "columns": ["Keep", "Change"],
            "votes": 3,
        },  # 5
        {
            "kind": "question",
            "uid": "q-sum",
            "type": "single",
            "text": "2 + 2?",
            "choices": [{"text": "4", "correct": True}, {"text": "5"}],
        },  # 6
        {
            "kind": "survey",
            "uid": "pulse",
            "title": "How was today?",
            "anonymous": True,
            "items": [
                {"id": "session", "type": "rating", "text": "Rate the session", "scale": 5},
                {"id": "trainer", "type": "rating", "text": "Rate the trainer", "scale": 5},
                {"id": "use", "type": "text", "text": "What will you use?"},
                {"id": "unclear", "type": "text", "text": "What was unclear?"},
                {"id": "comment", "type": "text", "text": "Anything else?"},
            ],
        },  # 7
        {"kind": "poll", "uid": "never", "type": "single", "text": "Never reached", "options": ["a", "b"]},  # 8
    ],
}


class PlanRoom:
    """A room opened from a plan through the API, driven through the Socket.IO handlers."""

    def __init__(self, app, clock, client, plan: dict = PLAN):
        self.app, self.clock, self.client = app, clock, client
        plan_id = client.post("/api/plans", json=plan).json["id"]
        response = client.post("/api/rooms", json={"plan_id": plan_id})
        assert response.status_code == 201, response.json
        self.info = response.json
        self.id, self.code = self.info["room_id"], self.info["code"]
        self.engine = app.extensions["quizroom.live"].rooms[self.code].engine
        self.host = socket_client(app)
        assert self.host.emit("host:attach", {"code": self.code, "key": self.info["host_key"]}, callback=True)["ok"]
        self.people: dict[str, object] = {}

    def join(self, *nicknames: str) -> None:
        for nickname in nicknames:
            phone = socket_client(self.app)
            ack = phone.emit("join", {"code": self.code, "nickname": nickname}, callback=True)
            assert ack["ok"], ack
            self.people[nickname] = phone

    def next(self) -> None:
        ack = self.host.emit("host:next", {}, callback=True)
        assert ack["ok"], ack

    def host_do(self, action: str, **args) -> None:
        ack = self.host.emit("host:activity", {"action": action, "args": args}, callback=True)
        assert ack["ok"], (action, args, ack)

    def respond(self, nickname: str, action: str, **payload) -> dict:
        self.clock.advance(1)
        ack = self.people[nickname].emit(
            "respond", {"position": self.engine.index, "action": action, "payload": payload}, callback=True
        )
        assert ack["ok"], (nickname, action, payload, ack)
        return ack

    def answer(self, nickname: str, value) -> None:
        self.clock.advance(1)
        ack = self.people[nickname].emit("answer", {"question": self.engine.index, "value": value}, callback=True)
        assert ack["ok"], ack


@pytest.fixture
def played(app, clock, logged_in):
    room = PlanRoom(app, clock, logged_in)
    room.join("Ann", "Bob", "Cy")
    room.next()  # 0: single choice, named
    room.respond("Ann", "vote", value=0)
    room.respond("Bob", "vote", value=1)
    room.respond("Cy", "vote", value=1)
    room.respond("Cy", "vote", value=2)  # changed: the latest vote counts
    room.next()  # 1: word cloud, anonymous
    for nickname, words in (("Ann", ["Git", "rebase"]), ("Bob", ["git ", "Rébase"]), ("Cy", ["GIT", FORMULA])):
        for word in words:
            room.respond(nickname, "entry", text=word)
    room.next()  # 2: rating
    for nickname, value in (("Ann", 5), ("Bob", 4), ("Cy", 2)):
        room.respond(nickname, "vote", value=value)
    room.next()  # 3: ranking (Cy does not vote)
    room.respond("Ann", "vote", value=[0, 1, 2])  # Alpha 2, Beta 1, Gamma 0
    room.respond("Bob", "vote", value=[1, 0, 2])  # Beta 2, Alpha 1, Gamma 0
    room.next()  # 4: open text, named
    room.respond("Ann", "entry", text="More examples")
    room.respond("Bob", "entry", text="Fewer slides")
    room.host_do("hide", entry=2)
    room.next()  # 5: board
    notes = [
        ("Ann", "Pairing", 0),
        ("Ann", HOSTILE_NOTE, 1),
        ("Bob", "Reviews", 0),
        ("Bob", FORMULA, 1),
        ("Cy", "Demos", 0),
        ("Cy", "Spam", 1),
    ]
    for nickname, text, column in notes:  # note ids 1..6 in this order
        room.respond(nickname, "note", text=text, column=column)
    room.host_do("group", note=3, onto=1)
    room.host_do("rename_group", group="g1", title="Collaboration")
    room.host_do("hide", note=5)
    room.host_do("delete", note=6)
    room.host_do("open_voting")
    for nickname, chosen in (("Ann", [1, 3, 4]), ("Bob", [1, 4, 2]), ("Cy", [4, 3])):
        for note in chosen:
            room.respond(nickname, "vote", note=note)
    room.host_do("close_voting")
    room.next()  # 6: quiz question
    room.answer("Ann", 0)
    room.answer("Bob", 1)
    room.answer("Cy", 0)  # everyone answered: revealed
    room.next()  # leaderboard
    room.next()  # 7: survey, anonymous
    room.respond("Ann", "submit", answers={"session": 5, "trainer": 4, "use": "Pairing"})
    room.respond("Bob", "submit", answers={"session": 3, "comment": "=SUM(A1)"})
    room.respond("Bob", "submit", answers={"session": 4, "trainer": 5, "comment": "Thanks"})  # replaces the first
    room.respond("Cy", "submit", answers={"unclear": "Rebase"})
    ack = room.host.emit("host:end", {}, callback=True)
    assert ack["ok"], ack
    return room


def report(client, room) -> dict:
    response = client.get(f"/api/rooms/{room.id}/results")
    assert response.status_code == 200
    return response.json


def csv_rows(client, room, position: int) -> tuple[list[str], list[dict]]:
    response = client.get(f"/results/{room.id}/activity/{position}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert re.fullmatch(
        rf"attachment; filename=quizroom-[a-z-]+-{room.code}-[0-9-]+-item{position + 1}-\w+\.csv",
        response.headers["Content-Disposition"],
    )
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:] for cell in row)
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# ------------------------------------------------------------------- JSON
def test_json_has_every_activity_report(logged_in, played):
    data = report(logged_in, played)
    activities = {a["position"]: a for a in data["activities"]}
    assert sorted(activities) == [0, 1, 2, 3, 4, 5, 7, 8]
    assert [a["kind"] for a in data["activities"]] == ["poll"] * 5 + ["board", "survey", "poll"]
    assert activities[8]["status"] == "not reached" and activities[0]["status"] == "done"
    assert data["room"]["plan_id"] is not None

    single = activities[0]["report"]
    assert single["responses"] == 3 and single["results"]["counts"] == [1, 1, 1]
    assert [(a["nickname"], a["value"]) for a in single["answers"]] == [("Ann", 0), ("Bob", 1), ("Cy", 2)]

    cloud = activities[1]["report"]["results"]
    assert [(w["text"], w["count"]) for w in cloud["words"]] == [("Git", 3), ("rebase", 2), (FORMULA, 1)]
    assert cloud["entries"] == 6

    rating = activities[2]["report"]["results"]
    assert rating == {"distribution": [0, 1, 0, 1, 1], "mean": 3.67, "count": 3}

    ranking = activities[3]["report"]["results"]["ranking"]
    assert [(r["text"], r["points"], r["rank"]) for r in ranking] == [("Alpha", 3, 1), ("Beta", 3, 1), ("Gamma", 0, 3)]

    entries = activities[4]["report"]["results"]["entries"]
    assert [(e["text"], e["nickname"], e["hidden"]) for e in entries] == [
        ("More examples", "Ann", False),
        ("Fewer slides", "Bob", True),
    ]

    board = activities[5]["report"]
    votes = {n["text"]: n["votes"] for n in board["notes"]}
    assert votes == {"Pairing": 2, "Reviews": 2, FORMULA: 3, HOSTILE_NOTE: 1, "Demos": 0, "Spam": 0}
    assert [n["text"] for n in board["notes"]] == [FORMULA, "Pairing", "Reviews", HOSTILE_NOTE, "Demos", "Spam"]
    assert [(g["title"], g["votes"]) for g in board["groups"]] == [("Collaboration", 4)]
    flags = {n["text"]: (n["hidden"], n["deleted"]) for n in board["notes"]}
    assert flags["Demos"] == (True, False) and flags["Spam"] == (False, True)
    assert all("nickname" not in n and "participant" not in n for n in board["notes"])  # anonymous board

    survey = activities[7]["report"]
    assert survey["responses"] == 3 and "answers" not in survey
    items = {i["id"]: i for i in survey["results"]["items"]}
    assert (items["session"]["distribution"], items["session"]["mean"], items["session"]["count"]) == (
        [0, 0, 0, 1, 1],
        4.5,
        2,
    )
    assert (items["trainer"]["mean"], items["trainer"]["count"]) == (4.5, 2)
    assert items["use"]["answers"] == [{"text": "Pairing"}]
    assert items["unclear"]["answers"] == [{"text": "Rebase"}]
    assert items["comment"]["answers"] == [{"text": "Thanks"}]

    # The quiz question is reported as before, numbered among the questions only.
    assert [(q["number"], q["position"], q["text"], q["answered"], q["correct"]) for q in data["questions"]] == [
        (1, 6, "2 + 2?", 3, 2)
    ]
    assert data["summary"]["questions"] == 1 and data["summary"]["activities"] == 8
    assert data["summary"]["activities_run"] == 7


def test_anonymous_activities_leave_nicknames_out_of_the_json(logged_in, played):
    data = report(logged_in, played)
    for activity in data["activities"]:
        if activity["report"].get("anonymous", True):
            text = str(activity["report"])
            assert "Ann" not in text and "Bob" not in text and "'Cy'" not in text, activity["uid"]


# ------------------------------------------------------------------ page
def test_results_page_shows_every_agenda_item_in_order(logged_in, played):
    response = logged_in.get(f"/results/{played.id}")
    assert response.status_code == 200
    html = response.text
    assert ">Agenda</h2>" in html
    headings = re.findall(r'<h3 id="(item-\d+|question-\d+)-heading">', html)
    assert headings == ["item-1", "item-2", "item-3", "item-4", "item-5", "item-6", "question-1", "item-8", "item-9"]
    assert "Question 1: 2 + 2?" in html

    def card(number: int) -> str:
        return re.search(rf'<article[^>]* id="item-{number}".*?</article>', html, re.S).group(0)

    single = card(1)
    assert "3 people responded" in single
    assert re.search(r"<th scope=\"row\">Tea</th>\s*<td class=\"num\">1</td>\s*<td class=\"num\">33%</td>", single)
    assert "named (nicknames shown)" in single

    cloud = card(2)
    assert 'class="word-cloud" aria-hidden="true"' in cloud
    assert re.search(r"<th scope=\"row\">Git</th><td class=\"num\">3</td>", cloud)
    assert "6 entries" in cloud

    rating = card(3)
    assert "<strong>Mean 3.67</strong> out of 5 from 3 ratings" in rating

    ranking = card(4)
    rows = re.findall(r'<td class="num">(\d+)</td><th scope="row">(\w+)</th><td class="num">(\d+)</td>', ranking)
    assert rows == [("1", "Alpha", "3"), ("1", "Beta", "3"), ("3", "Gamma", "0")]

    ideas = card(5)
    assert "More examples" in ideas and "— Ann" in ideas
    assert re.search(
        r"Fewer slides</span> <span class=\"note-author\">— Bob</span> "
        r"<span class=\"badge badge-hidden\">hidden by host</span>",
        ideas,
    )

    board = card(6)
    assert '<h4>Keep <span class="count">(3)</span></h4>' in board
    assert 'Collaboration <span class="group-votes">4 votes</span>' in board
    assert board.index("Pairing") < board.index("Reviews") < board.index("Demos")
    assert re.search(
        r"Demos</span>\s*<span class=\"note-votes\">0 votes</span> "
        r"<span class=\"badge badge-hidden\">hidden by host</span>",
        board,
    )
    assert "Deleted by the host" in board and "deleted by host" in board
    assert board.index(FORMULA) < board.index("&lt;script&gt;")  # Change: most votes first
    assert "5 notes from 3 people (1 hidden by host) · 8 votes from 3 people" in board
    assert f'href="/results/{played.id}/activity/5.md"' in board
    assert f'href="/results/{played.id}/activity/5.csv"' in board

    survey = card(8)
    assert "3 responses" in survey
    assert "<strong>Mean 4.50</strong> out of 5 from 2 ratings" in survey
    assert "Thanks" in survey and "=SUM(A1)" not in survey  # Bob's first answers were replaced

    assert "not reached" in card(9)


def test_hostile_note_is_escaped_in_html(logged_in, played):
    html = logged_in.get(f"/results/{played.id}").text
    assert HOSTILE_NOTE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_results_list_shows_plan_rooms(logged_in, played):
    html = logged_in.get("/results").text
    assert f'href="/results/{played.id}"' in html and "Session plan</span>" in html
    assert '<td class="num">1</td>\n      <td class="num">8</td>' in html  # 1 question, 8 other items


# ---------------------------------------------------------------- exports
def test_poll_csv_one_row_per_response(logged_in, played):
    header, rows = csv_rows(logged_in, played, 0)
    assert header[-3:] == ["response", "answer", "participant"]
    assert [(r["participant"], r["answer"]) for r in rows] == [("Ann", "Tea"), ("Bob", "Coffee"), ("Cy", "'=1+1")]
    assert rows[0]["room"] == "Retro workshop" and rows[0]["item_number"] == "1"

    header, rows = csv_rows(logged_in, played, 1)  # anonymous word cloud: one row per entry, no nicknames
    assert "participant" not in header
    assert [r["text"] for r in rows] == ["Git", "rebase", "git", "Rébase", "GIT", "'" + FORMULA]

    header, rows = csv_rows(logged_in, played, 2)  # anonymous rating: the votes without who gave them
    assert "participant" not in header and sorted(r["answer"] for r in rows) == ["2", "4", "5"]

    _header, rows = csv_rows(logged_in, played, 3)
    assert sorted(r["answer"] for r in rows) == ["Alpha → Beta → Gamma", "Beta → Alpha → Gamma"]

    _header, rows = csv_rows(logged_in, played, 4)
    assert [(r["text"], r["status"], r["participant"]) for r in rows] == [
        ("More examples", "shown", "Ann"),
        ("Fewer slides", "hidden by host", "Bob"),
    ]


def test_board_csv_one_row_per_note(logged_in, played):
    header, rows = csv_rows(logged_in, played, 5)
    assert header[6:] == ["note", "text", "column", "group", "group_votes", "votes", "status"]  # anonymous: no author
    assert [(r["text"], r["column"], r["group"], r["votes"], r["status"]) for r in rows] == [
        ("'" + FORMULA, "Change", "", "3", "shown"),
        ("Pairing", "Keep", "Collaboration", "2", "shown"),
        ("Reviews", "Keep", "Collaboration", "2", "shown"),
        (HOSTILE_NOTE, "Change", "", "1", "shown"),
        ("Demos", "Keep", "", "0", "hidden by host"),
        ("Spam", "Change", "", "0", "deleted by host"),
    ]
    assert rows[1]["group_votes"] == "4"
    body = logged_in.get(f"/results/{played.id}/activity/5.csv").data.decode("utf-8-sig")
    assert "Ann" not in body and "Bob" not in body


def test_survey_csv_one_row_per_response_one_column_per_item(logged_in, played):
    header, rows = csv_rows(logged_in, played, 7)
    assert header[6:] == [
        "response",
        "Rate the session [session]",
        "Rate the trainer [trainer]",
        "What will you use? [use]",
        "What was unclear? [unclear]",
        "Anything else? [comment]",
    ]
    assert [[r[h] for h in header[7:]] for r in rows] == [
        ["5", "4", "Pairing", "", ""],
        ["4", "5", "", "", "Thanks"],
        ["", "", "", "Rebase", ""],
    ]


def test_board_markdown(logged_in, played):
    response = logged_in.get(f"/results/{played.id}/activity/5.md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"].endswith("-item6-board.md")
    text = response.data.decode()
    lines = [line for line in text.splitlines() if line]
    assert lines[0] == "# What should we keep or change?"
    body = lines[2:]
    assert body == [
        "## Keep",
        "### Collaboration (4 votes)",
        "- Pairing (2 votes)",
        "- Reviews (2 votes)",
        "### Not grouped",
        "- Demos (0 votes) *(hidden by host)*",
        "## Change",
        "- '=cmd() (3 votes)",
        "- \\<script\\>alert(1)\\</script\\> (1 vote)",
        "## Deleted by the host",
        "- Spam (0 votes) *(deleted by host)*",
    ]
    assert "Ann" not in text  # anonymous board


def test_markdown_escaping():
    assert markdown_text("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert markdown_text("# not a heading") == "\\# not a heading"
    assert markdown_text("-1 vote") == "'-1 vote"
    assert markdown_text("a & <b>") == "a \\& \\<b\\>"
    assert markdown_text("1. first\nsecond") == "1\\. first  \n  second"


def test_exports_of_missing_items_are_404(logged_in, played):
    assert logged_in.get(f"/results/{played.id}/activity/6.csv").status_code == 404  # a quiz question
    assert logged_in.get(f"/results/{played.id}/activity/0.md").status_code == 404  # not a board
    assert logged_in.get(f"/results/{played.id}/activity/99.csv").status_code == 404


def test_reports_are_private(app, logged_in, played):
    accounts.create_trainer(app, email="other@example.com", name="Other", password="other password")
    other = app.test_client()
    other.post("/login", data={"email": "other@example.com", "password": "other password"})
    for url in (
        f"/results/{played.id}",
        f"/results/{played.id}/activity/5.csv",
        f"/results/{played.id}/activity/5.md",
        f"/api/rooms/{played.id}/results",
    ):
        assert other.get(url).status_code == 404
    assert app.test_client().get(f"/results/{played.id}/activity/5.csv").status_code == 302


def test_a_live_plan_room_reports_what_is_stored_so_far(app, clock, logged_in):
    room = PlanRoom(app, clock, logged_in)
    room.join("Ann", "Bob")
    room.next()
    room.respond("Ann", "vote", value=2)
    data = report(logged_in, room)
    first = data["activities"][0]
    assert first["status"] == "open" and first["report"]["results"]["counts"] == [0, 0, 1]
    assert data["room"]["status"] == "live"
    html = logged_in.get(f"/results/{room.id}").text
    assert "running now" in html and "This room is still live" in html


def test_named_board_without_questions(app, clock, logged_in):
    plan = {
        "title": "Just a board",
        "activities": [
            {"kind": "board", "uid": "free", "prompt": "Ideas", "anonymous": False, "multiple_votes": True, "votes": 2}
        ],
    }
    room = PlanRoom(app, clock, logged_in, plan)
    room.join("Ann", "Bob")
    room.next()
    room.respond("Ann", "note", text="First line\n- second line")
    room.respond("Bob", "note", text="@mention")
    room.host_do("open_voting")
    room.respond("Bob", "vote", note=1)
    room.respond("Bob", "vote", note=1)  # several dots on one note are allowed here
    room.host_do("close_voting")

    html = logged_in.get(f"/results/{room.id}").text
    assert "Answer grid" not in html and 'Download CSV<span class="visually-hidden"> of the quiz' not in html
    assert '<ul class="participant-list">' in html and "— Ann" in html
    header, rows = csv_rows(logged_in, room, 0)
    assert header[-1] == "author"
    assert [(r["text"], r["column"], r["votes"], r["author"]) for r in rows] == [
        ("First line\n- second line", "", "2", "Ann"),
        ("'@mention", "", "0", "Bob"),
    ]
    text = logged_in.get(f"/results/{room.id}/activity/0.md").data.decode()
    assert "- First line  \n  \\- second line (2 votes) — Ann" in text
    assert "- '@mention (0 votes) — Bob" in text and "##" not in text.replace("# Ideas", "")
