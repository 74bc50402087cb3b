"""Self-paced review rounds (quizroom/retention/practice.py), with an injected `now`."""

from __future__ import annotations

import json
import logging
import sys
import types
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from quizroom import models
from quizroom.db import Database
from quizroom.engine import Room, parse_question
from quizroom.retention import practice
from quizroom.retention.practice import PracticeError
from quizroom.store import token_hash

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

SINGLE = {
    "uid": "q_single",
    "type": "single",
    "text": "Which planet is red?",
    "time_limit": 20,
    "choices": [{"text": "Venus"}, {"text": "Mars", "correct": True}, {"text": "Jupiter"}],
}
TRUEFALSE = {"uid": "q_tf", "type": "truefalse", "text": "Water is wet.", "time_limit": 10, "correct": True}
TYPED = {"uid": "q_typed", "type": "typed", "text": "Git's pointer?", "time_limit": 30, "accepted": ["HEAD"]}
MULTI = {
    "uid": "q_multi",
    "type": "multi",
    "text": "Pick the primes",
    "points": 2000,
    "choices": [{"text": "2", "correct": True}, {"text": "3", "correct": True}, {"text": "4"}],
}
SLIDER = {
    "uid": "q_slider",
    "type": "slider",
    "text": "Year?",
    "min": 1900,
    "max": 2000,
    "correct": 1969,
    "tolerance": 1,
}
ORDER = {"uid": "q_order", "type": "order", "text": "Sort", "items": ["one", "two", "three", "four"]}
POLL = {"uid": "q_poll", "type": "poll", "text": "Mood?", "choices": [{"text": "good"}, {"text": "bad"}]}


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'practice.db'}")
    database.create_all()
    yield database
    database.dispose()


@pytest.fixture
def people(db):
    """(trainer id, person id, another trainer's person id)."""
    with db.transaction() as s:
        tess = models.Trainer(email="tess@example.com", name="Tess Trainer", password_hash="x")
        other = models.Trainer(email="olaf@example.com", name="Olaf", password_hash="x")
        s.add_all([tess, other])
        s.flush()
        ana = models.Person(trainer_id=tess.id, name="Ana", link_key="key-ana")
        bob = models.Person(trainer_id=other.id, name="Bob", link_key="key-bob")
        s.add_all([ana, bob])
        s.flush()
        return tess.id, ana.id, bob.id


@pytest.fixture
def refreshes(monkeypatch):
    """A stand-in for the lead's quizroom.retention.sync: records every refresh_memory call."""
    calls: list[tuple[list[int], datetime]] = []
    fake = types.ModuleType("quizroom.retention.sync")
    fake.refresh_memory = lambda db, person_ids, now: calls.append((list(person_ids), now))
    monkeypatch.setitem(sys.modules, "quizroom.retention.sync", fake)
    return calls


def make(db, people, questions, title="Week 3 refresher") -> str:
    trainer_id, person_id, _ = people
    return practice.create_practice(
        db, trainer_id=trainer_id, person_id=person_id, title=title, questions=questions, now=T0
    )


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def snapshot(db) -> tuple:
    """Everything a refused call must leave alone."""
    with db.read() as s:
        rows = s.execute(sa.select(models.Practice.position, models.Practice.shown_at, models.Practice.finished_at))
        answers = s.execute(sa.select(models.PracticeAnswer.question_uid, models.PracticeAnswer.value))
        return [tuple(r) for r in rows], [tuple(a) for a in answers]


def answers(db) -> list[models.PracticeAnswer]:
    with db.read() as s:
        return list(s.scalars(sa.select(models.PracticeAnswer).order_by(models.PracticeAnswer.id)))


# ------------------------------------------------------------------ creating
def test_create_stores_only_the_token_hash_and_the_specs_with_their_uids(db, people):
    token = make(db, people, [SINGLE, ORDER])
    assert len(token) >= 32
    with db.read() as s:
        row = s.scalars(sa.select(models.Practice)).one()
        assert row.token_hash == token_hash(token)
        assert token not in json.dumps([row.token_hash, row.title, row.questions])
        assert [q["uid"] for q in row.questions] == ["q_single", "q_order"]
        assert row.questions[0] == parse_question(SINGLE).to_spec()
        # Order questions are shuffled once, when created, so every view shows the same order.
        assert sorted(row.questions[1]["display"]) == [0, 1, 2, 3]
        assert (row.position, row.shown_at, row.finished_at, row.title) == (0, None, None, "Week 3 refresher")
    assert practice.exists(db, token)
    assert not practice.exists(db, token[:-2] + "xx")


@pytest.mark.parametrize(
    ("questions", "path", "message"),
    [
        ([], "questions", "needs 1 to 50 questions"),
        ([SINGLE] * 51, "questions", "needs 1 to 50 questions"),
        ("nope", "questions", "needs 1 to 50 questions"),
        ([POLL], "questions.0.type", "a poll has no right answer"),
        ([{**SINGLE, "uid": None}], "questions.0.uid", "every question needs its uid"),
        ([SINGLE, {**TYPED, "uid": "q_single"}], "questions.1.uid", "is used by another question"),
        ([SINGLE, {**TYPED, "accepted": []}], "questions.1.accepted", "needs 1 to 10 entries"),
        ([{**SINGLE, "time_limit": 2}], "questions.0.time_limit", "whole seconds"),
    ],
)
def test_create_refuses_bad_questions_and_stores_nothing(db, people, questions, path, message):
    with pytest.raises(PracticeError) as refused:
        make(db, people, questions)
    assert refused.value.code == "bad_practice"
    assert any(e["path"] == path and message in e["message"] for e in refused.value.errors), refused.value.errors
    assert snapshot(db) == ([], [])


def test_create_refuses_a_bad_title_and_someone_elses_person(db, people):
    trainer_id, _, bobs_id = people
    with pytest.raises(PracticeError) as refused:
        practice.create_practice(db, trainer_id=trainer_id, person_id=bobs_id, title="  ", questions=[SINGLE], now=T0)
    paths = {e["path"] for e in refused.value.errors}
    assert paths == {"title", "person_id"}
    with pytest.raises(PracticeError):
        practice.create_practice(db, trainer_id=trainer_id, person_id=9999, title="T", questions=[SINGLE], now=T0)
    assert snapshot(db) == ([], [])


# ------------------------------------------------------------------ playing
def test_a_full_run_right_wrong_and_slow(db, people, refreshes):
    token = make(db, people, [SINGLE, TRUEFALSE, TYPED])
    first = practice.view(db, token, at(0), start=False)
    assert first["state"] == "ready" and first["question"] is None
    assert (first["title"], first["name"], first["trainer"]) == ("Week 3 refresher", "Ana", "Tess Trainer")
    assert (first["position"], first["number"], first["total"], first["score"]) == (0, 1, 3, 0)

    shown = practice.view(db, token, at(1))
    assert shown["state"] == "question"
    assert shown["question"] == parse_question(SINGLE).public()
    assert shown["remaining_ms"] == 20_000

    reply = practice.answer(db, token, 0, 1, at(1.4))  # within half a second: full points
    assert (reply["correct"], reply["points"], reply["late"], reply["value"]) == (True, 1000, False, 1)
    assert reply["solution"] == {"choices": [1]}
    assert reply["view"]["state"] == "ready"  # the next timer does not start behind the feedback
    assert (reply["view"]["position"], reply["view"]["score"]) == (1, 1000)

    practice.view(db, token, at(30))
    reply = practice.answer(db, token, 1, 1, at(32))  # "False": wrong
    assert (reply["correct"], reply["points"], reply["solution"]) == (False, 0, {"choices": [0]})

    practice.view(db, token, at(40))
    reply = practice.answer(db, token, 2, "  head ", at(55))  # half the 30 s: 75 %
    assert (reply["correct"], reply["points"], reply["value"]) == (True, 750, "head")
    assert reply["view"]["state"] == "finished"

    rows = answers(db)
    assert [(r.question_uid, r.value, r.correct, r.points, r.response_ms, r.time_limit_ms) for r in rows] == [
        ("q_single", {"v": 1}, True, 1000, 400, 20_000),
        ("q_tf", {"v": 1}, False, 0, 2000, 10_000),
        ("q_typed", {"v": "head"}, True, 750, 15_000, 30_000),
    ]
    assert {r.person_id for r in rows} == {people[1]}
    assert [r.answered_at.replace(tzinfo=UTC) for r in rows] == [at(1.4), at(32), at(55)]
    with db.read() as s:
        row = s.scalars(sa.select(models.Practice)).one()
        assert (row.position, row.shown_at, row.finished_at.replace(tzinfo=UTC)) == (3, None, at(55))
    assert refreshes == [([people[1]], at(1.4)), ([people[1]], at(32)), ([people[1]], at(55))]


def test_summary_lists_every_question_with_the_answer_and_the_solution(db, people, refreshes):
    token = make(db, people, [SINGLE, TYPED, TRUEFALSE])
    practice.view(db, token, at(0))
    practice.answer(db, token, 0, 0, at(2))  # wrong
    practice.view(db, token, at(5))
    practice.answer(db, token, 1, "HEAD", at(5.2))
    practice.view(db, token, at(10))  # then walks away: the time runs out
    done = practice.view(db, token, at(600), start=False)
    assert done["state"] == "finished" and done["question"] is None
    summary = done["summary"]
    assert {k: summary[k] for k in ("questions", "answered", "correct", "points", "max_points")} == {
        "questions": 3,
        "answered": 2,
        "correct": 1,
        "points": 1000,
        "max_points": 3000,
    }
    items = summary["items"]
    assert [i["question"]["text"] for i in items] == ["Which planet is red?", "Git's pointer?", "Water is wet."]
    assert [(i["value"], i["correct"], i["points"], i["answered"]) for i in items] == [
        (0, False, 0, True),
        ("HEAD", True, 1000, True),
        (None, False, 0, False),
    ]
    assert [i["solution"] for i in items] == [{"choices": [1]}, {"accepted": ["HEAD"]}, {"choices": [0]}]
    assert items[0]["question"]["choices"][0] == {"id": 0, "text": "Venus"}  # to show "your answer"
    with pytest.raises(PracticeError) as refused:
        practice.answer(db, token, 2, 0, at(601))
    assert refused.value.code == "wrong_question"


def test_a_reload_does_not_restart_the_timer(db, people):
    token = make(db, people, [SINGLE, TYPED])
    assert practice.view(db, token, at(0))["remaining_ms"] == 20_000
    again = practice.view(db, token, at(8))
    assert (again["state"], again["position"], again["remaining_ms"]) == ("question", 0, 12_000)
    peek = practice.view(db, token, at(12.5), start=False)
    assert (peek["state"], peek["remaining_ms"]) == ("question", 7500)
    with db.read() as s:
        assert s.scalars(sa.select(models.Practice.shown_at)).one().replace(tzinfo=UTC) == at(0)
    reply = practice.answer(db, token, 0, 1, at(15))  # scored from the first showing
    assert (reply["points"], answers(db)[0].response_ms) == (625, 15_000)


def test_late_answers_count_as_none_and_a_little_grace_is_allowed(db, people, refreshes):
    token = make(db, people, [SINGLE, SINGLE | {"uid": "q_two"}])
    practice.view(db, token, at(0))
    in_grace = practice.answer(db, token, 0, 1, at(21.4))  # after 20 s, within the 1.5 s grace
    assert (in_grace["late"], in_grace["correct"], in_grace["points"]) == (False, True, 500)
    practice.view(db, token, at(30))
    late = practice.answer(db, token, 1, 1, at(51.6))
    assert (late["late"], late["correct"], late["points"], late["value"]) == (True, False, 0, None)
    assert late["solution"] == {"choices": [1]}
    assert late["view"]["state"] == "finished"
    row = answers(db)[1]
    assert (row.value, row.correct, row.points, row.response_ms) == ({"v": None}, False, 0, 20_000)
    assert refreshes[-1] == ([people[1]], at(51.6))


def test_coming_back_after_the_time_ran_out_records_no_answer(db, people, refreshes):
    token = make(db, people, [SINGLE, TYPED])
    practice.view(db, token, at(0))
    assert practice.view(db, token, at(21), start=False)["state"] == "question"  # still in the grace
    back = practice.view(db, token, at(3600), start=False)
    assert (back["state"], back["position"], back["question"]) == ("ready", 1, None)
    assert back["previous"]["position"] == 0 and back["previous"]["answered"] is False
    row = answers(db)[0]
    assert (row.question_uid, row.value, row.correct, row.points) == ("q_single", {"v": None}, False, 0)
    assert row.answered_at.replace(tzinfo=UTC) == at(20)  # when the time ran out
    assert refreshes == [([people[1]], at(3600))]
    with pytest.raises(PracticeError) as refused:
        practice.answer(db, token, 0, 1, at(3601))
    assert refused.value.code == "wrong_question"
    served = practice.view(db, token, at(3700))  # the default serves the next question
    assert (served["state"], served["position"], served["remaining_ms"]) == ("question", 1, 30_000)


def test_replayed_and_misdirected_answers_change_nothing(db, people, refreshes):
    token = make(db, people, [SINGLE, TYPED])
    with pytest.raises(PracticeError) as refused:
        practice.answer(db, token, 0, 1, at(0))  # not served yet
    assert refused.value.code == "wrong_question"
    practice.view(db, token, at(0))
    practice.answer(db, token, 0, 1, at(2))
    before = snapshot(db)
    calls = len(refreshes)
    for position, value in ((0, 1), (0, 2), (2, "x"), (-1, 1), ("1", "HEAD"), (True, "HEAD"), (1.0, "HEAD")):
        with pytest.raises(PracticeError) as refused:
            practice.answer(db, token, position, value, at(3))
        assert refused.value.code == "wrong_question", (position, value)
    assert snapshot(db) == before
    assert len(refreshes) == calls


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (SINGLE, 3),
        (SINGLE, "1"),
        (SINGLE, None),
        (MULTI, []),
        (MULTI, [0, 0]),
        (TYPED, ""),
        (TYPED, "x" * 101),
        (SLIDER, 2001),
        (SLIDER, "1969"),
        (ORDER, [0, 1, 2]),
        (ORDER, [0, 0, 1, 2]),
    ],
)
def test_bad_values_are_refused_and_change_nothing(db, people, refreshes, spec, value):
    token = make(db, people, [spec])
    practice.view(db, token, at(0))
    before = snapshot(db)
    with pytest.raises(PracticeError) as refused:
        practice.answer(db, token, 0, value, at(1))
    assert refused.value.code == "bad_answer"
    assert refused.value.message
    assert snapshot(db) == before and refreshes == []
    assert practice.view(db, token, at(2))["remaining_ms"] == spec.get("time_limit", 20) * 1000 - 2000


def test_no_view_carries_a_solution_before_the_answer(db, people):
    specs = [SINGLE, TRUEFALSE, TYPED, MULTI, SLIDER, ORDER]
    token = make(db, people, specs)
    with db.read() as s:
        stored = s.scalars(sa.select(models.Practice.questions)).one()
    values = [1, 0, "HEAD", [0, 1], 1969, None]
    for position, value in enumerate(values):
        for start in (False, True):
            seen = practice.view(db, token, at(100 * position), start=start)
            text = json.dumps({k: v for k, v in seen.items() if k != "previous"})
            for secret in ('"solution"', '"accepted"', '"display"', '"correct": true', '"correct": [', '"target"'):
                assert secret not in text
            if seen["question"] is not None:
                assert seen["question"] == parse_question(stored[position]).public()
                assert not {"correct", "accepted", "solution", "display", "target"} & set(seen["question"])
            if seen["previous"] is not None:
                assert seen["previous"]["position"] == position - 1  # only answered questions are told
        if value is None:  # the order question: send the solution as shown (screen ids)
            order = parse_question(stored[position]).solution()["order"]
            reply = practice.answer(db, token, position, order, at(100 * position + 1))
        else:
            reply = practice.answer(db, token, position, value, at(100 * position + 1))
        assert reply["correct"] is True, stored[position]


@pytest.mark.parametrize(
    ("spec", "value", "elapsed"),
    [
        (SINGLE, 1, 0.3),
        (SINGLE, 1, 7.25),
        (SINGLE, 0, 3),
        (MULTI, [0], 4),  # half the right choices: half the points
        (MULTI, [0, 2], 4),
        (MULTI, [0, 1], 19.9),
        (SLIDER, 1970, 12),
        (SLIDER, 1971, 12),
        (TYPED, "Head", 29),
    ],
)
def test_points_and_correctness_match_a_live_room(db, people, spec, value, elapsed):
    token = make(db, people, [spec])
    practice.view(db, token, at(0))
    reply = practice.answer(db, token, 0, value, at(elapsed))

    with db.read() as s:
        question = parse_question(s.scalars(sa.select(models.Practice.questions)).one()[0])
    room = Room("123456", "live", [question], seed=1)
    person, _ = room.join("Ana", 0.0)
    room.start(1000.0)
    live = room.answer(person.id, 0, value, 1000.0 + elapsed).answers[0]  # a first answer: no streak bonus
    assert (reply["correct"], reply["points"]) == (live.correct, live.points)
    assert abs(answers(db)[0].response_ms - live.response_ms) <= 1  # the room counts in float seconds


def test_order_questions_keep_their_shuffle_across_views(db, people):
    token = make(db, people, [ORDER])
    first = practice.view(db, token, at(0))["question"]["items"]
    assert practice.view(db, token, at(1))["question"]["items"] == first
    assert sorted(item["text"] for item in first) == ["four", "one", "three", "two"]


def test_unknown_tokens_and_deleted_people(db, people):
    token = make(db, people, [SINGLE])
    for bad in ("", "x", "nope" * 40, token + "x", None):
        with pytest.raises(PracticeError) as refused:
            practice.view(db, bad, at(0))
        assert refused.value.code == "not_found"
    with db.transaction() as s:
        s.execute(sa.delete(models.Person).where(models.Person.id == people[1]))
    assert not practice.exists(db, token)
    with pytest.raises(PracticeError) as refused:
        practice.answer(db, token, 0, 1, at(0))
    assert refused.value.code == "not_found"


def test_a_failing_memory_refresh_keeps_the_answer(db, people, monkeypatch, caplog):
    def broken(db, person_ids, now):
        raise RuntimeError("fsrs exploded")

    fake = types.ModuleType("quizroom.retention.sync")
    fake.refresh_memory = broken
    monkeypatch.setitem(sys.modules, "quizroom.retention.sync", fake)
    token = make(db, people, [SINGLE])
    practice.view(db, token, at(0))
    with caplog.at_level(logging.ERROR, logger="quizroom.retention.practice"):
        reply = practice.answer(db, token, 0, 1, at(1))
    assert reply["correct"] is True and reply["view"]["state"] == "finished"
    assert [r.question_uid for r in answers(db)] == ["q_single"]
    assert "memory refresh failed" in caplog.text


def test_answers_reach_the_memory_states(db, people):
    """With the real refresh (quizroom/retention/sync.py): a self-paced answer is a review."""
    pytest.importorskip("quizroom.retention.sync")
    token = make(db, people, [SINGLE, TYPED])
    practice.view(db, token, at(0))
    practice.answer(db, token, 0, 1, at(2))
    practice.view(db, token, at(10))
    practice.view(db, token, at(100), start=False)  # the typed question timed out: a miss
    with db.read() as s:
        states = {m.question_uid: m for m in s.scalars(sa.select(models.MemoryState))}
        synced = s.get(models.Person, people[1]).memory_synced_at
    assert set(states) == {"q_single", "q_typed"}
    assert {m.person_id for m in states.values()} == {people[1]}
    assert states["q_single"].reviews == 1 and states["q_single"].lapses == 0
    assert states["q_single"].stability > states["q_typed"].stability
    assert synced.replace(tzinfo=UTC) == at(100)
