"""Retention figures for the dashboard and its CSV files: plain functions over records.

Pure: no Flask, no database, no clock; ``now`` is passed in. The definitions are written
out in docs/retention.md ("Definitions"); keep the two in step.

Conventions used throughout:
- Attempts are read in order of (time, session key) (``memory.in_order``): a person's
  *first* attempt at a question is the earliest in that order, their *latest* the last.
- An attempt is correct only when its outcome is ``"correct"`` (``"partial"`` is not).
- A question the catalogue does not know has no topics and its uid stands in for its text.
  Questions without topics are counted under the topic ``"untagged"``.
- Means are plain means; a rate or mean over nothing is ``None`` (shown as empty), never 0.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import fmean

from .memory import Memory, as_utc, in_order, recall
from .records import Attempt, QuestionInfo, SessionInfo

UNTAGGED = "untagged"
DEFAULT_THRESHOLD = 0.7
CURVE_DAYS = tuple(range(29))  # the predicted forgetting curve: every day of four weeks

Catalogue = Mapping[str, QuestionInfo]
Memories = Mapping[tuple[int, str], Memory]


# ------------------------------------------------------------------ small helpers


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def mean(values: Iterable[float]) -> float | None:
    """The mean (exact sum, so the order of the values does not matter), or None when empty."""
    values = list(values)
    return fmean(values) if values else None


def percent(value: float | None) -> int | None:
    """A rate (0..1) as a whole percentage, halves rounded up; None stays None."""
    if value is None:
        return None
    return math.floor(100 * value + 0.5 + 1e-9)


def _low_first(value: float | None) -> float:
    """Sort key: lowest first, unknown (None) last."""
    return math.inf if value is None else value


def question_text(uid: str, catalogue: Catalogue) -> str:
    info = catalogue.get(uid)
    return info.text if info else uid


def question_topics(uid: str, catalogue: Catalogue) -> tuple[str, ...]:
    """The question's topics (each once, in order), or ``("untagged",)``."""
    info = catalogue.get(uid)
    topics = tuple(dict.fromkeys(t for t in (info.topics if info else ()) if t))
    return topics or (UNTAGGED,)


def _history(attempts: Iterable[Attempt]) -> dict[tuple[int, str], list[tuple[datetime, Attempt]]]:
    """Each (person, uid)'s attempts in order, with their UTC times."""
    history: dict[tuple[int, str], list[tuple[datetime, Attempt]]] = defaultdict(list)
    for at, attempt in in_order(attempts):
        history[attempt.person, attempt.question_uid].append((at, attempt))
    return history


def _correct(attempt: Attempt) -> bool:
    return attempt.outcome == "correct"


# ------------------------------------------------------------------ first vs repeat, curves


def first_vs_repeat(attempts: Iterable[Attempt]) -> dict[str, dict]:
    """``{"first": {...}, "repeat": {...}}``, each ``{"attempts", "correct", "rate"}``.

    A person's earliest attempt at a question is a first attempt, every later one a repeat."""
    counts = {"first": [0, 0], "repeat": [0, 0]}
    for history in _history(attempts).values():
        for index, (_, attempt) in enumerate(history):
            tally = counts["first" if index == 0 else "repeat"]
            tally[0] += 1
            tally[1] += _correct(attempt)
    return {kind: {"attempts": n, "correct": c, "rate": rate(c, n)} for kind, (n, c) in counts.items()}


@dataclass(frozen=True)
class CurvePoint:
    days: int  # whole days since the person first met the question
    attempts: int
    correct: int
    rate: float | None


def retention_curve(attempts: Iterable[Attempt]) -> list[CurvePoint]:
    """Correctness of repeat attempts by whole days since that person's first attempt at
    that question (``floor((at - first) / 1 day)``), one point per day that has any."""
    by_day: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for history in _history(attempts).values():
        first = history[0][0]
        for at, attempt in history[1:]:
            tally = by_day[(at - first) // timedelta(days=1)]
            tally[0] += 1
            tally[1] += _correct(attempt)
    return [CurvePoint(day, n, c, rate(c, n)) for day, (n, c) in sorted(by_day.items())]


def predicted_curve(memories: Memories, days: Sequence[int] = CURVE_DAYS) -> list[tuple[int, float]]:
    """The model's forgetting curve for the group: for each ``day``, the mean over all
    memories of the predicted recall ``day`` days after that memory's last review.
    Empty when there are no memories."""
    if not memories:
        return []
    return [(day, fmean(recall(m, m.last_seen + timedelta(days=day)) for m in memories.values())) for day in days]


# ------------------------------------------------------------------ questions and topics


@dataclass(frozen=True)
class QuestionRow:
    uid: str
    text: str
    topics: tuple[str, ...]  # as in the catalogue (may be empty)
    people: int  # distinct people with an attempt
    attempts: int
    correct: int
    rate: float | None  # correct / attempts
    first_rate: float | None  # people whose first attempt was correct / people
    latest_rate: float | None  # people whose latest attempt is correct / people
    forgotten: int  # people correct at some attempt before their latest, and not correct at the latest
    mean_recall: float | None  # mean predicted recall now, over the people with a memory of it
    in_catalogue: bool


def question_table(
    attempts: Iterable[Attempt], catalogue: Catalogue, memories: Memories, now: datetime
) -> list[QuestionRow]:
    """One row per question uid in ``attempts``, most forgotten first
    (forgotten descending, then mean recall ascending with unknown last, then uid)."""
    now = as_utc(now, "now")
    per_uid: dict[str, list[list[tuple[datetime, Attempt]]]] = defaultdict(list)
    for (_, uid), history in _history(attempts).items():
        per_uid[uid].append(history)
    recalls: dict[str, list[float]] = defaultdict(list)
    for (_, uid), memory in memories.items():
        recalls[uid].append(recall(memory, now))
    rows = []
    for uid, histories in per_uid.items():
        info = catalogue.get(uid)
        all_attempts = [a for h in histories for _, a in h]
        correct = sum(map(_correct, all_attempts))
        first_right = sum(_correct(h[0][1]) for h in histories)
        latest_right = sum(_correct(h[-1][1]) for h in histories)
        forgotten = sum(1 for h in histories if not _correct(h[-1][1]) and any(_correct(a) for _, a in h[:-1]))
        rows.append(
            QuestionRow(
                uid=uid,
                text=info.text if info else uid,
                topics=info.topics if info else (),
                people=len(histories),
                attempts=len(all_attempts),
                correct=correct,
                rate=rate(correct, len(all_attempts)),
                first_rate=rate(first_right, len(histories)),
                latest_rate=rate(latest_right, len(histories)),
                forgotten=forgotten,
                mean_recall=mean(recalls.get(uid, ())),
                in_catalogue=info is not None,
            )
        )
    rows.sort(key=lambda r: (-r.forgotten, _low_first(r.mean_recall), r.uid))
    return rows


@dataclass(frozen=True)
class TopicRow:
    topic: str
    questions: int
    attempts: int
    correct: int
    rate: float | None  # correct / attempts, over its questions
    mean_recall: float | None  # mean of its questions' mean recall (questions without one left out)
    forgotten: int  # sum over its questions


def topic_table(question_rows: Iterable[QuestionRow]) -> list[TopicRow]:
    """Question rows added up per topic (a question counts in each of its topics; one without
    topics under "untagged"), sorted like the questions (forgotten, recall, topic)."""
    grouped: dict[str, list[QuestionRow]] = defaultdict(list)
    for row in question_rows:
        for topic in dict.fromkeys(t for t in row.topics if t) or (UNTAGGED,):
            grouped[topic].append(row)
    topics = []
    for topic, rows in grouped.items():
        attempts = sum(r.attempts for r in rows)
        correct = sum(r.correct for r in rows)
        topics.append(
            TopicRow(
                topic=topic,
                questions=len(rows),
                attempts=attempts,
                correct=correct,
                rate=rate(correct, attempts),
                mean_recall=mean(r.mean_recall for r in rows if r.mean_recall is not None),
                forgotten=sum(r.forgotten for r in rows),
            )
        )
    topics.sort(key=lambda t: (-t.forgotten, _low_first(t.mean_recall), t.topic))
    return topics


# ------------------------------------------------------------------ people


def person_name(person: int, names: Mapping[int, str]) -> str:
    return names.get(person) or f"Person {person}"


def _recall_by_topic(
    memories: Iterable[tuple[str, Memory]], catalogue: Catalogue, now: datetime
) -> dict[str, list[tuple[float, str]]]:
    """topic -> [(recall now, uid)] for one person's memories, weakest first."""
    topics: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for uid, memory in memories:
        value = recall(memory, now)
        for topic in question_topics(uid, catalogue):
            topics[topic].append((value, uid))
    for entries in topics.values():
        entries.sort()
    return topics


@dataclass(frozen=True)
class PersonTopic:
    person: int
    name: str
    topic: str
    recall: float  # mean predicted recall now over the topic's questions they have a memory of
    questions: tuple[str, ...]  # those question uids, weakest first


def people_below(
    memories: Memories,
    catalogue: Catalogue,
    names: Mapping[int, str],
    now: datetime,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[PersonTopic]:
    """Every (person, topic) whose mean predicted recall now is below ``threshold``
    (strictly), lowest first (then name, person id, topic)."""
    now = as_utc(now, "now")
    per_person: dict[int, list[tuple[str, Memory]]] = defaultdict(list)
    for (person, uid), memory in memories.items():
        per_person[person].append((uid, memory))
    rows = []
    for person, own in per_person.items():
        for topic, entries in _recall_by_topic(own, catalogue, now).items():
            value = fmean(v for v, _ in entries)
            if value < threshold:
                rows.append(PersonTopic(person, person_name(person, names), topic, value, tuple(u for _, u in entries)))
    rows.sort(key=lambda r: (r.recall, r.name, r.person, r.topic))
    return rows


@dataclass(frozen=True)
class SessionRow:
    key: str
    date: datetime  # their earliest attempt in that session
    title: str
    attempts: int
    correct: int
    rate: float | None


@dataclass(frozen=True)
class PersonQuestion:
    uid: str
    text: str
    recall: float
    reviews: int
    lapses: int
    last_seen: datetime
    last_outcome: str


@dataclass(frozen=True)
class PersonTopicDetail:
    topic: str
    recall: float
    questions: tuple[PersonQuestion, ...]  # weakest first


@dataclass(frozen=True)
class PersonReport:
    person: int
    attempts: int
    correct: int
    rate: float | None
    sessions: tuple[SessionRow, ...]  # in date order
    topics: tuple[PersonTopicDetail, ...]  # weakest first


SessionTitles = Mapping[str, str | tuple[datetime, str]]


def session_title(key: str, titles: SessionTitles) -> str:
    known = titles.get(key)
    title = known[1] if isinstance(known, tuple) else known
    if title:
        return title
    return "Self-paced review" if key.startswith("practice:") else key


def person_report(
    person: int,
    attempts: Iterable[Attempt],
    catalogue: Catalogue,
    memories: Memories,
    sessions_titles: SessionTitles,
    now: datetime,
) -> PersonReport:
    """One person's history per session (date order) and topics (weakest first, by mean
    predicted recall now; questions weakest first). Other people's records are ignored.

    ``sessions_titles`` maps a session key to its title, or to ``(date, title)`` where the
    session has a date of its own (a room's opening); otherwise a session is dated by the
    person's earliest attempt in it."""
    now = as_utc(now, "now")
    sessions: dict[str, list[tuple[datetime, Attempt]]] = defaultdict(list)
    for at, attempt in in_order(a for a in attempts if a.person == person):
        sessions[attempt.session].append((at, attempt))
    session_rows = []
    for key, entries in sessions.items():
        correct = sum(_correct(a) for _, a in entries)
        known = sessions_titles.get(key)
        date = as_utc(known[0], f"session {key} date") if isinstance(known, tuple) else entries[0][0]
        title = session_title(key, sessions_titles)
        session_rows.append(SessionRow(key, date, title, len(entries), correct, rate(correct, len(entries))))
    session_rows.sort(key=lambda s: (s.date, s.key))
    own = {uid: memory for (who, uid), memory in memories.items() if who == person}
    topics = []
    for topic, entries in _recall_by_topic(own.items(), catalogue, now).items():
        questions = tuple(
            PersonQuestion(
                uid=uid,
                text=question_text(uid, catalogue),
                recall=value,
                reviews=own[uid].reviews,
                lapses=own[uid].lapses,
                last_seen=own[uid].last_seen,
                last_outcome=own[uid].outcomes[-1] if own[uid].outcomes else "",
            )
            for value, uid in entries
        )
        topics.append(PersonTopicDetail(topic, fmean(q.recall for q in questions), questions))
    topics.sort(key=lambda t: (t.recall, t.topic))
    attempts_total = sum(s.attempts for s in session_rows)
    correct_total = sum(s.correct for s in session_rows)
    return PersonReport(
        person=person,
        attempts=attempts_total,
        correct=correct_total,
        rate=rate(correct_total, attempts_total),
        sessions=tuple(session_rows),
        topics=tuple(topics),
    )


# ------------------------------------------------------------------ review round


def pick_review(
    memories: Memories,
    people: set[int] | None,
    now: datetime,
    n: int,
    catalogue: Catalogue,
) -> list[str]:
    """The ``n`` question uids most at risk for ``people`` (None: everyone in ``memories``):
    lowest mean predicted recall now over those people's memories of it, ties broken by more
    lapses (summed over them), then uid. Only questions in the catalogue (a review round
    is built from their specs) that at least one of the people has met."""
    if n <= 0:
        return []
    now = as_utc(now, "now")
    recalls: dict[str, list[float]] = defaultdict(list)
    lapses: dict[str, int] = defaultdict(int)
    for (person, uid), memory in memories.items():
        if uid in catalogue and (people is None or person in people):
            recalls[uid].append(recall(memory, now))
            lapses[uid] += memory.lapses
    ranked = sorted(recalls, key=lambda uid: (fmean(recalls[uid]), -lapses[uid], uid))
    return ranked[:n]


# ------------------------------------------------------------------ engagement


def engagement(sessions: Iterable[SessionInfo]) -> list[dict]:
    """One dict per live session, oldest first: ``attendance`` = known / expected (None
    without an expected group size), ``answer_rate`` = answers / (participants x questions)."""
    rows = []
    for s in sorted(sessions, key=lambda s: (as_utc(s.at, f"session {s.key} time"), s.key)):
        rows.append(
            {
                "key": s.key,
                "room_id": s.room_id,
                "date": as_utc(s.at, f"session {s.key} time"),
                "title": s.title,
                "participants": s.participants,
                "known": s.known,
                "expected": s.expected,
                "attendance": s.known / s.expected if s.expected else None,
                "questions": s.questions,
                "answers": s.answers,
                "answer_rate": s.answer_rate,
                "rating": s.rating,
            }
        )
    return rows


# ------------------------------------------------------------------ CSV rows
# Raw cells, header first. Write them with a formula-neutralising writer (every cell through
# quizroom.results.neutralise): titles, names and question texts are user text.


def _cell(value: object) -> object:
    return "" if value is None else value


def _pct(value: float | None) -> object:
    return _cell(percent(value))


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def first_vs_repeat_csv_rows(summary: Mapping[str, Mapping]) -> list[list[object]]:
    rows: list[list[object]] = [["Attempts", "Count", "Correct", "Correct %"]]
    for kind, label in (("first", "First attempts"), ("repeat", "Repeat attempts")):
        part = summary[kind]
        rows.append([label, part["attempts"], part["correct"], _pct(part["rate"])])
    return rows


def curve_csv_rows(points: Iterable[CurvePoint]) -> list[list[object]]:
    rows: list[list[object]] = [["Days since first attempt", "Repeat attempts", "Correct", "Correct %"]]
    rows += [[p.days, p.attempts, p.correct, _pct(p.rate)] for p in points]
    return rows


def question_csv_rows(question_rows: Iterable[QuestionRow]) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            "Question",
            "Topics",
            "People",
            "Attempts",
            "Correct %",
            "First attempt correct %",
            "Latest attempt correct %",
            "Forgotten",
            "Predicted recall now %",
            "Question id",
        ]
    ]
    for r in question_rows:
        rows.append(
            [
                r.text,
                ", ".join(r.topics),
                r.people,
                r.attempts,
                _pct(r.rate),
                _pct(r.first_rate),
                _pct(r.latest_rate),
                r.forgotten,
                _pct(r.mean_recall),
                r.uid,
            ]
        )
    return rows


def topic_csv_rows(topic_rows: Iterable[TopicRow]) -> list[list[object]]:
    rows: list[list[object]] = [["Topic", "Questions", "Attempts", "Correct %", "Forgotten", "Predicted recall now %"]]
    rows += [[t.topic, t.questions, t.attempts, _pct(t.rate), t.forgotten, _pct(t.mean_recall)] for t in topic_rows]
    return rows


def people_below_csv_rows(person_topics: Iterable[PersonTopic]) -> list[list[object]]:
    rows: list[list[object]] = [["Person", "Topic", "Predicted recall now %", "Questions"]]
    rows += [[p.name, p.topic, _pct(p.recall), len(p.questions)] for p in person_topics]
    return rows


def engagement_csv_rows(items: Iterable[Mapping]) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            "Date (UTC)",
            "Session",
            "Participants",
            "Known people",
            "Expected",
            "Attendance %",
            "Questions",
            "Answers",
            "Answer rate %",
            "Rating",
        ]
    ]
    for e in items:
        rows.append(
            [
                _date(e["date"]),
                e["title"],
                e["participants"],
                e["known"],
                _cell(e["expected"]),
                _pct(e["attendance"]),
                e["questions"],
                e["answers"],
                _pct(e["answer_rate"]),
                "" if e["rating"] is None else math.floor(10 * e["rating"] + 0.5 + 1e-9) / 10,
            ]
        )
    return rows


def csv_table(name: str, board: object) -> list[list[object]]:
    """The CSV rows of one dashboard table by name, read from an object carrying the
    figures (``first_repeat``, ``curve``, ``questions``, ``topics``, ``below``, ``engagement``)."""
    builders = {
        "first-repeat": lambda: first_vs_repeat_csv_rows(board.first_repeat),
        "curve": lambda: curve_csv_rows(board.curve),
        "questions": lambda: question_csv_rows(board.questions),
        "topics": lambda: topic_csv_rows(board.topics),
        "people": lambda: people_below_csv_rows(board.below),
        "engagement": lambda: engagement_csv_rows(board.engagement),
    }
    if name not in builders:
        raise KeyError(f"no table {name!r}: expected one of {', '.join(builders)}")
    return builders[name]()
