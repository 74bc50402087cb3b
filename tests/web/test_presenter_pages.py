"""The presenter view page and the stage for co-hosts (docs/cohosts.md): only the room's
hosts get them (with a key of their own), everyone else a 404; presenter notes in decks."""

from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from quizroom import decks, members, models
from quizroom.app import database, live_rooms
from quizroom.live import hosts
from tests.conftest import TRAINER_PASSWORD, sample_deck, socket_client

PASSWORD_HASH = generate_password_hash(TRAINER_PASSWORD)  # once: scrypt is slow on purpose


def colleague(app, owner, email: str, name: str, role: str = "trainer", same_workspace: bool = True) -> int:
    """An account in the owner's workspace with ``role`` (or an admin of a workspace of its own)."""
    with database(app).transaction() as s:
        workspace = owner.workspace_id if same_workspace else members.new_workspace(s, "Elsewhere").id
        row = models.Trainer(email=email, name=name, password_hash=PASSWORD_HASH, workspace_id=workspace, role=role)
        s.add(row)
        s.flush()
        return row.id


def sign_in(client, email: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"email": email, "password": TRAINER_PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]


@pytest.fixture
def room(app, logged_in, trainer) -> dict:
    deck = decks.create_deck(app, trainer.id, sample_deck(2)).id
    response = logged_in.post("/api/rooms", json={"deck_id": deck})
    assert response.status_code == 201
    return response.get_json()


@pytest.fixture
def people(app, trainer) -> dict[str, int]:
    with database(app).read() as s:
        owner = s.get(models.Trainer, trainer.id)
    return {
        "bo": colleague(app, owner, "bo@example.com", "Bo Colleague"),
        "cy": colleague(app, owner, "cy@example.com", "Cy Colleague"),
        "vi": colleague(app, owner, "vi@example.com", "Vi Viewer", role="viewer"),
        "ex": colleague(app, owner, "ex@example.com", "Ex Elsewhere", same_workspace=False),
    }


def add_cohost(app, room: dict, trainer_id: int) -> None:
    host = socket_client(app)
    assert host.emit("host:attach", {"code": room["code"], "key": room["host_key"]}, callback=True)["ok"]
    assert host.emit("host:cohost_add", {"trainer": trainer_id}, callback=True) == {"ok": True}
    host.disconnect()


def page_key(html: str) -> str:
    return re.search(r'data-key="([0-9a-f]{40})"', html).group(1)


def test_the_owner_gets_the_presenter_view_with_the_colleagues_to_pick(app, logged_in, room, people):
    response = logged_in.get(f"/rooms/{room['code']}/presenter")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    assert page_key(html) == room["host_key"]
    assert 'data-phase="connecting"' in html and "js/presenter.js" in html
    picker = html[html.index('id="pv-add-pick"') : html.index("</select>")]
    assert "Bo Colleague (bo@example.com)" in picker and "Cy Colleague" in picker
    assert "Vi Viewer" not in picker and "Ex Elsewhere" not in picker  # a viewer; another workspace
    assert f'href="/rooms/{room["code"]}/stage"' in html


def test_a_cohost_opens_the_stage_and_presenter_view_with_a_key_of_their_own(app, client, room, people):
    add_cohost(app, room, people["bo"])
    sign_in(client, "bo@example.com")
    live = live_rooms(app).get(room["code"])
    for page in ("presenter", "stage"):
        response = client.get(f"/rooms/{room['code']}/{page}")
        assert response.status_code == 200, page
        key = page_key(response.get_data(as_text=True))
        assert key != room["host_key"] and key == hosts.key_for(live_rooms(app), live, people["bo"])
    assert client.get(f"/rooms/{room['code']}/qr.svg").status_code == 200
    # The key works on the socket (as Bo).
    socket = socket_client(app)
    ack = socket.emit("host:attach", {"code": room["code"], "key": key, "view": "presenter"}, callback=True)
    assert ack["ok"] and ack["you"] == people["bo"]


def test_anyone_else_gets_a_404(app, client, room, people):
    add_cohost(app, room, people["bo"])
    for who in ("cy", "ex"):  # a colleague who is no co-host, a trainer of another workspace
        sign_in(client, f"{who}@example.com")
        for path in ("presenter", "stage", "qr.svg"):
            assert client.get(f"/rooms/{room['code']}/{path}").status_code == 404, (who, path)
    sign_in(client, "vi@example.com")  # a viewer runs no room: 403 by role (docs/workspace.md), or 404
    for path in ("presenter", "stage", "qr.svg"):
        response = client.get(f"/rooms/{room['code']}/{path}")
        assert response.status_code in (403, 404) and "data-key" not in response.get_data(as_text=True), path


def test_a_removed_cohost_gets_a_404(app, client, room, people):
    add_cohost(app, room, people["bo"])
    host = socket_client(app)
    host.emit("host:attach", {"code": room["code"], "key": room["host_key"]}, callback=True)
    assert host.emit("host:cohost_remove", {"trainer": people["bo"]}, callback=True) == {"ok": True}
    sign_in(client, "bo@example.com")
    assert client.get(f"/rooms/{room['code']}/presenter").status_code == 404
    assert client.get(f"/rooms/{room['code']}/stage").status_code == 404


def test_presenter_view_needs_a_live_room_and_a_signed_in_host(app, client, logged_in, room):
    other = "999999" if room["code"] != "999999" else "999998"
    assert logged_in.get(f"/rooms/{other}/presenter").status_code == 404
    assert logged_in.get("/rooms/12345/presenter").status_code == 404
    logged_in.post("/logout")
    response = client.get(f"/rooms/{room['code']}/presenter")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


# ------------------------------------------------------------------ notes in decks
def test_deck_notes_are_stored_cleaned_and_exported(logged_in):
    deck = sample_deck(2)
    deck["questions"][0]["notes"] = "  Ask who   has\u200b used it.\r\n\n\n\nThen the story.  \n"
    created = logged_in.post("/api/decks", json=deck)
    assert created.status_code == 201, created.json
    stored = logged_in.get(f"/api/decks/{created.json['id']}").json
    questions = stored["deck"]["questions"]
    assert questions[0]["notes"] == "Ask who has used it.\n\nThen the story."
    assert "notes" not in questions[1]


def test_bad_notes_are_refused_naming_the_field(logged_in):
    for notes, message in [(5, "must be text"), ("x" * 2001, "at most 2000"), (["a"], "must be text")]:
        deck = sample_deck(1)
        deck["questions"][0]["notes"] = notes
        response = logged_in.post("/api/decks", json=deck)
        assert response.status_code == 400
        errors = {e["path"]: e["message"] for e in response.json["errors"]}
        assert message in errors["questions.0.notes"]
    assert logged_in.get("/api/decks").json["decks"] == []
