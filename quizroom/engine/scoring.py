"""Kahoot's documented scoring, measured by the server's clock.

points = round((1 - (response_time / time_limit) / 2) * question_points)
for a correct answer; full points within half a second; 0 for wrong or none.
Multiple select earns that amount times the share of correct choices picked.
Streak bonus: +100 per consecutive correct answer after the first, at most +500.

The arithmetic is exact (fractions): with floats, 1000 * (1 - (4.995 / 5) / 2) comes
out as 500.4999... and a half would round down. Response times are taken to the
microsecond, which is finer than any clock we are given.
"""

import math
from fractions import Fraction

FULL_POINTS_WITHIN = 0.5
STREAK_STEP = 100
STREAK_CAP = 500


def round_half_up(value: float) -> int:
    """Round like a person would (2.5 -> 3); Python's round() goes to even."""
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


def answer_points(fraction: float, response_time: float, time_limit: float, points: int) -> int:
    if fraction <= 0 or points <= 0:
        return 0
    if response_time <= FULL_POINTS_WITHIN:
        factor = Fraction(1)
    else:
        elapsed = Fraction(round(min(response_time, time_limit) * 1_000_000), 1_000_000)
        factor = 1 - elapsed / Fraction(time_limit) / 2
    # A share of the choices (2 of 3...) is a small fraction; recover it exactly from the float.
    share = Fraction(fraction).limit_denominator(1000)
    return math.floor(factor * points * share + Fraction(1, 2))


def streak_bonus(streak: int) -> int:
    """Bonus for an answer that makes the streak `streak` long (1 = first correct)."""
    return min(STREAK_STEP * max(streak - 1, 0), STREAK_CAP)


def competition_ranks(scores: dict[int, int]) -> dict[int, int]:
    """1, 2, 2, 4 ranking: equal scores share a rank."""
    ordered = sorted(scores.items(), key=lambda item: -item[1])
    ranks: dict[int, int] = {}
    previous_score, previous_rank = None, 0
    for position, (key, score) in enumerate(ordered, start=1):
        rank = previous_rank if score == previous_score else position
        ranks[key] = rank
        previous_score, previous_rank = score, rank
    return ranks
