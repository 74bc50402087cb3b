"""A room running a whole agenda: polls, boards, surveys and quiz questions in one plan.

Pure engine, a hand-moved float clock. Phase transitions with activities, next/skip/back
(results are shown again, nothing is reopened), who may respond to what, host commands,
the `state`/`me` views, the coalesced `activity` events of ``flush``, and snapshot ->
restore with the stored submissions replayed (a property test over random sessions).
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from quizroom.engine import EngineError, Participant, Phase, Room
from quizroom.engine.plan import default_survey, parse_plan

T0 = 5_000.0
CODE = "654321"

POLL = {"kind": "poll", "uid": "lunch", "type": "single", "text": "Lunch?", "options": ["Pizza", "Sushi", "Salad"]}
HIDDEN = {
    "kind": "poll",
    "uid": "secret",
    "type": "single",
    "text": "Mood?",
    "options": ["Good", "Bad"],
    "hide_results": True,
}
QUIZ = {
    "kind": "question",
    "uid": "q1",
    "type": "single",
    "text": "2 + 2?",
    "time_limit": 20,
    "points": 1000,
    "choices": [{"text": "4", "correct": True}, {"text": "5"}, {"text": "22"}],
}
QUIZ2 = {"kind": "question", "uid": "q2", "type": "truefalse", "text": "The sky is green.", "correct": False}
BOARD = {"kind": "board", "uid": "ideas", "prompt": "What slows us down?", "columns": ["Process", "Tools"]}
CLOUD = {"kind": "poll", "uid": "words", "type": "wordcloud", "text": "One word for today"}
OPEN = {
    "kind": "poll",
    "uid": "asks",
    "type": "open",
    "text": "Questions?",
    "moderation": "approve",
    "anonymous": False,
    "max_entries": 2,
}
SURVEY = default_survey("pulse")
HERE = object()  # "the position on screen"


def refused(code: str, call, *args):
    with pytest.raises(EngineError) as caught:
        call(*args)
    assert caught.value.code == code, (code, caught.value.code, caught.value.message)
    return caught.value


class Agenda:
    """A room on a plan, plus what the transport would store (the latest snapshot, every
    submission, the participants' rows) and send."""

    def __init__(self, *specs: dict, players: int = 3, seed: int = 3):
        plan = parse_plan({"title": "Workshop", "activities": list(specs)})
        self.room = Room(CODE, plan.title, plan.activities, seed=seed)
        self.now = T0
        self.emits: list = []
        self.submissions: list = []
        self.answers: list = []
        self.people: dict[int, Participant] = {}
        self.snapshot = copy.deepcopy(self.room.snapshot())
        self.ids = [self.join(f"Player {i}") for i in range(players)]
        self.flush()  # the lobby update

    def record(self, outcome):
        json.dumps([e.payload for e in outcome.emits])  # every emit must be JSON-serialisable
        json.dumps([s.record for s in outcome.submissions])
        self.emits += outcome.emits
        self.submissions += outcome.submissions
        self.answers += outcome.answers
        for person in outcome.participants:  # what store.persist / add_participant write
            stored = copy.copy(person)
            stored.last_result = None
            stored.connected = True
            self.people[person.id] = stored
        if outcome.room_changed:
            self.snapshot = copy.deepcopy(self.room.snapshot())
        return outcome

    def do(self, method: str, *args):
        return self.record(getattr(self.room, method)(*args, self.now))

    def join(self, nickname: str) -> int:
        person, outcome = self.room.join(nickname, self.now)
        self.record(outcome)
        return person.id

    def next(self):
        return self.do("next")

    def back(self):
        return self.do("back")

    def skip(self):
        return self.do("skip")

    def flush(self):
        return self.do("flush")

    def respond(self, pid: int, action: str, payload: dict, position: object = HERE):
        return self.do("respond", pid, self.room.index if position is HERE else position, action, payload)

    def host(self, action: str, args: dict | None = None):
        return self.do("host_activity", action, args or {})

    def answer(self, pid: int, value: object):
        return self.do("answer", pid, self.room.index, value)

    def state(self, to: str = "players") -> dict:
        return self.room.player_view(self.now) if to == "players" else self.room.host_view(self.now)

    def activity(self, to: str = "players") -> dict | None:
        return self.state(to)["activity"]

    def restored(self) -> Room:
        people = [copy.copy(p) for p in self.people.values()]
        current = [a for a in self.answers if a.question == self.room.index]
        return Room.restore(copy.deepcopy(self.snapshot), people, current, list(self.submissions))


def events(outcome, name: str = "activity") -> list[tuple[str, dict]]:
    return [(e.to, e.payload) for e in outcome.emits if e.event == name]


def audiences(outcome, name: str = "activity") -> list[str]:
    return sorted(to for to, _ in events(outcome, name))


def states(outcome) -> dict[str, dict]:
    return dict(events(outcome, "state"))


# ------------------------------------------------------------------ phases
def test_a_mixed_agenda_walks_through_every_phase():
    game = Agenda(POLL, QUIZ, BOARD, QUIZ2, SURVEY)
    ana, bo, cy = game.ids
    room = game.room
    assert room.phase == Phase.LOBBY and game.state()["activity"] is None
    lobby = game.state()
    assert (lobby["index"], lobby["position"], lobby["total"], lobby["question_number"], lobby["questions_total"]) == (
        -1,
        -1,
        5,
        None,
        2,
    )

    sent = states(game.next())  # lobby -> the poll
    for to in ("host", "players"):
        view = sent[to]
        assert view["phase"] == "activity" and view["index"] == view["position"] == 0
        assert view["question"] is None and view["reveal"] is None and view["question_number"] is None
        assert view["questions_total"] == 2 and view["total"] == 5
        assert view["activity"]["kind"] == "poll" and view["activity"]["position"] == 0
        assert view["activity"]["uid"] == "lunch" and view["activity"]["open"] is True
    game.respond(ana, "vote", {"value": 1})

    sent = states(game.next())  # the poll -> question 1 of 2
    assert room.phase == Phase.QUESTION and room.runs[0].is_open is False
    for view in sent.values():
        assert view["phase"] == "question" and view["position"] == 1 and view["activity"] is None
        assert view["question_number"] == 1 and view["questions_total"] == 2
        assert view["question"]["uid"] == "q1"
    for pid in (ana, bo, cy):
        game.answer(pid, 0)  # everyone answered: reveal
    assert room.phase == Phase.REVEAL and game.state()["question_number"] == 1
    game.next()
    assert room.phase == Phase.LEADERBOARD and game.state()["leaderboard"]

    sent = states(game.next())  # leaderboard -> the board
    assert room.phase == Phase.ACTIVITY and room.index == 2
    assert sent["players"]["activity"]["kind"] == "board" and sent["players"]["activity"]["phase"] == "open"
    assert sent["players"]["question_number"] is None and sent["players"]["leaderboard"] is None

    game.next()  # -> question 2 of 2 (0 points: a truefalse with default points is scored)
    assert room.phase == Phase.QUESTION and game.state()["question_number"] == 2
    game.do("end_question")
    game.next()
    assert room.phase == Phase.LEADERBOARD
    game.next()
    assert room.phase == Phase.ACTIVITY and game.activity()["kind"] == "survey"
    assert game.activity()["position"] == 4 and game.state()["index"] == 4

    sent = states(game.next())  # the last item -> the end
    assert room.phase == Phase.ENDED
    assert sent["players"]["activity"] is None and sent["players"]["podium"]
    assert room.runs[4].is_open is False
    ends = [e for e in game.emits if e.event == "me" and "summary" in e.payload]
    assert {e.participant for e in ends} == {ana, bo, cy}
    assert all(e.payload["activity"] is None for e in ends)
    assert all(e.payload["summary"]["questions"] == 2 for e in ends)  # activities are not questions
    refused("wrong_phase", game.next)
    refused("wrong_phase", game.back)


def test_an_activity_first_and_last_needs_no_question():
    game = Agenda(SURVEY)
    game.next()
    assert game.room.phase == Phase.ACTIVITY and game.state()["questions_total"] == 0
    game.next()
    assert game.room.phase == Phase.ENDED


def test_skip_on_an_activity_moves_on_like_next():
    game = Agenda(POLL, BOARD, QUIZ)
    game.next()
    game.skip()
    assert game.room.phase == Phase.ACTIVITY and game.room.index == 1
    assert game.room.runs[0].is_open is False
    game.skip()
    assert game.room.phase == Phase.QUESTION and game.room.index == 2
    assert game.room.runs[1].phase == "closed"
    game.skip()  # the question is voided; it was the last item
    assert game.room.phase == Phase.ENDED


def test_skip_on_the_last_activity_ends_the_room():
    game = Agenda(QUIZ, POLL)
    game.next()
    game.skip()
    assert game.room.phase == Phase.ACTIVITY
    game.skip()
    assert game.room.phase == Phase.ENDED


@pytest.mark.parametrize("command", ["end_question", "pause", "resume", "add_time"])
def test_question_commands_do_not_apply_to_an_activity(command):
    game = Agenda(POLL, QUIZ)
    game.next()
    refused("wrong_phase", game.do, command)
    assert game.room.phase == Phase.ACTIVITY


def test_host_end_during_an_activity_closes_it():
    game = Agenda(BOARD, QUIZ)
    game.next()
    game.respond(game.ids[0], "note", {"text": "Slow CI", "column": 1})
    outcome = game.do("end")
    assert game.room.phase == Phase.ENDED and game.room.runs[0].phase == "closed"
    assert all(p["activity"] is None for to, p in events(outcome, "me"))
    refused("closed", game.respond, game.ids[0], "note", {"text": "late", "column": 0}, 0)


# -------------------------------------------------------------------- back
def test_back_from_an_activity_shows_the_questions_reveal_again():
    game = Agenda(QUIZ, POLL)
    ana, bo, cy = game.ids
    game.next()
    game.answer(ana, 0), game.answer(bo, 1), game.answer(cy, 0)
    reveal = copy.deepcopy(game.room.reveal)
    scores = {pid: game.room.participants[pid].score for pid in game.ids}
    game.next(), game.next()  # leaderboard, the poll
    assert game.room.phase == Phase.ACTIVITY

    sent = states(game.back())
    assert game.room.phase == Phase.REVEAL and game.room.index == 0
    for view in sent.values():
        assert view["reveal"] == reveal and view["question_number"] == 1 and view["activity"] is None
    assert game.room.runs[1].is_open is False  # left: closed
    refused("question_closed", game.answer, ana, 2)  # a shown question is not reopened
    assert {pid: game.room.participants[pid].score for pid in game.ids} == scores

    game.next()  # reveal -> leaderboard (a scored question)
    assert game.room.phase == Phase.LEADERBOARD
    game.next()  # the poll was played: it is shown, not opened again
    assert game.room.phase == Phase.ACTIVITY and game.room.index == 1
    assert game.activity()["open"] is False
    refused("closed", game.respond, ana, "vote", {"value": 0})
    assert {pid: game.room.participants[pid].score for pid in game.ids} == scores


def test_back_from_a_question_reveal_shows_the_closed_activity():
    game = Agenda(BOARD, QUIZ, QUIZ2)
    ana, bo, _cy = game.ids
    game.next()
    game.respond(ana, "note", {"text": "Slow CI", "column": 1})
    game.respond(bo, "note", {"text": "Too many meetings", "column": 0})
    game.host("open_voting")
    game.respond(ana, "vote", {"note": 2})
    game.next()  # the board closes (its dots are counted) and the question opens
    game.do("end_question")
    assert game.room.phase == Phase.REVEAL

    sent = states(game.back())
    assert game.room.phase == Phase.ACTIVITY and game.room.index == 0
    board = sent["players"]["activity"]
    assert board["phase"] == "closed" and board["position"] == 0
    assert [(n["id"], n["votes"]) for n in board["notes"]] == [(2, 1), (1, 0)]  # votes shown once closed
    refused("closed", game.respond, bo, "vote", {"note": 1})
    refused("closed", game.respond, bo, "note", {"text": "again", "column": 0})

    game.next()  # forward over the played question: its reveal, not the question again
    assert game.room.phase == Phase.REVEAL and game.room.index == 1
    game.next(), game.next()  # leaderboard, then question 2 (never played): it opens
    assert game.room.phase == Phase.QUESTION and game.room.index == 2


def test_back_from_a_leaderboard_shows_the_activity_before_it():
    game = Agenda(CLOUD, QUIZ)
    game.next()
    game.respond(game.ids[0], "entry", {"text": "Fun"})
    game.next(), game.do("end_question"), game.next()
    assert game.room.phase == Phase.LEADERBOARD
    game.back()
    view = game.activity()
    assert game.room.phase == Phase.ACTIVITY and view["uid"] == "words" and view["open"] is False
    assert view["results"]["words"] == [{"text": "Fun", "count": 1}]


def test_back_between_two_activities_closes_both_and_reopens_neither():
    game = Agenda(POLL, BOARD, SURVEY)
    game.next(), game.next()
    assert game.room.runs[1].phase == "open"
    game.back()
    assert game.room.index == 0 and game.room.runs[1].phase == "closed" and not game.room.runs[0].is_open
    game.next()
    assert game.room.index == 1 and game.room.runs[1].phase == "closed"
    game.next()
    assert game.room.index == 2 and game.room.runs[2].is_open  # first time: open
    game.back(), game.back()
    assert game.room.index == 0 and not game.room.runs[2].is_open
    refused("no_previous", game.back)
    game.next(), game.next()
    assert game.room.index == 2 and game.activity()["open"] is False


def test_a_poll_the_host_closed_stays_closed_and_the_host_may_reopen_a_shown_one():
    game = Agenda(POLL, HIDDEN, QUIZ)
    ana = game.ids[0]
    game.next()
    game.respond(ana, "vote", {"value": 2})
    game.host("close")
    game.next()  # the second poll: first time on screen, open
    assert game.activity()["open"] is True
    game.back()
    assert game.activity()["open"] is False and game.activity()["results"] == {"counts": [0, 0, 1]}
    game.next()  # it was open when the host went back: shown again closed, not reopened
    assert game.activity()["uid"] == "secret" and game.activity()["open"] is False
    game.back()
    game.host("reopen")  # an explicit reopen works on a shown activity
    assert game.activity()["open"] is True
    game.respond(ana, "vote", {"value": 0})
    assert game.activity()["results"] == {"counts": [1, 0, 0]}
    game.next()
    game.back()
    assert game.activity()["open"] is False  # left again: closed again


def test_back_refusals():
    game = Agenda(POLL, QUIZ)
    refused("wrong_phase", game.back)  # lobby
    game.next()
    refused("no_previous", game.back)
    game.next()
    refused("wrong_phase", game.back)  # an open question: close it first
    assert game.room.phase == Phase.QUESTION
    game.do("end")
    refused("wrong_phase", game.back)


# ------------------------------------------------------------ who may respond
def test_respond_only_to_the_item_on_screen():
    game = Agenda(POLL, QUIZ, BOARD)
    ana = game.ids[0]
    refused("closed", game.respond, ana, "vote", {"value": 0}, 0)  # the lobby
    game.next()
    for position in (-1, 1, 2, 99, "0", None, [0]):  # (the socket handler already refuses non-integers)
        refused("closed", game.respond, ana, "vote", {"value": 0}, position)
    assert game.respond(ana, "vote", {"value": 0}).reply["position"] == 0
    game.next()  # a question
    refused("closed", game.respond, ana, "vote", {"value": 1}, 0)
    refused("closed", game.respond, ana, "note", {"text": "early", "column": 0}, 2)
    game.do("end_question"), game.next(), game.next()
    refused("closed", game.respond, ana, "vote", {"value": 1}, 0)  # an earlier item
    game.respond(ana, "note", {"text": "now", "column": 0}, 2)
    assert len(game.submissions) == 2


def test_respond_from_a_removed_or_unknown_participant_is_refused():
    game = Agenda(POLL)
    ana, bo, _ = game.ids
    game.next()
    game.do("remove", bo)
    refused("not_in_room", game.respond, bo, "vote", {"value": 0})
    refused("not_in_room", game.respond, 99, "vote", {"value": 0})
    game.respond(ana, "vote", {"value": 0})
    assert [s.participant for s in game.submissions] == [ana]
    assert game.activity()["responses"] == 1


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        (None, {"value": 0}),
        (3, {"value": 0}),
        ("vote", None),
        ("vote", [0]),
        ("vote", "0"),
        ("bogus", {}),
        ("vote", {"value": 0, "extra": 1}),
        ("vote", {"value": 9}),
        ("entry", {"text": "x"}),
    ],
)
def test_bad_responses_change_nothing(action, payload):
    game = Agenda(POLL)
    game.next()
    before = json.dumps(game.state("host"))
    with pytest.raises(EngineError) as caught:
        game.respond(game.ids[0], action, payload)
    assert caught.value.code in ("bad_payload", "bad_answer")
    assert json.dumps(game.state("host")) == before and game.submissions == []
    assert game.flush().emits == []


def test_a_submission_records_where_it_belongs():
    game = Agenda(QUIZ, BOARD)
    game.next(), game.do("end_question"), game.next(), game.next()
    game.now += 1.5
    outcome = game.respond(game.ids[1], "note", {"text": "  Too many\n\n\nmeetings ", "column": 1})
    (sub,) = outcome.submissions
    assert (sub.participant, sub.position, sub.activity_uid, sub.action, sub.at) == (
        game.ids[1],
        1,
        "ideas",
        "note",
        T0 + 1.5,
    )
    assert sub.record == {"id": 1, "text": "Too many\n\nmeetings", "column": 1}
    assert outcome.emits == [] and not outcome.room_changed  # stored first; views go out at the flush


# ----------------------------------------------------------------- host
def test_host_activity_only_while_an_activity_is_on_screen():
    game = Agenda(QUIZ, POLL)
    refused("wrong_phase", game.host, "close")
    game.next()
    refused("wrong_phase", game.host, "close")
    game.do("end_question")
    refused("wrong_phase", game.host, "close")
    game.next(), game.next()
    refused("bad_payload", game.do, "host_activity", 5, {})
    refused("bad_payload", game.do, "host_activity", "close", ["x"])
    refused("bad_payload", game.do, "host_activity", "open_voting", {})  # not a board action
    refused("wrong_phase", game.host, "reopen")  # already open
    outcome = game.host("close")
    assert outcome.room_changed and game.snapshot["runs"]["1"]["open"] is False
    game.do("end")
    refused("wrong_phase", game.host, "reopen")


def test_a_host_command_sends_the_view_at_once_and_clears_the_flush():
    game = Agenda(POLL)
    game.next()
    game.respond(game.ids[0], "vote", {"value": 1})
    outcome = game.host("hide_results")
    assert audiences(outcome) == ["host", "players"]
    ((_, players),) = [e for e in events(outcome) if e[0] == "players"]
    assert players["position"] == 0 and players["view"]["results"] is None
    assert game.flush().emits == []  # already sent


def test_a_host_command_that_changes_nothing_phones_see_reaches_only_the_stage():
    game = Agenda(BOARD)
    ana, bo, _ = game.ids
    game.next()
    game.respond(ana, "note", {"text": "Slow CI", "column": 0})
    game.respond(bo, "note", {"text": "Flaky tests", "column": 0})
    game.flush()
    for action, args in (
        ("move", {"note": 1, "column": 1}),
        ("group", {"note": 2, "onto": 1}),
        ("rename_group", {"group": "g1", "title": "CI"}),
    ):
        outcome = game.host(action, args)
        assert audiences(outcome) == ["host"], action  # phones see no notes while the board is open
    ((_, stage),) = events(outcome)
    assert stage["view"]["groups"] == [{"id": "g1", "title": "CI", "column": 1}]
    outcome = game.host("lock")
    assert audiences(outcome) == ["host", "players"]


def test_a_host_command_sends_people_their_own_part_when_it_changed():
    game = Agenda(BOARD)
    ana, bo, cy = game.ids
    game.next()
    game.respond(ana, "note", {"text": "one", "column": 0})
    game.respond(bo, "note", {"text": "two", "column": 1})
    game.host("open_voting", {"votes": 2})
    game.respond(cy, "vote", {"note": 1})
    game.respond(cy, "vote", {"note": 2})
    game.do("remove", bo)
    game.host("delete", {"note": 1})
    outcome = game.do("flush")  # personal parts go out with the next tick, to those they changed for
    mine = {e.participant: e.payload for e in outcome.emits if e.event == "me"}
    assert set(mine) == {ana, cy}  # not the removed participant
    assert not [e for e in game.do("flush").emits if e.event == "me"]  # nothing changed since
    assert mine[cy]["activity"]["votes_left"] == 1 and mine[cy]["activity"]["my_votes"] == {"2": 1}
    assert mine[ana]["activity"]["notes"] == [] and mine[ana]["last_result"] is None


# ------------------------------------------------------------- views
def test_personal_activity_in_me_join_and_acks():
    game = Agenda(OPEN, QUIZ)
    ana = game.ids[0]
    game.next()
    reply = game.respond(ana, "entry", {"text": "What is CI?"}).reply
    assert reply["personal"] == {
        "responded": True,
        "value": None,
        "entries_left": 1,
        "can_respond": True,
        "entries": [{"id": 1, "text": "What is CI?", "status": "pending"}],
    }
    assert game.room.personal_view(ana)["activity"] == reply["personal"]
    assert game.room.personal_view(game.ids[1])["activity"]["responded"] is False
    _dee, joined = game.room.join("Dee", game.now)  # joins mid-activity
    me = game.record(joined).reply
    assert me["me"]["activity"] == {
        "responded": False,
        "value": None,
        "entries": [],
        "entries_left": 2,
        "can_respond": True,
    }
    assert me["state"]["activity"]["uid"] == "asks"
    game.host("approve", {"entry": 1})
    assert game.room.personal_view(ana)["activity"]["entries"][0]["status"] == "shown"
    game.next()
    assert game.room.personal_view(ana)["activity"] is None  # a question is on screen


def test_what_phones_see_of_each_activity():
    game = Agenda(HIDDEN, OPEN, BOARD, SURVEY)
    ana, bo, cy = game.ids
    game.next()
    game.respond(ana, "vote", {"value": 0})
    assert game.activity()["results"] is None and game.activity("host")["results"] is None
    assert game.activity()["responses"] == 1
    game.host("show_results")
    assert game.activity()["results"] == {"counts": [1, 0]}

    game.next()  # open text with approval, named
    game.respond(ana, "entry", {"text": "Why?"})
    game.respond(bo, "entry", {"text": "How?"})
    assert game.activity()["results"] == {"entries": [], "total": 0}
    stage = game.activity("host")["results"]["entries"]
    assert [(e["text"], e["nickname"], e["approved"], e["hidden"]) for e in stage] == [
        ("Why?", "Player 0", False, False),
        ("How?", "Player 1", False, False),
    ]
    game.host("approve", {"entry": 2})
    assert game.activity()["results"]["entries"] == [{"id": 2, "text": "How?", "nickname": "Player 1"}]

    game.next()  # the board
    game.respond(ana, "note", {"text": "Mine", "column": 0})
    game.respond(bo, "note", {"text": "Yours", "column": 1})
    assert game.activity()["notes"] == [] and game.activity()["note_count"] == 2
    assert [n["text"] for n in game.activity("host")["notes"]] == ["Mine", "Yours"]
    assert [n["text"] for n in game.room.personal_view(ana)["activity"]["notes"]] == ["Mine"]
    game.host("hide", {"note": 2})
    game.host("open_voting")
    game.respond(cy, "vote", {"note": 1})
    notes = game.activity()["notes"]
    assert [n["text"] for n in notes] == ["Mine"] and "votes" not in notes[0]
    game.host("close_voting")
    assert game.activity()["notes"] == [{"id": 1, "text": "Mine", "column": 0, "group": None, "votes": 1}]

    game.next()  # the survey
    game.respond(ana, "submit", {"answers": {"session": 5, "comment": "Great"}})
    assert game.activity()["results"] is None and game.activity("host")["results"] is None
    game.host("close")
    assert game.activity()["results"] is None
    results = game.activity("host")["results"]
    assert results["responses"] == 1 and results["items"][0]["distribution"] == [0, 0, 0, 0, 1]


def test_scores_and_ranks_ignore_activities():
    game = Agenda(POLL, QUIZ, BOARD, SURVEY)
    ana, bo, cy = game.ids
    game.next()
    game.respond(cy, "vote", {"value": 0})
    game.next()
    game.answer(bo, 0)
    game.answer(ana, 1)
    game.answer(cy, 2)
    ranks = {pid: game.room.personal_view(pid)["rank"] for pid in game.ids}
    scores = {pid: game.room.participants[pid].score for pid in game.ids}
    assert scores[bo] == 1000 and ranks == {ana: 2, bo: 1, cy: 2}
    game.next(), game.next()  # leaderboard, board
    for pid in game.ids:
        game.respond(pid, "note", {"text": f"note {pid}", "column": 0})
    game.host("open_voting")
    for pid in game.ids:
        game.respond(pid, "vote", {"note": 1})
    game.next()
    game.respond(ana, "submit", {"answers": {"session": 5}})
    game.do("end")
    assert {pid: game.room.participants[pid].score for pid in game.ids} == scores
    assert {pid: game.room.personal_view(pid)["rank"] for pid in game.ids} == ranks
    assert all(game.room.participants[pid].answered == 1 for pid in game.ids)
    podium = game.state()["podium"]
    assert [(p["id"], p["rank"], p["score"]) for p in podium] == [(bo, 1, 1000), (ana, 2, 0), (cy, 2, 0)]


# ------------------------------------------------------------- flush
def test_flush_sends_one_activity_event_per_audience_and_none_when_nothing_changed():
    game = Agenda(POLL, players=30)
    game.next()
    assert game.flush().emits == []  # the state carried the view
    for i, pid in enumerate(game.ids):
        game.respond(pid, "vote", {"value": i % 3})
    outcome = game.flush()
    assert audiences(outcome) == ["host", "players"] and len(outcome.emits) == 2
    for _, payload in events(outcome):
        assert payload == {"position": 0, "view": payload["view"]}
        assert payload["view"]["results"] == {"counts": [10, 10, 10]} and payload["view"]["responses"] == 30
    assert game.flush().emits == []
    game.now += 10
    assert game.flush().emits == []


def test_players_get_an_activity_event_only_when_their_view_changed():
    game = Agenda(HIDDEN, BOARD)
    ana, bo, cy = game.ids
    game.next()
    for pid in (ana, bo):
        game.respond(pid, "vote", {"value": 0})
    assert audiences(game.flush()) == ["host", "players"]  # the number of responses changed
    for pid in (ana, bo):
        game.respond(pid, "vote", {"value": 1})  # changed votes: nothing phones can see
    outcome = game.flush()
    assert audiences(outcome) == ["host"]
    assert events(outcome)[0][1]["view"]["results"] is None  # hidden from the stage too
    assert all(
        e.payload["activity"]["results"] is None for e in game.emits if e.event == "state" and e.payload["activity"]
    )

    game.next()  # the board, voting: further dots of someone who voted change no phone's view
    game.respond(ana, "note", {"text": "one", "column": 0})
    game.respond(bo, "note", {"text": "two", "column": 1})
    game.flush()
    game.host("open_voting")
    game.respond(cy, "vote", {"note": 1})
    assert audiences(game.flush()) == ["host", "players"]  # voters: 0 -> 1
    game.respond(cy, "vote", {"note": 2})
    game.respond(cy, "unvote", {"note": 1})
    outcome = game.flush()
    assert audiences(outcome) == ["host"]
    assert "votes" not in json.dumps(events(outcome)[0][1]["view"]["notes"])  # stage: no counts before closed


def test_flush_after_back_or_forward_sends_nothing_new():
    game = Agenda(POLL, BOARD, QUIZ)
    ana = game.ids[0]
    game.next()
    game.respond(ana, "vote", {"value": 0})
    game.next()
    game.respond(ana, "note", {"text": "idea", "column": 0})
    game.back()  # the state carries the poll's (closed) view
    assert game.flush().emits == []
    game.next()
    assert game.flush().emits == []
    game.next()
    assert events(game.flush()) == []  # a question (its `progress` goes out)
    game.do("end_question")
    game.back()
    assert game.flush().emits == []


def test_no_activity_events_outside_activities():
    game = Agenda(QUIZ, POLL)
    game.next()
    game.answer(game.ids[0], 0)
    assert events(game.flush()) == []


# ------------------------------------------------- snapshot and restore
def compare(game: Agenda, room: Room) -> None:
    """The rebuilt room shows the stage and every phone exactly what the live one does."""
    for pid, person in room.participants.items():
        person.connected = game.room.participants[pid].connected
    now = game.now
    mine, theirs = room.host_view(now), game.room.host_view(now)
    if room.phase != Phase.QUESTION:  # stale outside a question; a restore starts it at 0
        mine.pop("progress"), theirs.pop("progress")
    assert mine == theirs
    assert room.player_view(now) == game.room.player_view(now)
    for pid in game.room.participants:
        if game.room.participants[pid].removed:
            continue
        mine, theirs = room.personal_view(pid), game.room.personal_view(pid)
        mine.pop("last_result"), theirs.pop("last_result")  # not stored (sent at the reveal)
        assert mine == theirs, pid
    names = game.room.names()
    for position, run in game.room.runs.items():
        assert room.runs[position].report(names) == run.report(names), position
        assert room.runs[position].personal(1) == run.personal(1)


def test_restore_mid_board_rebuilds_notes_groups_and_votes():
    game = Agenda(POLL, BOARD, QUIZ)
    ana, bo, cy = game.ids
    game.next()
    game.respond(ana, "vote", {"value": 2})
    game.next()
    for pid, text, column in ((ana, "Slow CI", 1), (bo, "Meetings", 0), (cy, "Flaky tests", 1), (ana, "Docs", 0)):
        game.respond(pid, "note", {"text": text, "column": column})
    game.host("group", {"note": 3, "onto": 1})
    game.host("rename_group", {"group": "g1", "title": "CI"})
    game.host("hide", {"note": 4})
    game.respond(bo, "note", {"text": "After the snapshot", "column": 0})  # only in the submissions
    game.host("open_voting", {"votes": 2})
    game.respond(ana, "vote", {"note": 1})
    game.respond(bo, "vote", {"note": 3})
    game.respond(bo, "vote", {"note": 5})
    game.respond(bo, "unvote", {"note": 5})
    game.respond(cy, "vote", {"note": 1})
    restored = game.restored()
    compare(game, restored)
    assert restored.phase == Phase.ACTIVITY and restored.run.personal(bo)["votes_left"] == 1
    game.host("close_voting")
    restored = game.restored()
    compare(game, restored)
    assert [(g["id"], g["title"], g["votes"]) for g in restored.player_view(game.now)["activity"]["groups"]] == [
        ("g1", "CI", 3)
    ]


def test_restore_after_back_keeps_the_shown_item_and_what_was_played():
    game = Agenda(QUIZ, POLL, SURVEY)
    game.next()
    for pid in game.ids:
        game.answer(pid, 0)
    game.next(), game.next()
    game.respond(game.ids[0], "vote", {"value": 1})
    game.next()
    game.respond(game.ids[1], "submit", {"answers": {"use": "Everything"}})
    game.back(), game.back()
    restored = game.restored()
    compare(game, restored)
    assert restored.phase == Phase.REVEAL and restored.reveal == game.room.reveal
    for room in (restored, game.room):
        room.next(game.now), room.next(game.now)
        assert room.phase == Phase.ACTIVITY and room.run.is_open is False  # shown, not reopened


# --------------------------------------------------- a property test
KINDS = [
    POLL,
    HIDDEN,
    CLOUD,
    OPEN,
    BOARD,
    SURVEY,
    QUIZ,
    {"kind": "poll", "uid": "rate", "type": "rating", "text": "Rate it", "scale": 10, "anonymous": False},
    {"kind": "poll", "uid": "rank", "type": "ranking", "text": "Rank them", "options": ["a", "b", "c"]},
    {
        "kind": "poll",
        "uid": "multi",
        "type": "multi",
        "text": "Pick",
        "options": ["a", "b", "c"],
        "allow_change": False,
    },
    {
        "kind": "board",
        "uid": "free",
        "prompt": "Anything",
        "columns": [],
        "note_limit": 2,
        "multiple_votes": True,
        "anonymous": False,
    },
]
WORDS = ["CI", "ci", "Café", "cafe", "tests", "Docs", " docs ", "x" * 30]


def pids(room: Room):
    return st.sampled_from([*sorted(room.participants), 99])


def note_ids(run):
    return st.sampled_from([*sorted(run.notes), 99])


def group_ids(run):
    return st.sampled_from([*(f"g{g}" for g in sorted(run.groups)), "g99"])


def column_of(run):
    return st.none() if not run.columns else st.integers(0, len(run.columns) - 1)


def participant_action(run):
    """A plausible (mostly valid) participant action for the run on screen."""
    kind = run.activity.kind
    if kind == "board":
        note = st.tuples(
            st.just("note"), st.fixed_dictionaries({"text": st.sampled_from(WORDS), "column": column_of(run)})
        )
        vote = st.tuples(st.sampled_from(["vote", "vote", "unvote"]), st.fixed_dictionaries({"note": note_ids(run)}))
        return st.one_of(vote, note) if run.phase == "voting" else st.one_of(note, vote)
    if kind == "survey":
        return st.tuples(
            st.just("submit"),
            st.fixed_dictionaries(
                {
                    "answers": st.fixed_dictionaries(
                        {},
                        optional={
                            "session": st.integers(1, 5),
                            "trainer": st.integers(1, 5),
                            "comment": st.sampled_from([*WORDS, ""]),
                        },
                    )
                }
            ),
        )
    poll_type = run.activity.type
    if poll_type in ("wordcloud", "open"):
        return st.tuples(st.just("entry"), st.fixed_dictionaries({"text": st.sampled_from(WORDS)}))
    value = {
        "single": st.integers(0, 3),
        "multi": st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True),
        "rating": st.integers(0, 10),
        "ranking": st.permutations([0, 1, 2]),
    }[poll_type]
    return st.tuples(st.just("vote"), st.fixed_dictionaries({"value": value}))


def host_action(run):
    """A host command (mostly valid) for the run on screen."""
    kind = run.activity.kind
    if kind == "survey":
        return st.sampled_from([("close", {}), ("reopen", {})])
    if kind == "poll":
        entries = st.sampled_from([*sorted(run.entries), 99])
        return st.one_of(
            st.sampled_from(
                [("close", {}), ("reopen", {}), ("show_results", {}), ("hide_results", {}), ("approve_all", {})]
            ),
            st.tuples(st.sampled_from(["approve", "hide", "show"]), st.fixed_dictionaries({"entry": entries})),
            st.tuples(st.sampled_from(["hide", "show"]), st.fixed_dictionaries({"word": st.sampled_from(WORDS)})),
        )
    flow = st.sampled_from(
        [
            ("open_voting", {}),
            ("open_voting", {"votes": 1, "multiple_votes": True}),
            ("close_voting", {}),
            ("reopen", {}),
        ]
    )
    return st.one_of(
        flow,
        flow,
        st.tuples(
            st.just("group"),
            st.fixed_dictionaries({"note": note_ids(run), "onto": st.one_of(note_ids(run), group_ids(run))}),
        ),
        st.tuples(
            st.sampled_from(["hide", "show", "delete", "ungroup"]), st.fixed_dictionaries({"note": note_ids(run)})
        ),
        st.tuples(
            st.just("move"),
            st.one_of(
                st.fixed_dictionaries({"note": note_ids(run), "column": column_of(run)}),
                st.fixed_dictionaries({"group": group_ids(run), "column": column_of(run)}),
            ),
        ),
        st.tuples(
            st.just("rename_group"),
            st.fixed_dictionaries({"group": group_ids(run), "title": st.sampled_from(["Ops", "People"])}),
        ),
        st.sampled_from(
            [
                ("lock", {}),
                ("unlock", {}),
                ("columns", {"columns": ["Only"]}),
                ("columns", {"columns": []}),
                ("columns", {"columns": ["A", "B", "C"]}),
            ]
        ),
    )


BOARDS = [k for k in KINDS if k["kind"] == "board"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    agenda=st.lists(st.sampled_from(KINDS), min_size=1, max_size=4, unique_by=lambda s: s["uid"]),
    board=st.sampled_from(BOARDS),
    where=st.integers(0, 4),
    data=st.data(),
)
def test_restore_gives_the_same_views_after_any_session(agenda, board, where, data):
    if all(spec["uid"] != board["uid"] for spec in agenda):
        agenda = [*agenda[:where], board, *agenda[where:]]  # a board in most sessions: the richest run
    game = Agenda(*agenda, players=4)
    room = game.room
    for _item in range(data.draw(st.integers(2, 9), label="moves")):
        for _op in range(data.draw(st.integers(0, 14), label="operations here") if room.run else 0):
            run = room.run
            try:
                if data.draw(st.integers(0, 2)):
                    action, payload = data.draw(participant_action(run))
                    pid = data.draw(pids(room))
                    note(f"{pid} responds {action} {payload}")
                    game.respond(pid, action, payload)
                    event(f"accepted: {run.activity.kind} {action}")
                else:
                    action, args = data.draw(host_action(run))
                    note(f"host {action} {args}")
                    game.host(action, dict(args))
                    event(f"accepted: host {run.activity.kind} {action}")
            except EngineError:
                pass
        move = data.draw(
            st.sampled_from(["next", "next", "next", "back", "restore", "answer", "tick", "join", "remove"]),
            label="move",
        )
        note(move)
        try:
            if move == "answer":
                for pid in data.draw(st.lists(pids(room), max_size=5)):
                    game.answer(pid, data.draw(st.integers(0, 2)))
            elif move == "tick":
                game.now += data.draw(st.sampled_from([0.25, 3.0, 25.0]))
                game.do("tick"), game.flush()
            elif move == "join":
                game.join(f"Late {len(room.participants)}")
            elif move == "remove":
                game.do("remove", data.draw(pids(room)))
            elif move == "restore":
                compare(game, game.restored())
                event(f"restored mid-way in {room.phase}")
            else:
                getattr(game, move)()
        except EngineError:
            pass
    compare(game, game.restored())
    event(f"ended in {room.phase}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(board=st.sampled_from(BOARDS), data=st.data())
def test_restore_mid_board_gives_the_same_board_whatever_was_done(board, data):
    """Notes, layout commands, voting with the host still moving things, maybe moving away and
    back: a restore at any point shows the same board to the stage and every phone."""
    game = Agenda(POLL, board, QUIZ, players=5)
    game.next(), game.next()
    room = game.room

    def some(count: int, host_share: int) -> None:
        for _ in range(count):
            run = room.run
            try:
                if data.draw(st.integers(0, 9)) >= host_share:
                    action, payload = data.draw(participant_action(run))
                    game.respond(data.draw(pids(room)), action, payload)
                    event(f"accepted: {action}")
                else:
                    action, args = data.draw(host_action(run))
                    game.host(action, dict(args))
                    event(f"accepted: host {action}")
            except EngineError:
                pass
        if data.draw(st.booleans(), label="restore here"):
            compare(game, game.restored())

    some(data.draw(st.integers(1, 20)), host_share=2)  # notes
    some(data.draw(st.integers(0, 8)), host_share=8)  # the host arranges them
    if room.run.phase != "voting":
        game.host("open_voting", {"votes": data.draw(st.integers(1, 4))})
    some(data.draw(st.integers(0, 25)), host_share=2)  # dots (and the host still moving notes)
    ending = data.draw(st.sampled_from(["close_voting", "next", "back", "stay"]))
    try:
        if ending == "close_voting":
            game.host("close_voting")
        elif ending != "stay":
            getattr(game, ending)()
    except EngineError:
        pass
    compare(game, game.restored())


def test_restore_from_a_snapshot_taken_before_plans_existed():
    game = Agenda(QUIZ, QUIZ2)
    game.next()
    snapshot = copy.deepcopy(game.room.snapshot())
    for key in ("activities", "runs", "played", "reveals"):
        snapshot.pop(key)
    snapshot["questions"] = [{k: v for k, v in spec.items() if k != "kind"} for spec in game.snapshot["activities"]]
    room = Room.restore(snapshot, [copy.copy(p) for p in game.people.values()], [])
    assert room.phase == Phase.QUESTION and room.played == {0} and room.runs == {}
    assert room.player_view(game.now)["question"] == game.room.player_view(game.now)["question"]


def test_back_to_an_earlier_reveal_does_not_show_a_later_result():
    game = Agenda(QUIZ, {**QUIZ, "uid": "q2"})
    ana = game.ids[0]
    game.next()  # first question
    game.do("answer", ana, 0, 0)
    game.do("end_question")
    assert game.room.personal_view(ana)["last_result"]["question"] == 0
    game.next()  # leaderboard
    game.next()  # second question
    game.do("end_question")
    assert game.room.personal_view(ana)["last_result"]["question"] == 1
    game.do("back")  # the first question's reveal again
    assert game.room.index == 0 and game.room.phase == "reveal"
    assert game.room.personal_view(ana)["last_result"] is None
