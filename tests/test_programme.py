"""The programme report's rows, pure: months, the range filter, per-month figures, topics
covered versus knowledge gaps, and the CSV tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from quizroom import programme
from quizroom.feedback import PulseItem
from quizroom.programme import Month, TopicRetention
from quizroom.recognition import SessionRecord

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


@dataclass
class Evaluation:
    room_id: int
    clarity: int
    interactivity: int
    usefulness: int


def session(room_id, trainer, when, known=(), anonymous=0, topics=(), title=None) -> SessionRecord:
    return SessionRecord(
        room_id, trainer, title or f"Session {room_id}", when, frozenset(known), anonymous, tuple(topics)
    )


# ---------------------------------------------------------------------- months
def test_months_parse_print_and_shift():
    assert programme.parse_month("2025-03", "from") == Month(2025, 3)
    assert str(Month(2025, 3)) == "2025-03" and Month(2025, 3).label == "Mar 2025"
    assert Month(2025, 1).shifted(-1) == Month(2024, 12)
    assert Month(2024, 12).shifted(13) == Month(2026, 1)
    assert Month.of(datetime(2025, 5, 31, 23, 30, tzinfo=UTC)) == Month(2025, 5)


@pytest.mark.parametrize("bad", ["2025-13", "2025-3", "25-03", "march", "", None, "2025-03-01", "1999-12"])
def test_bad_months_name_the_field(bad):
    with pytest.raises(programme.ProgrammeError) as caught:
        programme.parse_month(bad, "to")
    assert list(caught.value.errors) == ["to"] and "YYYY-MM" in caught.value.errors["to"]


def test_the_default_range_is_the_last_twelve_months():
    months = programme.choose_range("", "", NOW)
    assert (months[0], months[-1], len(months)) == (Month(2024, 7), Month(2025, 6), 12)
    assert programme.choose_range("2025-02", "2025-04", NOW) == [Month(2025, 2), Month(2025, 3), Month(2025, 4)]
    assert programme.choose_range("", "2025-01", NOW)[0] == Month(2024, 2)


def test_a_range_that_ends_before_it_starts_or_two_bad_fields_are_refused():
    with pytest.raises(programme.ProgrammeError) as caught:
        programme.choose_range("2025-05", "2025-04", NOW)
    assert "starts (2025-05) after it ends (2025-04)" in caught.value.errors["from"]
    with pytest.raises(programme.ProgrammeError) as caught:
        programme.choose_range("x", "y", NOW)
    assert set(caught.value.errors) == {"from", "to"}
    with pytest.raises(programme.ProgrammeError):
        programme.choose_range("2000-01", "2025-01", NOW)  # more than MONTHS_MAX


# ---------------------------------------------------------------------- rows
def build(sessions, evaluations=(), pulse=None, retention=(), months=None):
    months = months or programme.choose_range("2025-04", "2025-06", NOW)
    names = {10: "Tess", 11: "Cole", 12: "Ada"}
    return programme.build(sessions, evaluations, pulse or {}, retention, names, months, NOW)


def test_months_count_sessions_trainers_attendance_and_ratings():
    april = datetime(2025, 4, 3, 9, tzinfo=UTC)
    sessions = [
        session(1, 10, april, {1, 2}, 3),
        session(2, 11, april + timedelta(days=1), {2}, 1),
        session(3, 10, datetime(2025, 6, 1, tzinfo=UTC), {1}, 0),
        session(4, 12, datetime(2025, 3, 31, 23, 59, tzinfo=UTC), {9}, 9),  # March: outside the range
    ]
    evaluations = [Evaluation(1, 5, 4, 3), Evaluation(1, 3, 4, 5), Evaluation(3, 2, 2, 2), Evaluation(4, 1, 1, 1)]
    pulse = {1: [PulseItem("Rate the session", 5, 4.0, 2)], 3: [PulseItem("Rate the session", 10, 10.0, 1)]}
    report = build(sessions, evaluations, pulse)
    april_row, may, june = report.rows
    assert [str(r.month) for r in report.rows] == ["2025-04", "2025-05", "2025-06"]
    assert (april_row.sessions, april_row.trainers, april_row.participants, april_row.people) == (2, 2, 7, 6)
    assert april_row.per_session == 3.5
    assert (april_row.peer.count, april_row.peer.overall) == (2, 4.0)
    assert (april_row.pulse.count, april_row.pulse.overall) == (2, 4.0)
    assert (may.sessions, may.per_session, may.peer.overall, may.pulse.overall) == (0, None, None, None)
    assert (june.sessions, june.trainers, june.peer.overall, june.pulse.overall) == (1, 1, 2.0, 5.0)
    total = report.total
    assert (total.month, total.sessions, total.trainers, total.participants) == (None, 3, 2, 8)
    assert total.people == 2 + 4  # persons 1 and 2 once; 3 + 1 anonymous
    assert total.peer.count == 3 and total.pulse.count == 3
    assert [line.session.room_id for line in report.sessions] == [1, 2, 3]
    assert report.sessions[0].trainer == "Tess" and report.sessions[0].peer.count == 2


# ---------------------------------------------------------------------- topics
def test_topics_covered_versus_knowledge_gaps():
    long_ago = NOW - timedelta(days=programme.RECENT_DAYS + 1)
    lately = NOW - timedelta(days=programme.RECENT_DAYS)
    sessions = [
        session(1, 10, long_ago, topics=["Git"]),
        session(2, 10, lately, topics=["docker", "Kubernetes"]),
        session(3, 11, datetime(2025, 5, 2, tzinfo=UTC), topics=["kubernetes"]),
        session(4, 11, datetime(2025, 5, 3, tzinfo=UTC), topics=["SQL"]),
    ]
    retention = [
        TopicRetention("git", 0.5, 3),  # low, last session too long ago: a gap
        TopicRetention("Docker", 0.69, 2),  # low, but covered 90 days ago: fading
        TopicRetention("Kubernetes", 0.7, 1),  # exactly the threshold: retained
        TopicRetention("Linux", 0.2, 4),  # low and never covered: a gap
        TopicRetention("untagged", 0.1, 9),  # not a topic
    ]
    rows = {r.topic: r for r in programme.topic_rows(sessions, retention, [Month(2025, 5), Month(2025, 6)], NOW)}
    assert set(rows) == {"git", "Docker", "Kubernetes", "Linux", "SQL"}
    assert (rows["git"].status, rows["git"].sessions, rows["git"].last_session) == ("gap", 0, long_ago)
    assert rows["Linux"].status == "gap" and rows["Linux"].last_session is None
    assert rows["Docker"].status == "fading"
    assert (rows["Kubernetes"].status, rows["Kubernetes"].sessions) == ("ok", 1)  # March's session is out of range
    assert (rows["SQL"].status, rows["SQL"].mean_recall, rows["SQL"].sessions) == ("no data", None, 1)
    order = [r.topic for r in programme.topic_rows(sessions, retention, [Month(2025, 5)], NOW)]
    assert order == ["Linux", "git", "Docker", "SQL", "Kubernetes"]
    assert rows["git"].status_label == "Knowledge gap"


def test_topic_status_thresholds():
    recent = NOW - timedelta(days=1)
    assert programme.topic_status(None, recent, NOW) == "no data"
    assert programme.topic_status(programme.LOW_RECALL, None, NOW) == "ok"
    assert programme.topic_status(0.69, None, NOW) == "gap"
    assert programme.topic_status(0.69, recent, NOW) == "fading"


# ---------------------------------------------------------------------- downloads
def test_tables_are_csv_rows_with_formulas_defused():
    when = datetime(2025, 5, 2, 10, tzinfo=UTC)
    report = build(
        [session(1, 10, when, {1}, 2, topics=["=HYPERLINK()"], title="=cmd|' /C calc'!A0")],
        [Evaluation(1, 5, 4, 3)],
        {1: [PulseItem("Rate", 5, 3.0, 4)]},
        [TopicRetention("=HYPERLINK()", 0.4, 1)],
    )
    months = programme.table_rows(report, "months")
    assert months[0][:3] == ["month", "sessions", "trainers_active"]
    assert months[2][:6] == ["2025-05", 1, 1, 3, 3.0, 3]
    assert months[-1][0] == "total"
    header = months[0]
    may = dict(zip(header, months[2], strict=True))
    assert (may["peer_evaluations"], may["peer_average"], may["peer_clarity"]) == (1, 4.0, 5.0)
    assert (may["pulse_ratings"], may["pulse_average_5"]) == (4, 3.0)
    sessions = programme.table_rows(report, "sessions")
    row = dict(zip(sessions[0], sessions[1], strict=True))
    assert row["title"] == "'=cmd|' /C calc'!A0" and row["date"] == "2025-05-02" and row["trainer"] == "Tess"
    topics = programme.table_rows(report, "topics")
    assert topics[1][:3] == ["'=HYPERLINK()", "Low retention, covered recently", 1]
    assert topics[1][4] == 40
    with pytest.raises(ValueError):
        programme.table_rows(report, "people")
