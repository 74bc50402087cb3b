"""Workspaces and roles: the first account, self sign-up, invitation links (used once, expired,
withdrawn, wrong), QUIZROOM_OPEN_SIGNUP, the last admin, removing a member, the migration of
accounts made before workspaces, and viewers kept away from room controls."""

from __future__ import annotations

import html
import re
import sqlite3

import pytest
import sqlalchemy as sa

from quizroom import create_app, decks, members, models, workspaces
from quizroom.app import database, live_rooms
from tests.conftest import sample_deck, socket_client
from tests.web.workspace_world import add_account, count, make_team, sign_in

PASSWORD = "long enough pw"


def register(client, name: str, email: str, invite: str | None = None):
    data = {"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD}
    if invite is not None:
        data["invite"] = invite
    return client.post("/register", data=data)


def account(app, email: str) -> models.Trainer | None:
    with database(app).read() as s:
        return s.scalar(sa.select(models.Trainer).where(models.Trainer.email == email))


def invite_link(client, role: str = "trainer", note: str = "") -> str:
    """Create an invitation on the workspace page (as the signed-in admin); its link."""
    response = client.post("/workspace/invitations", data={"role": role, "note": note})
    assert response.status_code == 302, response.text[:300]
    page = client.get("/workspace").text
    links = re.findall(r'value="(http://localhost/register\?invite=[^"]+)"', page)
    assert links, "the workspace page shows the open link"
    return html.unescape(links[0])  # the newest first


def token_of(link: str) -> str:
    return link.split("invite=", 1)[1]


# ------------------------------------------------------------------ signing up
def test_first_account_is_admin_and_self_signup_makes_a_workspace_of_ones_own(app, client):
    assert register(client, "Rita Runner", "rita@example.com").status_code == 302
    client.post("/logout")
    assert register(client, "Sam Second", "sam@example.com").status_code == 302
    rita, sam = account(app, "rita@example.com"), account(app, "sam@example.com")
    assert (rita.role, sam.role) == ("admin", "admin")
    assert rita.workspace_id != sam.workspace_id  # strangers: nothing shared
    page = client.get("/workspace").text
    listed = page[page.index('<table class="data member-table">') : page.index("</table>")]
    assert "Sam Second" in listed and "Rita Runner" not in listed
    assert "Invitations" in page  # an admin's page


def test_an_invitation_link_signs_up_into_the_workspace_with_its_role_once(app, client):
    register(client, "Ada Admin", "ada@example.com")
    link = invite_link(client, "viewer", note="Lee from L&D")
    token = token_of(link)
    with database(app).read() as s:
        stored = s.scalar(sa.select(models.Invitation))
    assert stored.token_hash != token and token not in (stored.salt, stored.note)  # only a hash is kept
    assert len(token) >= 40

    client.post("/logout")
    offer = client.get(link.replace("http://localhost", ""))
    assert offer.status_code == 200
    assert "You are invited to join <strong>Ada Admin&#39;s workspace</strong> as\n    viewer" in offer.text
    assert register(client, "Lee Lead", "lee@example.com", token).status_code == 302
    lee, ada = account(app, "lee@example.com"), account(app, "ada@example.com")
    assert (lee.workspace_id, lee.role) == (ada.workspace_id, "viewer")
    assert "You joined Ada Admin&#39;s workspace as viewer." in client.get("/workspace").text

    client.post("/logout")
    again = register(client, "Mo More", "mo@example.com", token)
    assert again.status_code == 400
    assert "This invitation link has already been used" in again.text
    assert account(app, "mo@example.com") is None


@pytest.mark.parametrize("case", ["expired", "revoked", "wrong"])
def test_expired_revoked_and_wrong_links_create_no_account(app, client, clock, case):
    register(client, "Ada Admin", "ada@example.com")
    token = token_of(invite_link(client))
    if case == "expired":
        clock.advance(7 * 24 * 3600 + 1)
        message = "This invitation link has expired"
    elif case == "revoked":
        with database(app).read() as s:
            invitation_id = s.scalar(sa.select(models.Invitation.id))
        assert client.post(f"/workspace/invitations/{invitation_id}/revoke").status_code == 302
        message = "This invitation link was withdrawn"
    else:
        token = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
        message = "This invitation link is not valid"
    client.post("/logout")
    page = client.get(f"/register?invite={token}")
    assert message in page.text
    response = register(client, "Nia New", "nia@example.com", token)
    assert response.status_code == 400 and message in response.text
    assert account(app, "nia@example.com") is None
    assert count(app, models.Trainer) == 1


def test_closed_signup_needs_an_invitation_except_for_the_first_account(tmp_path, clock):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'closed.db'}",
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret",
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": clock,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "OPEN_SIGNUP": False,
        }
    )
    client = app.test_client()
    try:
        assert "Create account" in client.get("/register").text  # nobody yet: the first may register
        assert register(client, "Ada Admin", "ada@example.com").status_code == 302
        link = invite_link(client)
        client.post("/logout")
        closed = client.get("/register")
        assert "Accounts on this quizroom are made by invitation" in closed.text
        assert "Create account" not in closed.text
        refused = register(client, "Stray Stranger", "stray@example.com")
        assert refused.status_code == 400 and "Accounts on this quizroom are made by invitation" in refused.text
        assert account(app, "stray@example.com") is None
        assert register(client, "Tom Invited", "tom@example.com", token_of(link)).status_code == 302
        assert account(app, "tom@example.com").role == "trainer"
    finally:
        app.extensions["quizroom.db"].dispose()


# ------------------------------------------------------------------ members
def test_the_last_admin_can_be_neither_demoted_nor_removed(app, client):
    register(client, "Ada Admin", "ada@example.com")
    ada = account(app, "ada@example.com")
    demoted = client.post(f"/workspace/members/{ada.id}/role", data={"role": "trainer"})
    assert demoted.status_code == 400
    assert "A workspace needs at least one admin" in demoted.text
    removed = client.post(f"/workspace/members/{ada.id}/remove", data={"confirm": "yes"})
    assert removed.status_code == 400
    assert account(app, "ada@example.com").role == "admin"

    bob = add_account(app, ada.workspace_id, "trainer", "Bob Builder")
    assert client.post(f"/workspace/members/{bob}/role", data={"role": "admin"}).status_code == 302
    assert client.post(f"/workspace/members/{ada.id}/role", data={"role": "viewer"}).status_code == 302
    assert account(app, "ada@example.com").role == "viewer"
    assert "Invitations" not in client.get("/workspace").text  # a viewer's page: the list only
    bad = client.post(f"/workspace/members/{bob}/role", data={"role": "owner"})
    assert bad.status_code == 403  # Ada is a viewer now


def test_role_change_rules_are_pure():
    admin = workspaces.Member(1, 7, "admin")
    other_admin = workspaces.Member(2, 7, "admin")
    trainer = workspaces.Member(3, 7, "trainer")
    assert workspaces.role_change_error([admin, trainer], admin, "trainer") is not None
    assert workspaces.role_change_error([admin, trainer], admin, None) is not None
    assert workspaces.role_change_error([admin, other_admin, trainer], admin, None) is None
    assert workspaces.role_change_error([admin, trainer], trainer, "viewer") is None
    assert workspaces.role_change_error([admin], trainer, "boss") == "choose a role: viewer, trainer, admin"


def test_a_removed_member_is_signed_out_cannot_sign_in_and_leaves_their_decks(app, client):
    register(client, "Ada Admin", "ada@example.com")
    link = invite_link(client)
    trainee = app.test_client()
    register(trainee, "Tim Trainer", "tim@example.com", token_of(link))
    tim = account(app, "tim@example.com")
    deck = trainee.post("/api/decks", json=sample_deck(1)).json["id"]

    assert client.post(f"/workspace/members/{tim.id}/remove").status_code == 200  # asks first
    assert account(app, "tim@example.com").role == "trainer"
    assert client.post(f"/workspace/members/{tim.id}/remove", data={"confirm": "yes"}).status_code == 302
    assert trainee.get("/decks").status_code == 302  # signed out at once
    refused = trainee.post("/login", data={"email": "tim@example.com", "password": PASSWORD})
    assert refused.status_code == 403 and "This account was removed from its workspace" in refused.text
    assert client.get(f"/decks/{deck}").status_code == 200  # his deck stays with the workspace
    assert client.get(f"/decks/{deck}/edit").status_code == 200  # and the admin may change it
    page = client.get("/workspace").text
    assert "Former members" in page and "Tim Trainer" in page

    assert client.post(f"/workspace/members/{tim.id}/role", data={"role": "trainer"}).status_code == 302
    assert trainee.post("/login", data={"email": "tim@example.com", "password": PASSWORD}).status_code == 302


# ------------------------------------------------------------------ migration
OLD_SCHEMA = """
CREATE TABLE trainers (id INTEGER PRIMARY KEY, email VARCHAR(254) UNIQUE, name VARCHAR(80),
  password_hash VARCHAR(256), created_at DATETIME);
CREATE TABLE decks (id INTEGER PRIMARY KEY, trainer_id INTEGER REFERENCES trainers(id), title VARCHAR(120),
  document JSON, created_at DATETIME, updated_at DATETIME);
INSERT INTO trainers VALUES (1, 'old@example.org', 'Old Timer', '!', '2025-01-01 00:00:00');
INSERT INTO trainers VALUES (2, 'also@example.org', 'Also Old', '!', '2025-01-01 00:00:00');
INSERT INTO decks VALUES (1, 1, 'Old deck', '{"title": "Old deck", "questions": []}',
  '2025-01-01 00:00:00', '2025-01-01 00:00:00');
"""


def test_accounts_from_before_workspaces_each_get_one_as_admin_once(tmp_path, clock):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(OLD_SCHEMA)
    settings = {
        "DATABASE_URL": f"sqlite:///{path}",
        "INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": "test-secret",
        "ASYNC_MODE": "threading",
        "START_TICKER": False,
        "CLOCK": clock,
        "TESTING": True,
    }
    for _start in range(2):  # a restart changes nothing
        app = create_app(settings)
        with database(app).read() as s:
            rows = list(s.scalars(sa.select(models.Trainer).order_by(models.Trainer.id)))
            spaces = s.scalar(sa.select(sa.func.count()).select_from(models.Workspace))
        assert [(r.role, r.workspace_id is not None) for r in rows] == [("admin", True), ("admin", True)]
        assert rows[0].workspace_id != rows[1].workspace_id and spaces == 2
        assert decks.get_deck(app, 1, 1) is not None and decks.get_deck(app, 2, 1) is None
        app.extensions["quizroom.db"].dispose()


def test_an_account_made_straight_in_the_database_is_settled_on_its_first_request(app, client):
    with database(app).transaction() as s:
        s.add(models.Trainer(id=50, email="raw@example.org", name="Raw", password_hash="!"))
    sign_in(client, 50)
    assert client.get("/decks").status_code == 200
    with database(app).read() as s:
        raw = s.get(models.Trainer, 50)
    assert raw.role == "admin" and raw.workspace_id is not None
    assert members.ensure_workspaces(database(app)) == 0  # idempotent


# ------------------------------------------------------------------ room controls
def test_viewers_can_neither_open_nor_attach_to_a_room(app):
    team = make_team(app)
    deck = decks.create_deck(app, team.trainer, sample_deck(2))
    room, key = live_rooms(app).open_room(
        trainer_id=team.trainer,
        deck_id=deck.id,
        title=deck.title,
        activities=decks.questions_of(deck),
        settings={"question_on_device": True},
    )
    viewer = sign_in(app.test_client(), team.viewer)
    assert viewer.post("/api/rooms", json={"deck_id": deck.id}).json["error"]["code"] == "forbidden"
    assert viewer.get(f"/rooms/{room.code}/stage").status_code == 403

    # A viewer's signed-in browser cannot host with a trainer's key...
    socket = socket_client(app, viewer)
    refused = socket.emit("host:attach", {"code": room.code, "key": key}, callback=True)
    assert refused["ok"] is False and refused["error"]["code"] == "not_allowed"
    assert socket.emit("host:next", {}, callback=True)["error"]["code"] == "not_host"
    socket.disconnect()

    # ...and a trainer made viewer loses the key of the room they opened.
    with database(app).transaction() as s:
        s.get(models.Trainer, team.trainer).role = "viewer"
    socket = socket_client(app)
    refused = socket.emit("host:attach", {"code": room.code, "key": key}, callback=True)
    assert refused["error"]["code"] == "not_allowed"
    with database(app).transaction() as s:
        s.get(models.Trainer, team.trainer).role = "trainer"
    assert socket.emit("host:attach", {"code": room.code, "key": key}, callback=True)["ok"] is True
    socket.disconnect()
