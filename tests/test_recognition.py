"""The pure rules of peer feedback and recognition: who may give feedback and when, what a
valid form is, averages and pulse sums, a trainer's figures, badges and rankings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from quizroom import feedback, recognition, workspaces
from quizroom.feedback import PulseItem, RoomFacts
from quizroom.recognition import BADGES, METRICS, DeckRecord, RetentionRecord, SessionRecord

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
TEAM = 1


def member(id_: int, role: str | None = "trainer", workspace: int = TEAM) -> workspaces.Member:
    return workspaces.Member(id_, workspace, role)


def room(trainer_id: int = 10, live: bool = False, ended: datetime | None = NOW - timedelta(days=1)) -> RoomFacts:
    return RoomFacts(7, trainer_id, "Git basics", live, NOW - timedelta(days=2), ended)


@dataclass
class Scores:
    clarity: int
    interactivity: int
    usefulness: int
    trainer_id: int = 10
    room_id: int = 1


# ---------------------------------------------------------------------- who may give feedback
def test_a_colleague_who_is_a_trainer_or_admin_may_give_feedback_on_an_ended_room():
    assert feedback.refusal(member(11), room(), NOW) is None
    assert feedback.refusal(member(12, "admin"), room(), NOW) is None


@pytest.mark.parametrize(
    ("account", "the_room", "code", "status"),
    [
        (member(11, "viewer"), room(), "role", 403),
        (None, room(), "role", 403),
        (member(11, None), room(), "role", 403),  # removed from the workspace
        (member(10), room(), "own", 403),
        (member(10, "admin"), room(), "own", 403),  # not even an admin rates their own session
        (member(11), room(live=True, ended=None), "not_ended", 409),
    ],
)
def test_refusals_name_the_reason(account, the_room, code, status):
    refused = feedback.refusal(account, the_room, NOW)
    assert (refused.code, refused.status) == (code, status)
    assert refused.message


def test_the_window_closes_fourteen_days_after_the_end():
    ended = NOW - timedelta(days=feedback.WINDOW_DAYS)
    assert feedback.refusal(member(11), room(ended=ended), NOW) is None  # the last moment
    refused = feedback.refusal(member(11), room(ended=ended - timedelta(seconds=1)), NOW)
    assert refused.code == "closed"
    assert "14 days" in refused.message


def test_an_ended_room_without_an_end_time_counts_from_its_start():
    old = RoomFacts(7, 10, "Old", False, NOW - timedelta(days=15), None)
    assert feedback.refusal(member(11), old, NOW).code == "closed"
    assert feedback.window_closes(old) == NOW - timedelta(days=1)


# ---------------------------------------------------------------------- the form
def test_clean_keeps_scores_and_a_trimmed_comment():
    values = feedback.clean(
        {"clarity": "5", "interactivity": " 3 ", "usefulness": "1", "comment": "  Good pace\r\n", "attended": "yes"}
    )
    assert values == {"clarity": 5, "interactivity": 3, "usefulness": 1, "comment": "Good pace"}
    assert (
        feedback.clean({"clarity": "2", "interactivity": "2", "usefulness": "2", "attended": "on"})["comment"] is None
    )


def test_clean_names_every_problem_at_once():
    with pytest.raises(feedback.FeedbackError) as caught:
        feedback.clean({"clarity": "6", "interactivity": "three", "comment": "x" * 1001})
    errors = caught.value.errors
    assert set(errors) == {"clarity", "interactivity", "usefulness", "comment", "attended"}
    assert "1 to 5" in errors["clarity"] and errors["clarity"].startswith("Clarity")
    assert "Usefulness" in errors["usefulness"]
    assert "1001 characters" in errors["comment"] and "1000" in errors["comment"]
    assert "attended" in errors["attended"]


@pytest.mark.parametrize("bad", ["0", "-1", "4.5", "", "1e1"])
def test_scores_outside_one_to_five_are_refused(bad):
    with pytest.raises(feedback.FeedbackError) as caught:
        feedback.clean({"clarity": bad, "interactivity": "3", "usefulness": "3", "attended": "yes"})
    assert set(caught.value.errors) == {"clarity"}


def test_comments_are_visible_to_the_trainer_admins_and_viewers_only():
    assert feedback.may_read_comments(member(10), 10)
    assert feedback.may_read_comments(member(12, "admin"), 10)
    assert feedback.may_read_comments(member(13, "viewer"), 10)
    assert not feedback.may_read_comments(member(11), 10)
    assert not feedback.may_read_comments(None, 10)


# ---------------------------------------------------------------------- sums
def test_averages_per_item_and_overall():
    got = feedback.averages([Scores(5, 4, 3), Scores(4, 4, 5)])
    assert got.count == 2
    assert got.items == {"clarity": 4.5, "interactivity": 4.0, "usefulness": 4.0}
    assert got.overall == pytest.approx(12.5 / 3)
    empty = feedback.averages([])
    assert (empty.count, empty.overall, empty.items["clarity"]) == (0, None, None)


def test_pulse_sums_weigh_by_ratings_and_bring_ten_point_items_to_five():
    summary = feedback.pulse_summary(
        {
            1: [PulseItem("Rate the session", 5, 4.0, 2), PulseItem("Rate the trainer", 10, 10.0, 1)],
            2: [PulseItem("Rate the session", 5, 1.0, 1), PulseItem("Rate the trainer", 10, None, 0)],
            3: [],
        }
    )
    lines = {line.text: line for line in summary.lines}
    assert lines["Rate the session"].mean5 == pytest.approx((4 * 2 + 1) / 3)
    assert (lines["Rate the session"].count, lines["Rate the session"].sessions) == (3, 2)
    assert lines["Rate the trainer"].mean5 == 5.0  # 10 of 10
    assert summary.count == 4 and summary.sessions == 2
    assert summary.overall == pytest.approx((4 * 2 + 1 + 5) / 4)
    assert PulseItem("x", 10, 1.0, 1).mean5 == 1.0
    assert PulseItem("x", 10, 5.5, 1).mean5 == pytest.approx(3.0)


# ---------------------------------------------------------------------- figures
def session(room_id: int, trainer: int, days_ago: float, known=(), anonymous=0, presenters=()) -> SessionRecord:
    return SessionRecord(
        room_id,
        trainer,
        f"Session {room_id}",
        NOW - timedelta(days=days_ago),
        frozenset(known),
        anonymous,
        presenters=frozenset(presenters),
    )


def test_people_reached_counts_known_people_once_and_anonymous_ones_per_session():
    got = recognition.reach([session(1, 10, 5, {1, 2}, 3), session(2, 10, 4, {2, 3}, 4)])
    assert (got.known, got.anonymous, got.total) == (3, 7, 10)


def test_forks_are_colleagues_copies_of_the_trainer_s_decks():
    decks = [
        DeckRecord(1, 10, "Git"),
        DeckRecord(2, 11, "Git (Cole)", forked_from_id=1),
        DeckRecord(3, 10, "Git again", forked_from_id=1),  # their own copy: no fork
        DeckRecord(4, 12, "Docker"),
        DeckRecord(5, 11, "Docker (Cole)", forked_from_id=4),  # someone else's deck
    ]
    forks = recognition.forks_of(10, decks)
    assert [(f.deck.id, f.original.id) for f in forks] == [(2, 1)]


def stats_of(trainer=10, sessions=(), evaluations=(), decks=(), retention=None, given=0):
    return recognition.trainer_stats(trainer, f"T{trainer}", sessions, evaluations, decks, retention, given, NOW)


def test_trainer_stats_count_only_their_sessions_and_evaluations():
    sessions = [
        session(1, 10, 100, {1}, 2),
        session(2, 10, 90, {1, 2}),  # exactly 90 days ago: recent
        session(3, 10, 3, (), 5, presenters={11}),  # handed over to 11
        session(4, 11, 2, {3}),
        session(5, 12, 1, presenters={10}),  # 10 took over from 12
    ]
    evaluations = [Scores(5, 5, 5), Scores(3, 3, 3), Scores(1, 1, 1, trainer_id=11)]
    stats = stats_of(sessions=sessions, evaluations=evaluations, given=2)
    assert (stats.sessions, stats.recent_sessions) == (3, 2)
    assert (stats.reach.known, stats.reach.anonymous) == (2, 7)
    assert (stats.evaluations, stats.rubric.overall) == (2, 4.0)
    assert stats.peer_average is None  # fewer than 3 evaluations
    assert stats.co_presented == 2
    assert stats.evaluations_given == 2
    assert stats.last_session == NOW - timedelta(days=3)
    assert stats_of(trainer=11, sessions=sessions).co_presented == 1


# ---------------------------------------------------------------------- badges
def test_badge_rules_are_data_with_known_metrics_and_unique_ids():
    assert len({b.id for b in BADGES}) == len(BADGES)
    assert all(b.metric in METRICS and b.title and b.description for b in BADGES)
    for needed in ("first-session", "sessions-5", "sessions-10", "sessions-25", "people-100", "people-500"):
        assert needed in {b.id for b in BADGES}


def earned_ids(stats) -> set[str]:
    return {b.id for b in recognition.earned(stats)}


def test_no_badge_without_sessions():
    assert earned_ids(stats_of()) == set()


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, {"first-session"}),
        (4, {"first-session"}),
        (5, {"first-session", "sessions-5"}),
        (25, {"first-session", "sessions-5", "sessions-10", "sessions-25"}),
    ],
)
def test_session_milestones(count, expected):
    sessions = [session(i, 10, 200 + i) for i in range(count)]
    assert earned_ids(stats_of(sessions=sessions)) == expected


def test_people_milestones_count_people_reached():
    ninety_nine = [session(1, 10, 5, set(range(60)), 39)]
    assert "people-100" not in earned_ids(stats_of(sessions=ninety_nine))
    hundred = [*ninety_nine, session(2, 10, 4, set(range(50)), 1)]  # the 50 known ones already counted
    assert "people-100" in earned_ids(stats_of(sessions=hundred))


def test_five_stars_needs_three_evaluations_averaging_five_to_one_decimal():
    perfect = [Scores(5, 5, 5)] * 2
    assert "five-stars" not in earned_ids(stats_of(evaluations=perfect))
    assert "five-stars" in earned_ids(stats_of(evaluations=[*perfect, Scores(5, 5, 5)]))
    nearly = [Scores(5, 5, 5)] * 6 + [Scores(5, 4, 5)]  # 4.952...: 5.0 to one decimal
    assert "five-stars" in earned_ids(stats_of(evaluations=nearly))
    not_quite = [Scores(5, 5, 5)] * 3 + [Scores(5, 4, 5)]  # 4.917: 4.9
    assert "five-stars" not in earned_ids(stats_of(evaluations=not_quite))


def test_fork_peer_review_tag_team_and_retention_badges():
    decks = [DeckRecord(1, 10, "Git"), DeckRecord(2, 11, "Git", forked_from_id=1)]
    assert "forked" in earned_ids(stats_of(decks=decks))
    assert "peer-reviewer" in earned_ids(stats_of(given=3))
    assert "peer-reviewer" not in earned_ids(stats_of(given=2))
    assert "tag-team" in earned_ids(stats_of(sessions=[session(1, 11, 1, presenters={10})]))
    assert "it-sticks" in earned_ids(stats_of(retention=RetentionRecord(0.8, 3, 4)))
    assert "it-sticks" not in earned_ids(stats_of(retention=RetentionRecord(0.95, 2, 4)))  # not enough people
    states = {s.badge.id: s for s in recognition.badges(stats_of(retention=RetentionRecord(0.95, 2, 4)))}
    assert states["it-sticks"].value is None and not states["it-sticks"].earned


def test_badges_follow_the_rules_they_are_given():
    rules = [recognition.Badge("two", "Two", "Two sessions.", "sessions", 2)]
    states = recognition.badges(stats_of(sessions=[session(1, 10, 1), session(2, 10, 2)]), rules)
    assert [(s.badge.id, s.earned, s.value) for s in states] == [("two", True, 2)]


# ---------------------------------------------------------------------- rankings
def test_most_active_counts_recent_sessions_and_shares_ranks():
    people = [
        stats_of(10, [session(1, 10, 1), session(2, 10, 2)]),
        stats_of(11, [session(3, 11, 1), session(4, 11, 2), session(5, 11, 200)]),
        stats_of(12, [session(6, 12, 5)]),
        stats_of(13, [session(7, 13, 120)]),  # nothing recent: not listed
    ]
    ranking = recognition.most_active(people)
    assert [(r.rank, r.trainer_id, r.value) for r in ranking.rows] == [(1, 11, 2), (1, 10, 2), (3, 12, 1)]
    assert "90 days" in ranking.explanation
    assert recognition.most_active(people, top=1).rows[0].trainer_id == 11


def test_best_rated_needs_three_evaluations():
    three_good = [Scores(4, 4, 4, trainer_id=10)] * 3
    two_perfect = [Scores(5, 5, 5, trainer_id=11)] * 2
    three_great = [Scores(5, 5, 4, trainer_id=12)] * 3
    everyone = three_good + two_perfect + three_great
    people = [stats_of(t, evaluations=everyone) for t in (10, 11, 12)]
    ranking = recognition.best_rated(people)
    assert [r.trainer_id for r in ranking.rows] == [12, 10]
    assert "at least 3 evaluations" in ranking.explanation
    assert recognition.best_rated([people[1]]).rows == []


def test_best_retention_needs_enough_people():
    people = [
        stats_of(10, retention=RetentionRecord(0.7, 5, 3)),
        stats_of(11, retention=RetentionRecord(0.9, 2, 3)),  # two people: not enough data
        stats_of(12, retention=RetentionRecord(0.85, 3, 1)),
        stats_of(13),
    ]
    ranking = recognition.best_retention(people)
    assert [(r.rank, r.trainer_id) for r in ranking.rows] == [(1, 12), (2, 10)]
    assert [r.id for r in recognition.rankings(people)] == ["active", "rated", "retention"]
