"""Reading stored sessions into retention attempts (quizroom/retention/history.py) and
keeping memory states equal to their fold (sync.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from quizroom import models
from quizroom.db import Database
from quizroom.retention import memory, sync
from quizroom.retention.history import load_history, person_attempts

from .factories import T0, add_room, q


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'h.db'}")
    database.create_all()
    with database.transaction() as s:
        s.add(models.Trainer(id=1, email="t@example.org", name="T", password_hash="x"))
        s.add(models.Trainer(id=2, email="u@example.org", name="U", password_hash="x"))
        s.flush()
        for pid, name in ((1, "Ana"), (2, "Ben"), (3, "Cy")):
            s.add(models.Person(id=pid, trainer_id=1, name=name, link_key=f"key{pid}"))
    return database


def test_answers_become_attempts_and_missing_answers_count_as_none_for_people_present(db):
    add_room(
        db,
        activities=[q("q1"), q("q2")],
        people=[(1, 1, 0, False), (2, 2, 0, False), (3, None, 0, False)],
        answers=[
            (1, 0, 0, True, 900, 2000),
            (2, 0, 1, False, 0, 5000),
            (1, 1, 0, True, 700, 15000),
            (3, 0, 0, True, 900, 1),
        ],
    )
    with db.read() as s:
        history = load_history(s, 1)
    got = {(a.person, a.question_uid): (a.outcome, a.response_ms, a.time_limit_ms) for a in history.attempts}
    assert got == {
        (1, "q1"): ("correct", 2000, 20000),
        (2, "q1"): ("wrong", 5000, 20000),
        (1, "q2"): ("correct", 15000, 20000),
        (2, "q2"): ("none", None, 20000),  # was there, did not answer
    }  # the anonymous participant 3 has no attempts
    none = next(a for a in history.attempts if a.outcome == "none")
    assert none.at == T0 + timedelta(minutes=1)  # when the question opened
    session = history.sessions[0]
    assert (session.participants, session.known, session.questions, session.answers) == (3, 2, 2, 4)


def test_late_joiners_removed_people_skipped_and_open_questions_do_not_count(db):
    add_room(
        db,
        activities=[q("q1"), q("q2"), q("q3")],
        voided=[1],
        people=[(1, 1, 0, False), (2, 2, 90, False), (3, 3, 0, True)],
        phase="question",
        index=2,
        answers=[(3, 0, 0, True, 900, 1000), (1, 1, 0, True, 900, 1000), (1, 2, 0, True, 900, 1000)],
    )
    with db.read() as s:
        attempts = load_history(s, 1).attempts
    # q1 closed: Ana gave no answer; Ben joined after it closed (at 90 s; it ran 0-20 s); Cy was removed.
    # q2 was skipped (voided); q3 is the live room's open question.
    assert [(a.person, a.question_uid, a.outcome) for a in attempts] == [(1, "q1", "none")]


def test_partial_credit_and_practice_answers(db):
    multi = {
        "kind": "question",
        "type": "multi",
        "uid": "m1",
        "text": "Pick",
        "time_limit": 20,
        "points": 0,
        "choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}, {"text": "C"}],
    }
    add_room(db, activities=[multi], people=[(1, 1, 0, False)], answers=[(1, 0, [0], False, 0, 3000)])
    with db.transaction() as s:
        s.add(models.Practice(id=5, trainer_id=1, person_id=1, token_hash="h", title="Review", questions=[multi]))
        s.add(
            models.PracticeAnswer(
                practice_id=5,
                person_id=1,
                question_uid="m1",
                value={"v": [0, 1]},
                correct=True,
                points=0,
                response_ms=4000,
                time_limit_ms=20000,
                answered_at=T0 + timedelta(days=3),
            )
        )
    with db.read() as s:
        attempts = person_attempts(s, 1)
    assert [(a.session, a.outcome) for a in attempts] == [("room:1", "partial"), ("practice:5", "correct")]


def test_other_trainers_rooms_are_not_read(db):
    add_room(db, activities=[q("q1")], people=[(1, 1, 0, False)], answers=[(1, 0, 0, True, 900, 1000)], trainer_id=2)
    with db.read() as s:
        assert load_history(s, 1).attempts == []


def test_memory_states_equal_the_fold_and_follow_new_sessions(db):
    add_room(
        db,
        activities=[q("q1"), q("q2")],
        people=[(1, 1, 0, False), (2, 2, 0, False)],
        answers=[(1, 0, 0, True, 900, 2000), (1, 1, 1, False, 0, 2000), (2, 0, 0, True, 900, 9000)],
    )
    assert sync.sync_due(db, 1, T0 + timedelta(days=1)) == 2

    def stored():
        with db.read() as s:
            return {
                (m.person_id, m.question_uid): (m.reviews, m.lapses, round(m.stability, 6))
                for m in s.scalars(sa.select(models.MemoryState))
            }

    def folded():
        with db.read() as s:
            attempts = person_attempts(s, 1) + person_attempts(s, 2)
        return {k: (m.reviews, m.lapses, round(m.card.stability, 6)) for k, m in memory.fold(attempts).items()}

    assert stored() == folded()
    assert set(stored()) == {(1, "q1"), (1, "q2"), (2, "q1"), (2, "q2")}
    assert sync.stale_people(db, 1) == set()  # nothing new since

    add_room(
        db,
        room_id=2,
        start=T0 + timedelta(days=7),
        activities=[q("q1")],
        people=[(1, 1, 0, False)],
        answers=[(1, 0, 1, False, 0, 2000)],
    )
    assert sync.stale_people(db, 1) == {1}
    sync.sync_due(db, 1, T0 + timedelta(days=8))
    assert stored() == folded()
    assert stored()[(1, "q1")][:2] == (2, 1)  # right, then wrong: one lapse


def test_survey_ratings_are_averaged_on_a_five_point_scale(db):
    survey = {
        "kind": "survey",
        "uid": "s1",
        "title": "Pulse",
        "items": [
            {"id": "a", "type": "rating", "text": "Rate", "scale": 5},
            {"id": "b", "type": "rating", "text": "Rate 10", "scale": 10},
        ],
    }
    add_room(db, activities=[q("q1"), survey], people=[(1, 1, 0, False), (2, None, 0, False)], answers=[])
    with db.transaction() as s:
        for pid, answers in ((1, {"a": 2}), (1, {"a": 4, "b": 10}), (2, {"a": 3})):
            s.add(
                models.Submission(
                    room_id=1,
                    position=1,
                    activity_uid="s1",
                    participant_number=pid,
                    action="submit",
                    record={"answers": answers},
                    created_at=T0,
                )
            )
    with db.read() as s:
        session = load_history(s, 1).sessions[0]
    assert session.rating == pytest.approx((4 + 5 + 3) / 3)  # the first submit of 1 was replaced


def test_topics_differing_only_in_case_are_one_topic(db):
    add_room(
        db,
        activities=[q("q1", topics=["Git"]), q("q2", topics=["GIT", "Merging"])],
        people=[(1, 1, 0, False)],
        answers=[],
    )
    with db.read() as s:
        catalogue = load_history(s, 1).catalogue
    assert catalogue["q1"].topics == ("Git",) and catalogue["q2"].topics == ("Git", "Merging")
