"""Each question type: what phones see, parsing raw answers, grading, solution, distribution."""

from __future__ import annotations

import json
import random

import pytest

from quizroom.engine import EngineError, parse_question
from quizroom.engine.questions import TYPED_MAX

from .helpers import assert_no_solution, multi, order, poll, single, slider, truefalse, typed


def rejected(question, value) -> str:
    with pytest.raises(EngineError) as caught:
        question.parse(value)
    return caught.value.code


# ---------------------------------------------------------------------- public
@pytest.mark.parametrize(
    "spec",
    [
        single(),
        multi(),
        truefalse(),
        typed(accepted=("Lutetia", "Paris")),
        slider(correct=37, tolerance=3),
        order(),
        poll(),
    ],
)
def test_public_view_never_carries_the_solution(spec):
    question = parse_question(spec).prepared(random.Random(1))
    view = question.public()
    assert_no_solution(view)
    assert set(view) >= {"uid", "type", "text", "image", "time_limit", "points"}
    text = json.dumps(view)
    if spec["type"] == "typed":
        assert "Lutetia" not in text and "Paris" not in text
        assert view["max_length"] == TYPED_MAX
    if spec["type"] == "slider":
        assert "37" not in text
        assert view["min"] == 0 and view["max"] == 100 and view["step"] == 1 and view["unit"] == ""


def test_choice_public_lists_ids_and_texts_in_deck_order():
    view = parse_question(single(correct=2)).public()
    assert view["choices"] == [{"id": i, "text": f"choice {i}"} for i in range(4)]
    assert view["multiple"] is False
    assert parse_question(multi()).public()["multiple"] is True


# ---------------------------------------------------------------------- single
def test_single_parse_grade_solution_distribution():
    question = parse_question(single(correct=1, n=3))
    assert question.parse(1) == 1
    assert question.grade(1) == 1.0
    assert question.grade(0) == 0.0
    assert question.solution() == {"choices": [1]}
    assert question.distribution([0, 1, 1, 2, 1]) == {"counts": [1, 3, 1]}
    assert question.distribution([]) == {"counts": [0, 0, 0]}


@pytest.mark.parametrize("value", [-1, 3, 99, True, False, 1.0, "1", None, [1], {"id": 1}, 10**100])
def test_single_rejects_anything_but_a_choice_id(value):
    assert rejected(parse_question(single(n=3)), value) == "bad_answer"


@pytest.mark.parametrize("n", [2, 6])
def test_single_with_two_to_six_choices(n):
    question = parse_question(single(correct=n - 1, n=n))
    assert question.parse(n - 1) == n - 1
    assert rejected(question, n) == "bad_answer"


# ----------------------------------------------------------------------- multi
def test_multi_grades_per_correct_choice_and_zero_on_any_wrong_choice():
    question = parse_question(multi(correct=(0, 1, 3), n=5))
    assert question.grade(question.parse([3, 0, 1])) == 1.0
    assert question.grade(question.parse([0])) == pytest.approx(1 / 3)
    assert question.grade(question.parse([1, 3])) == pytest.approx(2 / 3)
    assert question.grade(question.parse([0, 1, 3, 2])) == 0.0  # all right ones plus one wrong
    assert question.grade(question.parse([2])) == 0.0
    assert question.solution() == {"choices": [0, 1, 3]}


def test_multi_parse_sorts_and_distribution_counts_each_pick():
    question = parse_question(multi(correct=(0, 1), n=4))
    assert question.parse([3, 1]) == [1, 3]
    assert question.distribution([[0, 1], [1], [1, 3]]) == {"counts": [1, 3, 0, 1]}


@pytest.mark.parametrize(
    "value", [[], [0, 0], [0, 1, 2, 3, 0], [4], [-1], [True], ["0"], 0, "0,1", None, {"0": True}, [[0]], [0.0]]
)
def test_multi_rejects_malformed_picks(value):
    assert rejected(parse_question(multi(n=4)), value) == "bad_answer"


# ------------------------------------------------------------------- truefalse
@pytest.mark.parametrize(("correct", "right_id"), [(True, 0), (False, 1)])
def test_truefalse(correct, right_id):
    question = parse_question(truefalse(correct=correct))
    assert [c["text"] for c in question.public()["choices"]] == ["True", "False"]
    assert question.grade(question.parse(right_id)) == 1.0
    assert question.grade(question.parse(1 - right_id)) == 0.0
    assert question.solution() == {"choices": [right_id]}
    assert rejected(question, 2) == "bad_answer"
    assert rejected(question, True) == "bad_answer"


# ----------------------------------------------------------------------- typed
@pytest.mark.parametrize(
    "value",
    [
        "Paris",
        "paris",
        "  PARIS  ",
        "Pâris",
        "pa ris",
        "Lutèce",
        "LUTECE",
        "Saint-Étienne",
        "saint-etienne",
        "Pa\u200bris",
        "ｐａｒｉｓ",
    ],
)
def test_typed_accepts_every_spelling_ignoring_case_accents_and_spaces(value):
    question = parse_question(typed(accepted=("Paris", "Pa ris", "Lutèce", "Saint-Etienne")))
    assert question.grade(question.parse(value)) == 1.0


@pytest.mark.parametrize("value", ["Pariss", "Lyon", "P aris", "saint etienne"])
def test_typed_rejects_other_words(value):
    question = parse_question(typed(accepted=("Paris", "Saint-Etienne")))
    assert question.grade(question.parse(value)) == 0.0


def test_typed_parse_trims_and_strips_control_characters():
    question = parse_question(typed())
    assert question.parse("  Paris\n\t ") == "Paris"
    assert question.parse("Pa\x00ris") == "Paris"
    assert question.parse("x" * TYPED_MAX) == "x" * TYPED_MAX


@pytest.mark.parametrize("value", ["", "   ", "\n\x00", "x" * (TYPED_MAX + 1), "x" * 100_000, 5, None, ["Paris"], True])
def test_typed_rejects_empty_long_or_non_text(value):
    assert rejected(parse_question(typed()), value) == "bad_answer"


def test_typed_solution_and_distribution():
    question = parse_question(typed(accepted=("Paris", "Lutèce")))
    assert question.solution() == {"accepted": ["Paris", "Lutèce"]}
    values = ["Paris", "paris", "PARIS", "Lyon", "lyon", "Marseille"]
    dist = question.distribution(values)
    assert dist["distinct"] == 3
    assert dist["top"][0] == {"text": "paris", "count": 3, "correct": True}
    assert {"text": "lyon", "count": 2, "correct": False} in dist["top"]
    many = question.distribution([f"word{i}" for i in range(25)])
    assert len(many["top"]) == 10 and many["distinct"] == 25
    assert question.distribution([]) == {"top": [], "distinct": 0}


# ---------------------------------------------------------------------- slider
def test_slider_grade_within_tolerance_inclusive():
    question = parse_question(slider(correct=50, tolerance=5))
    for value in (45, 50, 55, 47.5, 54.999):
        assert question.grade(question.parse(value)) == 1.0, value
    for value in (44.99, 55.01, 0, 100):
        assert question.grade(question.parse(value)) == 0.0, value


def test_slider_float_noise_is_not_marked_wrong():
    question = parse_question(slider(correct=0.3, tolerance=0.1, low=0, high=1))
    assert question.grade(question.parse(0.1 + 0.1)) == 1.0  # 0.2 as a float sum
    assert question.grade(question.parse(0.4)) == 1.0


def test_slider_exact_without_tolerance():
    question = parse_question(slider(correct=42))
    assert question.grade(42) == 1.0
    assert question.grade(41) == 0.0
    assert question.solution() == {"value": 42, "tolerance": 0}


@pytest.mark.parametrize(
    "value", [-1, 100.5, 101, float("nan"), float("inf"), float("-inf"), "50", None, True, [50], {"v": 50}]
)
def test_slider_rejects_out_of_range_and_non_numbers(value):
    assert rejected(parse_question(slider()), value) == "bad_answer"


def test_slider_accepts_the_bounds_and_floats():
    question = parse_question(slider(correct=0, low=-10, high=10))
    assert question.parse(-10) == -10
    assert question.parse(10) == 10
    assert question.parse(0.25) == 0.25


def test_slider_distribution():
    question = parse_question(slider())
    assert question.distribution([]) == {"values": [], "mean": None, "median": None}
    assert question.distribution([3, 1, 2]) == {"values": [[1, 1], [2, 1], [3, 1]], "mean": 2, "median": 2}
    assert question.distribution([1, 4, 4, 10]) == {"values": [[1, 1], [4, 2], [10, 1]], "mean": 4.75, "median": 4}
    assert question.distribution([1, 2]) == {"values": [[1, 1], [2, 1]], "mean": 1.5, "median": 1.5}


# ----------------------------------------------------------------------- order
def test_order_items_are_shown_shuffled_and_the_ids_say_nothing():
    question = parse_question(order()).prepared(random.Random(3))
    shown = question.public()["items"]
    assert [item["id"] for item in shown] == [0, 1, 2, 3]  # ids are screen positions
    texts = [item["text"] for item in shown]
    assert sorted(texts) == sorted(["first", "second", "third", "fourth"])
    assert texts != ["first", "second", "third", "fourth"]
    solution = question.solution()["order"]
    assert [texts[i] for i in solution] == ["first", "second", "third", "fourth"]
    assert question.grade(question.parse(solution)) == 1.0
    assert question.grade(question.parse([0, 1, 2, 3])) == 0.0


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_order_never_starts_from_the_solution_with_three_or_more_items(n):
    spec = order(items=tuple(f"item {i}" for i in range(n)))
    question = parse_question(spec)
    for seed in range(200):
        prepared = question.prepared(random.Random(seed))
        assert list(prepared.display) != list(range(n))
        assert sorted(prepared.display) == list(range(n))


def test_order_with_two_items_is_not_always_shown_swapped():
    """Always swapping would tell every phone the answer: both starting orders must occur."""
    question = parse_question(order(items=("a", "b")))
    shown = {
        tuple(item["text"] for item in question.prepared(random.Random(seed)).public()["items"]) for seed in range(50)
    }
    assert shown == {("a", "b"), ("b", "a")}


def test_order_keeps_a_given_display_and_grades_it():
    question = parse_question(order(items=("a", "b", "c"), display=[2, 0, 1]))
    assert question.prepared(random.Random(1)).display == (2, 0, 1)
    assert [i["text"] for i in question.public()["items"]] == ["c", "a", "b"]
    assert question.solution() == {"order": [1, 2, 0]}
    assert question.grade([1, 2, 0]) == 1.0
    assert question.grade([0, 1, 2]) == 0.0
    assert question.distribution([[1, 2, 0], [0, 1, 2], [2, 1, 0]]) == {"correct": 1, "incorrect": 2}


@pytest.mark.parametrize(
    "value", [[0, 1], [0, 1, 2, 3], [0, 0, 1], [0, 1, 3], [True, 0, 1], ["0", "1", "2"], 0, None, "012", [0.0, 1, 2]]
)
def test_order_rejects_anything_but_each_id_once(value):
    assert rejected(parse_question(order(items=("a", "b", "c"))), value) == "bad_answer"


# ------------------------------------------------------------------------ poll
def test_poll_is_unscored_and_counts_votes():
    question = parse_question(poll(n=3, points=2000))
    assert question.points == 0 and not question.scored
    assert question.grade(question.parse(2)) is None
    assert question.distribution([0, 2, 2]) == {"counts": [1, 0, 2]}


def test_poll_with_multiple_votes():
    question = parse_question(poll(n=3, multiple=True))
    assert question.parse([2, 0]) == [0, 2]
    assert question.grade([0, 2]) is None
    assert question.distribution([[0, 2], [2]]) == {"counts": [1, 0, 2]}
    assert rejected(question, 1) == "bad_answer"
