"""The memory model: answers -> FSRS ratings -> one card per person x question.

Pure, with injected dates. One history is pinned against fsrs itself; the rest are the
orderings the dashboard relies on (practice helps, forgetting hurts, time fades)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import fsrs
import pytest

from quizroom.retention import memory
from quizroom.retention.memory import FAST, SLOW, Memory, fold, rating, recall
from quizroom.retention.records import Attempt

DAY0 = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
LIMIT = 20_000


def at(day: float, hours: float = 0) -> datetime:
    return DAY0 + timedelta(days=day, hours=hours)


def attempt(
    outcome: str, day: float = 0, *, person: int = 1, uid: str = "q1", ms: int | None = 10_000, **kw
) -> Attempt:
    return Attempt(
        person=person,
        question_uid=uid,
        at=kw.pop("when", at(day)),
        session=kw.pop("session", f"room:{int(day)}"),
        outcome=outcome,
        response_ms=None if outcome == "none" else ms,
        time_limit_ms=kw.pop("limit", LIMIT),
    )


def one(*attempts: Attempt) -> Memory:
    memories = fold(attempts)
    assert len(memories) == 1
    return next(iter(memories.values()))


# ------------------------------------------------------------------ ratings


@pytest.mark.parametrize(
    ("outcome", "ms", "expected"),
    [
        ("none", None, fsrs.Rating.Again),
        ("wrong", 3_000, fsrs.Rating.Again),
        ("wrong", 19_000, fsrs.Rating.Again),
        ("partial", 2_000, fsrs.Rating.Hard),
        ("partial", 19_000, fsrs.Rating.Hard),
        ("correct", 0, fsrs.Rating.Easy),
        ("correct", 5_000, fsrs.Rating.Easy),  # exactly FAST of the limit
        ("correct", 5_001, fsrs.Rating.Good),
        ("correct", 10_000, fsrs.Rating.Good),
        ("correct", 15_000, fsrs.Rating.Good),  # exactly SLOW of the limit
        ("correct", 15_001, fsrs.Rating.Hard),
        ("correct", 20_000, fsrs.Rating.Hard),
    ],
)
def test_rating_of_each_outcome_and_speed(outcome, ms, expected):
    assert rating(attempt(outcome, ms=ms)) == expected


def test_thresholds_are_the_documented_constants():
    assert (FAST, SLOW) == (0.25, 0.75)


def test_correct_without_a_usable_time_is_good():
    assert rating(attempt("correct", ms=None)) == fsrs.Rating.Good
    assert rating(attempt("correct", ms=1_000, limit=0)) == fsrs.Rating.Good


def test_unknown_outcome_is_refused_by_name():
    with pytest.raises(ValueError, match="'skipped'.*correct, partial, wrong, none"):
        rating(attempt("skipped"))


# ------------------------------------------------------------------ the scheduler


def test_scheduler_is_built_once_without_steps_or_fuzz():
    first = memory.scheduler()
    assert first is memory.scheduler()
    assert first.learning_steps == () and first.relearning_steps == ()
    assert first.enable_fuzzing is False


def test_one_history_matches_fsrs_step_by_step():
    """Good day 0, Again day 7 (slow wrong), Easy day 21: the same card fsrs itself gives."""
    history = [attempt("correct", 0, ms=10_000), attempt("wrong", 7), attempt("correct", 21, ms=2_000)]
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = fsrs.Card(card_id=1, due=at(0))
    for day, grade in ((0, fsrs.Rating.Good), (7, fsrs.Rating.Again), (21, fsrs.Rating.Easy)):
        card, _ = scheduler.review_card(card, grade, review_datetime=at(day))

    mine = one(*history)
    assert mine.card.stability == pytest.approx(card.stability, rel=1e-12)
    assert mine.card.difficulty == pytest.approx(card.difficulty, rel=1e-12)
    assert mine.card.due == card.due
    assert mine.card.last_review == at(21)
    assert recall(mine, at(40)) == pytest.approx(scheduler.get_card_retrievability(card, at(40)), rel=1e-12)
    assert (mine.reviews, mine.lapses) == (3, 1)
    assert mine.outcomes == ("correct", "wrong", "correct")
    assert (mine.first_seen, mine.last_seen) == (at(0), at(21))


def test_stability_grows_with_each_right_answer():
    cards = [one(*[attempt("correct", d) for d in (0, 7, 21)[:n]]).card for n in (1, 2, 3)]
    stabilities = [c.stability for c in cards]
    assert stabilities == sorted(stabilities) and len(set(stabilities)) == 3


def test_right_every_time_beats_a_wrong_answer_in_between():
    steady = one(attempt("correct", 0), attempt("correct", 7), attempt("correct", 21))
    slipped = one(attempt("correct", 0), attempt("wrong", 7), attempt("correct", 21))
    assert recall(steady, at(28)) > recall(slipped, at(28))
    assert steady.card.stability > slipped.card.stability


def test_missing_a_session_leaves_lower_recall_than_attending_and_answering_right():
    attended = one(attempt("correct", 0), attempt("correct", 7))
    missed = one(attempt("correct", 0))  # no attempt in week 2
    assert recall(missed, at(21)) < recall(attended, at(21))


def test_easy_beats_good_beats_hard_beats_again():
    def after(outcome: str, ms: int) -> float:
        return recall(one(attempt(outcome, 0, ms=ms)), at(10))

    easy = after("correct", 1_000)
    good = after("correct", 10_000)
    hard = after("partial", 10_000)
    again = after("wrong", 10_000)
    assert easy > good > hard > again


def test_recall_fades_over_days_and_is_whole_on_the_day_of_the_review():
    memory_ = one(attempt("correct", 0))
    same_day = recall(memory_, at(0, hours=14))
    week = recall(memory_, at(7))
    month = recall(memory_, at(30))
    assert same_day == 1.0
    assert 1.0 > week > month > 0


def test_recall_before_the_last_review_is_the_recall_at_it():
    memory_ = one(attempt("wrong", 0), attempt("correct", 5))
    assert recall(memory_, at(1)) == recall(memory_, at(5)) == 1.0


def test_lapses_count_forgetting_after_a_success_only():
    assert one(attempt("wrong", 0), attempt("none", 7)).lapses == 0
    assert one(attempt("correct", 0), attempt("wrong", 7), attempt("none", 14)).lapses == 1
    history = [attempt("partial", 0), attempt("none", 7), attempt("correct", 14), attempt("wrong", 21)]
    assert one(*history).lapses == 2


def test_fold_orders_by_time_then_session_and_keys_by_person_and_question():
    late = attempt("wrong", 7, session="room:2")
    early = attempt("correct", 0, session="room:1")
    same_time_b = attempt("partial", 14, session="room:b")
    same_time_a = attempt("wrong", 14, session="room:a")
    other = attempt("correct", 3, person=2)
    other_question = attempt("none", 3, uid="q2")
    memories = fold([same_time_b, late, other, same_time_a, early, other_question])
    assert set(memories) == {(1, "q1"), (2, "q1"), (1, "q2")}
    assert memories[1, "q1"].outcomes == ("correct", "wrong", "wrong", "partial")
    assert memories[2, "q1"].reviews == 1 and memories[1, "q2"].outcomes == ("none",)


def test_fold_is_deterministic_and_order_of_input_does_not_matter():
    history = [attempt("correct", 0), attempt("wrong", 9), attempt("partial", 20), attempt("correct", 33)]
    a, b = fold(history), fold(list(reversed(history)))
    assert a[1, "q1"].card.to_dict() == b[1, "q1"].card.to_dict()


def test_times_in_other_zones_are_converted_to_utc():
    paris = attempt("correct", when=datetime(2025, 3, 3, 10, 30, tzinfo=ZoneInfo("Europe/Paris")))
    offset = attempt("correct", when=datetime(2025, 3, 3, 9, 30, tzinfo=timezone(timedelta(0))))
    for item in (paris, offset):
        memory_ = one(item)
        assert memory_.last_seen == DAY0 and memory_.last_seen.tzinfo is UTC
    assert recall(one(paris), datetime(2025, 3, 10, 11, tzinfo=ZoneInfo("Europe/Paris"))) < 1.0


def test_naive_times_are_refused_with_a_clear_message():
    naive = attempt("correct", when=datetime(2025, 3, 3, 9, 30))
    with pytest.raises(ValueError, match=r"person 1, question q1.*no time zone"):
        fold([naive])
    with pytest.raises(ValueError, match="recall time .* no time zone"):
        recall(one(attempt("correct")), datetime(2025, 3, 4))


def test_card_round_trips_through_a_dict_with_utc_times():
    card = one(attempt("correct", 0), attempt("wrong", 8)).card
    stored = memory.card_to_dict(card)
    assert isinstance(stored["due"], str)
    back = memory.card_from_dict(stored)
    assert back == card
    assert back.due.tzinfo is UTC and back.last_review.tzinfo is UTC
    # the restored card keeps scheduling like the original
    nxt, _ = memory.scheduler().review_card(back, fsrs.Rating.Good, review_datetime=at(20))
    assert nxt.stability == pytest.approx(memory.scheduler().review_card(card, fsrs.Rating.Good, at(20))[0].stability)
