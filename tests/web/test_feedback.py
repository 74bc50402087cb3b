"""Peer feedback on a session played for real (Socket.IO, fake clock): a colleague who
attended rates it and edits the rating; the trainer, viewers and outsiders cannot; the
window closes 14 days after the end; bad input changes nothing; comments are seen by the
right people; the participants' pulse survey is shown beside the peer feedback."""

from __future__ import annotations

import html
import re

import pytest

from quizroom import models
from tests.web.test_session_report import PlanRoom
from tests.web.workspace_world import add_account, count, make_team, sign_in

PLAN = {
    "format": "quizroom.plan",
    "version": 1,
    "title": "Git workshop",
    "activities": [
        {
            "kind": "question",
            "uid": "q-branch",
            "type": "single",
            "text": "Which command creates a branch?",
            "topics": ["Git"],
            "choices": [{"text": "git branch", "correct": True}, {"text": "git push"}],
        },
        {
            "kind": "survey",
            "uid": "pulse",
            "title": "How was today?",
            "items": [
                {"id": "session", "type": "rating", "text": "Rate the session", "scale": 5},
                {"id": "use", "type": "text", "text": "What will you use?"},
            ],
        },
    ],
}
GOOD = {"clarity": "5", "interactivity": "4", "usefulness": "3", "comment": "Clear <b>examples</b>", "attended": "yes"}
DAY = 24 * 3600


@pytest.fixture
def team(app):
    return make_team(app)


def play(app, clock, team, end: bool = True) -> PlanRoom:
    room = PlanRoom(app, clock, sign_in(app.test_client(), team.trainer), PLAN)
    room.join("Ann", "Bob")
    room.next()  # the question
    room.answer("Ann", 0)
    room.answer("Bob", 1)
    room.next()  # leaderboard
    room.next()  # the survey
    room.respond("Ann", "submit", answers={"session": 5, "use": "Branches"})
    room.respond("Bob", "submit", answers={"session": 4})
    if end:
        assert room.host.emit("host:end", {}, callback=True)["ok"]
    return room


@pytest.fixture
def ended(app, clock, team):
    return play(app, clock, team)


def as_(app, account_id):
    return sign_in(app.test_client(), account_id)


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def evaluations(app) -> list[tuple]:
    from quizroom.app import database

    with database(app).read() as s:
        rows = s.query(models.PeerEvaluation).order_by(models.PeerEvaluation.id).all()
        return [(r.evaluator_id, r.trainer_id, r.clarity, r.interactivity, r.usefulness, r.comment) for r in rows]


def test_the_results_page_links_to_the_feedback_form(app, team, ended):
    page = as_(app, team.colleague).get(f"/results/{ended.id}")
    assert f'href="/results/{ended.id}/feedback"' in page.get_data(as_text=True)


def test_a_colleague_who_attended_gives_feedback_and_edits_it(app, clock, team, ended):
    colleague = as_(app, team.colleague)
    form = colleague.get(f"/results/{ended.id}/feedback")
    assert form.status_code == 200
    body = form.get_data(as_text=True)
    assert 'name="clarity" value="5"' in body and 'name="attended"' in body
    assert "Feedback is open until" in text_of(form)

    saved = colleague.post(f"/results/{ended.id}/feedback", data=GOOD)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        f"/results/{ended.id}/feedback#peer-feedback"
    )
    assert evaluations(app) == [(team.colleague, team.trainer, 5, 4, 3, "Clear <b>examples</b>")]

    clock.advance(13 * DAY)  # still inside the window: the same evaluation changes
    again = colleague.post(f"/results/{ended.id}/feedback", data=dict(GOOD, usefulness="5", comment=""))
    assert again.status_code == 302
    assert evaluations(app) == [(team.colleague, team.trainer, 5, 4, 5, None)]
    page = colleague.get(f"/results/{ended.id}/feedback")
    assert "Your feedback is updated." in text_of(page)
    assert "Update my feedback" in text_of(page)
    assert 'name="usefulness" value="5" checked' in page.get_data(as_text=True)


def test_the_window_closes_fourteen_days_after_the_end(app, clock, team, ended):
    colleague = as_(app, team.colleague)
    assert colleague.post(f"/results/{ended.id}/feedback", data=GOOD).status_code == 302
    clock.advance(14 * DAY + 1)
    late = colleague.post(f"/results/{ended.id}/feedback", data=dict(GOOD, clarity="1"))
    assert late.status_code == 409
    assert "Feedback closed on" in text_of(late) and "14 days after the session" in text_of(late)
    assert evaluations(app)[0][2] == 5  # unchanged
    other = as_(app, add_account(app, team.workspace, "trainer"))
    assert other.post(f"/results/{ended.id}/feedback", data=GOOD).status_code == 409
    assert count(app, models.PeerEvaluation) == 1


def test_a_live_room_cannot_be_rated_yet(app, clock, team):
    live = play(app, clock, team, end=False)
    refused = as_(app, team.colleague).post(f"/results/{live.id}/feedback", data=GOOD)
    assert refused.status_code == 409
    assert "Feedback opens when the room has ended" in text_of(refused)
    assert count(app, models.PeerEvaluation) == 0


def test_the_trainer_cannot_rate_their_own_session_nor_a_viewer_anyone_s(app, team, ended):
    trainer = as_(app, team.trainer)
    assert trainer.post(f"/results/{ended.id}/feedback", data=GOOD).status_code == 403
    page = trainer.get(f"/results/{ended.id}/feedback")
    assert "This is your session" in text_of(page) and 'name="clarity"' not in page.get_data(as_text=True)
    viewer = as_(app, team.viewer)
    assert viewer.post(f"/results/{ended.id}/feedback", data=GOOD).status_code == 403
    assert "viewers read it" in text_of(viewer.get(f"/results/{ended.id}/feedback"))
    assert count(app, models.PeerEvaluation) == 0


def test_outsiders_are_told_nothing(app, team, ended):
    for outsider in (team.outsider, team.outsider_admin):
        client = as_(app, outsider)
        assert client.get(f"/results/{ended.id}/feedback").status_code == 404
        assert client.post(f"/results/{ended.id}/feedback", data=GOOD).status_code == 404
    assert as_(app, team.colleague).get("/results/999999/feedback").status_code == 404
    assert count(app, models.PeerEvaluation) == 0


def test_bad_input_names_each_problem_and_changes_nothing(app, team, ended):
    colleague = as_(app, team.colleague)
    bad = colleague.post(
        f"/results/{ended.id}/feedback",
        data={"clarity": "7", "usefulness": "4", "comment": "Too long " + "x" * 1000},
    )
    assert bad.status_code == 400
    text = text_of(bad)
    assert "The feedback was not saved" in text
    assert "Clarity: the score must be a whole number from 1 to 5" in text
    assert "Interactivity: choose a score from 1 to 5" in text
    assert "at most 1000" in text and "Confirm that you attended this session" in text
    assert 'name="usefulness" value="4" checked' in bad.get_data(as_text=True)  # what was typed is kept
    assert "Too long xxx" in text
    assert count(app, models.PeerEvaluation) == 0


def test_comments_are_for_the_trainer_admins_viewers_and_their_author(app, team, ended):
    assert as_(app, team.colleague).post(f"/results/{ended.id}/feedback", data=GOOD).status_code == 302
    for reader in (team.trainer, team.admin, team.viewer, team.colleague):
        page = as_(app, reader).get(f"/results/{ended.id}/feedback")
        body = page.get_data(as_text=True)
        assert "Clear &lt;b&gt;examples&lt;/b&gt;" in body and "<b>examples" not in body  # escaped
        assert "Cole Colleague" in text_of(page)
    another = as_(app, add_account(app, team.workspace, "trainer", "Kim Other"))
    page = another.get(f"/results/{ended.id}/feedback")
    assert "examples" not in page.get_data(as_text=True)
    text = text_of(page)
    assert "Average of 1 peer evaluation" in text
    assert re.search(r"Clarity 5\.00 Interactivity 4\.00 Usefulness 3\.00 All three 4\.00", text)


def test_the_pulse_survey_is_shown_beside_the_peer_feedback(app, team, ended):
    text = text_of(as_(app, team.colleague).get(f"/results/{ended.id}/feedback"))
    assert "Participants' pulse survey" in text
    assert "Rate the session" in text and "Mean 4.50 out of 5 from 2 ratings" in text
    assert "Branches" in text
