"""The brainstorming board: posting notes (with and without columns), limits and locks,
what phones and the stage see in each phase, dot voting, the host's layout commands,
results, and rebuilding a board from its records (a property test)."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from quizroom.engine.activity import restore_run
from quizroom.engine.board import Board, BoardRun
from quizroom.engine.plan import parse_activity

from .test_polls import NAMES, T0, Script, check_replay, fingerprint


def board(**extra) -> dict:
    return {"kind": "board", "uid": "b1", "prompt": "What slows our releases down?", **extra}


def posted(*notes, **spec) -> Script:
    """A board with notes: each (pid, text) or (pid, text, column)."""
    script = Script(board(**spec))
    for pid, text, *column in notes:
        payload = {"text": text}
        if column:
            payload["column"] = column[0]
        script.submit(pid, "note", payload)
    return script


def texts(notes: list[dict]) -> list[str]:
    return [n["text"] for n in notes]


# ------------------------------------------------------------------- the spec
def test_spec_defaults_and_round_trip():
    activity = parse_activity(board())
    assert isinstance(activity, Board) and activity.kind == "board"
    assert (activity.columns, activity.note_limit, activity.votes, activity.multiple_votes, activity.anonymous) == (
        (),
        0,
        3,
        False,
        True,
    )
    full = parse_activity(
        board(columns=["Process", "Tools"], note_limit=5, votes=20, multiple_votes=True, anonymous=False)
    )
    assert parse_activity(full.to_spec()) == full
    assert isinstance(full.new_run(), BoardRun)


# -------------------------------------------------------------------- posting
def test_notes_without_columns():
    script = Script(board())
    assert script.submit(1, "note", {"text": "  Slow\tCI \n\n\n builds "}) == {
        "id": 1,
        "text": "Slow CI\n\nbuilds",
        "column": None,
    }
    script.submit(2, "note", {"text": "Flaky tests", "column": None})
    script.refuse("bad_payload", 1, "note", {"text": "x", "column": 0})
    assert script.run.personal(1)["notes"] == [
        {"id": 1, "text": "Slow CI\n\nbuilds", "column": None, "group": None, "hidden": False}
    ]
    check_replay(script.run, script.records)


def test_notes_with_columns_need_a_column():
    script = Script(board(columns=["Process", "Tools"]))
    assert script.submit(1, "note", {"text": "Reviews", "column": 0})["column"] == 0
    script.submit(1, "note", {"text": "Jenkins", "column": 1})
    for column in (None, 2, -1, "1", True, 1.0):
        payload = {"text": "x"} if column is None else {"text": "x", "column": column}
        script.refuse("bad_payload", 2, "note", payload)
    assert [(n["text"], n["column"]) for n in script.view(False)["notes"]] == [("Reviews", 0), ("Jenkins", 1)]


@pytest.mark.parametrize("text", ["", " \n\t ", "\u200b", None, 3, ["x"], "x" * 281])
def test_bad_note_texts(text):
    Script(board()).refuse("bad_answer", 1, "note", {"text": text})


def test_note_text_may_be_280_characters_with_lines():
    script = Script(board())
    text = ("x" * 139 + "\n") * 2
    assert script.submit(1, "note", {"text": text})["text"] == text.rstrip("\n")


def test_note_limit_per_person():
    script = posted((1, "a"), (1, "b"), note_limit=2)
    script.refuse("limit_reached", 1, "note", {"text": "c"})
    assert script.run.personal(1)["notes_left"] == 0 and script.run.personal(1)["can_post"] is False
    assert script.run.personal(2)["notes_left"] == 2
    script.submit(2, "note", {"text": "c"})
    script.host("delete", {"note": 1})  # a deleted note no longer counts
    script.submit(1, "note", {"text": "d"})
    assert Script(board()).run.personal(1)["notes_left"] is None  # 0 = unlimited


def test_a_locked_board_takes_no_notes_and_no_votes():
    script = posted((1, "a"))
    script.host("lock")
    assert script.view()["locked"] is True and script.run.personal(1)["can_post"] is False
    script.refuse("locked", 2, "note", {"text": "b"})
    script.host("unlock")
    script.submit(2, "note", {"text": "b"})
    script.host("open_voting")
    script.host("lock")
    script.refuse("locked", 1, "vote", {"note": 2})
    script.host("unlock")
    script.submit(1, "vote", {"note": 2})
    script.host("lock")
    script.refuse("locked", 1, "unvote", {"note": 2})


# ------------------------------------------------------------ who sees what
def test_phones_see_no_other_notes_while_the_board_is_open():
    script = posted((1, "mine"), (2, "theirs"))
    phones, stage = script.view(), script.view(False)
    assert phones["notes"] == [] and phones["groups"] == [] and phones["note_count"] == 2
    assert texts(stage["notes"]) == ["mine", "theirs"]
    assert all("votes" not in n for n in stage["notes"])
    assert texts(script.run.personal(1)["notes"]) == ["mine"]
    assert "theirs" not in json.dumps([phones, script.run.personal(1)])


def test_votes_are_counted_only_on_screen_once_closed():
    script = posted((1, "a"), (2, "b"), (3, "c"))
    script.host("open_voting")
    phones = script.view()
    assert texts(phones["notes"]) == ["a", "b", "c"]  # now everyone sees every note
    script.submit(1, "vote", {"note": 2})
    script.submit(2, "vote", {"note": 2})
    script.submit(3, "vote", {"note": 3})
    for for_players in (True, False):
        view = script.view(for_players)
        assert all("votes" not in n for n in view["notes"]) and texts(view["notes"]) == ["a", "b", "c"]
        assert view["voters"] == 3
    assert script.run.personal(1)["my_votes"] == {"2": 1}
    script.host("close_voting")
    for for_players in (True, False):
        notes = script.view(for_players)["notes"]
        assert [(n["text"], n["votes"]) for n in notes] == [("b", 2), ("c", 1), ("a", 0)]  # by votes


def test_named_boards_show_nicknames():
    script = posted((1, "a"), (2, "b"), anonymous=False)
    assert [n["nickname"] for n in script.view(False)["notes"]] == ["Ana", "Bo"]
    assert [n["participant"] for n in script.run.report(NAMES)["notes"]] == [1, 2]
    anonymous = posted((1, "a"))
    assert "Ana" not in fingerprint(anonymous.run) and "participant" not in json.dumps(anonymous.run.report(NAMES))


# ---------------------------------------------------------------- dot voting
def test_dots_are_limited_and_not_stacked_unless_allowed():
    script = posted((1, "a"), (2, "b"), (3, "c"), (4, "d"))
    script.refuse("closed", 1, "vote", {"note": 1})  # not yet
    script.host("open_voting")
    script.refuse("closed", 1, "note", {"text": "late"})  # posting is over
    script.submit(1, "vote", {"note": 1})
    script.refuse("already_voted", 1, "vote", {"note": 1})
    script.submit(1, "vote", {"note": 2})
    script.submit(1, "vote", {"note": 3})
    assert script.run.personal(1)["votes_left"] == 0 and script.run.personal(1)["can_vote"] is False
    script.refuse("no_votes_left", 1, "vote", {"note": 4})
    assert script.submit(1, "unvote", {"note": 3}) == {"note": 3}
    assert script.run.personal(1)["votes_left"] == 1
    script.refuse("bad_payload", 1, "unvote", {"note": 3})  # no dot there any more
    script.submit(1, "vote", {"note": 4})
    for wrong in (99, 0, "1", None, True):
        script.refuse("unknown_note", 2, "vote", {"note": wrong})
    check_replay(script.run, script.records)


def test_multiple_votes_and_a_new_allowance():
    script = posted((1, "a"), (2, "b"))
    script.host("open_voting", {"votes": 5, "multiple_votes": True})
    assert script.view()["votes"] == 5 and script.view()["multiple_votes"] is True
    for _ in range(4):
        script.submit(1, "vote", {"note": 1})
    script.submit(1, "vote", {"note": 2})
    script.refuse("no_votes_left", 1, "vote", {"note": 1})
    assert script.run.personal(1)["my_votes"] == {"1": 4, "2": 1}
    script.submit(1, "unvote", {"note": 1})
    script.host("close_voting")
    assert [(n["id"], n["votes"]) for n in script.view()["notes"]] == [(1, 3), (2, 1)]
    check_replay(script.run, script.records)
    for args in ({"votes": 0}, {"votes": 21}, {"votes": "3"}, {"multiple_votes": 1}, {"dots": 3}):
        script.refuse_host("bad_payload", "open_voting", args)
    script.host("open_voting", {"votes": 1})  # from closed, with fewer dots than already placed
    assert script.run.personal(1)["votes_left"] == 0


def test_hidden_and_deleted_notes_cannot_get_dots_and_a_delete_gives_them_back():
    script = posted((1, "a"), (2, "b"), (3, "c"))
    script.host("open_voting", {"votes": 2})
    script.submit(1, "vote", {"note": 1})
    script.submit(2, "vote", {"note": 1})
    script.submit(1, "vote", {"note": 2})
    script.host("hide", {"note": 3})
    script.refuse("unknown_note", 1, "vote", {"note": 3})
    script.host("delete", {"note": 1})
    assert script.run.personal(1) == {**script.run.personal(1), "votes_left": 1, "my_votes": {"2": 1}}
    assert script.run.personal(2)["votes_left"] == 2
    script.refuse("unknown_note", 2, "vote", {"note": 1})
    script.refuse("unknown_note", 2, "unvote", {"note": 1})
    script.submit(2, "vote", {"note": 2})
    assert texts(script.view()["notes"]) == ["b"]
    check_replay(script.run, script.records)
    script.host("close_voting")
    report = {n["text"]: n for n in script.run.report(NAMES)["notes"]}
    assert (report["a"]["deleted"], report["a"]["votes"]) == (True, 2)  # kept, flagged, in the report
    assert (report["c"]["hidden"], report["c"]["deleted"]) == (True, False)
    assert report["b"]["votes"] == 2


def test_a_dot_on_a_note_hidden_later_can_be_taken_back():
    script = posted((1, "a"), (2, "b"))
    script.host("open_voting", {"votes": 1})
    script.submit(1, "vote", {"note": 2})
    script.host("hide", {"note": 2})
    assert script.run.personal(1)["votes_left"] == 0  # the dot stays where it was put
    script.submit(1, "unvote", {"note": 2})
    script.submit(1, "vote", {"note": 1})


# -------------------------------------------------------------- host layout
def test_grouping_notes_by_dragging_one_onto_another():
    script = posted(
        (1, "ci slow", 0), (2, "flaky", 0), (3, "jenkins", 1), (4, "reviews", 1), columns=["Tools", "Process"]
    )
    script.host("group", {"note": 3, "onto": 1})  # a new group of both, in the target's column
    stage = script.view(False)
    assert stage["groups"] == [{"id": "g1", "title": "Group 1", "column": 0}]
    assert {n["id"]: (n["group"], n["column"]) for n in stage["notes"]} == {
        1: ("g1", 0),
        2: (None, 0),
        3: ("g1", 0),
        4: (None, 1),
    }
    script.host("group", {"note": 2, "onto": 3})  # onto a grouped note: into its group
    script.host("group", {"note": 4, "onto": "g1"})  # onto the group itself
    assert {n["group"] for n in script.view(False)["notes"]} == {"g1"}
    script.host("rename_group", {"group": "g1", "title": "  CI  pipeline "})
    assert script.view(False)["groups"][0]["title"] == "CI pipeline"
    script.host("ungroup", {"note": 4})
    assert {n["id"]: n["group"] for n in script.view(False)["notes"]}[4] is None
    check_replay(script.run, script.records)

    script.refuse_host("bad_payload", "group", {"note": 1, "onto": 1})
    script.refuse_host("unknown_group", "group", {"note": 1, "onto": "g9"})
    script.refuse_host("unknown_group", "group", {"note": 1, "onto": "1"})
    script.refuse_host("unknown_note", "group", {"note": 99, "onto": 1})
    script.refuse_host("unknown_note", "group", {"note": 1, "onto": 99})
    script.refuse_host("bad_payload", "ungroup", {"note": 4})
    script.refuse_host("bad_payload", "rename_group", {"group": "g1", "title": ""})
    script.refuse_host("bad_payload", "rename_group", {"group": "g1", "title": "t" * 61})
    script.refuse_host("unknown_group", "rename_group", {"group": "g2", "title": "x"})


def test_groups_disappear_when_emptied_and_number_on():
    script = posted((1, "a"), (2, "b"), (3, "c"))
    script.host("group", {"note": 2, "onto": 1})
    script.host("ungroup", {"note": 2})
    assert script.view(False)["groups"] == [{"id": "g1", "title": "Group 1", "column": None}]  # one note left
    script.host("ungroup", {"note": 1})
    assert script.view(False)["groups"] == []
    script.host("group", {"note": 3, "onto": 2})
    assert script.view(False)["groups"][0]["id"] == "g2"
    script.host("group", {"note": 1, "onto": "g2"})
    script.host("delete", {"note": 1})
    script.host("hide", {"note": 2})
    assert [g["id"] for g in script.view(False)["groups"]] == ["g2"]
    script.host("hide", {"note": 3})  # a group of hidden notes is not shown
    assert script.view(False)["groups"] == [] and script.view(False)["notes"] == []
    assert texts(script.view(False)["hidden_notes"]) == ["b", "c"]
    assert "hidden_notes" not in script.view(True)
    check_replay(script.run, script.records)


def test_moving_notes_and_groups_between_columns():
    script = posted((1, "a", 0), (2, "b", 0), (3, "c", 1), columns=["One", "Two", "Three"])
    script.host("group", {"note": 2, "onto": 1})
    script.host("move", {"group": "g1", "column": 2})
    assert [n["column"] for n in script.view(False)["notes"]] == [2, 2, 1]
    script.host("move", {"note": 2, "column": 1})  # out of the group's column: out of the group
    notes = {n["id"]: n for n in script.view(False)["notes"]}
    assert (notes[2]["column"], notes[2]["group"], notes[1]["group"]) == (1, None, "g1")
    script.host("move", {"note": 1, "column": 2})  # the same column: stays grouped
    assert script.view(False)["notes"][0]["group"] == "g1"
    for args in ({"note": 1, "column": 3}, {"note": 1}, {"note": 1, "column": "0"}, {"group": "g1", "column": -1}):
        script.refuse_host("bad_payload", "move", args)
    script.refuse_host("unknown_note", "move", {"note": 7, "column": 0})
    check_replay(script.run, script.records)
    Script(board()).refuse_host("unknown_note", "move", {"note": 1, "column": None})
    free = posted((1, "a"))
    free.refuse_host("bad_payload", "move", {"note": 1, "column": 0})


def test_redefining_the_columns():
    script = posted((1, "a", 0), (2, "b", 1), (3, "c", 2), columns=["One", "Two", "Three"])
    script.host("group", {"note": 3, "onto": 2})  # both in column 1 now
    script.host("columns", {"columns": ["One", "Two"]})
    assert [n["column"] for n in script.view(False)["notes"]] == [0, 1, 1]
    script.host("columns", {"columns": ["Only"]})
    assert [n["column"] for n in script.view(False)["notes"]] == [0, 0, 0]
    script.host("columns", {"columns": []})
    assert script.view()["columns"] == [] and [n["column"] for n in script.view(False)["notes"]] == [None] * 3
    script.submit(1, "note", {"text": "free"})
    script.host("columns", {"columns": ["A", "B"]})
    assert {n["column"] for n in script.view(False)["notes"]} == {0}
    check_replay(script.run, script.records)
    for columns in (["x"] * 7, [""], ["x" * 41], "A,B", None, [5]):
        script.refuse_host("bad_payload", "columns", {"columns": columns})


def test_phase_commands():
    script = posted((1, "a"))
    script.refuse_host("wrong_phase", "reopen")
    script.host("open_voting")
    script.refuse_host("wrong_phase", "open_voting")
    script.host("close_voting")
    script.refuse_host("wrong_phase", "close_voting")
    assert script.view()["phase"] == "closed"
    script.host("open_voting")  # voting again, from closed
    script.host("reopen")
    assert script.view()["phase"] == "open"
    script.host("close_voting")  # closing straight from open
    script.refuse_host("bad_payload", "lock", {"locked": True})
    script.refuse_host("bad_payload", "paint")


def test_the_room_moving_on_closes_the_board_and_coming_back_resumes_it():
    script = posted((1, "a"))
    script.host("open_voting")
    script.run.close()
    assert script.view()["phase"] == "closed"
    script.run.open()
    assert script.view()["phase"] == "voting"
    script.host("close_voting")
    script.run.close()
    script.run.open()
    assert script.view()["phase"] == "closed"


def test_the_host_commands_that_take_a_note():
    script = posted((1, "a"))
    for action in ("hide", "show", "delete", "ungroup"):
        script.refuse_host("unknown_note", action, {"note": 2})
        script.refuse_host("bad_payload", action, {"note": 1, "x": 1})
    script.host("delete", {"note": 1})
    script.refuse_host("unknown_note", "delete", {"note": 1})
    script.refuse_host("unknown_note", "show", {"note": 1})
    assert script.view(False)["notes"] == [] and script.view(False)["note_count"] == 0
    assert script.run.personal(1)["notes"] == []


# ------------------------------------------------------------------- results
def test_results_sorted_by_votes_and_groups_summed():
    script = posted((1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e"))
    script.host("group", {"note": 1, "onto": 2})  # g1: a (1 dot) + b (1 dot) = 2
    script.host("group", {"note": 4, "onto": 5})  # g2: d (0) + e (0) = 0
    script.host("group", {"note": 3, "onto": 4})  # g2: + c (3 dots) = 3
    script.host("open_voting", {"votes": 3})
    script.submit(1, "vote", {"note": 3})
    script.submit(2, "vote", {"note": 3})
    script.submit(3, "vote", {"note": 3})
    script.submit(4, "vote", {"note": 1})
    script.submit(5, "vote", {"note": 2})
    script.host("close_voting")
    view = script.view()
    assert [(n["text"], n["votes"]) for n in view["notes"]] == [("c", 3), ("a", 1), ("b", 1), ("d", 0), ("e", 0)]
    assert view["groups"] == [
        {"id": "g2", "title": "Group 2", "column": None, "votes": 3},
        {"id": "g1", "title": "Group 1", "column": None, "votes": 2},
    ]
    report = script.run.report(NAMES)
    assert [g["notes"] for g in report["groups"]] == [[3, 4, 5], [1, 2]]  # by votes, then id
    assert (report["authors"], report["voters"]) == (5, 5)
    check_replay(script.run, script.records)


# --------------------------------------------------------------- restoring
def test_a_restart_in_the_middle_of_voting():
    script = posted((1, "a", 0), (2, "b", 1), columns=["x", "y"])
    script.host("group", {"note": 2, "onto": 1})
    script.host("open_voting", {"votes": 2})
    script.submit(3, "vote", {"note": 1})
    snapshot = script.run.state()
    script.submit(4, "vote", {"note": 2})  # stored after the snapshot
    check_replay(script.run, script.records, snapshot)


def test_a_rebuild_after_a_failed_write_does_not_reuse_the_note_id():
    """The live service undoes a submission the database refused by rebuilding the run from
    its state and the stored records: the lost note's id must not come back with its layout."""
    script = posted((1, "stored", 0), columns=["x", "y"])
    script.run.submit(2, "note", {"text": "lost", "column": 1}, script.now)  # the write fails
    rebuilt = restore_run(script.activity, script.run.state(), script.records)
    assert rebuilt.submit(3, "note", {"text": "next", "column": 0}, script.now) == {
        "id": 3,
        "text": "next",
        "column": 0,
    }
    assert [(n["text"], n["column"]) for n in rebuilt.view(False, NAMES)["notes"]] == [("stored", 0), ("next", 0)]


BOARDS = [
    board(),
    board(columns=["Keep", "Drop", "Try"], note_limit=2),
    board(votes=2, multiple_votes=True, anonymous=False),
]
NOTES = [
    {"text": "slow ci"},
    {"text": "flaky", "column": 0},
    {"text": "reviews", "column": 1},
    {"text": "tooling", "column": 2},
    {"text": ""},
    {"text": "x", "column": 9},
]
NOTE_IDS = [1, 2, 3, 4, 5, 6, 9, "1"]
HOST = [
    "lock",
    "unlock",
    "open_voting",
    "close_voting",
    "reopen",
    "move",
    "move_group",
    "group",
    "group_onto_group",
    "ungroup",
    "rename_group",
    "hide",
    "show",
    "delete",
    "columns",
]


def host_args(rng, action: str):
    note = rng.choice(NOTE_IDS)
    if action == "open_voting":
        return action, rng.choice([None, {"votes": rng.randint(1, 4)}, {"multiple_votes": rng.random() < 0.5}])
    if action == "move":
        return action, {"note": note, "column": rng.choice([0, 1, 2, None])}
    if action == "move_group":
        return "move", {"group": f"g{rng.randint(1, 3)}", "column": rng.choice([0, 1, None])}
    if action == "group":
        return action, {"note": note, "onto": rng.choice(NOTE_IDS)}
    if action == "group_onto_group":
        return "group", {"note": note, "onto": f"g{rng.randint(1, 3)}"}
    if action == "rename_group":
        return action, {"group": f"g{rng.randint(1, 3)}", "title": rng.choice(["Ideas", "", "CI"])}
    if action == "columns":
        return action, {"columns": rng.choice([[], ["A"], ["A", "B", "C"], ["Keep", "Drop"]])}
    if action in ("ungroup", "hide", "show", "delete"):
        return action, {"note": note}
    return action, None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    spec=st.sampled_from(BOARDS), rng=st.randoms(use_true_random=False), steps=st.integers(5, 80), cut=st.floats(0, 1)
)
def test_replaying_the_records_rebuilds_the_same_board(spec, rng, steps, cut):
    """Random notes, dots and host commands; a refusal changes nothing; replaying the records
    into a fresh run with the saved state (before or after) gives the same board."""
    script = Script(spec)
    snapshot, host_allowed = None, True
    for step in range(steps):
        if snapshot is None and step >= cut * steps:
            snapshot, host_allowed = script.run.state(), False
        roll = rng.random()
        if roll < 0.3 and host_allowed:
            weights = [1, 1, 3, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1]
            script.attempt("host", *host_args(rng, rng.choices(HOST, weights)[0]))
        elif roll < 0.33 and host_allowed:
            script.log.append(rng.choice(["close", "open"]))
            getattr(script.run, script.log[-1])()
        elif roll < 0.36:
            script.now += rng.choice([0.5, 11])
        else:
            pid = rng.randint(1, 5)
            action = rng.choice(["note", "note", "vote", "vote", "vote", "unvote"])
            payload = dict(rng.choice(NOTES)) if action == "note" else {"note": rng.choice(NOTE_IDS)}
            script.attempt("submit", pid, action, payload)
    note(script.log)
    check_replay(script.run, script.records)
    if snapshot is not None:
        check_replay(script.run, script.records, snapshot)


# ---------------------------------------------------------------- a big room
def test_a_board_of_two_thousand_people():
    run = parse_activity(board(columns=["A", "B", "C"], votes=3)).new_run()
    for pid in range(1, 2001):
        run.submit(pid, "note", {"text": f"idea {pid}", "column": pid % 3}, T0)
    run.host("open_voting", None, T0)
    for pid in range(1, 2001):
        for k in range(3):
            run.submit(pid, "vote", {"note": (pid * 7 + k * 13) % 2000 + 1}, T0 + 1)
    run.host("close_voting", None, T0)
    started = time.perf_counter()
    view = run.view(True, {})
    elapsed = time.perf_counter() - started
    print(f"\nboard of 2000 notes and 6000 dots: view {elapsed * 1e3:.1f} ms")
    assert sum(n["votes"] for n in view["notes"]) == 6000 and view["voters"] == 2000
