"""Kahoot's scoring formula, the streak bonus and ranks, as plain functions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizroom.engine.scoring import STREAK_CAP, answer_points, competition_ranks, round_half_up, streak_bonus


def kahoot(response_time: float, time_limit: int, points: int) -> int:
    """The documented formula, computed exactly, rounded half up."""
    if response_time <= 0.5:
        return points
    exact = (1 - Fraction(str(response_time)) / time_limit / 2) * points
    return int(exact + Fraction(1, 2))


@pytest.mark.parametrize(
    ("response_time", "expected"),
    [
        (0.0, 1000),
        (0.3, 1000),
        (0.5, 1000),  # full points within half a second, 0.5 included
        (0.5001, 987),  # 1000 * (1 - 0.5001 / 40) = 987.4975
        (1.0, 975),
        (10.0, 750),
        (19.99, 500),  # 500.25
        (20.0, 500),  # exactly at the limit: half the points
    ],
)
def test_points_for_a_correct_answer(response_time, expected):
    assert answer_points(1.0, response_time, 20, 1000) == expected


def test_double_points_question():
    assert answer_points(1.0, 0.2, 20, 2000) == 2000
    assert answer_points(1.0, 20, 20, 2000) == 1000
    assert answer_points(1.0, 10, 20, 2000) == 1500


def test_after_the_limit_the_formula_is_capped_at_half():
    # The room refuses such answers (too_late); the function itself never goes below half.
    assert answer_points(1.0, 25, 20, 1000) == 500


@pytest.mark.parametrize(("fraction", "points"), [(0.0, 1000), (-1.0, 1000), (1.0, 0), (0.5, 0)])
def test_wrong_answers_and_zero_point_questions_earn_nothing(fraction, points):
    assert answer_points(fraction, 1.0, 20, points) == 0


@pytest.mark.parametrize(
    ("response_time", "time_limit", "points", "expected"),
    [
        (4.995, 5, 1000, 501),  # 500.5
        (4.985, 5, 1000, 502),  # 501.5
        (1.02, 20, 1000, 975),  # 974.5
        (3.98, 20, 1000, 901),  # 900.5
        (0.54, 20, 1000, 987),  # 986.5
        (14.5, 29, 1000, 750),  # exactly 750
        (0.99, 99, 2000, 1990),  # exactly 1990
        (239.88, 240, 1000, 500),  # 500.25
        (7.25, 10, 1000, 638),  # 637.5
    ],
)
def test_rounding_is_half_up_and_exact(response_time, time_limit, points, expected):
    assert kahoot(response_time, time_limit, points) == expected
    assert answer_points(1.0, response_time, time_limit, points) == expected


def test_every_exact_half_rounds_up():
    """Every response time (to the ms) that lands on x.5 points, for some limits: rounds up."""
    for time_limit in (5, 7, 20, 30, 240):
        for ms in range(501, time_limit * 1000 + 1, 7):
            response_time = ms / 1000
            assert answer_points(1.0, response_time, time_limit, 1000) == kahoot(response_time, time_limit, 1000)


@pytest.mark.parametrize(
    ("fraction", "response_time", "expected"),
    [
        (1 / 2, 0.1, 500),
        (1 / 3, 0.1, 333),
        (2 / 3, 0.1, 667),
        (1 / 4, 0.1, 250),
        (3 / 4, 20, 375),
        (1 / 2, 10, 375),
        (1 / 6, 0.1, 167),
        (5 / 6, 0.1, 833),
    ],
)
def test_multiple_select_earns_a_share_per_correct_choice(fraction, response_time, expected):
    assert answer_points(fraction, response_time, 20, 1000) == expected


def test_round_half_up():
    assert [round_half_up(v) for v in (0.5, 1.5, 2.5, 2.4999, -2.5, 0, 987.5)] == [1, 2, 3, 2, -3, 0, 988]


def test_streak_bonus_progression_and_cap():
    assert [streak_bonus(n) for n in range(9)] == [0, 0, 100, 200, 300, 400, 500, 500, 500]
    assert streak_bonus(1000) == STREAK_CAP == 500


def test_ranks_share_ties():
    assert competition_ranks({1: 500, 2: 900, 3: 500, 4: 100, 5: 900}) == {2: 1, 5: 1, 1: 3, 3: 3, 4: 5}
    assert competition_ranks({}) == {}
    assert competition_ranks({7: 0, 8: 0}) == {7: 1, 8: 1}


# ------------------------------------------------------------------ properties
limits = st.integers(5, 240)
levels = st.sampled_from([0, 1000, 2000])
shares = st.sampled_from([1.0] + [k / n for n in range(1, 7) for k in range(0, n + 1)])


@settings(max_examples=500, deadline=None)
@given(shares, st.floats(0, 240, allow_nan=False), limits, levels, st.integers(0, 50))
def test_points_stay_within_zero_and_points_plus_the_cap(share, response_time, time_limit, points, streak):
    base = answer_points(share, response_time, time_limit, points)
    assert 0 <= base <= points
    if share > 0 and points and response_time <= time_limit:
        assert base >= round_half_up(points * share / 2) - 1  # never below half (of the share)
    total = base + (streak_bonus(streak) if share == 1.0 and points else 0)
    assert 0 <= total <= points + 500


@settings(max_examples=500, deadline=None)
@given(shares, st.floats(0, 240, allow_nan=False), st.floats(0, 240, allow_nan=False), limits, levels)
def test_points_never_increase_with_response_time(share, first, second, time_limit, points):
    early, late = sorted((first, second))
    assert answer_points(share, early, time_limit, points) >= answer_points(share, late, time_limit, points)
