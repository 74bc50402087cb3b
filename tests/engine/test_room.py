"""The room state machine with an injected clock: scoring through the room, streaks,
host commands, illegal transitions, participants, views and snapshot/restore."""

from __future__ import annotations

import copy
import json

import pytest

from quizroom.engine import EngineError, Participant, Phase, Room, Settings
from quizroom.engine.room import MAX_TIME_LIMIT

from .helpers import (
    Game,
    assert_no_solution,
    multi,
    order,
    poll,
    right_order,
    single,
    slider,
    truefalse,
    typed,
)


def refused(code: str, call, *args):
    with pytest.raises(EngineError) as caught:
        call(*args)
    assert caught.value.code == code, caught.value.message
    return caught.value


def started(*specs, players=1, **kwargs) -> Game:
    game = Game(*specs, players=players, **kwargs)
    game.start()
    return game


# ---------------------------------------------------------------- scoring in a room
@pytest.mark.parametrize(("after", "points"), [(0.0, 1000), (0.5, 1000), (0.5001, 987), (10, 750), (20, 500)])
def test_points_depend_on_the_servers_clock(after, points):
    game = started(single(time_limit=20), players=2)  # two players: the first answer does not close it
    game.advance(after)
    reply = game.answer(game.ids[0], 0).reply
    assert reply == {"question": 0, "response_ms": int(after * 1000)}
    assert game.last_points(game.ids[0]) == points


def test_an_answer_after_the_limit_is_too_late_and_changes_nothing():
    game = started(single(time_limit=20))
    game.advance(20.001)
    refused("too_late", game.answer, game.ids[0], 0)
    assert game.stored == [] and game.room.current == {}
    assert game.room.phase == Phase.QUESTION  # until the ticker closes it


def test_wrong_and_missing_answers_earn_nothing():
    game = started(single(), players=3)
    a, b, c = game.ids
    game.advance(1)
    game.answer(a, 0)
    game.answer(b, 3)
    game.next()
    assert (game.score(a), game.score(b), game.score(c)) == (975, 0, 0)
    me = game.room.personal_view(c)["last_result"]
    assert me == {"question": 0, "answered": False, "value": None, "correct": False, "points": 0, "response_ms": None}


def test_the_score_is_applied_at_the_reveal_not_at_the_answer():
    game = started(single(), players=2)
    game.answer(game.ids[0], 0)
    assert game.score(game.ids[0]) == 0  # nothing shows before the reveal
    game.next()
    assert game.score(game.ids[0]) == 1000


def test_multi_partial_earns_proportional_points_and_breaks_the_streak():
    game = started(single("a"), multi("b", correct=(0, 1)), multi("c", correct=(0, 1)), players=2)
    a, b = game.ids
    for pid in (a, b):
        game.answer(pid, 0)  # both right: streak 1
    game.next(), game.next()
    game.answer(a, [0])  # half of the correct choices
    game.answer(b, [0, 1])  # all of them: streak 2, +100
    assert (game.last_points(a), game.last_points(b)) == (500, 1100)
    game.next()
    assert (game.streak(a), game.streak(b)) == (0, 2)
    assert game.room.participants[a].last_result["correct"] is False
    game.next()
    game.answer(a, [0, 1, 2])  # a wrong choice among the right ones: nothing
    game.answer(b, [0, 1])
    assert (game.last_points(a), game.last_points(b)) == (0, 1200)


def test_streak_bonus_grows_by_100_up_to_500():
    game = started(*[single(f"q{i}") for i in range(8)])
    pid = game.ids[0]
    earned = []
    for _ in range(8):
        game.answer(pid, 0)  # the only player: the answer closes the question
        earned.append(game.last_points(pid))
        game.next()  # leaderboard
        game.next()  # next question, or the end
    assert earned == [1000, 1100, 1200, 1300, 1400, 1500, 1500, 1500]
    assert game.room.phase == Phase.ENDED
    assert game.room.participants[pid].best_streak == 8
    assert game.score(pid) == sum(earned)


def test_a_wrong_answer_resets_the_streak():
    game = started(*[single(f"q{i}") for i in range(4)])
    pid = game.ids[0]
    for value in (0, 0, 2, 0):
        game.answer(pid, value)
        game.next(), game.next()
    assert [a.points for a in game.stored] == [1000, 1100, 0, 1000]
    assert [a.streak for a in game.stored] == [1, 2, 0, 1]


def test_no_answer_resets_the_streak():
    game = started(*[single(f"q{i}") for i in range(4)], players=2)
    a, b = game.ids
    for i in range(4):
        game.answer(a, 0)
        if i != 2:
            game.answer(b, 0)
        else:
            game.next()  # b never answers question 2: the host moves on
        game.next(), game.next()
    assert [x.points for x in game.stored if x.participant == b] == [1000, 1100, 1000]
    assert [x.points for x in game.stored if x.participant == a] == [1000, 1100, 1200, 1300]
    assert game.room.participants[b].best_streak == 2


def test_polls_and_zero_point_questions_do_not_touch_streaks():
    game = started(single("q0"), poll("p"), single("z", points=0), truefalse("z2", points=0), single("q1"), players=2)
    a, b = game.ids
    game.answer(a, 0), game.answer(b, 0)  # streak 1 each
    game.next(), game.next()
    game.answer(a, 1), game.answer(b, 2)  # poll
    assert game.room.phase == Phase.REVEAL
    game.next()  # a poll has no leaderboard
    assert game.room.phase == Phase.QUESTION and game.room.index == 2
    game.answer(a, 0), game.answer(b, 1)  # 0 points: a right, b wrong
    assert [(r.points, r.streak, r.correct) for r in game.stored[-2:]] == [(0, 1, True), (0, 1, False)]
    game.next()  # 0-point questions have no leaderboard either
    game.next(), game.next()  # z2: nobody answers, the host closes it and moves on
    assert game.room.index == 4
    game.answer(a, 0), game.answer(b, 0)
    assert (game.last_points(a), game.last_points(b)) == (1100, 1100)
    assert game.stored[-1].streak == 2
    poll_answers = [r for r in game.stored if r.question == 1]
    assert [(r.points, r.correct) for r in poll_answers] == [(0, None), (0, None)]


def test_poll_reveal_has_no_solution():
    game = started(poll(n=3), players=1)
    game.answer(game.ids[0], 2)
    reveal = game.room.reveal
    assert reveal["solution"] is None
    assert reveal["distribution"] == {"counts": [0, 0, 1]}
    assert game.room.personal_view(game.ids[0])["last_result"]["correct"] is None


@pytest.mark.parametrize(
    ("spec", "right", "wrong"),
    [
        (single(correct=2), 2, 0),
        (multi(correct=(1, 3)), [3, 1], [1]),
        (truefalse(correct=False), 1, 0),
        (typed(accepted=("Ljubljana",)), " ljubljana ", "Zagreb"),
        (slider(correct=30, tolerance=2), 31.5, 33),
        (order(items=("a", "b", "c")), "right", [0, 1, 2]),
    ],
)
def test_every_type_through_the_room(spec, right, wrong):
    game = started(spec, players=2)
    a, b = game.ids
    if right == "right":
        right = right_order(game.room)
        wrong = wrong if wrong != right else [2, 1, 0]
    game.answer(a, right)
    game.answer(b, wrong)
    assert game.room.phase == Phase.REVEAL
    assert [r.correct for r in game.stored] == [True, False]
    assert game.score(a) == 1000 and game.score(b) == (500 if spec["type"] == "multi" else 0)
    assert game.room.reveal["answered"] == 2 and game.room.reveal["correct"] == 1
    assert game.room.reveal["solution"] == game.room.questions[0].solution()


# ------------------------------------------------------------------- transitions
def test_the_next_key_walks_through_every_phase():
    game = Game(single("a"), poll("b"), single("c"), players=1)
    phases = [game.room.phase]
    while game.room.phase != Phase.ENDED:
        game.next()
        phases.append(game.room.phase)
    assert phases == [
        "lobby",
        "question",
        "reveal",
        "leaderboard",
        "question",
        "reveal",
        "question",
        "reveal",
        "leaderboard",
        "ended",
    ]
    refused("wrong_phase", game.next)


@pytest.mark.parametrize(
    ("phase", "action", "code"),
    [
        ("lobby", "pause", "wrong_phase"),
        ("lobby", "resume", "wrong_phase"),
        ("lobby", "add_time", "wrong_phase"),
        ("lobby", "skip", "wrong_phase"),
        ("lobby", "end_question", "wrong_phase"),
        ("question", "start", "wrong_phase"),
        ("question", "resume", "not_paused"),
        ("reveal", "start", "wrong_phase"),
        ("reveal", "pause", "wrong_phase"),
        ("reveal", "skip", "wrong_phase"),
        ("reveal", "add_time", "wrong_phase"),
        ("reveal", "end_question", "wrong_phase"),
        ("reveal", "resume", "wrong_phase"),
        ("leaderboard", "start", "wrong_phase"),
        ("leaderboard", "skip", "wrong_phase"),
        ("leaderboard", "pause", "wrong_phase"),
        ("leaderboard", "end_question", "wrong_phase"),
        ("ended", "start", "wrong_phase"),
        ("ended", "next", "wrong_phase"),
        ("ended", "skip", "wrong_phase"),
        ("ended", "pause", "wrong_phase"),
        ("ended", "add_time", "wrong_phase"),
        ("ended", "end", "room_ended"),
        ("ended", "end_question", "wrong_phase"),
    ],
)
def test_illegal_host_commands_are_refused_and_change_nothing(phase, action, code):
    game = Game(single("a"), single("b"), players=1)
    steps = {"lobby": 0, "question": 1, "reveal": 2, "leaderboard": 3}
    if phase == "ended":
        game.do("end")
    else:
        for _ in range(steps[phase]):
            game.next()
    assert game.room.phase == phase
    before = json.dumps(game.room.host_view(game.now), sort_keys=True)
    refused(code, game.do, action)
    assert json.dumps(game.room.host_view(game.now), sort_keys=True) == before


def test_pause_twice_is_refused():
    game = started(single())
    game.do("pause")
    refused("already_paused", game.do, "pause")


@pytest.mark.parametrize("phase", ["lobby", "reveal", "leaderboard", "ended"])
def test_answers_outside_an_open_question_are_refused(phase):
    game = Game(single("a"), single("b"), players=2)
    for _ in range({"lobby": 0, "reveal": 2, "leaderboard": 3}.get(phase, 0)):
        game.next()
    if phase == "ended":
        game.do("end")
    refused("question_closed", game.answer, game.ids[0], 0, max(game.room.index, 0))
    assert game.stored == []


def test_an_answer_for_another_question_index_is_refused():
    game = started(single("a"), single("b"), players=2)
    for index in (1, -1, 10**12):
        refused("question_closed", game.answer, game.ids[0], 0, index)
    refused("question_closed", game.answer, game.ids[0], 0, "0")
    assert game.stored == []


def test_a_second_answer_is_refused_and_the_first_stands():
    game = started(single(), players=2)
    a = game.ids[0]
    game.answer(a, 3)
    refused("already_answered", game.answer, a, 0)
    assert len(game.stored) == 1 and game.room.current[a].value == 3


def test_an_unknown_participant_cannot_answer():
    game = started(single(), players=1)
    refused("not_in_room", game.answer, 99, 0)
    assert game.stored == []


def test_a_malformed_answer_is_refused_and_can_be_corrected():
    game = started(single(), players=2)
    a = game.ids[0]
    for value in (None, "0", 7, [0], True):
        refused("bad_answer", game.answer, a, value)
    assert game.stored == [] and game.room.current == {}
    game.answer(a, 0)
    assert len(game.stored) == 1


def test_everyone_answering_closes_the_question():
    game = started(single(), players=3)
    for pid in game.ids[:2]:
        game.answer(pid, 0)
        assert game.room.phase == Phase.QUESTION
    outcome = game.answer(game.ids[2], 1)
    assert game.room.phase == Phase.REVEAL
    assert {e.event for e in outcome.emits} == {"state", "me"}
    assert sorted(e.participant for e in outcome.emits if e.event == "me") == game.ids


def test_the_ticker_closes_the_question_after_the_limit_not_at_it():
    game = started(single(time_limit=5), players=1)
    game.advance(5)
    assert game.tick().emits == [] and game.room.phase == Phase.QUESTION
    game.advance(0.01)
    game.tick()
    assert game.room.phase == Phase.REVEAL
    refused("question_closed", game.answer, game.ids[0], 0)


def test_pause_excludes_paused_time_from_response_time():
    game = started(single(time_limit=20), players=2)
    a, b = game.ids
    game.advance(2)
    game.do("pause")
    assert game.room.player_view(game.now)["paused"] is True
    refused("paused", game.answer, a, 0)
    game.advance(100)  # far beyond the limit, but paused
    game.tick()
    assert game.room.phase == Phase.QUESTION
    assert game.room.remaining(game.now) == 18
    game.do("resume")
    game.advance(1)
    assert game.answer(a, 0).reply["response_ms"] == 3000
    assert game.last_points(a) == 925  # 1000 * (1 - 3 / 40)
    game.advance(17)  # 20 s of open time in all: still accepted, half points
    game.answer(b, 0)
    assert game.last_points(b) == 500


def test_several_pauses_add_up():
    game = started(single(time_limit=10), players=2)
    for _ in range(3):
        game.advance(1)
        game.do("pause")
        game.advance(50)
        game.do("resume")
    assert game.room.elapsed(game.now) == 3
    game.advance(7.5)
    game.tick()
    assert game.room.phase == Phase.REVEAL


def test_closing_while_paused_counts_the_pause_out():
    game = started(single(time_limit=10), players=2)
    game.advance(1)
    game.answer(game.ids[0], 0)
    game.do("pause")
    game.advance(30)
    game.do("end_question")
    assert game.room.phase == Phase.REVEAL and not game.room.paused
    assert game.score(game.ids[0]) == 950


def test_add_time_extends_the_deadline():
    game = started(single(time_limit=20), players=2)
    game.advance(15)
    game.do("add_time")
    assert game.room.time_limit == 30
    assert game.room.player_view(game.now)["remaining_ms"] == 15000
    assert game.room.player_view(game.now)["question"]["time_limit"] == 30
    game.advance(10)  # 25 s: after the deck's limit, within the extended one
    game.tick()
    assert game.room.phase == Phase.QUESTION
    game.answer(game.ids[0], 0)
    assert game.last_points(game.ids[0]) == 583  # 1000 * (1 - 25 / 60) = 583.33
    game.advance(5.01)
    refused("too_late", game.answer, game.ids[1], 0)


def test_add_time_has_a_ceiling():
    game = started(single(time_limit=240))
    while game.room.time_limit + 10 <= MAX_TIME_LIMIT:
        game.do("add_time")
    refused("too_much_time", game.do, "add_time")
    assert game.room.time_limit == MAX_TIME_LIMIT


def test_end_question_reveals_now():
    game = started(single(), single("b"), players=3)
    game.answer(game.ids[0], 0)
    game.do("end_question")
    assert game.room.phase == Phase.REVEAL
    assert game.room.reveal["answered"] == 1 and game.room.reveal["participants"] == 3


def test_skip_voids_the_question_and_opens_the_next():
    game = started(single("a"), single("b"), single("c"), players=2)
    a, b = game.ids
    game.answer(a, 0), game.answer(b, 0)
    game.next(), game.next()
    game.answer(a, 0)  # stored, then the host skips the question
    outcome = game.do("skip")
    assert outcome.voided == [1]
    assert game.room.phase == Phase.QUESTION and game.room.index == 2
    assert game.score(a) == 1000 and game.streak(a) == 1  # the voided answer earned nothing
    assert game.streak(b) == 1  # and not answering it broke nothing
    game.answer(a, 0), game.answer(b, 0)
    assert game.last_points(a) == 1100


def test_skipping_the_last_question_ends_without_touching_streaks():
    game = started(single("a"), single("b"), players=1)
    pid = game.ids[0]
    game.answer(pid, 0)
    game.next(), game.next()
    outcome = game.do("skip")
    assert outcome.voided == [1] and game.room.phase == Phase.ENDED
    assert game.streak(pid) == 1 and game.room.participants[pid].answered == 1
    assert game.room.personal_view(pid)["summary"] == {"correct": 1, "questions": 1, "best_streak": 1, "answered": 1}


def test_end_mid_question_scores_the_open_question():
    game = started(single("a"), single("b"), players=2)
    a, b = game.ids
    game.advance(1)
    game.answer(a, 0)
    outcome = game.do("end")
    assert game.room.phase == Phase.ENDED
    assert game.score(a) == 975 and game.score(b) == 0
    assert {p.id for p in outcome.participants} == {a, b}
    me = [e.payload for e in outcome.emits if e.event == "me" and e.participant == a][0]
    assert me["rank"] == 1 and me["summary"]["correct"] == 1 and me["summary"]["questions"] == 2


def test_end_from_the_lobby():
    game = Game(single(), players=2)
    game.do("end")
    state = game.room.player_view(game.now)
    assert state["phase"] == "ended" and state["podium"] == [
        {"rank": 1, "id": 1, "nickname": "player0", "score": 0, "streak": 0},
        {"rank": 1, "id": 2, "nickname": "player1", "score": 0, "streak": 0},
    ]


def test_podium_leaderboard_and_summary_at_the_end():
    game = started(single("a"), poll("p"), single("b", points=0), players=6)
    for rank, pid in enumerate(game.ids):
        game.advance(0.6)
        game.answer(pid, 0 if rank < 4 else 1)
    game.next(), game.next()
    for pid in game.ids:
        game.answer(pid, 0)
    game.next()
    for pid in game.ids:
        game.answer(pid, 0)
    game.next()
    state = game.room.player_view(game.now)
    assert state["phase"] == "ended"
    assert [p["id"] for p in state["podium"]] == game.ids[:3]
    assert [p["rank"] for p in state["leaderboard"]] == [1, 2, 3, 4, 5]
    assert [p["score"] for p in state["leaderboard"]][-1] == 0
    me = game.room.personal_view(game.ids[5])
    assert me["rank"] == 5  # tied with the other 0 score
    assert me["summary"] == {"correct": 1, "questions": 2, "best_streak": 0, "answered": 3}
    assert game.room.personal_view(game.ids[0])["summary"]["correct"] == 2


def test_ties_share_a_rank():
    game = started(single(), players=4)
    a, b, c, d = game.ids
    game.answer(a, 0), game.answer(b, 0), game.answer(c, 1), game.answer(d, 2)
    game.next()
    ranks = {p["id"]: p["rank"] for p in game.room.player_view(game.now)["leaderboard"]}
    assert ranks == {a: 1, b: 1, c: 3, d: 3}
    assert [game.room.personal_view(pid)["rank"] for pid in game.ids] == [1, 1, 3, 3]


# ----------------------------------------------------------------- participants
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Ana  ", "Ana"),
        ("A\u202eB", "AB"),
        ("a\x00b\nc", "abc"),
        ("x" * 20, "x" * 20),
        ("Zoë", "Zoë"),
        ("two   words", "two words"),
        ("e\u0301", "é"),
        ("\u200bx", "x"),
    ],
)
def test_nicknames_are_cleaned(raw, clean):
    game = Game(single())
    assert game.room.participants[game.join(raw)].nickname == clean


@pytest.mark.parametrize(
    "raw", ["", "   ", "\x00\x01", "\u200b", "x" * 21, " " + "y" * 21, 5, None, ["Ana"], True, "z" * 10_000]
)
def test_bad_nicknames_are_refused(raw):
    game = Game(single())
    refused("bad_nickname", game.join, raw)
    assert game.room.participants == {}


@pytest.mark.parametrize("taken", ["ANA", "ana", " Ana ", "Ａｎａ", "A\u200bna"])
def test_nicknames_are_unique_ignoring_case(taken):
    game = Game(single(), players=["Ana"])
    refused("nickname_taken", game.join, taken)
    assert len(game.room.participants) == 1


def test_lock_refuses_joins_but_allows_rejoin():
    game = Game(single(), single("b"), players=["Ana"])
    game.do("set_locked", True)
    assert game.room.player_view(game.now)["locked"] is True
    refused("room_locked", game.join, "Bo")
    game.do("disconnect", game.ids[0])
    reply = game.do("rejoin", game.ids[0]).reply
    assert reply["me"]["nickname"] == "Ana" and game.room.participants[game.ids[0]].connected
    game.start()  # locking works in any phase
    game.do("set_locked", False)
    game.join("Bo")
    assert len(game.room.active()) == 2


@pytest.mark.parametrize("value", [None, 1, "true", [True]])
def test_lock_needs_a_boolean(value):
    game = Game(single())
    refused("bad_payload", game.do, "set_locked", value)
    assert game.room.locked is False


def test_no_joins_or_locking_after_the_end():
    game = Game(single(), players=1)
    game.do("end")
    refused("room_ended", game.join, "Late")
    refused("room_ended", game.do, "set_locked", True)


def test_rejoin_keeps_score_and_streak():
    game = started(single("a"), single("b"), players=2)
    a, b = game.ids
    game.answer(a, 0), game.answer(b, 0)
    game.next(), game.next()
    game.do("disconnect", a)
    assert game.room.participants[a].connected is False
    sync = game.do("rejoin", a).reply
    assert sync["me"]["score"] == 1000 and sync["me"]["streak"] == 1 and sync["me"]["answered_current"] is False
    assert sync["state"]["phase"] == "question"
    game.answer(a, 0)
    assert game.last_points(a) == 1100


def test_remove_a_participant():
    game = started(single("a"), single("b"), players=["Ana", "Bo", "Cy"])
    ana, bo, cy = game.ids
    game.answer(ana, 0)
    outcome = game.do("remove", ana)
    assert outcome.emits[0].event == "removed" and outcome.emits[0].participant == ana
    assert game.room.participants[ana].removed and ana not in game.room.current
    refused("not_in_room", game.answer, ana, 0)
    refused("not_in_room", game.do, "rejoin", ana)
    refused("unknown_participant", game.do, "remove", ana)
    for bad in (99, "1", None, True, 1.0):
        refused("unknown_participant", game.do, "remove", bad)
    game.join("ana")  # the nickname is free again
    game.answer(bo, 0)
    game.answer(cy, 0)
    assert game.room.phase == Phase.QUESTION  # the new "ana" has not answered yet
    game.next(), game.next()
    assert ana not in [p["id"] for p in game.room.player_view(game.now)["leaderboard"]]


def test_removing_the_last_one_we_wait_for_closes_the_question():
    game = started(single(), players=2)
    game.answer(game.ids[0], 0)
    game.do("remove", game.ids[1])
    assert game.room.phase == Phase.REVEAL


def test_a_disconnected_player_is_not_waited_for():
    game = started(single(), players=3)
    a, b, c = game.ids
    game.answer(a, 0)
    game.answer(b, 0)
    game.do("disconnect", c)
    assert game.room.phase == Phase.REVEAL


def test_an_answer_then_a_disconnect_does_not_close_the_question_early():
    """A answers and drops; B answers: C (connected) has not answered yet."""
    game = started(single(), players=3)
    a, b, c = game.ids
    game.answer(a, 0)
    game.do("disconnect", a)
    game.answer(b, 0)
    assert game.room.phase == Phase.QUESTION
    assert game.room.progress_view() == {"question": 0, "answered": 2, "expected": 3}
    game.answer(c, 0)
    assert game.room.phase == Phase.REVEAL


def test_nobody_connected_does_not_close_an_unanswered_question():
    game = started(single(), players=2)
    for pid in game.ids:
        game.do("disconnect", pid)
    assert game.room.phase == Phase.QUESTION


def test_a_late_joiner_can_answer_the_open_question():
    game = started(single(), players=1)
    late = game.join("Late")
    game.answer(late, 0)
    assert game.room.phase == Phase.QUESTION  # the first player has not answered
    assert game.room.personal_view(late)["answered_current"] is True


# ----------------------------------------------------------------------- views
@pytest.mark.parametrize(
    "spec",
    [
        single(correct=3),
        multi(correct=(2,)),
        truefalse(correct=False),
        typed(accepted=("Secretword",)),
        slider(correct=77, tolerance=1),
        order(items=("x", "y", "z")),
        poll(),
    ],
)
def test_phones_never_see_the_solution_before_the_reveal(spec):
    game = Game(spec, single("after"), players=2)
    game.start()
    game.answer(
        game.ids[0],
        right_order(game.room)
        if spec["type"] == "order"
        else {"single": 3, "multi": [2], "truefalse": 1, "typed": "secretword", "slider": 77, "poll": 0}[spec["type"]],
    )
    game.do("pause"), game.do("resume"), game.do("add_time"), game.do("set_locked", True)
    sent = game.to_player()
    sent += [
        game.room.player_view(game.now),
        game.room.personal_view(game.ids[0]),
        game.room.sync_for(game.ids[1], game.now),
    ]
    for payload in sent:
        assert_no_solution(payload)
    blob = json.dumps(sent)
    assert "Secretword" not in blob and "secretword" not in blob and "77" not in blob
    # after the reveal the solution is there
    game.do("end_question")
    reveal = game.room.player_view(game.now)["reveal"]
    if spec["type"] != "poll":
        assert reveal["solution"] == game.room.questions[0].solution()


def test_the_host_sees_no_solution_either_while_answers_are_open():
    game = started(typed(accepted=("Secretword",)), players=1)
    assert "ecretword" not in json.dumps(game.room.host_view(game.now))


def test_question_on_device_off_hides_the_text_from_phones_only():
    game = started(single(image="/uploads/pic.png"), players=1, settings=Settings(question_on_device=False))
    assert game.room.player_view(game.now)["question"]["text"] is None
    assert game.room.player_view(game.now)["question"]["image"] is None
    assert game.room.player_view(game.now)["question"]["choices"]  # still the buttons
    assert game.room.host_view(game.now)["question"]["text"] == "Single s?"
    assert game.room.host_view(game.now)["question"]["image"] == "/uploads/pic.png"
    game.do("configure", {"question_on_device": True})
    assert game.room.player_view(game.now)["question"]["text"] == "Single s?"


@pytest.mark.parametrize(
    "changes", [None, [], {"question_on_device": 1}, {"other": True}, {"question_on_device": True, "x": False}]
)
def test_settings_must_be_known_booleans(changes):
    game = Game(single())
    refused("bad_payload", game.do, "configure", changes)
    assert game.room.settings.question_on_device is True


def test_host_view_adds_progress_and_count():
    game = started(single(), players=3)
    game.answer(game.ids[0], 0)
    view = game.room.host_view(game.now)
    assert view["progress"] == {"question": 0, "answered": 1, "expected": 3}
    assert view["participants"] == 3
    assert "progress" not in game.room.player_view(game.now)


def test_personal_view_shows_the_last_result_only_after_the_reveal():
    game = started(single("a"), single("b"), players=2)
    a = game.ids[0]
    game.advance(1)
    game.answer(a, 0)
    assert game.room.personal_view(a)["last_result"] is None
    assert game.room.personal_view(a)["answered_current"] is True
    game.next()
    assert game.room.personal_view(a)["last_result"] == {
        "question": 0,
        "answered": True,
        "value": 0,
        "correct": True,
        "points": 975,
        "response_ms": 1000,
    }
    game.next()
    assert game.room.personal_view(a)["last_result"] is not None  # still on the leaderboard
    game.next()
    assert game.room.personal_view(a)["last_result"] is None and game.room.personal_view(a)["answered_current"] is False


def test_lobby_and_progress_are_coalesced_until_flushed():
    game = Game(single(), players=3)
    first = game.do("flush")
    assert [e.event for e in first.emits] == ["lobby"]
    assert first.emits[0].payload["count"] == 3 and first.emits[0].to == "host"
    assert game.do("flush").emits == []
    game.start()
    game.answer(game.ids[0], 0)
    game.answer(game.ids[1], 0)
    flushed = game.do("flush")
    assert [(e.event, e.payload) for e in flushed.emits] == [
        ("progress", {"question": 0, "answered": 2, "expected": 3})
    ]
    assert game.do("flush").emits == []


def test_join_does_not_emit_to_the_host_directly():
    game = Game(single())
    _, outcome = game.room.join("Ana", game.now)
    assert outcome.emits == [] and outcome.reply["me"]["nickname"] == "Ana"
    assert outcome.reply["state"]["phase"] == "lobby"


def test_a_room_needs_questions():
    with pytest.raises(EngineError) as caught:
        Room("123456", "Empty", [])
    assert caught.value.code == "empty_deck"


# ------------------------------------------------------------ snapshot / restore
def restore(game: Game) -> Room:
    snapshot = json.loads(json.dumps(game.room.snapshot()))  # it goes through a JSON column
    people = [
        Participant(**{k: v for k, v in p.to_record().items() if k not in ("connected", "last_result")})
        for p in game.room.participants.values()
    ]
    return Room.restore(snapshot, people, [copy.copy(a) for a in game.stored if a.question == game.room.index])


def test_snapshot_and_restore_mid_question_reapplies_the_answers():
    game = started(single("a"), order("b"), slider("c", correct=10), players=3)
    a, b, c = game.ids
    game.answer(a, 0), game.answer(b, 0), game.answer(c, 1)
    game.next(), game.next()
    game.advance(2)
    game.answer(a, right_order(game.room))
    game.do("pause")
    game.advance(5)
    game.do("resume")
    game.advance(1)
    game.answer(b, [3, 2, 1, 0] if right_order(game.room) != [3, 2, 1, 0] else [0, 1, 2, 3])

    room = restore(game)
    assert room.phase == Phase.QUESTION and room.index == 1
    assert room.questions[1].display == game.room.questions[1].display
    assert set(room.current) == {a, b}
    assert room.elapsed(game.now) == game.room.elapsed(game.now) == 3
    assert all(not p.connected for p in room.participants.values())
    for pid in game.ids:
        original, rebuilt = game.room.personal_view(pid), room.personal_view(pid)
        assert rebuilt == original
    assert room.player_view(game.now) == game.room.player_view(game.now)
    refused("already_answered", room.answer, a, 1, [0, 1, 2, 3], game.now)

    # both rooms carry on the same way
    for engine in (game.room, room):
        engine.rejoin(c, game.now)
        engine.answer(c, 1, right_order(game.room), game.now + 1)
        if engine.phase == Phase.QUESTION:
            engine.next(game.now + 1)
    assert {p.id: p.score for p in room.participants.values()} == {
        p.id: p.score for p in game.room.participants.values()
    }
    assert room.reveal == game.room.reveal


def test_restore_in_the_lobby_and_after_the_end():
    game = Game(single(), players=["Ana", "Bo"], settings=Settings(question_on_device=False))
    game.do("set_locked", True)
    room = restore(game)
    assert room.phase == Phase.LOBBY and room.locked and not room.settings.question_on_device
    with pytest.raises(EngineError):
        room.join("ana", game.now)
    room.set_locked(False, game.now)
    refused("nickname_taken", room.join, "ANA", game.now)
    person, _ = room.join("Cy", game.now)
    assert person.id == 3  # numbering goes on after the stored participants
    game.start()
    game.do("end")
    ended = restore(game)
    assert ended.phase == Phase.ENDED and ended.player_view(game.now)["podium"]


def test_restore_while_paused_keeps_the_clock_stopped():
    game = started(single(time_limit=10), players=2)
    game.advance(4)
    game.do("pause")
    room = restore(game)
    assert room.paused and room.remaining(game.now + 100) == 6
    room.resume(game.now + 100)
    assert room.remaining(game.now + 101) == 5


def test_restore_ignores_the_stored_answer_of_a_removed_participant():
    game = started(single(), players=3)
    a, b, c = game.ids
    game.answer(a, 0)
    game.do("remove", a)  # the answer row stays in the database
    room = restore(game)
    assert set(room.current) == set()
    assert room.progress_view() == {"question": 0, "answered": 0, "expected": 0}
    room.rejoin(b, game.now)
    room.rejoin(c, game.now)
    room.answer(b, 0, 0, game.now)
    assert room.phase == Phase.QUESTION  # still waiting for c
    room.answer(c, 0, 1, game.now)
    assert room.reveal["answered"] == 2 and room.reveal["participants"] == 2
