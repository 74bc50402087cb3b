"""Room-code guessing over HTTP: failed look-ups of /j/<code> and /join?code= are limited per
IP (shared with the socket `join`); over the limit, a 429 page with Retry-After."""

from __future__ import annotations

import pytest

from quizroom.engine import parse_deck
from tests.conftest import sample_deck


@pytest.fixture
def limited(app):
    app.config.update(CODE_LOOKUPS_PER_IP=3)
    return app


@pytest.fixture
def live_code(app, trainer):
    deck = parse_deck(sample_deck(1))
    room, _key = app.extensions["quizroom.live"].open_room(
        trainer_id=trainer.id, deck_id=None, title=deck.title, activities=deck.questions
    )
    return room.code


def get(client, path: str, ip: str = "10.1.0.1"):
    return client.get(path, environ_base={"REMOTE_ADDR": ip})


def test_failed_lookups_get_429_with_retry_after(limited, client, live_code, clock):
    assert get(client, "/j/000001").status_code == 404
    assert get(client, "/join?code=000002").status_code == 404
    assert get(client, "/j/000003").status_code == 404
    for path in ("/j/000004", "/join?code=000005", f"/j/{live_code}", f"/join?code={live_code}"):
        response = get(client, path)
        assert response.status_code == 429, path  # the real code too: the answer reveals nothing
        assert int(response.headers["Retry-After"]) >= 1
        assert "Too many wrong room codes" in response.get_data(as_text=True)
    assert get(client, f"/j/{live_code}", ip="10.1.0.2").status_code == 200  # another address
    clock.advance(60)
    assert get(client, f"/j/{live_code}").status_code == 200
    assert get(client, "/j/000006").status_code == 404


def test_known_codes_and_malformed_codes_are_not_failures(limited, client, live_code):
    for _ in range(10):
        assert get(client, f"/j/{live_code}").status_code == 200
        assert get(client, f"/join?code={live_code[:3]} {live_code[3:]}").status_code == 302
        assert get(client, "/j/abc").status_code == 404
        assert get(client, "/join?code=12").status_code == 400
    for code in ("000001", "000002", "000003"):
        assert get(client, f"/j/{code}").status_code == 404
    assert get(client, "/j/000004").status_code == 429


def test_http_and_socket_share_the_budget(limited, client, live_code):
    limited.config.update(TRUST_PROXY=1)
    headers = {"X-Forwarded-For": "10.3.0.1"}
    for code in ("000001", "000002", "000003"):
        assert client.get(f"/j/{code}", headers=headers).status_code == 404
    phone = limited.extensions["socketio"].test_client(limited, headers=headers)
    ack = phone.emit("join", {"code": live_code, "nickname": "Eve"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "too_many_guesses"


def test_trusted_proxy_header(limited, client, live_code):
    limited.config.update(TRUST_PROXY=1, CODE_LOOKUPS_PER_IP=1)
    headers = {"X-Forwarded-For": "10.2.0.1"}
    assert client.get("/j/000001", headers=headers).status_code == 404
    assert client.get("/j/000002", headers=headers).status_code == 429
    assert client.get("/j/000003", headers={"X-Forwarded-For": "10.2.0.2"}).status_code == 404
