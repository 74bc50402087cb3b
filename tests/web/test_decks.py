"""Decks: the list, the editor page, the JSON API, import/export, duplicates, images, ownership."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import pytest

from quizroom import accounts
from tests.conftest import sample_deck

DEMO = Path(__file__).resolve().parents[2] / "quizroom" / "demo" / "demo-deck.json"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def uploads_in_tmp(app, tmp_path):
    """The shared app fixture overrides INSTANCE_DIR but UPLOAD_DIR still follows the environment."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


def demo_deck() -> dict:
    return json.loads(DEMO.read_text())


def create(client, document) -> int:
    response = client.post("/api/decks", json=document)
    assert response.status_code == 201, response.json
    return response.json["id"]


def deck_count(client) -> int:
    return len(client.get("/api/decks").json["decks"])


@pytest.fixture
def other(app):
    """A second trainer's signed-in client."""
    accounts.create_trainer(app, email="other@example.com", name="Oscar Other", password="other password")
    client = app.test_client()
    assert client.post("/login", data={"email": "other@example.com", "password": "other password"}).status_code == 302
    return client


# --------------------------------------------------------------------- API
def test_api_crud_keeps_uids(logged_in):
    created = logged_in.post("/api/decks", json=demo_deck())
    assert created.status_code == 201
    deck_id = created.json["id"]
    assert created.headers["Location"].endswith(f"/api/decks/{deck_id}")
    uids = [q["uid"] for q in created.json["deck"]["questions"]]
    assert uids == [q["uid"] for q in demo_deck()["questions"]]

    listed = logged_in.get("/api/decks").json["decks"]
    assert listed == [
        {"id": deck_id, "title": "Git basics: a warm-up quiz", "questions": 7, "updated_at": listed[0]["updated_at"]}
    ]

    document = logged_in.get(f"/api/decks/{deck_id}").json["deck"]
    document["title"] = "Git, revised"
    document["questions"].reverse()
    document["questions"].append({"type": "truefalse", "text": "New one?", "correct": False})
    updated = logged_in.put(f"/api/decks/{deck_id}", json=document)
    assert updated.status_code == 200
    saved = updated.json["deck"]
    assert saved["title"] == "Git, revised"
    assert [q["uid"] for q in saved["questions"][:7]] == list(reversed(uids))
    new_uid = saved["questions"][7]["uid"]
    assert new_uid and new_uid not in uids
    assert logged_in.get(f"/api/decks/{deck_id}").json["deck"] == saved

    assert logged_in.delete(f"/api/decks/{deck_id}").status_code == 204
    assert logged_in.get(f"/api/decks/{deck_id}").status_code == 404
    assert logged_in.delete(f"/api/decks/{deck_id}").status_code == 404


def test_api_validation_lists_every_error_with_its_path_and_creates_nothing(logged_in):
    document = sample_deck(3)
    document["title"] = ""
    document["questions"][0]["choices"][0]["correct"] = False  # none correct
    document["questions"][1]["choices"][1]["text"] = "   "  # empty answer
    document["questions"][2]["time_limit"] = 3
    document["questions"].append({"type": "slider", "text": "How far?", "min": 10, "max": 5, "correct": 7})
    response = logged_in.post("/api/decks", json=document)
    assert response.status_code == 400
    paths = {e["path"]: e["message"] for e in response.json["errors"]}
    assert paths == {
        "title": "title is empty",
        "questions.0.choices": "mark exactly one choice correct",
        "questions.1.choices.1": "text is empty",
        "questions.2.time_limit": "must be whole seconds from 5 to 240",
        "questions.3.max": "must be greater than min",
        "questions.3.correct": "must lie between min and max",
    }
    assert deck_count(logged_in) == 0


def test_api_rejects_bad_bodies(logged_in):
    not_json = logged_in.post("/api/decks", data="{not json", content_type="application/json")
    assert not_json.status_code == 400
    assert not_json.json["errors"][0]["path"] == ""
    assert "not valid JSON" in not_json.json["errors"][0]["message"]
    form = logged_in.post("/api/decks", data={"title": "x"})
    assert form.status_code == 400
    array = logged_in.post("/api/decks", json=[1, 2])
    assert array.status_code == 400 and array.json["errors"] == [{"path": "", "message": "a deck is a JSON object"}]
    assert deck_count(logged_in) == 0


def test_api_put_invalid_leaves_the_deck_unchanged(logged_in):
    deck_id = create(logged_in, sample_deck(2))
    before = logged_in.get(f"/api/decks/{deck_id}").json["deck"]
    broken = copy.deepcopy(before)
    broken["questions"][1]["type"] = "essay"
    response = logged_in.put(f"/api/decks/{deck_id}", json=broken)
    assert response.status_code == 400
    assert response.json["errors"][0]["path"] == "questions.1.type"
    assert logged_in.get(f"/api/decks/{deck_id}").json["deck"] == before


def test_api_accepts_an_uploaded_document(logged_in):
    data = {"file": (io.BytesIO(json.dumps(demo_deck()).encode()), "deck.json")}
    response = logged_in.post("/api/decks", data=data, content_type="multipart/form-data")
    assert response.status_code == 201
    assert response.json["deck"]["title"] == "Git basics: a warm-up quiz"


def test_api_duplicate_gives_new_uids(logged_in):
    deck_id = create(logged_in, demo_deck())
    response = logged_in.post(f"/api/decks/{deck_id}/duplicate")
    assert response.status_code == 201
    copy_doc = logged_in.get(f"/api/decks/{response.json['id']}").json["deck"]
    original = logged_in.get(f"/api/decks/{deck_id}").json["deck"]
    assert copy_doc["title"] == "Copy of Git basics: a warm-up quiz"
    assert [q["text"] for q in copy_doc["questions"]] == [q["text"] for q in original["questions"]]
    assert not {q["uid"] for q in copy_doc["questions"]} & {q["uid"] for q in original["questions"]}


# -------------------------------------------------------------- ownership
def test_other_trainers_cannot_see_edit_export_or_delete(logged_in, other):
    deck_id = create(logged_in, demo_deck())
    document = logged_in.get(f"/api/decks/{deck_id}").json["deck"]
    assert other.get("/api/decks").json["decks"] == []
    assert "Git basics" not in other.get("/decks").text
    for response in (
        other.get(f"/decks/{deck_id}/edit"),
        other.get(f"/decks/{deck_id}/export.json"),
        other.post(f"/decks/{deck_id}/delete", data={"confirm": "yes"}),
        other.post(f"/decks/{deck_id}/duplicate"),
        other.get(f"/api/decks/{deck_id}"),
        other.put(f"/api/decks/{deck_id}", json=sample_deck()),
        other.delete(f"/api/decks/{deck_id}"),
        other.post(f"/api/decks/{deck_id}/duplicate"),
    ):
        assert response.status_code == 404
    assert logged_in.get(f"/api/decks/{deck_id}").json["deck"] == document
    assert other.get("/api/decks").json["decks"] == []


# ------------------------------------------------------------------ pages
def test_decks_page_lists_decks_with_their_actions(logged_in):
    deck_id = create(logged_in, demo_deck())
    create(logged_in, {"title": "Empty deck", "questions": []})
    html = logged_in.get("/decks").text
    assert "<h1>My decks</h1>" in html
    assert f'action="/decks/{deck_id}/start"' in html
    assert f'href="/decks/{deck_id}/edit"' in html
    assert f'href="/decks/{deck_id}/export.json"' in html
    assert f'action="/decks/{deck_id}/duplicate"' in html
    assert f'action="/decks/{deck_id}/delete"' in html and "data-confirm=" in html
    assert '<td class="num">7</td>' in html and '<td class="num">0</td>' in html
    assert html.count('/start"') == 1  # the empty deck cannot start a room
    assert "Add a question to start a room." in html


def test_hostile_titles_are_escaped_on_the_list_and_in_the_editor(logged_in):
    hostile = "</script><script>alert(1)</script>"
    deck_id = create(logged_in, {"title": hostile, "questions": sample_deck(1)["questions"]})
    listing = logged_in.get("/decks").text
    assert hostile not in listing and "&lt;/script&gt;&lt;script&gt;" in listing
    editor = logged_in.get(f"/decks/{deck_id}/edit").text
    assert "<script>alert(1)" not in editor
    data = re.search(r'<script type="application/json" id="deck-data">(.*?)</script>', editor, re.S).group(1)
    assert json.loads(data)["title"] == hostile


def test_editor_pages(logged_in):
    new = logged_in.get("/decks/new")
    assert new.status_code == 200
    assert 'data-deck-id=""' in new.text
    assert "/static/js/editor.js" in new.text and "/static/js/common.js" in new.text
    assert json.loads(re.search(r'id="deck-data">(.*?)</script>', new.text, re.S).group(1))["questions"] == []
    deck_id = create(logged_in, demo_deck())
    edit = logged_in.get(f"/decks/{deck_id}/edit").text
    assert f'data-deck-id="{deck_id}"' in edit
    embedded = json.loads(re.search(r'id="deck-data">(.*?)</script>', edit, re.S).group(1))
    assert [q["uid"] for q in embedded["questions"]] == [q["uid"] for q in demo_deck()["questions"]]
    for label in ('for="deck-title">Title<', 'for="deck-description">Description (optional)<'):
        assert label in edit
    assert logged_in.get("/decks/999/edit").status_code == 404


def test_delete_asks_first_without_javascript(logged_in):
    deck_id = create(logged_in, demo_deck())
    ask = logged_in.post(f"/decks/{deck_id}/delete")
    assert ask.status_code == 200
    assert "Delete “Git basics: a warm-up quiz”?" in ask.text
    assert logged_in.get(f"/api/decks/{deck_id}").status_code == 200
    done = logged_in.post(f"/decks/{deck_id}/delete", data={"confirm": "yes"})
    assert done.status_code == 302
    assert logged_in.get(f"/api/decks/{deck_id}").status_code == 404
    assert "Deleted “Git basics: a warm-up quiz”" in logged_in.get("/decks").text


def test_duplicate_form(logged_in):
    deck_id = create(logged_in, demo_deck())
    response = logged_in.post(f"/decks/{deck_id}/duplicate")
    assert response.status_code == 302
    titles = sorted(d["title"] for d in logged_in.get("/api/decks").json["decks"])
    assert titles == ["Copy of Git basics: a warm-up quiz", "Git basics: a warm-up quiz"]


# ------------------------------------------------------- import / export
def test_export_is_a_download_of_the_document(logged_in):
    deck_id = create(logged_in, demo_deck())
    response = logged_in.get(f"/decks/{deck_id}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == "attachment; filename=git-basics-a-warm-up-quiz.quizroom.json"
    assert json.loads(response.data) == logged_in.get(f"/api/decks/{deck_id}").json["deck"]


def test_export_then_import_round_trip_keeps_everything(logged_in):
    deck_id = create(logged_in, demo_deck())
    exported = logged_in.get(f"/decks/{deck_id}/export.json").data
    response = logged_in.post(
        "/decks/import", data={"file": (io.BytesIO(exported), "git.quizroom.json")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    new_id = int(re.search(r"/decks/(\d+)/edit", response.location).group(1))
    assert new_id != deck_id
    assert logged_in.get(f"/api/decks/{new_id}").json["deck"] == json.loads(exported)
    assert "Imported “Git basics: a warm-up quiz” with 7 question(s)." in logged_in.get(response.location).text


def test_import_of_invalid_json_creates_nothing(logged_in):
    response = logged_in.post(
        "/decks/import",
        data={"file": (io.BytesIO(b'{"title": "x",\n  oops}'), "bad.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "“bad.json” was not imported" in response.text
    assert "the file is not valid JSON" in response.text and "line 2" in response.text
    assert deck_count(logged_in) == 0
    binary = logged_in.post(
        "/decks/import", data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "bad.json")}, content_type="multipart/form-data"
    )
    assert binary.status_code == 400 and "not UTF-8" in binary.text
    empty = logged_in.post("/decks/import", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "choose a deck file" in empty.text
    assert deck_count(logged_in) == 0


def test_import_of_an_invalid_deck_lists_every_problem(logged_in):
    document = demo_deck()
    document["format"] = "kahoot"
    document["questions"][0]["choices"] = [{"text": "only one", "correct": True}]
    document["questions"][4]["tolerance"] = -1
    document["questions"][5]["items"][2] = ""
    response = logged_in.post("/decks/import", data={"document": json.dumps(document)})
    assert response.status_code == 400
    html = response.text
    assert "4 problems" in html
    for path, label in [
        ("format", "Format"),
        ("questions.0.choices", "Question 1 › answers"),
        ("questions.4.tolerance", "Question 5 › tolerance"),
        ("questions.5.items.2", "Question 6 › item 3"),
    ]:
        assert f"<strong>{label}</strong> <code>{path}</code>:" in html
    assert "needs 2 to 6 entries" in html and "must not be negative" in html
    assert deck_count(logged_in) == 0


# ---------------------------------------------------------------- uploads
def test_upload_accepts_a_png_and_serves_it_safely(app, logged_in):
    response = logged_in.post(
        "/api/uploads", data={"file": (io.BytesIO(PNG), "diagram.PNG")}, content_type="multipart/form-data"
    )
    assert response.status_code == 201
    url = response.json["url"]
    assert re.fullmatch(r"/uploads/[A-Za-z0-9_-]{20,}\.png", url)
    assert "diagram" not in url
    stored = list(Path(app.config["UPLOAD_DIR"]).iterdir())
    assert [p.name for p in stored] == [url.rsplit("/", 1)[1]]
    served = logged_in.get(url)
    assert served.status_code == 200
    assert served.data == PNG
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # An uploaded image works in a deck.
    document = sample_deck(1)
    document["questions"][0]["image"] = url
    assert logged_in.post("/api/decks", json=document).status_code == 201
    # Phones are not signed in, and still see it.
    assert app.test_client().get(url).status_code == 200


def test_upload_checks_the_content_not_the_name(app, logged_in):
    fake = logged_in.post(
        "/api/uploads",
        data={"file": (io.BytesIO(b"<html><script>alert(1)</script>"), "cat.png")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400
    assert fake.json["error"]["code"] == "bad_image"
    svg = logged_in.post(
        "/api/uploads",
        data={"file": (io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "x.svg")},
        content_type="multipart/form-data",
    )
    assert svg.status_code == 400
    assert not Path(app.config["UPLOAD_DIR"]).exists() or not any(Path(app.config["UPLOAD_DIR"]).iterdir())
    renamed = logged_in.post(
        "/api/uploads",
        data={"file": (io.BytesIO(b"GIF89a" + b"\x00" * 20), "notes.txt")},
        content_type="multipart/form-data",
    )
    assert renamed.status_code == 201 and renamed.json["url"].endswith(".gif")
    nothing = logged_in.post("/api/uploads", data={}, content_type="multipart/form-data")
    assert nothing.status_code == 400 and nothing.json["error"]["code"] == "no_file"


def test_upload_size_is_limited(app, logged_in):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = logged_in.post(
        "/api/uploads", data={"file": (io.BytesIO(PNG + b"\x00" * 4096), "big.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"


@pytest.mark.parametrize("name", ["../secret_key", "..%2Fsecret_key", "x.png", "abcdefghijklmnopqrstuvwx.svg"])
def test_uploads_only_serves_upload_names(app, client, name):
    (Path(app.config["INSTANCE_DIR"]) / "secret_key").write_text("do not serve")
    assert client.get(f"/uploads/{name}").status_code == 404


def test_the_documented_example_is_a_valid_deck(logged_in):
    text = (DEMO.parents[2] / "docs" / "deck-format.md").read_text()
    example = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    response = logged_in.post("/api/decks", json=example)
    assert response.status_code == 201, response.json
    assert {q["type"] for q in response.json["deck"]["questions"]} == {
        "single",
        "multi",
        "truefalse",
        "typed",
        "slider",
        "order",
        "poll",
    }


# ------------------------------------------------------- identity and topics
def test_saving_keeps_uids_and_topics_through_typo_fixes(logged_in):
    document = sample_deck(2)
    document["questions"][0]["topics"] = ["Git", "GIT", "  Remote   branches "]
    deck_id = create(logged_in, document)
    saved = logged_in.get(f"/api/decks/{deck_id}").json["deck"]
    assert saved["questions"][0]["topics"] == ["Git", "Remote branches"]
    assert "topics" not in saved["questions"][1]

    edited = copy.deepcopy(saved)
    edited["questions"][0]["text"] = "Questoin 0?"  # a typo, sent back with its uid
    edited["questions"][1]["topics"] = ["Hooks"]
    edited["questions"].reverse()
    response = logged_in.put(f"/api/decks/{deck_id}", json=edited)
    assert response.status_code == 200, response.json
    after = response.json["deck"]["questions"]
    assert [q["uid"] for q in after] == ["q1", "q0"]
    assert [q.get("topics") for q in after] == [["Hooks"], ["Git", "Remote branches"]]
    exported = json.loads(logged_in.get(f"/decks/{deck_id}/export.json").data)
    assert exported["questions"] == after


def test_a_dropped_uid_gets_a_new_one_never_an_old_one(logged_in):
    deck_id = create(logged_in, sample_deck(3))
    seen = {"q0", "q1", "q2"}
    for _ in range(3):  # "new question" chosen again and again: a fresh uid every time
        document = logged_in.get(f"/api/decks/{deck_id}").json["deck"]
        old = document["questions"][1].pop("uid")
        document["questions"][1]["text"] = "A different question?"
        saved = logged_in.put(f"/api/decks/{deck_id}", json=document).json["deck"]["questions"]
        fresh = saved[1]["uid"]
        assert fresh != old and fresh not in seen
        assert re.fullmatch(r"q_[0-9a-f]{12}", fresh)
        assert [saved[0]["uid"], saved[2]["uid"]] == ["q0", "q2"]
        seen.add(fresh)


def test_bad_topics_are_listed_and_change_nothing(logged_in):
    deck_id = create(logged_in, sample_deck(2))
    before = logged_in.get(f"/api/decks/{deck_id}").json["deck"]
    broken = copy.deepcopy(before)
    broken["questions"][0]["topics"] = ["fine", "x" * 41, ""]
    broken["questions"][1]["topics"] = [f"t{i}" for i in range(6)]
    response = logged_in.put(f"/api/decks/{deck_id}", json=broken)
    assert response.status_code == 400
    assert {e["path"]: e["message"] for e in response.json["errors"]} == {
        "questions.0.topics.1": "topic is too long (at most 40)",
        "questions.0.topics.2": "topic is empty",
        "questions.1.topics": "at most 5 topics",
    }
    assert logged_in.get(f"/api/decks/{deck_id}").json["deck"] == before


def test_both_editors_load_the_identity_check(logged_in):
    page = logged_in.get("/decks/new").text
    assert page.index("/static/js/identity.js") < page.index("/static/js/editor.js")
    assert '<datalist id="topic-suggestions">' in page
    plan_page = logged_in.get("/plans/new").text
    assert plan_page.index("/static/js/identity.js") < plan_page.index("/static/js/plan-editor.js")
    assert logged_in.get("/static/js/identity.js").status_code == 200
