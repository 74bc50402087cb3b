"""The programme report for the team lead (docs/feedback.md): per month, sessions, trainers
active, attendance and ratings; per session the same; per topic, what was covered and where
knowledge is fading without a recent session (a knowledge gap). Pure: plain records in
(recognition.SessionRecord, evaluations, pulse items, topic retention), rows out; ``now`` is
passed in. The CSV/XLSX downloads are ``table_rows``, formula-safe.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .engine.questions import topic_key
from .feedback import ITEMS, Averages, Pulse, PulseItem, averages, pulse_summary
from .recognition import SessionRecord, reach
from .results import neutralise

LOW_RECALL = 0.7  # a topic's mean predicted recall below this is low (the retention dashboard's default)
RECENT_DAYS = 90  # a topic covered by a session this many days before today (or fewer) was covered recently
DEFAULT_MONTHS = 12  # the report's range when none is chosen: this month and the 11 before
MONTHS_MAX = 120
UNTAGGED = "untagged"  # the retention model's name for questions without topics: not a topic here
STATUS_LABELS = {
    "gap": "Knowledge gap",
    "fading": "Low retention, covered recently",
    "ok": "Retained",
    "no data": "No retention data",
}
STATUS_ORDER = {"gap": 0, "fading": 1, "no data": 2, "ok": 3}
TABLES = ("months", "sessions", "topics")


class ProgrammeError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# ---------------------------------------------------------------------- months
@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def of(cls, moment: datetime) -> Month:
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
        return cls(moment.year, moment.month)

    def shifted(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def label(self) -> str:
        return datetime(self.year, self.month, 1).strftime("%b %Y")


def parse_month(text: object, name: str) -> Month:
    """``YYYY-MM`` (what ``<input type=month>`` sends); ProgrammeError names the field."""
    raw = text.strip() if isinstance(text, str) else ""
    parts = raw.split("-")
    if len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and len(parts[1]) == 2 and parts[1].isdigit():
        year, month = int(parts[0]), int(parts[1])
        if 2000 <= year <= 2999 and 1 <= month <= 12:
            return Month(year, month)
    raise ProgrammeError({name: f"enter a month as YYYY-MM (for example 2025-03), not {raw[:20]!r}"})


def month_range(start: Month, end: Month) -> list[Month]:
    if start > end:
        raise ProgrammeError({"from": f"the range starts ({start}) after it ends ({end})"})
    months = [start]
    while months[-1] < end:
        months.append(months[-1].shifted(1))
        if len(months) > MONTHS_MAX:
            raise ProgrammeError({"from": f"choose at most {MONTHS_MAX} months"})
    return months


def choose_range(start: object, end: object, now: datetime) -> list[Month]:
    """The months from the filter's ``from`` and ``to`` (either may be empty: the default
    range is the last DEFAULT_MONTHS months up to this one)."""
    errors: dict[str, str] = {}
    this = Month.of(now)
    given_end = given_start = None
    try:
        given_end = parse_month(end, "to") if end else this
    except ProgrammeError as error:
        errors.update(error.errors)
    try:
        given_start = parse_month(start, "from") if start else (given_end or this).shifted(1 - DEFAULT_MONTHS)
    except ProgrammeError as error:
        errors.update(error.errors)
    if errors:
        raise ProgrammeError(errors)
    return month_range(given_start, given_end)


# ---------------------------------------------------------------------- rows
@dataclass(frozen=True)
class MonthRow:
    month: Month | None  # None: the whole range
    sessions: int
    trainers: int  # distinct trainers who ran a session
    participants: int  # summed over sessions
    people: int  # people reached: known people once, anonymous participants per session
    peer: Averages
    pulse: Pulse

    @property
    def per_session(self) -> float | None:
        return self.participants / self.sessions if self.sessions else None


@dataclass(frozen=True)
class SessionRow:
    session: SessionRecord
    trainer: str
    peer: Averages
    pulse: Pulse


@dataclass(frozen=True)
class TopicRetention:
    """One topic of the retention model's topic table (quizroom/retention/report.py)."""

    topic: str
    mean_recall: float | None
    questions: int


@dataclass(frozen=True)
class TopicRow:
    topic: str
    sessions: int  # sessions in the range that played one of its questions
    last_session: datetime | None  # the latest such session, in or before the range
    mean_recall: float | None
    questions: int
    status: str  # gap | fading | ok | no data

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Report:
    months: list[Month]
    now: datetime
    rows: list[MonthRow]
    total: MonthRow
    sessions: list[SessionRow]
    topics: list[TopicRow]
    low_recall: float = LOW_RECALL
    recent_days: int = RECENT_DAYS
    names: dict[int, str] = field(default_factory=dict)

    @property
    def first(self) -> Month:
        return self.months[0]

    @property
    def last(self) -> Month:
        return self.months[-1]


def _month_row(month: Month | None, sessions: list[SessionRecord], evaluations: list, pulse: Mapping) -> MonthRow:
    ids = {s.room_id for s in sessions}
    return MonthRow(
        month=month,
        sessions=len(sessions),
        trainers=len({s.trainer_id for s in sessions}),
        participants=sum(s.participants for s in sessions),
        people=reach(sessions).total,
        peer=averages(e for e in evaluations if e.room_id in ids),
        pulse=pulse_summary({room: items for room, items in pulse.items() if room in ids}),
    )


def topic_status(mean_recall: float | None, last_session: datetime | None, now: datetime) -> str:
    """gap: recall below LOW_RECALL and no session on the topic in the last RECENT_DAYS days;
    fading: low, but covered recently; ok: at or above LOW_RECALL; no data: nobody known answered."""
    if mean_recall is None:
        return "no data"
    if mean_recall >= LOW_RECALL:
        return "ok"
    recent = last_session is not None and last_session >= now - timedelta(days=RECENT_DAYS)
    return "fading" if recent else "gap"


def topic_rows(
    sessions: Iterable[SessionRecord], retention: Iterable[TopicRetention], months: list[Month], now: datetime
) -> list[TopicRow]:
    """Every topic with retention data or played in the range; knowledge gaps first, then by
    recall (lowest first) and name. Topics match regardless of case; the retention model's
    spelling wins. Retention and "last session" are today's (not limited to the range), so a
    gap means what it says now."""
    first, last = months[0], months[-1]
    spelling: dict[str, str] = {}
    recall: dict[str, TopicRetention] = {}
    for row in retention:
        if row.topic == UNTAGGED:
            continue
        key = topic_key(row.topic)
        spelling.setdefault(key, row.topic)
        recall[key] = row
    in_range: dict[str, int] = defaultdict(int)
    latest: dict[str, datetime] = {}
    for session in sessions:
        month = Month.of(session.started_at)
        if session.started_at > now:
            continue
        for topic in dict.fromkeys(topic_key(t) for t in session.topics if t):
            spelling.setdefault(topic, next(t for t in session.topics if topic_key(t) == topic))
            latest[topic] = max(latest.get(topic, session.started_at), session.started_at)
            if first <= month <= last:
                in_range[topic] += 1
    rows = []
    for key in set(recall) | set(in_range):
        known = recall.get(key)
        mean = known.mean_recall if known else None
        rows.append(
            TopicRow(
                topic=spelling[key],
                sessions=in_range.get(key, 0),
                last_session=latest.get(key),
                mean_recall=mean,
                questions=known.questions if known else 0,
                status=topic_status(mean, latest.get(key), now),
            )
        )
    rows.sort(
        key=lambda r: (
            STATUS_ORDER[r.status],
            r.mean_recall if r.mean_recall is not None else 2.0,
            r.topic.casefold(),
        )
    )
    return rows


def build(
    sessions: Iterable[SessionRecord],
    evaluations: Iterable[object],
    pulse: Mapping[int, Iterable[PulseItem]],
    retention: Iterable[TopicRetention],
    names: Mapping[int, str],
    months: list[Month],
    now: datetime,
) -> Report:
    """``evaluations``: anything with ``room_id`` and the rubric scores. A session belongs to
    the month it started in (UTC)."""
    every = sorted(sessions, key=lambda s: (s.started_at, s.room_id))
    chosen = set(months)
    kept = [s for s in every if Month.of(s.started_at) in chosen]
    evaluations = list(evaluations)
    pulse = {room: list(items) for room, items in pulse.items()}
    by_month: dict[Month, list[SessionRecord]] = defaultdict(list)
    for s in kept:
        by_month[Month.of(s.started_at)].append(s)
    by_room: dict[int, list] = defaultdict(list)
    for e in evaluations:
        by_room[e.room_id].append(e)
    return Report(
        months=months,
        now=now,
        rows=[_month_row(m, by_month.get(m, []), evaluations, pulse) for m in months],
        total=_month_row(None, kept, evaluations, pulse),
        sessions=[
            SessionRow(
                s,
                names.get(s.trainer_id, ""),
                averages(by_room.get(s.room_id, [])),
                pulse_summary({s.room_id: pulse.get(s.room_id, [])}),
            )
            for s in kept
        ],
        topics=topic_rows(every, retention, months, now),
        names=dict(names),
    )


# ---------------------------------------------------------------------- downloads
def _number(value: float | None, digits: int = 2) -> object:
    return "" if value is None else round(value, digits)


def _percent(value: float | None) -> object:
    return "" if value is None else round(100 * value)


def _peer_cells(peer: Averages) -> list[object]:
    return [peer.count, _number(peer.overall)] + [_number(peer.items[k]) for k in ITEMS]


PEER_HEADER = ["peer_evaluations", "peer_average"] + [f"peer_{k}" for k in ITEMS]
PULSE_HEADER = ["pulse_ratings", "pulse_average_5"]


def table_rows(report: Report, table: str) -> list[list[object]]:
    """One of TABLES as CSV rows, header first, formula-safe."""
    if table == "months":
        rows: list[list[object]] = [
            ["month", "sessions", "trainers_active", "participants", "participants_per_session", "people_reached"]
            + PEER_HEADER
            + PULSE_HEADER
        ]
        for row in [*report.rows, report.total]:
            rows.append(
                [str(row.month) if row.month else "total", row.sessions, row.trainers, row.participants]
                + [_number(row.per_session, 1), row.people]
                + _peer_cells(row.peer)
                + [row.pulse.count, _number(row.pulse.overall)]
            )
    elif table == "sessions":
        rows = [["date", "room_id", "title", "trainer", "participants", "known_people", "anonymous"]]
        rows[0] += PEER_HEADER + PULSE_HEADER
        for line in report.sessions:
            s = line.session
            rows.append(
                [s.started_at.astimezone(UTC).strftime("%Y-%m-%d"), s.room_id, s.title, line.trainer]
                + [s.participants, len(s.known), s.anonymous]
                + _peer_cells(line.peer)
                + [line.pulse.count, _number(line.pulse.overall)]
            )
    elif table == "topics":
        rows = [["topic", "status", "sessions_in_range", "last_session", "mean_recall_percent", "questions"]]
        for topic in report.topics:
            last = topic.last_session.astimezone(UTC).strftime("%Y-%m-%d") if topic.last_session else ""
            rows.append(
                [topic.topic, topic.status_label, topic.sessions, last, _percent(topic.mean_recall), topic.questions]
            )
    else:
        raise ValueError(f"unknown table {table!r}: one of {', '.join(TABLES)}")
    return [[neutralise(cell) for cell in row] for row in rows]
