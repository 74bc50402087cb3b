"""The retention definitions (docs/retention.md, "Definitions") on small hand-counted examples.

Memories are either folded from attempts or built by hand with a chosen stability: FSRS
defines stability as the number of days after which recall is 90 %, so a card reviewed
``S`` days ago with stability ``S`` is at 0.9, and one reviewed today is at 1.0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import fsrs
import pytest

from quizroom.retention import report
from quizroom.retention.memory import Memory, fold, recall
from quizroom.retention.records import Attempt, QuestionInfo, SessionInfo

DAY0 = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
NOW = DAY0 + timedelta(days=60)
ANN, BO, CY = 1, 2, 3
NAMES = {ANN: "Ann", BO: "Bo"}  # Cy has no name on record

CATALOGUE = {
    "q1": QuestionInfo("q1", "What does TLS protect?", "single", ("security",)),
    "q2": QuestionInfo("q2", "Which port is HTTPS?", "single", ("security", "networks")),
    "q3": QuestionInfo("q3", "Name the office dog", "typed"),
    "q4": QuestionInfo("q4", "What is a VLAN?", "single", ("networks",)),
}


def at(day: float, hours: float = 0) -> datetime:
    return DAY0 + timedelta(days=day, hours=hours)


def att(person: int, uid: str, day: float, outcome: str, session: str | None = None, hours: float = 0) -> Attempt:
    return Attempt(
        person=person,
        question_uid=uid,
        at=at(day, hours),
        session=session or f"room:{int(day)}",
        outcome=outcome,
        response_ms=None if outcome == "none" else 8_000,
        time_limit_ms=20_000,
    )


# Ann, Bo and Cy over three sessions (days 0, 7, 21); Bo meets q3 again 23.5 hours later.
ATTEMPTS = [
    att(ANN, "q1", 0, "correct"),
    att(ANN, "q1", 7, "wrong"),
    att(ANN, "q1", 21, "correct"),
    att(ANN, "q2", 0, "wrong"),
    att(ANN, "q2", 7, "correct"),
    att(BO, "q1", 0, "correct"),
    att(BO, "q1", 7, "correct"),
    att(BO, "q2", 0, "correct"),
    att(BO, "q2", 7, "wrong"),  # forgotten
    att(BO, "q3", 0, "wrong"),
    att(BO, "q3", 1, "correct", session="practice:4", hours=-0.5),
    att(CY, "q1", 7, "none"),
    att(CY, "q1", 21, "wrong"),
    att(CY, "q3", 0, "partial"),
    att(CY, "q9", 0, "correct"),  # a question the catalogue no longer knows
]


def mem(stability: float, days_ago: float, *, lapses: int = 0, outcomes: tuple[str, ...] = ("correct",)) -> Memory:
    last = NOW - timedelta(days=days_ago)
    card = fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        stability=stability,
        difficulty=5.0,
        due=last + timedelta(days=stability),
        last_review=last,
    )
    return Memory(card, len(outcomes), lapses, last - timedelta(days=30), last, outcomes)


def fresh(**kw) -> Memory:  # recall now: 1.0
    return mem(10, 0, **kw)


def ninety(**kw) -> Memory:  # recall now: 0.9
    return mem(10, 10, **kw)


def low(**kw) -> Memory:  # recall now: about 0.59
    return mem(1, 30, **kw)


R_FRESH, R_NINETY, R_LOW = (recall(m, NOW) for m in (fresh(), ninety(), low()))


def test_hand_built_memories_have_the_recall_fsrs_defines():
    assert R_FRESH == 1.0
    assert abs(R_NINETY - 0.9) < 1e-9
    assert 0.55 < R_LOW < 0.65


# ------------------------------------------------------------------ first vs repeat, curves


def test_first_versus_repeat_counts():
    assert report.first_vs_repeat(ATTEMPTS) == {
        # first: Ann q1 ✓, Ann q2 ✗, Bo q1 ✓, Bo q2 ✓, Bo q3 ✗, Cy q1 none, Cy q3 partial, Cy q9 ✓
        "first": {"attempts": 8, "correct": 4, "rate": 0.5},
        # repeat: Ann q1 ✗ ✓, Ann q2 ✓, Bo q1 ✓, Bo q2 ✗, Bo q3 ✓, Cy q1 ✗
        "repeat": {"attempts": 7, "correct": 4, "rate": 4 / 7},
    }


def test_first_versus_repeat_with_nothing_has_no_rate():
    assert report.first_vs_repeat([]) == {
        "first": {"attempts": 0, "correct": 0, "rate": None},
        "repeat": {"attempts": 0, "correct": 0, "rate": None},
    }


def test_first_is_the_earliest_attempt_whatever_the_input_order():
    assert report.first_vs_repeat(reversed(ATTEMPTS)) == report.first_vs_repeat(ATTEMPTS)


def test_retention_curve_counts_repeats_by_whole_days_since_first_seen():
    curve = report.retention_curve(ATTEMPTS)
    assert [(p.days, p.attempts, p.correct) for p in curve] == [
        (0, 1, 1),  # Bo q3 23.5 hours after his first attempt: still day 0
        (7, 4, 2),  # Ann q1 ✗, Ann q2 ✓, Bo q1 ✓, Bo q2 ✗
        (14, 1, 0),  # Cy q1: first seen day 7, again day 21
        (21, 1, 1),  # Ann q1
    ]
    assert curve[1].rate == 0.5 and curve[2].rate == 0.0


def test_retention_curve_is_empty_without_repeats():
    assert report.retention_curve([att(ANN, "q1", 0, "correct"), att(BO, "q1", 3, "wrong")]) == []


def test_predicted_curve_is_the_mean_recall_days_after_each_last_review():
    memories = {(ANN, "q1"): ninety(), (BO, "q1"): low()}  # stabilities 10 and 1
    curve = report.predicted_curve(memories, days=(0, 1, 10))
    assert [day for day, _ in curve] == [0, 1, 10]
    assert curve[0][1] == 1.0
    m1, m2 = memories.values()
    day10 = (recall(m1, m1.last_seen + timedelta(days=10)) + recall(m2, m2.last_seen + timedelta(days=10))) / 2
    assert curve[2][1] == pytest.approx(day10)
    assert recall(m1, m1.last_seen + timedelta(days=10)) == pytest.approx(0.9)
    assert curve[0][1] > curve[1][1] > curve[2][1]


def test_predicted_curve_without_memories_is_empty_and_defaults_to_four_weeks():
    assert report.predicted_curve({}) == []
    assert [d for d, _ in report.predicted_curve({(ANN, "q1"): fresh()})] == list(range(29))


# ------------------------------------------------------------------ questions and topics


def test_question_table_figures():
    memories = fold(ATTEMPTS)
    rows = {row.uid: row for row in report.question_table(ATTEMPTS, CATALOGUE, memories, NOW)}
    q1, q2, q3, q9 = rows["q1"], rows["q2"], rows["q3"], rows["q9"]
    assert (q1.text, q1.topics, q1.people, q1.attempts, q1.correct) == (
        "What does TLS protect?",
        ("security",),
        3,
        7,
        4,
    )
    assert (q1.rate, q1.first_rate, q1.latest_rate, q1.forgotten) == (4 / 7, 2 / 3, 2 / 3, 0)
    assert (q2.people, q2.attempts, q2.correct, q2.first_rate, q2.latest_rate, q2.forgotten) == (2, 4, 2, 0.5, 0.5, 1)
    assert (q3.people, q3.attempts, q3.correct, q3.first_rate, q3.latest_rate, q3.forgotten) == (2, 3, 1, 0, 0.5, 0)
    assert (q9.text, q9.topics, q9.in_catalogue, q9.people) == ("q9", (), False, 1)
    assert q1.in_catalogue
    expected = (
        recall(memories[ANN, "q1"], NOW) + recall(memories[BO, "q1"], NOW) + recall(memories[CY, "q1"], NOW)
    ) / 3
    assert q1.mean_recall == pytest.approx(expected)
    assert "q4" not in rows  # in the catalogue but never played


def test_forgotten_needs_an_earlier_correct_and_a_latest_not_correct():
    history = [
        att(ANN, "q1", 0, "correct"),
        att(ANN, "q1", 7, "partial"),  # partial is not correct: forgotten
        att(BO, "q1", 0, "correct"),
        att(BO, "q1", 7, "none"),
        att(BO, "q1", 14, "correct"),  # recovered: not forgotten
        att(CY, "q1", 0, "wrong"),
        att(CY, "q1", 7, "wrong"),  # never knew it: not forgotten
        att(4, "q1", 0, "correct"),
        att(4, "q1", 7, "correct"),
        att(4, "q1", 14, "none"),  # forgotten
    ]
    [row] = report.question_table(history, CATALOGUE, {}, NOW)
    assert row.forgotten == 2
    assert row.mean_recall is None  # no memories given


def test_question_table_puts_most_forgotten_first_then_lowest_recall_then_uid():
    memories = fold(ATTEMPTS)
    rows = report.question_table(ATTEMPTS, CATALOGUE, memories, NOW)
    assert rows[0].uid == "q2"  # the only one forgotten
    rest = rows[1:]
    assert [(r.mean_recall, r.uid) for r in rest] == sorted((r.mean_recall, r.uid) for r in rest)
    no_memories = report.question_table(ATTEMPTS, CATALOGUE, {}, NOW)
    assert [r.uid for r in no_memories] == ["q2", "q1", "q3", "q9"]


def test_question_table_mean_recall_reads_only_that_question():
    memories = {(ANN, "q1"): low(), (BO, "q1"): fresh(), (ANN, "q2"): ninety()}
    rows = {r.uid: r for r in report.question_table(ATTEMPTS, CATALOGUE, memories, NOW)}
    assert rows["q1"].mean_recall == pytest.approx((R_LOW + R_FRESH) / 2)
    assert rows["q2"].mean_recall == pytest.approx(R_NINETY)
    assert rows["q3"].mean_recall is None


def row(uid: str, topics: tuple[str, ...], forgotten: int, mean_recall: float | None, attempts=4, correct=2):
    return report.QuestionRow(
        uid, uid, topics, 2, attempts, correct, correct / attempts, 0.5, 0.5, forgotten, mean_recall, True
    )


def test_topic_table_adds_questions_up_per_topic():
    rows = [
        row("a", ("security",), 2, 0.6),
        row("b", ("security", "networks"), 1, 0.8, attempts=6, correct=6),
        row("c", (), 0, None),
        row("d", ("networks", "networks"), 0, 0.9),  # a repeated topic counts once
        row("e", (), 1, 0.5),
    ]
    topics = report.topic_table(rows)
    assert [(t.topic, t.questions, t.forgotten, t.attempts, t.correct) for t in topics] == [
        ("security", 2, 3, 10, 8),  # a + b
        ("untagged", 2, 1, 8, 4),  # c + e: forgotten 1 like networks, lower recall (0.5)
        ("networks", 2, 1, 10, 8),  # b + d: recall 0.85
    ]
    by_name = {t.topic: t for t in topics}
    assert by_name["security"].mean_recall == pytest.approx(0.7)
    assert by_name["networks"].mean_recall == pytest.approx(0.85)
    assert by_name["untagged"].mean_recall == pytest.approx(0.5)  # c has no recall: left out of the mean
    assert by_name["security"].rate == 0.8


def test_topic_table_ties_fall_back_to_the_topic_name():
    topics = report.topic_table([row("a", ("zeta",), 0, None), row("b", ("alpha",), 0, None)])
    assert [t.topic for t in topics] == ["alpha", "zeta"]
    assert all(t.mean_recall is None for t in topics)


# ------------------------------------------------------------------ people below


PEOPLE_MEMORIES = {
    (ANN, "q1"): ninety(),  # security
    (ANN, "q2"): low(),  # security, networks
    (BO, "q1"): fresh(),
    (BO, "q3"): low(),  # untagged
    (CY, "q2"): ninety(),
}


def test_people_below_threshold_per_topic_lowest_first():
    rows = report.people_below(PEOPLE_MEMORIES, CATALOGUE, NAMES, NOW)
    assert [(r.person, r.name, r.topic, r.questions) for r in rows] == [
        (ANN, "Ann", "networks", ("q2",)),  # same recall as Bo's: by name
        (BO, "Bo", "untagged", ("q3",)),
    ]
    assert rows[0].recall == rows[1].recall == R_LOW
    # Ann's security is (0.9 + 0.59) / 2 = 0.745: above 0.7, below 0.8
    higher = report.people_below(PEOPLE_MEMORIES, CATALOGUE, NAMES, NOW, threshold=0.8)
    assert [(r.name, r.topic) for r in higher] == [("Ann", "networks"), ("Bo", "untagged"), ("Ann", "security")]
    assert higher[2].recall == pytest.approx((R_NINETY + R_LOW) / 2)
    assert higher[2].questions == ("q2", "q1")  # weakest first


def test_people_below_is_strictly_below_and_names_unknown_people():
    rows = report.people_below(PEOPLE_MEMORIES, CATALOGUE, NAMES, NOW, threshold=R_NINETY)
    assert ("Person 3", "security") not in {(r.name, r.topic) for r in rows}  # exactly at the threshold
    rows = report.people_below(PEOPLE_MEMORIES, CATALOGUE, NAMES, NOW, threshold=0.95)
    assert {(r.name, r.topic) for r in rows if r.person == CY} == {("Person 3", "security"), ("Person 3", "networks")}
    assert report.people_below({}, CATALOGUE, NAMES, NOW) == []


# ------------------------------------------------------------------ one person


def test_person_report_history_and_weakest_topics():
    memories = fold(ATTEMPTS)
    titles = {"room:0": "Kick-off", "room:7": (at(7, hours=-1), "Week 2")}
    result = report.person_report(ANN, ATTEMPTS, CATALOGUE, memories, titles, NOW)
    assert [(s.key, s.date, s.title, s.attempts, s.correct) for s in result.sessions] == [
        ("room:0", at(0), "Kick-off", 2, 1),
        ("room:7", at(7, hours=-1), "Week 2", 2, 1),
        ("room:21", at(21), "room:21", 1, 1),
    ]
    assert (result.attempts, result.correct, result.rate) == (5, 3, 0.6)
    recalls = {uid: recall(memories[ANN, uid], NOW) for uid in ("q1", "q2")}
    topics = {t.topic: t for t in result.topics}
    assert set(topics) == {"security", "networks"}
    assert topics["security"].recall == pytest.approx((recalls["q1"] + recalls["q2"]) / 2)
    assert topics["networks"].recall == pytest.approx(recalls["q2"])
    assert [t.recall for t in result.topics] == sorted(t.recall for t in result.topics)
    security = topics["security"].questions
    assert [q.recall for q in security] == sorted(q.recall for q in security)
    q1 = next(q for q in security if q.uid == "q1")
    assert (q1.text, q1.reviews, q1.lapses, q1.last_seen, q1.last_outcome) == (
        "What does TLS protect?",
        3,
        1,
        at(21),
        "correct",
    )


def test_person_report_names_self_paced_reviews_and_ignores_other_people():
    result = report.person_report(BO, ATTEMPTS, CATALOGUE, fold(ATTEMPTS), {}, NOW)
    assert [(s.key, s.title) for s in result.sessions] == [
        ("room:0", "room:0"),
        ("practice:4", "Self-paced review"),
        ("room:7", "room:7"),
    ]
    assert {t.topic for t in result.topics} == {"security", "networks", "untagged"}
    empty = report.person_report(99, ATTEMPTS, CATALOGUE, fold(ATTEMPTS), {}, NOW)
    assert (empty.sessions, empty.topics, empty.rate) == ((), (), None)


# ------------------------------------------------------------------ review round


REVIEW_MEMORIES = {
    (ANN, "q1"): ninety(),
    (BO, "q1"): ninety(lapses=1),
    (ANN, "q2"): low(),
    (BO, "q2"): fresh(),
    (ANN, "q3"): ninety(),
    (BO, "q3"): ninety(),
    (ANN, "q4"): ninety(lapses=1),
    (BO, "q4"): ninety(),
    (ANN, "q9"): low(lapses=3),  # not in the catalogue: cannot be put in a review
}


def test_pick_review_lowest_recall_then_more_lapses_then_uid():
    # q2: (0.59 + 1) / 2 ≈ 0.80; q1, q3, q4: 0.9 with 1, 0 and 1 lapses
    assert report.pick_review(REVIEW_MEMORIES, None, NOW, 10, CATALOGUE) == ["q2", "q1", "q4", "q3"]
    assert report.pick_review(REVIEW_MEMORIES, None, NOW, 2, CATALOGUE) == ["q2", "q1"]


def test_pick_review_for_some_people_only():
    # Ann alone: q2 0.59; q1, q3, q4 at 0.9 with her own lapses 0, 0, 1
    assert report.pick_review(REVIEW_MEMORIES, {ANN}, NOW, 10, CATALOGUE) == ["q2", "q4", "q1", "q3"]
    assert report.pick_review(REVIEW_MEMORIES, {BO}, NOW, 1, CATALOGUE) == ["q1"]
    assert report.pick_review(REVIEW_MEMORIES, {CY}, NOW, 5, CATALOGUE) == []
    assert report.pick_review(REVIEW_MEMORIES, set(), NOW, 5, CATALOGUE) == []
    assert report.pick_review(REVIEW_MEMORIES, None, NOW, 0, CATALOGUE) == []


# ------------------------------------------------------------------ engagement


def session(key: str, day: int, **kw) -> SessionInfo:
    fields = dict(room_id=int(key.split(":")[1]), title=f"Session {key}", participants=10, known=8, expected=None)
    fields.update(questions=5, answers=40, rating=None)
    fields.update(kw)
    return SessionInfo(key=key, at=at(day), **fields)


def test_engagement_in_date_order_with_attendance_and_answer_rate():
    rows = report.engagement(
        [session("room:3", 14, expected=10, rating=4.25), session("room:1", 0, expected=16), session("room:2", 7)]
    )
    assert [r["key"] for r in rows] == ["room:1", "room:2", "room:3"]
    assert [r["attendance"] for r in rows] == [0.5, None, 0.8]
    assert [r["answer_rate"] for r in rows] == [0.8, 0.8, 0.8]
    assert rows[2]["rating"] == 4.25 and rows[0]["date"] == at(0)
    empty = report.engagement([session("room:4", 1, participants=0, known=0, answers=0)])
    assert empty[0]["answer_rate"] is None


# ------------------------------------------------------------------ CSV rows


def test_percent_rounds_halves_up():
    assert [report.percent(v) for v in (None, 0, 2 / 3, 0.125, 0.005, 1)] == [None, 0, 67, 13, 1, 100]


def test_question_and_topic_csv_rows():
    rows = report.question_table(ATTEMPTS, CATALOGUE, {}, NOW)
    csv = report.question_csv_rows(rows)
    assert csv[0][0] == "Question" and csv[0][-1] == "Question id"
    q2 = csv[1]
    assert q2 == ["Which port is HTTPS?", "security, networks", 2, 4, 50, 50, 50, 1, "", "q2"]
    topics = report.topic_csv_rows(report.topic_table(rows))
    assert topics[0] == ["Topic", "Questions", "Attempts", "Correct %", "Forgotten", "Predicted recall now %"]
    assert topics[1] == ["networks", 1, 4, 50, 1, ""]


def test_people_engagement_and_curve_csv_rows():
    below = report.people_below(PEOPLE_MEMORIES, CATALOGUE, NAMES, NOW)
    assert report.people_below_csv_rows(below) == [
        ["Person", "Topic", "Predicted recall now %", "Questions"],
        ["Ann", "networks", report.percent(R_LOW), 1],
        ["Bo", "untagged", report.percent(R_LOW), 1],
    ]
    items = report.engagement([session("room:1", 0, expected=16, rating=4.25), session("room:2", 7)])
    csv = report.engagement_csv_rows(items)
    assert csv[1] == ["2025-03-03 09:30", "Session room:1", 10, 8, 16, 50, 5, 40, 80, 4.3]  # 4.25 rounded half up
    assert csv[2][4:6] == ["", ""] and csv[2][-1] == ""
    curve = report.curve_csv_rows(report.retention_curve(ATTEMPTS))
    assert curve[1:] == [[0, 1, 1, 100], [7, 4, 2, 50], [14, 1, 0, 0], [21, 1, 1, 100]]
    assert report.first_vs_repeat_csv_rows(report.first_vs_repeat(ATTEMPTS))[1:] == [
        ["First attempts", 8, 4, 50],
        ["Repeat attempts", 7, 4, 57],
    ]


def test_csv_table_by_name():
    board = SimpleNamespace(
        first_repeat=report.first_vs_repeat([]),
        curve=[],
        questions=[],
        topics=[],
        below=[],
        engagement=[],
    )
    for name in ("first-repeat", "curve", "questions", "topics", "people", "engagement"):
        assert report.csv_table(name, board)[0]  # a header at least
    with pytest.raises(KeyError, match="no table 'secrets'"):
        report.csv_table("secrets", board)


def test_now_must_carry_a_time_zone():
    with pytest.raises(ValueError, match="now .* no time zone"):
        report.question_table(ATTEMPTS, CATALOGUE, {}, datetime(2025, 5, 1))
