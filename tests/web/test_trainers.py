"""Trainer profiles and the recognition page over months of sessions written to the database
(tests/web/sessions_world.py): sessions, people reached, peer ratings and who may read the
comments, pulse averages, retention of a trainer's decks against the retention model, forks,
hand-overs, badges and the rankings."""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime, timedelta

import pytest

from quizroom import decks, models
from quizroom.app import database
from quizroom.retention import dashboard
from tests.web import sessions_world as world
from tests.web.workspace_world import add_account, make_team, sign_in


@pytest.fixture
def team(app):
    return make_team(app)


@pytest.fixture
def now(clock):
    return datetime.fromtimestamp(clock.now, UTC)


def as_(app, account_id):
    return sign_in(app.test_client(), account_id)


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def figure(response, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', response.get_data(as_text=True), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def earned_badges(response) -> set[str]:
    return set(re.findall(r'class="badge-card earned" data-badge="([\w-]+)"', response.get_data(as_text=True)))


def git_deck(app, owner: int, uids=("t1", "t2")) -> models.Deck:
    questions = [{k: v for k, v in world.question(uid, ("Git",)).items() if k != "kind"} for uid in uids]
    return decks.create_deck(
        app, owner, {"format": "quizroom.deck", "version": 1, "title": "Git", "questions": questions}
    )


def test_a_profile_counts_ended_sessions_and_people_reached(app, team, now):
    p1, p2, p3 = (world.person(app, team.trainer) for _ in range(3))
    world.ended_room(app, team.trainer, now - timedelta(days=100), known=[p1, p2], anonymous=2)
    world.ended_room(app, team.trainer, now - timedelta(days=10), known=[p2, p3], anonymous=1, removed=1)
    world.ended_room(app, team.trainer, now - timedelta(hours=1), known=[p1], anonymous=5, live=True)  # not yet
    world.ended_room(app, team.colleague, now - timedelta(days=5), anonymous=4)  # a colleague's

    page = as_(app, team.viewer).get(f"/trainers/{team.trainer}")
    assert page.status_code == 200
    assert (figure(page, "sessions"), figure(page, "recent"), figure(page, "people")) == ("2", "1", "6")
    text = text_of(page)
    assert "each known person once however many sessions they attended (3 known)" in text
    assert "anonymous participants once per session" in text and "(3 anonymous)" in text
    assert figure(page, "peer") == "–" and figure(page, "pulse") == "–"
    assert earned_badges(page) == {"first-session"}
    assert "5 sessions" in text and "Still to earn" in text


def test_profiles_are_the_workspace_s_only(app, team):
    assert as_(app, team.outsider).get(f"/trainers/{team.trainer}").status_code == 404
    assert as_(app, team.outsider_admin).get(f"/trainers/{team.trainer}").status_code == 404
    assert as_(app, team.trainer).get(f"/trainers/{team.outsider}").status_code == 404
    assert as_(app, team.trainer).get("/trainers/999999").status_code == 404
    listing = text_of(as_(app, team.outsider).get("/trainers"))
    assert "Otto Outsider" in listing and "Tess Trainer" not in listing


def test_peer_ratings_for_everyone_comments_for_the_trainer_admins_and_viewers(app, team, now):
    room = world.ended_room(app, team.trainer, now - timedelta(days=3), title="Rebasing")
    world.evaluation(app, room, team.colleague, (5, 4, 3), "Slow <start>")
    other = add_account(app, team.workspace, "trainer", "Kim Other")
    world.evaluation(app, room, other, (3, 4, 5))

    for reader in (team.trainer, team.admin, team.viewer):
        page = as_(app, reader).get(f"/trainers/{team.trainer}")
        assert "Slow &lt;start&gt;" in page.get_data(as_text=True)
        assert "from Cole Colleague" in text_of(page)
    page = as_(app, other).get(f"/trainers/{team.trainer}")
    assert "Slow" not in page.get_data(as_text=True) and "from Cole Colleague" not in text_of(page)
    assert figure(page, "peer") == "4.0 / 5"
    assert re.search(r"Clarity 4\.00 Interactivity 4\.00 Usefulness 4\.00 All three 4\.00", text_of(page))


def test_pulse_survey_averages_on_a_one_to_five_scale(app, team, now):
    world.ended_room(
        app,
        team.trainer,
        now - timedelta(days=3),
        anonymous=3,
        survey=[{"session": 5, "trainer": 10}, {"session": 4, "trainer": 1}, {"use": "Branches"}],
    )
    page = as_(app, team.colleague).get(f"/trainers/{team.trainer}")
    text = text_of(page)
    assert "Rate the session 4.50 2" in text
    assert "Rate the trainer 3.00 2" in text  # 10 -> 5 and 1 -> 1 on a 1-5 scale
    assert "Every rating 3.75 4" in text and figure(page, "pulse") == "3.8 / 5"


def test_retention_of_their_decks_needs_three_people_and_matches_the_retention_model(app, clock, team, now):
    git_deck(app, team.trainer)
    questions = [world.question("t1", ("Git",)), world.question("t2", ("Git",))]
    p1, p2, p3 = (world.person(app, team.trainer) for _ in range(3))
    world.ended_room(app, team.trainer, now - timedelta(days=20), known={p1: True, p2: False}, questions=questions)
    page = as_(app, team.viewer).get(f"/trainers/{team.trainer}")
    assert figure(page, "retention") == "not enough data"
    assert "Not enough data." in text_of(page) and "so far 2" in text_of(page)

    world.ended_room(app, team.colleague, now - timedelta(days=9), known={p3: True}, questions=questions)
    page = as_(app, team.viewer).get(f"/trainers/{team.trainer}")
    board = dashboard.build(database(app), team.viewer, dashboard.Scope(), now, 0.7)
    recalls = [row.mean_recall for row in board.questions if row.uid in ("t1", "t2")]
    expected = math.floor(100 * sum(recalls) / len(recalls) + 0.5)
    assert figure(page, "retention") == f"{expected} %"
    assert "among 3 people with a memory of 2 of them" in text_of(page)
    colleague = as_(app, team.viewer).get(f"/trainers/{team.colleague}")
    assert figure(colleague, "retention") == "not enough data"  # the deck is Tess's, not Cole's


def test_forks_by_colleagues_are_credited(app, team):
    deck = git_deck(app, team.trainer)
    assert as_(app, team.colleague).post(f"/decks/{deck.id}/fork").status_code == 302
    assert as_(app, team.trainer).post(f"/decks/{deck.id}/duplicate").status_code == 302  # their own copy
    page = as_(app, team.viewer).get(f"/trainers/{team.trainer}")
    text = text_of(page)
    assert text.count("Cole Colleague copied Git as") == 1
    assert "forked" in earned_badges(page)
    assert "forked" not in earned_badges(as_(app, team.viewer).get(f"/trainers/{team.colleague}"))


def test_a_hand_over_is_a_co_presented_session_counted_for_who_ran_the_room(app, team, now):
    room = world.ended_room(app, team.trainer, now - timedelta(days=2), title="Release day")
    with database(app).transaction() as s:
        s.add(
            models.RoomHandover(
                room_id=room, position=1, from_trainer_id=team.trainer, to_trainer_id=team.colleague, at=now
            )
        )
    mine = as_(app, team.viewer).get(f"/trainers/{team.trainer}")
    theirs = as_(app, team.viewer).get(f"/trainers/{team.colleague}")
    assert "Release day : handed over to Cole Colleague" in text_of(mine)
    assert "Release day : took over from Tess Trainer" in text_of(theirs)
    assert (figure(mine, "sessions"), figure(theirs, "sessions")) == ("1", "0")
    assert "tag-team" in earned_badges(mine) and "tag-team" in earned_badges(theirs)


def test_the_recognition_page_ranks_the_most_active_and_the_best_rated(app, team, now):
    for days in (1, 20, 200):
        world.ended_room(app, team.trainer, now - timedelta(days=days), anonymous=2)
    evaluated = [world.ended_room(app, team.colleague, now - timedelta(days=d), anonymous=1) for d in (3, 4, 5)]
    evaluators = [add_account(app, team.workspace, "trainer") for _ in range(3)]
    for room, evaluator in zip(evaluated, evaluators, strict=True):
        world.evaluation(app, room, evaluator, (5, 5, 4))
    world.evaluation(app, world.ended_room(app, team.admin, now - timedelta(days=300)), team.colleague, (5, 5, 5))

    page = as_(app, team.viewer).get("/trainers")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    active = re.search(r'id="ranking-active".*?</section>', body, re.S).group(0)
    assert re.findall(r">([^<]+)</a>:", active) == ["Cole Colleague", "Tess Trainer"]  # 3 vs 2 in 90 days
    assert "in the last 90 days" in text_of(page)
    rated = re.search(r'id="ranking-rated".*?</section>', body, re.S).group(0)
    assert re.findall(r">([^<]+)</a>:", rated) == ["Cole Colleague"]  # Ada has one evaluation: not ranked
    assert "4.67 / 5" in rated and "at least 3 evaluations" in rated
    retention = re.search(r'id="ranking-retention".*?</section>', body, re.S).group(0)
    assert "No trainer&#39;s decks have been answered by 3 known people yet." in retention
    listed = re.findall(r'<tr data-trainer="(\d+)">', body)
    assert sorted(map(int, listed)) == sorted([team.admin, team.trainer, team.colleague, *evaluators])
    assert str(team.viewer) not in listed  # a viewer who ran nothing is no trainer
