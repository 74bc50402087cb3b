"""Session plans: the JSON API, validation paths, the pages, import/export, ownership, and
starting a room from a plan (API and form)."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from quizroom import accounts, models
from quizroom.app import database
from quizroom.engine.plan import parse_plan
from quizroom.web.plans import describe_path
from tests.conftest import sample_deck

DOC_EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"


def plan_document(title: str = "Onboarding workshop") -> dict:
    return {
        "format": "quizroom.plan",
        "version": 1,
        "title": title,
        "description": "Day one",
        "activities": [
            {"kind": "poll", "uid": "p-mood", "type": "single", "text": "How do you feel?", "options": ["Good", "Meh"]},
            {"kind": "poll", "type": "wordcloud", "text": "One word for Git?"},
            {"kind": "board", "uid": "b-slow", "prompt": "What slows us down?", "columns": ["Process", "Tools"]},
            {"kind": "question", "uid": "q-deck-1", "type": "truefalse", "text": "Git is distributed", "correct": True},
            {
                "kind": "survey",
                "uid": "s-end",
                "title": "How was today?",
                "items": [
                    {"id": "session", "type": "rating", "text": "Rate the session", "scale": 5},
                    {"id": "comment", "type": "text", "text": "Anything else?"},
                ],
            },
        ],
    }


def create(client, document) -> int:
    response = client.post("/api/plans", json=document)
    assert response.status_code == 201, response.json
    return response.json["id"]


def plan_count(client) -> int:
    return len(client.get("/api/plans").json["plans"])


@pytest.fixture
def other(app):
    """A second trainer's signed-in client."""
    accounts.create_trainer(app, email="other@example.com", name="Oscar Other", password="other password")
    client = app.test_client()
    assert client.post("/login", data={"email": "other@example.com", "password": "other password"}).status_code == 302
    return client


# --------------------------------------------------------------------- API
def test_api_crud_keeps_uids_and_generates_missing_ones(logged_in):
    response = logged_in.post("/api/plans", json=plan_document())
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/api/plans/{response.json['id']}")
    plan_id, stored = response.json["id"], response.json["plan"]
    uids = [a["uid"] for a in stored["activities"]]
    assert uids[0] == "p-mood" and uids[2:] == ["b-slow", "q-deck-1", "s-end"]
    assert re.fullmatch(r"p_[0-9a-f]{12}", uids[1])  # generated, and kept from now on
    assert [a["kind"] for a in stored["activities"]] == ["poll", "poll", "board", "question", "survey"]
    assert stored["activities"][1]["max_entries"] == 3  # defaults are written out

    listing = logged_in.get("/api/plans").json["plans"]
    assert listing == [
        {
            "id": plan_id,
            "title": "Onboarding workshop",
            "activities": 5,
            "kinds": {"question": 1, "poll": 2, "board": 1, "survey": 1},
            "updated_at": listing[0]["updated_at"],
        }
    ]

    stored["title"] = "Renamed"
    stored["activities"].reverse()
    updated = logged_in.put(f"/api/plans/{plan_id}", json=stored)
    assert updated.status_code == 200
    assert [a["uid"] for a in updated.json["plan"]["activities"]] == list(reversed(uids))
    assert logged_in.get(f"/api/plans/{plan_id}").json == {"id": plan_id, "plan": updated.json["plan"]}

    assert logged_in.delete(f"/api/plans/{plan_id}").status_code == 204
    assert logged_in.get(f"/api/plans/{plan_id}").status_code == 404
    assert logged_in.delete(f"/api/plans/{plan_id}").status_code == 404
    assert plan_count(logged_in) == 0


def test_api_validation_lists_every_error_with_its_path_and_creates_nothing(logged_in):
    document = plan_document()
    document["title"] = ""
    document["activities"][0]["options"] = ["Only one"]
    document["activities"][1]["type"] = "essay"
    document["activities"][2]["votes"] = 50
    document["activities"][2]["columns"] = ["Fine", ""]
    document["activities"][3]["uid"] = "p-mood"
    document["activities"][4]["items"][0]["scale"] = 7
    document["activities"].append({"kind": "quiz"})
    response = logged_in.post("/api/plans", json=document)
    assert response.status_code == 400
    paths = {e["path"]: e["message"] for e in response.json["errors"]}
    assert set(paths) == {
        "title",
        "activities.0.options",
        "activities.1.type",
        "activities.2.votes",
        "activities.2.columns.1",
        "activities.3.uid",
        "activities.4.items.0.scale",
        "activities.5.kind",
    }
    assert paths["activities.3.uid"] == "is used by another activity"
    assert paths["activities.2.votes"] == "must be a whole number from 1 to 20"
    assert plan_count(logged_in) == 0


def test_api_refuses_empty_plans_and_bad_bodies(logged_in):
    empty = logged_in.post("/api/plans", json={"title": "Nothing yet", "activities": []})
    assert empty.status_code == 400
    assert empty.json["errors"] == [{"path": "activities", "message": "needs 1 to 100 activities"}]
    not_json = logged_in.post("/api/plans", data="{nope", content_type="application/json")
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json["errors"][0]["message"]
    assert logged_in.post("/api/plans", data={"title": "x"}).status_code == 400
    array = logged_in.post("/api/plans", json=[1])
    assert array.json["errors"] == [{"path": "", "message": "a plan is a JSON object"}]
    assert plan_count(logged_in) == 0


def test_api_put_invalid_leaves_the_plan_unchanged(logged_in):
    plan_id = create(logged_in, plan_document())
    before = logged_in.get(f"/api/plans/{plan_id}").json["plan"]
    broken = copy.deepcopy(before)
    broken["activities"][2]["prompt"] = ""
    response = logged_in.put(f"/api/plans/{plan_id}", json=broken)
    assert response.status_code == 400
    assert response.json["errors"] == [{"path": "activities.2.prompt", "message": "prompt is empty"}]
    assert logged_in.get(f"/api/plans/{plan_id}").json["plan"] == before


def test_api_requires_sign_in(client):
    assert client.get("/api/plans").status_code == 401
    assert client.post("/api/plans", json=plan_document()).status_code == 401
    assert client.get("/plans").status_code == 302


def test_questions_added_from_a_deck_keep_their_uids(logged_in):
    """What the editor does: read a deck through the API, copy some of its questions into
    the plan as kind "question" activities, save."""
    deck = logged_in.post("/api/decks", json=sample_deck(3)).json
    questions = logged_in.get(f"/api/decks/{deck['id']}").json["deck"]["questions"]
    chosen = [{"kind": "question", **q} for q in (questions[2], questions[0])]
    document = {"title": "Quiz and poll", "activities": [{"kind": "poll", "type": "rating", "text": "Ready?"}, *chosen]}
    plan_id = create(logged_in, document)
    stored = logged_in.get(f"/api/plans/{plan_id}").json["plan"]["activities"]
    assert [a["uid"] for a in stored[1:]] == ["q2", "q0"]
    assert stored[1] == {"kind": "question", **questions[2]}  # a faithful copy
    # The same question twice is refused (its uid must be unique in the plan).
    twice = logged_in.post("/api/plans", json={"title": "Twice", "activities": [chosen[0], chosen[0]]})
    assert twice.status_code == 400 and twice.json["errors"][0]["path"] == "activities.1.uid"


def test_duplicate_copies_the_agenda(logged_in):
    plan_id = create(logged_in, plan_document())
    response = logged_in.post(f"/api/plans/{plan_id}/duplicate")
    assert response.status_code == 201
    original = logged_in.get(f"/api/plans/{plan_id}").json["plan"]
    copy_doc = response.json["plan"]
    assert copy_doc["title"] == "Copy of Onboarding workshop"
    assert copy_doc["activities"] == original["activities"]  # uids kept: questions are the decks'
    form = logged_in.post(f"/plans/{plan_id}/duplicate")
    assert form.status_code == 302 and plan_count(logged_in) == 3


# -------------------------------------------------------------- ownership
def test_other_trainers_get_404_everywhere(app, logged_in, other):
    plan_id = create(logged_in, plan_document())
    document = logged_in.get(f"/api/plans/{plan_id}").json["plan"]
    assert other.get("/api/plans").json["plans"] == []
    assert "Onboarding workshop" not in other.get("/plans").text
    for response in (
        other.get(f"/plans/{plan_id}/edit"),
        other.get(f"/plans/{plan_id}/export.json"),
        other.post(f"/plans/{plan_id}/delete", data={"confirm": "yes"}),
        other.post(f"/plans/{plan_id}/duplicate"),
        other.post(f"/plans/{plan_id}/start"),
        other.get(f"/api/plans/{plan_id}"),
        other.put(f"/api/plans/{plan_id}", json=plan_document()),
        other.delete(f"/api/plans/{plan_id}"),
        other.post(f"/api/plans/{plan_id}/duplicate"),
        other.post("/api/rooms", json={"plan_id": plan_id}),
    ):
        assert response.status_code == 404
    assert logged_in.get(f"/api/plans/{plan_id}").json["plan"] == document
    with database(app).read() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(models.Room)) == 0


# ------------------------------------------------------------------ pages
def test_plans_page_lists_plans_with_their_actions(logged_in):
    plan_id = create(logged_in, plan_document())
    html = logged_in.get("/plans").text
    assert "<h1>Session plans</h1>" in html
    assert 'href="/plans">Session plans</a>' in html  # the navigation link
    assert f'href="/plans/{plan_id}/edit"' in html
    assert f'action="/plans/{plan_id}/start"' in html
    assert f'action="/plans/{plan_id}/duplicate"' in html
    assert f'href="/plans/{plan_id}/export.json"' in html
    assert f'action="/plans/{plan_id}/delete"' in html and "data-confirm=" in html
    assert "1 question · 2 polls · 1 board · 1 survey" in html
    empty = logged_in.get("/plans")
    assert empty.status_code == 200


def test_empty_list_invites_to_create(logged_in):
    html = logged_in.get("/plans").text
    assert "No session plans yet" in html and 'href="/plans/new"' in html


def test_editor_pages(logged_in):
    logged_in.post("/api/decks", json=sample_deck(2))
    new = logged_in.get("/plans/new")
    assert new.status_code == 200
    html = new.text
    assert 'data-plan-id=""' in html
    assert "/static/js/plan-editor.js" in html and "/static/js/common.js" in html
    assert json.loads(re.search(r'id="plan-data">(.*?)</script>', html, re.S).group(1))["activities"] == []
    template = json.loads(re.search(r'id="survey-template">(.*?)</script>', html, re.S).group(1))
    assert [i["id"] for i in template["items"]] == ["session", "trainer", "use", "unclear", "comment"]
    labels = ('for="plan-title">Title<', 'for="plan-description">Description (optional)<', 'for="deck-select">Deck<')
    for label in labels:
        assert label in html
    for button in (">Add poll<", ">Add board<", ">Add survey<", ">Add questions from a deck<", ">Save plan<"):
        assert button in html
    assert ">Sample deck (2 questions)</option>" in html
    plan_id = create(logged_in, plan_document())
    edit = logged_in.get(f"/plans/{plan_id}/edit").text
    assert f'data-plan-id="{plan_id}"' in edit and f'action="/plans/{plan_id}/start"' in edit
    embedded = json.loads(re.search(r'id="plan-data">(.*?)</script>', edit, re.S).group(1))
    assert embedded == logged_in.get(f"/api/plans/{plan_id}").json["plan"]
    assert logged_in.get("/plans/999/edit").status_code == 404


def test_hostile_titles_are_escaped(logged_in):
    hostile = "</script><script>alert(1)</script>"
    plan_id = create(logged_in, dict(plan_document(), title=hostile))
    listing = logged_in.get("/plans").text
    assert hostile not in listing and "&lt;/script&gt;&lt;script&gt;" in listing
    editor = logged_in.get(f"/plans/{plan_id}/edit").text
    assert "<script>alert(1)" not in editor
    data = re.search(r'<script type="application/json" id="plan-data">(.*?)</script>', editor, re.S).group(1)
    assert json.loads(data)["title"] == hostile


def test_delete_asks_first_without_javascript(logged_in):
    plan_id = create(logged_in, plan_document())
    ask = logged_in.post(f"/plans/{plan_id}/delete")
    assert ask.status_code == 200 and "Delete “Onboarding workshop”?" in ask.text
    assert logged_in.get(f"/api/plans/{plan_id}").status_code == 200
    done = logged_in.post(f"/plans/{plan_id}/delete", data={"confirm": "yes"})
    assert done.status_code == 302
    assert logged_in.get(f"/api/plans/{plan_id}").status_code == 404
    assert "Deleted “Onboarding workshop”" in logged_in.get("/plans").text


# ------------------------------------------------------- import / export
def test_export_then_import_round_trip(logged_in):
    plan_id = create(logged_in, plan_document())
    exported = logged_in.get(f"/plans/{plan_id}/export.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    assert exported.headers["Content-Disposition"] == "attachment; filename=onboarding-workshop.quizroom-plan.json"
    assert json.loads(exported.data) == logged_in.get(f"/api/plans/{plan_id}").json["plan"]
    imported = logged_in.post(
        "/plans/import", data={"file": (io.BytesIO(exported.data), "plan.json")}, content_type="multipart/form-data"
    )
    assert imported.status_code == 302
    new_id = int(re.search(r"/plans/(\d+)/edit", imported.headers["Location"]).group(1))
    assert logged_in.get(f"/api/plans/{new_id}").json["plan"] == json.loads(exported.data)
    upload = logged_in.post(
        "/api/plans", data={"file": (io.BytesIO(exported.data), "plan.json")}, content_type="multipart/form-data"
    )
    assert upload.status_code == 201


def test_import_of_an_invalid_plan_lists_every_problem(logged_in):
    document = plan_document()
    document["activities"][0]["options"] = ["", "ok"]
    document["activities"][2]["note_limit"] = -1
    response = logged_in.post("/plans/import", data={"document": json.dumps(document)})
    assert response.status_code == 400
    html = response.text
    assert "Nothing was imported" in html and "2 problems" in html
    assert "<code>activities.0.options.0</code>" in html and "Item 1 › option 1" in html
    assert "<code>activities.2.note_limit</code>" in html and "Item 3 › notes per person" in html
    assert plan_count(logged_in) == 0
    assert logged_in.get("/plans/import").status_code == 200


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("", "Plan"),
        ("title", "Title"),
        ("activities", "Agenda"),
        ("activities.3.options.1", "Item 4 › option 2"),
        ("activities.0.items.2.scale", "Item 1 › item 3 › scale"),
        ("activities.1.columns.0", "Item 2 › column 1"),
    ],
)
def test_describe_path(path, words):
    assert describe_path(path) == words


def test_the_documented_example_is_a_valid_plan(logged_in):
    text = DOC_EXAMPLE.read_text()
    example = json.loads(re.search(r"```json\n(\{.*?\n\})\n```", text, re.S).group(1))
    plan = parse_plan(example)
    assert {a.kind for a in plan.activities} >= {"poll", "board", "survey"}
    assert create(logged_in, example)


# ---------------------------------------------------------- start a room
def test_start_a_room_from_a_plan_through_the_api(app, logged_in):
    plan_id = create(logged_in, plan_document())
    response = logged_in.post("/api/rooms", json={"plan_id": plan_id, "settings": {"question_on_device": False}})
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) >= {"code", "room_id", "host_key", "join_url", "stage_url", "results_url"}
    live = app.extensions["quizroom.live"].rooms[body["code"]]
    assert [a.uid for a in live.engine.activities] == [
        a["uid"] for a in logged_in.get(f"/api/plans/{plan_id}").json["plan"]["activities"]
    ]
    with database(app).read() as s:
        row = s.get(models.Room, body["room_id"])
        assert (row.plan_id, row.deck_id, row.title, row.trainer_id) == (plan_id, None, "Onboarding workshop", 1)
        assert [a["kind"] for a in row.snapshot["activities"]] == ["poll", "poll", "board", "question", "survey"]
    # The plan can be deleted afterwards: the room (and its results) stay.
    assert logged_in.delete(f"/api/plans/{plan_id}").status_code == 204
    with database(app).read() as s:
        assert s.get(models.Room, body["room_id"]).plan_id is None
    assert logged_in.get(f"/api/rooms/{body['room_id']}/results").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"plan_id": "1"},
        {"plan_id": True},
        {"plan_id": 1, "deck_id": 1},
        {},
        {"plan_id": 1, "settings": {"x": 1}},
    ],
)
def test_api_rooms_refuses_bad_plan_bodies(logged_in, body):
    create(logged_in, plan_document())
    response = logged_in.post("/api/rooms", json=body)
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_api_rooms_unknown_plan_is_404(logged_in):
    response = logged_in.post("/api/rooms", json={"plan_id": 12345})
    assert response.status_code == 404 and response.json["error"]["code"] == "plan_not_found"


def test_start_form_opens_the_stage(app, logged_in):
    plan_id = create(logged_in, plan_document())
    response = logged_in.post(f"/plans/{plan_id}/start")
    assert response.status_code == 302
    code = re.search(r"/rooms/(\d{6})/stage", response.headers["Location"]).group(1)
    assert app.extensions["quizroom.live"].rooms[code].engine.title == "Onboarding workshop"
    assert logged_in.post("/plans/999/start").status_code == 404
