"""Stage and play pages: opening a room, who may see the stage, QR codes, join pages."""

from __future__ import annotations

import re

import pytest

from quizroom import accounts, decks
from quizroom.app import live_rooms
from tests.conftest import TRAINER_PASSWORD, sample_deck, socket_client

OTHER_EMAIL = "other@example.com"


def deck_id(app, trainer, document=None) -> int:
    return decks.create_deck(app, trainer.id, document or sample_deck(3)).id


def open_room(client, deck: int, **settings) -> dict:
    response = client.post("/api/rooms", json={"deck_id": deck, "settings": settings})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def sign_in_other(app, client):
    accounts.create_trainer(app, email=OTHER_EMAIL, name="Olga Other", password=TRAINER_PASSWORD)
    response = client.post("/login", data={"email": OTHER_EMAIL, "password": TRAINER_PASSWORD})
    assert response.status_code in (302, 303)
    return client


# ------------------------------------------------------------------ POST /api/rooms
def test_open_room_returns_everything_the_stage_needs(app, logged_in, trainer):
    deck = deck_id(app, trainer)
    room = open_room(logged_in, deck, question_on_device=False)

    assert set(room) == {"code", "join_url", "stage_url", "results_url", "host_key", "room_id"}
    assert re.fullmatch(r"\d{6}", room["code"])
    assert room["join_url"] == f"http://localhost/j/{room['code']}"
    assert room["stage_url"] == f"http://localhost/rooms/{room['code']}/stage"
    assert room["results_url"] == f"http://localhost/results/{room['room_id']}"
    live = live_rooms(app).get(room["code"])
    assert live.id == room["room_id"] and live.trainer_id == trainer.id
    assert room["host_key"] == live_rooms(app).host_key(live.id, live.host_salt)
    assert live.engine.title == "Sample deck"
    assert len(live.engine.questions) == 3
    assert live.engine.settings.question_on_device is False


def test_question_on_device_defaults_to_on(app, logged_in, trainer):
    room = logged_in.post("/api/rooms", json={"deck_id": deck_id(app, trainer)}).get_json()
    assert live_rooms(app).get(room["code"]).engine.settings.question_on_device is True


def test_join_url_uses_the_public_url_when_set(app, logged_in, trainer):
    app.config["PUBLIC_URL"] = "http://192.168.1.20:5000/"
    room = open_room(logged_in, deck_id(app, trainer))
    assert room["join_url"] == f"http://192.168.1.20:5000/j/{room['code']}"


def test_cannot_open_a_room_from_another_trainers_deck(app, client, trainer):
    deck = deck_id(app, trainer)
    sign_in_other(app, client)
    response = client.post("/api/rooms", json={"deck_id": deck, "settings": {}})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "deck_not_found"
    assert live_rooms(app).rooms == {}


def test_cannot_open_a_room_from_an_empty_deck(app, logged_in, trainer):
    empty = deck_id(app, trainer, {**sample_deck(0), "title": "Nothing yet"})
    response = logged_in.post("/api/rooms", json={"deck_id": empty, "settings": {}})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "empty_deck"
    assert response.get_json()["error"]["message"]
    assert live_rooms(app).rooms == {}


def test_opening_a_room_needs_a_signed_in_trainer_and_answers_json(app, client, trainer):
    response = client.post("/api/rooms", json={"deck_id": deck_id(app, trainer), "settings": {}})
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"]["code"] == "login_required"
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"deck_id": "1"},
        {"deck_id": True},
        {"deck_id": 1, "settings": []},
        {"deck_id": 1, "settings": {"question_on_device": "yes"}},
        {"deck_id": 1, "settings": {"colour": True}},
    ],
)
def test_bad_bodies_are_refused(app, logged_in, trainer, body):
    deck_id(app, trainer)
    response = (
        logged_in.post("/api/rooms", json=body)
        if body is not None
        else logged_in.post("/api/rooms", data="not json", content_type="application/json")
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


# ------------------------------------------------------------------ POST /decks/<id>/start
def test_start_form_opens_a_room_and_goes_to_the_stage(app, logged_in, trainer):
    response = logged_in.post(f"/decks/{deck_id(app, trainer)}/start", data={"question_on_device": ["0"]})
    assert response.status_code in (302, 303)
    code = re.fullmatch(r"/rooms/(\d{6})/stage", response.headers["Location"]).group(1)
    assert live_rooms(app).get(code).engine.settings.question_on_device is False

    checked = logged_in.post(f"/decks/{deck_id(app, trainer)}/start", data={"question_on_device": ["0", "1"]})
    code = checked.headers["Location"].split("/")[2]
    assert live_rooms(app).get(code).engine.settings.question_on_device is True


def test_start_form_with_an_empty_deck_goes_back_with_a_message(app, logged_in, trainer):
    empty = deck_id(app, trainer, sample_deck(0))
    response = logged_in.post(f"/decks/{empty}/start", data={})
    assert response.status_code in (302, 303)
    assert "/rooms/" not in response.headers["Location"]
    assert live_rooms(app).rooms == {}


def test_start_form_for_someone_elses_deck_is_404(app, client, trainer):
    deck = deck_id(app, trainer)
    sign_in_other(app, client)
    assert client.post(f"/decks/{deck}/start", data={}).status_code == 404


# ------------------------------------------------------------------ the stage page
def test_stage_is_only_for_the_trainer_who_opened_the_room(app, client, trainer):
    client.post("/login", data={"email": trainer.email, "password": TRAINER_PASSWORD})
    room = open_room(client, deck_id(app, trainer))
    page = client.get(f"/rooms/{room['code']}/stage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-key="{room["host_key"]}"' in html
    assert f'data-code="{room["code"]}"' in html
    assert page.headers["Cache-Control"] == "no-store"

    client.post("/logout")
    anonymous = client.get(f"/rooms/{room['code']}/stage")
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["Location"]

    sign_in_other(app, client)
    assert client.get(f"/rooms/{room['code']}/stage").status_code == 404
    assert client.get("/rooms/000000/stage").status_code == 404
    assert client.get("/rooms/nope/stage").status_code == 404


def test_the_host_key_on_the_stage_opens_the_room(app, logged_in, trainer):
    room = open_room(logged_in, deck_id(app, trainer))
    html = logged_in.get(f"/rooms/{room['code']}/stage").get_data(as_text=True)
    key = re.search(r'data-key="([0-9a-f]+)"', html).group(1)
    host = socket_client(app)
    ack = host.emit("host:attach", {"code": room["code"], "key": key}, callback=True)
    assert ack["ok"] is True and ack["state"]["phase"] == "lobby"


def test_stage_html_never_contains_answers(app, logged_in, trainer):
    document = {
        "format": "quizroom.deck",
        "version": 1,
        "title": "Secrets",
        "questions": [
            {
                "type": "single",
                "text": "Pick one",
                "choices": [{"text": "Zanzibar-right", "correct": True}, {"text": "Quokka-wrong"}],
            },
            {"type": "typed", "text": "Type it", "accepted": ["Xylophone-typed"]},
            {"type": "order", "text": "Order them", "items": ["Walrus-first", "Narwhal-second"]},
        ],
    }
    room = open_room(logged_in, deck_id(app, trainer, document))
    html = logged_in.get(f"/rooms/{room['code']}/stage").get_data(as_text=True)
    for secret in ("Zanzibar", "Quokka", "Xylophone", "Walrus", "Narwhal", "Pick one", 'correct"'):
        assert secret not in html
    assert "Secrets" in html  # the title is shown


def test_stage_on_localhost_warns_that_phones_cannot_join(app, logged_in, trainer):
    room = open_room(logged_in, deck_id(app, trainer))
    html = logged_in.get(f"/rooms/{room['code']}/stage").get_data(as_text=True)
    assert "Phones cannot open" in html and "QUIZROOM_PUBLIC_URL" in html

    cookie = logged_in.get_cookie(app.config["SESSION_COOKIE_NAME"])
    logged_in.set_cookie(cookie.key, cookie.value, domain="192.168.1.20")
    lan = logged_in.get(f"/rooms/{room['code']}/stage", base_url="http://192.168.1.20:5000")
    assert "Phones cannot open" not in lan.get_data(as_text=True)
    assert "192.168.1.20:5000/j/" + room["code"] in lan.get_data(as_text=True)

    app.config["PUBLIC_URL"] = "http://quiz.example.org/"
    html = logged_in.get(f"/rooms/{room['code']}/stage").get_data(as_text=True)
    assert "Phones cannot open" not in html
    assert "quiz.example.org/j/" + room["code"] in html


def test_ended_room_stage_goes_to_its_results(app, logged_in, trainer, clock):
    room = open_room(logged_in, deck_id(app, trainer))
    service = live_rooms(app)
    live = service.get(room["code"])
    with live.lock:
        service.dispatch(live, live.engine.end(clock()))
    service.rooms.pop(room["code"])  # as after a restart: ended rooms are not restored
    response = logged_in.get(f"/rooms/{room['code']}/stage")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith(f"/results/{room['room_id']}")


# ------------------------------------------------------------------ QR code
def test_qr_code_is_an_svg_of_the_join_url(app, logged_in, trainer):
    deck = deck_id(app, trainer)
    first, second = open_room(logged_in, deck), open_room(logged_in, deck)
    one = logged_in.get(f"/rooms/{first['code']}/qr.svg")
    assert one.status_code == 200
    assert one.mimetype == "image/svg+xml"
    assert "max-age" in one.headers["Cache-Control"]
    svg = one.get_data(as_text=True)
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<path" in svg and "<script" not in svg
    other = logged_in.get(f"/rooms/{second['code']}/qr.svg").get_data(as_text=True)
    assert other != svg

    app.config["PUBLIC_URL"] = "http://10.0.0.7:5000"
    moved = logged_in.get(f"/rooms/{first['code']}/qr.svg").get_data(as_text=True)
    assert moved != svg  # the code follows the join URL


def test_qr_code_of_unknown_room_is_404(client):
    assert client.get("/rooms/123456/qr.svg").status_code == 404
    assert client.get("/rooms/12ab56/qr.svg").status_code == 404


# ------------------------------------------------------------------ attendees' pages
def test_join_page_for_a_live_room(app, logged_in, trainer):
    room = open_room(logged_in, deck_id(app, trainer))
    page = logged_in.get(f"/j/{room['code']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-code="{room["code"]}"' in html
    assert 'id="nickname"' in html and 'maxlength="20"' in html
    assert "socket.io.min.js" in html and "play.js" in html
    assert room["host_key"] not in html
    assert "right" not in html.split("<main", 1)[1]  # no choices, let alone correct ones


@pytest.mark.parametrize("code", ["999999", "12345", "abcdef", "1234567"])
def test_join_page_for_a_missing_room_is_a_friendly_404(client, code):
    page = client.get(f"/j/{code}")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "No room here" in html
    assert 'name="code"' in html  # a form to try another code


def test_home_page_has_a_room_code_form(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'inputmode="numeric"' in html and 'autocomplete="off"' in html
    assert 'action="/join"' in html


def test_home_form_checks_the_code(app, logged_in, trainer, client):
    bad = client.get("/join?code=12")
    assert bad.status_code == 400 and "6 digits" in bad.get_data(as_text=True)
    missing = client.get("/join?code=654321")
    assert missing.status_code == 404 and "no live room with code 654321" in missing.get_data(as_text=True)
    room = open_room(logged_in, deck_id(app, trainer))
    spaced = f"{room['code'][:3]} {room['code'][3:]}"
    found = client.get("/join", query_string={"code": spaced})
    assert found.status_code in (302, 303)
    assert found.headers["Location"] == f"/j/{room['code']}"
