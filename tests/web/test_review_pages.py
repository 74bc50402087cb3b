"""The self-paced review round over HTTP: /r/<token> and its JSON API (quizroom/web/review.py)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from quizroom import models
from quizroom.app import database
from quizroom.clock import now_of
from quizroom.retention import practice

QUESTIONS = [
    {
        "uid": "q_planet",
        "type": "single",
        "text": "Which planet is <red>?",
        "time_limit": 20,
        "choices": [{"text": "Venus"}, {"text": "Mars", "correct": True}],
    },
    {"uid": "q_head", "type": "typed", "text": "Git's pointer?", "time_limit": 30, "accepted": ["HEAD"]},
]


@pytest.fixture
def person(app, trainer):
    with database(app).transaction() as s:
        row = models.Person(trainer_id=trainer.id, name="Ana <script>", link_key="link-ana")
        s.add(row)
        s.flush()
        return row.id


@pytest.fixture
def token(app, trainer, person):
    return practice.create_practice(
        database(app),
        trainer_id=trainer.id,
        person_id=person,
        title="Week 3 <refresher>",
        questions=QUESTIONS,
        now=now_of(app),
    )


def get(client, path: str, ip: str = "10.9.0.1"):
    return client.get(path, environ_base={"REMOTE_ADDR": ip})


def post(client, path: str, body=None, ip: str = "10.9.0.1", **kwargs):
    return client.post(path, json=body, environ_base={"REMOTE_ADDR": ip}, **kwargs)


def stored_answers(app) -> list[tuple]:
    with database(app).read() as s:
        return [
            tuple(r)
            for r in s.execute(
                sa.select(models.PracticeAnswer.question_uid, models.PracticeAnswer.value, models.PracticeAnswer.points)
            )
        ]


def test_the_page_is_private_escaped_and_script_free(client, token):
    response = get(client, f"/r/{token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "Week 3 &lt;refresher&gt;" in html and "Ana &lt;script&gt;" in html
    assert "<script>" not in html.replace("<script src=", "")  # no inline scripts
    assert " style=" not in html and not re.search(r"\son[a-z]+=", html)
    assert f'data-answer-url="/api/r/{token}/answer"' in html
    assert "Which planet" not in html  # the question is served by the API, which starts its timer


def test_play_through_the_api(app, client, token, clock):
    ready = get(client, f"/api/r/{token}")
    assert ready.status_code == 200 and ready.headers["Cache-Control"] == "no-store"
    data = ready.get_json()
    assert data["ok"] is True and data["state"] == "ready" and data["question"] is None
    assert (data["name"], data["trainer"], data["total"]) == ("Ana <script>", "Tess Trainer", 2)

    shown = post(client, f"/api/r/{token}/start", {}).get_json()
    assert (shown["state"], shown["position"], shown["remaining_ms"]) == ("question", 0, 20_000)
    assert shown["question"]["choices"] == [{"id": 0, "text": "Venus"}, {"id": 1, "text": "Mars"}]
    assert "solution" not in shown["question"] and '"correct": true' not in str(shown).lower()

    clock.advance(4)
    assert get(client, f"/api/r/{token}").get_json()["remaining_ms"] == 16_000  # the GET does not restart it
    reply = post(client, f"/api/r/{token}/answer", {"position": 0, "value": 1})
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    result = reply.get_json()
    assert (result["ok"], result["correct"], result["points"], result["solution"]) == (
        True,
        True,
        900,
        {"choices": [1]},
    )
    assert (result["view"]["state"], result["view"]["position"], result["view"]["score"]) == ("ready", 1, 900)

    post(client, f"/api/r/{token}/start", {})
    clock.advance(3)
    last = post(client, f"/api/r/{token}/answer", {"position": 1, "value": "nope"}).get_json()
    assert (last["correct"], last["points"], last["solution"]) == (False, 0, {"accepted": ["HEAD"]})
    summary = last["view"]["summary"]
    assert (last["view"]["state"], summary["correct"], summary["points"], summary["questions"]) == (
        "finished",
        1,
        900,
        2,
    )
    assert stored_answers(app) == [("q_planet", {"v": 1}, 900), ("q_head", {"v": "nope"}, 0)]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (None, 400, "bad_payload"),
        ([0, 1], 400, "bad_payload"),
        ({"position": 0}, 400, "bad_payload"),
        ({"value": 1}, 400, "bad_payload"),
        ({"position": 1, "value": 1}, 409, "wrong_question"),
        ({"position": "0", "value": 1}, 409, "wrong_question"),
        ({"position": 0, "value": 7}, 400, "bad_answer"),
        ({"position": 0, "value": [1]}, 400, "bad_answer"),
    ],
)
def test_refused_answers_say_why_and_change_nothing(app, client, token, body, status, code):
    post(client, f"/api/r/{token}/start", {})
    before = get(client, f"/api/r/{token}").get_json()
    response = post(client, f"/api/r/{token}/answer", body)
    assert response.status_code == status
    data = response.get_json()
    assert data["ok"] is False and data["error"]["code"] == code and data["error"]["message"]
    assert response.headers["Cache-Control"] == "no-store"
    assert get(client, f"/api/r/{token}").get_json() == before
    assert stored_answers(app) == []


def test_a_replayed_answer_is_refused(app, client, token):
    post(client, f"/api/r/{token}/start", {})
    assert post(client, f"/api/r/{token}/answer", {"position": 0, "value": 0}).status_code == 200
    again = post(client, f"/api/r/{token}/answer", {"position": 0, "value": 1})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "wrong_question"
    assert stored_answers(app) == [("q_planet", {"v": 0}, 0)]


def test_unknown_links_get_a_friendly_404(client, token):
    page = get(client, "/r/" + "x" * 32)
    assert page.status_code == 404 and page.headers["Cache-Control"] == "no-store"
    assert "This review link does not work" in page.get_data(as_text=True)
    assert get(client, "/r/short").status_code == 404  # malformed
    for response in (
        get(client, "/api/r/" + "y" * 32),
        post(client, "/api/r/" + "y" * 32 + "/start", {}),
        post(client, "/api/r/" + "y" * 32 + "/answer", {"position": 0, "value": 1}),
    ):
        assert response.status_code == 404
        assert response.get_json() == {
            "ok": False,
            "error": {"code": "not_found", "message": "this review link does not exist (any more)"},
        }


@pytest.fixture
def limited(app):
    app.config.update(CODE_LOOKUPS_PER_IP=3)
    return app


def test_guessing_links_is_rate_limited_per_ip(limited, client, token, clock):
    for i in range(3):
        assert get(client, f"/r/{'a' * 31}{i}").status_code == 404
    page = get(client, "/r/" + "b" * 32)
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "Too many wrong links" in page.get_data(as_text=True)
    assert get(client, f"/r/{token}").status_code == 429  # the real link too: the answer reveals nothing
    api = get(client, f"/api/r/{token}")
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "too_many_guesses"
    assert post(client, f"/api/r/{token}/start", {}).status_code == 429
    assert get(client, f"/r/{token}", ip="10.9.0.2").status_code == 200  # another address
    clock.advance(60)
    assert get(client, f"/r/{token}").status_code == 200


def test_known_and_malformed_links_spend_nothing_and_rooms_share_the_budget(limited, client, token):
    for _ in range(10):
        assert get(client, f"/r/{token}").status_code == 200
        assert get(client, f"/api/r/{token}").status_code == 200
        assert get(client, "/r/not-a-token!").status_code == 404
    for code in ("000001", "000002", "000003"):
        assert get(client, f"/j/{code}").status_code == 404  # wrong room codes ...
    assert get(client, "/r/" + "c" * 32).status_code == 429  # ... use up the same budget


def test_posts_need_the_pages_csrf_token(app, client, token):
    app.config.update(WTF_CSRF_ENABLED=True)
    refused = post(client, f"/api/r/{token}/start", {})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf"
    html = get(client, f"/r/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    started = post(client, f"/api/r/{token}/start", {}, headers={"X-CSRFToken": csrf})
    assert started.status_code == 200 and started.get_json()["state"] == "question"
