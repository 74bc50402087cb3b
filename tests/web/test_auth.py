"""Trainer accounts: register, sign in/out, `next`, throttling, CSRF on forms and the JSON API."""

from __future__ import annotations

import re

import pytest

from quizroom import accounts, create_app
from tests.conftest import TRAINER_EMAIL, TRAINER_PASSWORD, sample_deck


def _register(client, **overrides):
    data = {
        "name": "Rita Runner",
        "email": "rita@example.com",
        "password": "long enough pw",
        "confirm": "long enough pw",
    }
    data.update(overrides)
    return client.post("/register", data=data)


def test_register_signs_in_and_hashes_the_password(app, client):
    response = _register(client)
    assert response.status_code == 302
    assert response.location.endswith("/decks")
    page = client.get("/decks")
    assert page.status_code == 200
    assert "Welcome, Rita Runner" in page.text
    assert "Sign out (Rita Runner)" in page.text
    stored = accounts.find_trainer(app, "RITA@example.com")
    assert stored is not None and stored.password_hash.startswith("scrypt:")
    assert "long enough pw" not in stored.password_hash


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"confirm": "something else"}, "confirm", "The two passwords are not the same."),
        ({"password": "short", "confirm": "short"}, "password", "Use at least 8 characters."),
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
        ({"name": "  "}, "name", "Enter your name"),
    ],
)
def test_register_shows_each_error_next_to_its_field(app, client, overrides, field, message):
    response = _register(client, **overrides)
    assert response.status_code == 400
    html = response.text
    assert message in html
    # The field is marked invalid and points at its message.
    field_tag = re.search(rf'<input id="f-{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field_tag
    assert f"f-{field}-error" in field_tag
    assert f'<p class="field-error" id="f-{field}-error">' in html
    assert accounts.find_trainer(app, "rita@example.com") is None
    # What was typed (except passwords) is kept.
    if field != "email":
        assert 'value="rita@example.com"' in html


def test_register_refuses_a_taken_email(client, trainer):
    response = _register(client, email=TRAINER_EMAIL.upper())
    assert response.status_code == 400
    assert "An account with this e-mail already exists." in response.text


def test_login_wrong_password_and_unknown_email_look_the_same(client, trainer):
    wrong = client.post("/login", data={"email": TRAINER_EMAIL, "password": "nope nope nope"})
    unknown = client.post("/login", data={"email": "who@example.com", "password": "nope nope nope"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "That e-mail address and password do not match an account." in response.text
    assert f'value="{TRAINER_EMAIL}"' in wrong.text
    # Still signed out.
    assert client.get("/decks").status_code == 302


def test_login_and_logout(client, trainer):
    response = client.post("/login", data={"email": TRAINER_EMAIL.upper(), "password": TRAINER_PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/decks")
    assert client.get("/decks").status_code == 200
    assert client.get("/logout").status_code == 405  # signing out is a POST (CSRF-protected)
    response = client.post("/logout")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "You are signed out." in client.get("/login").text
    gone = client.get("/decks")
    assert gone.status_code == 302
    assert gone.location.startswith("/login?next=")


def test_pages_redirect_to_login_with_next_but_the_api_answers_401(client, trainer):
    page = client.get("/results")
    assert page.status_code == 302 and page.location == "/login?next=%2Fresults"
    api = client.get("/api/decks")
    assert api.status_code == 401
    assert api.json["error"]["code"] == "login_required"
    assert client.post("/api/decks", json=sample_deck()).status_code == 401
    assert client.post("/api/uploads").status_code == 401


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("/results", "/results"),
        ("/decks/new?x=1", "/decks/new?x=1"),
        ("https://evil.example/", "/decks"),
        ("//evil.example/path", "/decks"),
        ("/\\evil.example", "/decks"),
        ("javascript:alert(1)", "/decks"),
        ("/ok\r\nSet-Cookie: x=1", "/decks"),
    ],
)
def test_next_is_honoured_only_for_paths_on_this_site(client, trainer, target, lands_on):
    form = client.get("/login", query_string={"next": target}).text
    response = client.post(
        "/login", query_string={"next": target}, data={"email": TRAINER_EMAIL, "password": TRAINER_PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == lands_on
    if lands_on == target:
        assert 'name="next"' in form
    else:
        assert 'name="next"' not in form


def test_signed_in_trainer_visiting_login_goes_to_decks(logged_in):
    response = logged_in.get("/login")
    assert response.status_code == 302 and response.location.endswith("/decks")


def test_repeated_failures_are_throttled(client, trainer):
    for _ in range(10):
        assert client.post("/login", data={"email": TRAINER_EMAIL, "password": "wrong password"}).status_code == 401
    blocked = client.post("/login", data={"email": TRAINER_EMAIL, "password": TRAINER_PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    assert client.get("/decks").status_code == 302


def test_hostile_trainer_name_is_escaped(client):
    _register(client, name="<script>alert(1)</script>")
    html = client.get("/decks").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ------------------------------------------------------------------ CSRF
@pytest.fixture
def csrf_app(tmp_path, clock):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'csrf.db'}",
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret",
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": clock,
            "TESTING": True,
            "WTF_CSRF_ENABLED": True,
        }
    )
    accounts.create_trainer(app, email=TRAINER_EMAIL, name="Tess", password=TRAINER_PASSWORD)
    yield app
    app.extensions["quizroom.db"].dispose()


def _token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def test_csrf_is_required_for_forms_and_json(csrf_app):
    client = csrf_app.test_client()
    token = _token(client.get("/login").text)
    refused = client.post("/login", data={"email": TRAINER_EMAIL, "password": TRAINER_PASSWORD})
    assert refused.status_code == 400
    assert "Please reload the page" in refused.text
    assert client.get("/decks").status_code == 302  # not signed in

    signed_in = client.post("/login", data={"email": TRAINER_EMAIL, "password": TRAINER_PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302
    token = _token(client.get("/decks").text)

    no_header = client.post("/api/decks", json=sample_deck())
    assert no_header.status_code == 400
    assert no_header.json["error"]["code"] == "csrf"
    assert client.get("/api/decks").json["decks"] == []

    bad_header = client.post("/api/decks", json=sample_deck(), headers={"X-CSRFToken": "forged"})
    assert bad_header.status_code == 400

    accepted = client.post("/api/decks", json=sample_deck(), headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert len(client.get("/api/decks").json["decks"]) == 1
