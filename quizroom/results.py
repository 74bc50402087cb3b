"""What happened in a room: reports built from the stored rooms, participants, answers and
submissions.

The agenda of a room is the frozen copy in ``Room.snapshot["activities"]`` (plan-format
specs: quiz questions with the order question's ``display`` permutation, polls, boards,
surveys; rooms from before session plans stored ``"questions"``), so a report stays right
after its deck or plan is edited or deleted. Answers of skipped (voided) questions are left out.

Polls, boards and surveys are rebuilt by replaying the room's stored submissions through
the engine (``activity_reports``), exactly as a restart rebuilds a live room; their CSV and
Markdown exports are built from those reports.

Everything here reads; nothing writes. The web blueprint only renders what this returns.
"""

from __future__ import annotations

import csv
import io
import math
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask

from . import models
from .app import database
from .engine import DeckInvalid, EngineError, parse_question
from .engine.plan import parse_activity
from .engine.questions import KINDS as QUESTION_TYPES
from .engine.questions import ChoiceQuestion, OrderQuestion, Question, SliderQuestion, TypedQuestion
from .engine.scoring import competition_ranks
from .engine.text import fold_answer

TYPE_LABELS = {
    "single": "Single choice",
    "multi": "Multiple select",
    "truefalse": "True / false",
    "typed": "Type the answer",
    "slider": "Slider",
    "order": "Ordering",
    "poll": "Poll",
}
POLL_LABELS = {
    "single": "Poll: single choice",
    "multi": "Poll: multiple choice",
    "wordcloud": "Word cloud",
    "rating": "Rating",
    "open": "Open text",
    "ranking": "Ranking",
}
KIND_LABELS = {"poll": "Poll", "board": "Board", "survey": "Survey"}
DISTRIBUTION_ROWS = 12  # typed and order answers: the most common, then "other answers"
SLIDER_VALUES = 20  # more distinct slider values than this are grouped into ranges
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = [
    "room",
    "room_code",
    "room_date",
    "question_number",
    "question_type",
    "question_text",
    "participant",
    "answer",
    "correct",
    "points",
    "response_ms",
    "status",
]


# ---------------------------------------------------------------- records
@dataclass
class RoomInfo:
    id: int
    code: str
    title: str
    deck_id: int | None
    created_at: datetime
    ended_at: datetime | None
    live: bool
    phase: str
    participants: int
    questions: int
    activities: int = 0  # polls, boards and surveys on the agenda
    plan_id: int | None = None

    @property
    def status(self) -> str:
        if not self.live:
            return "ended"
        return "lobby" if self.phase == "lobby" else "live"


@dataclass
class Cell:
    """One participant's answer to one question (or the lack of it)."""

    question: int
    status: str  # answered | no answer | skipped | not asked | open
    answered: bool = False
    value: object = None
    answer: str = ""
    correct: bool | None = None
    points: int = 0
    response_ms: int | None = None


@dataclass
class Bar:
    label: str
    count: int
    percent: int
    correct: bool | None = None


@dataclass
class QuestionReport:
    index: int  # among the room's quiz questions (0-based)
    uid: str
    type: str
    text: str
    image: str | None
    points: int
    time_limit: int
    status: str  # asked | open | skipped | not asked
    correct_answer: str | None
    answered: int = 0
    correct: int = 0
    percent_correct: int | None = None
    average_ms: int | None = None
    distribution: list[Bar] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    position: int | None = None  # on the room's agenda (answers are stored by it)

    def __post_init__(self) -> None:
        if self.position is None:
            self.position = self.index

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    @property
    def scored(self) -> bool:
        return self.type != "poll" and self.points > 0


@dataclass
class ParticipantReport:
    number: int
    nickname: str
    rank: int | None
    score: int
    correct: int
    answered: int
    best_streak: int
    removed: bool
    average_ms: int | None
    cells: list[Cell]


@dataclass
class ActivityReport:
    """A poll, board or survey of a room: the engine's report after replaying its submissions."""

    position: int
    uid: str
    kind: str  # poll | board | survey
    status: str  # done | open | not reached
    data: dict  # run.report(names)
    activity: object = None  # the engine spec
    submissions: list = field(default_factory=list)  # this position's, in arrival order

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def anonymous(self) -> bool:
        return bool(self.data.get("anonymous", True))

    @property
    def title(self) -> str:
        return str(
            self.data.get("prompt")
            if self.kind == "board"
            else self.data.get("title")
            if self.kind == "survey"
            else self.data.get("text", "")
        )

    @property
    def type_label(self) -> str:
        if self.kind == "poll":
            return POLL_LABELS.get(str(self.data.get("type")), "Poll")
        return KIND_LABELS.get(self.kind, self.kind)

    def as_json(self) -> dict:
        return {
            "position": self.position,
            "number": self.number,
            "uid": self.uid,
            "kind": self.kind,
            "status": self.status,
            "report": self.data,
        }


@dataclass
class Report:
    room: RoomInfo
    questions: list[QuestionReport]
    participants: list[ParticipantReport]
    summary: dict
    activities: list[ActivityReport] = field(default_factory=list)

    @property
    def agenda(self) -> list[tuple[str, object]]:
        """Every item in agenda order: ("question", QuestionReport) or ("activity", ActivityReport)."""
        items: list[tuple[int, str, object]] = [(q.position, "question", q) for q in self.questions]
        items += [(a.position, "activity", a) for a in self.activities]
        return [(kind, item) for _position, kind, item in sorted(items, key=lambda i: i[0])]


# ------------------------------------------------------------- formatting
def number_text(value: object) -> str:
    """2005.0 -> "2005", 0.5 -> "0.5"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _with_unit(value: object, unit: str) -> str:
    return f"{number_text(value)} {unit}" if unit else number_text(value)


def _choice(question: ChoiceQuestion, index: object) -> str:
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(question.choices):
        return question.choices[index]
    return f"(unknown choice {index})"


def _order_items(question: OrderQuestion, value: object) -> list[str]:
    out = []
    for screen_id in value if isinstance(value, list) else []:
        if isinstance(screen_id, int) and 0 <= screen_id < len(question.display):
            out.append(question.items[question.display[screen_id]])
        else:
            out.append(f"(unknown item {screen_id})")
    return out


def answer_text(question: Question, value: object) -> str:
    """An answer as a person reads it: choice texts, the typed text, a number, an order."""
    if value is None:
        return ""
    if isinstance(question, ChoiceQuestion):
        if question.multiple:
            return "; ".join(_choice(question, v) for v in (value if isinstance(value, list) else [value]))
        return _choice(question, value)
    if isinstance(question, TypedQuestion):
        return str(value)
    if isinstance(question, SliderQuestion):
        return _with_unit(value, question.unit)
    if isinstance(question, OrderQuestion):
        return " → ".join(_order_items(question, value))
    return str(value)


def correct_answer_text(question: Question) -> str | None:
    if question.kind == "poll":
        return None
    if isinstance(question, ChoiceQuestion):
        return "; ".join(question.choices[i] for i in sorted(question.correct))
    if isinstance(question, TypedQuestion):
        return " / ".join(question.accepted)
    if isinstance(question, SliderQuestion):
        text = _with_unit(question.target, question.unit)
        return f"{text} (± {number_text(question.tolerance)})" if question.tolerance else text
    if isinstance(question, OrderQuestion):
        return " → ".join(question.items)
    return None


def neutralise(cell: object) -> object:
    """Spreadsheets run cells starting with = + - @ (and tab, CR) as formulas: defuse them."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


# ------------------------------------------------------------------ rooms
def _info(row: models.Room, participants: int) -> RoomInfo:
    snapshot = row.snapshot or {}
    agenda = agenda_specs(snapshot)
    questions = sum(1 for _position, kind, _spec in agenda if kind == "question")
    return RoomInfo(
        id=row.id,
        code=row.code,
        title=row.title,
        deck_id=row.deck_id,
        created_at=_utc(row.created_at),
        ended_at=_utc(row.ended_at),
        live=row.live,
        phase=str(snapshot.get("phase", "lobby")),
        participants=participants,
        questions=questions,
        activities=len(agenda) - questions,
        plan_id=row.plan_id,
    )


def list_rooms(app: Flask, trainer_id: int) -> list[RoomInfo]:
    """This trainer's rooms, newest first, with how many people joined."""
    people = (
        sa.select(models.Participant.room_id, sa.func.count().label("n"))
        .where(models.Participant.removed.is_(False))
        .group_by(models.Participant.room_id)
        .subquery()
    )
    query = (
        sa.select(models.Room, sa.func.coalesce(people.c.n, 0))
        .outerjoin(people, people.c.room_id == models.Room.id)
        .where(models.Room.trainer_id == trainer_id)
        .order_by(models.Room.created_at.desc(), models.Room.id.desc())
    )
    with database(app).read() as s:
        return [_info(row, count) for row, count in s.execute(query)]


def _kind(spec: object) -> str:
    if not isinstance(spec, dict):
        return ""
    kind = spec.get("kind")
    if kind is None and spec.get("type") in QUESTION_TYPES:
        return "question"  # a bare deck question
    return str(kind or "")


def agenda_specs(snapshot: dict) -> list[tuple[int, str, dict]]:
    """A room's agenda as (position, kind, spec); quiz question specs without their "kind"
    (rooms from before session plans stored "questions")."""
    if "activities" in snapshot:
        specs = list(snapshot.get("activities") or [])
    else:
        specs = [{"kind": "question", **q} for q in snapshot.get("questions") or [] if isinstance(q, dict)]
    out = []
    for position, spec in enumerate(specs):
        kind = _kind(spec)
        if kind == "question":
            spec = {k: v for k, v in spec.items() if k != "kind"}
        out.append((position, kind, spec if isinstance(spec, dict) else {}))
    return out


def snapshot_questions(snapshot: dict) -> list[dict]:
    """The quiz question specs of a room, in agenda order."""
    return [spec for _position, kind, spec in agenda_specs(snapshot) if kind == "question"]


def _questions(snapshot: dict) -> list[tuple[int, dict, Question | None]]:
    """(position, spec, question or None when this version cannot read it) per quiz question."""
    out: list[tuple[int, dict, Question | None]] = []
    for position, kind, spec in agenda_specs(snapshot):
        if kind != "question":
            continue
        try:
            out.append((position, spec, parse_question(spec)))
        except DeckInvalid:
            out.append((position, spec, None))
    return out


def _played(snapshot: dict) -> set[int] | None:
    played = snapshot.get("played")
    return {p for p in played if isinstance(p, int)} if isinstance(played, list) else None


def _question_status(position: int, snapshot: dict, voided: set[int]) -> str:
    phase = snapshot.get("phase", "lobby")
    reached = snapshot.get("index", -1)
    played = _played(snapshot)
    if position in voided:
        return "skipped"
    if phase == "lobby" or (position not in played if played is not None else position > reached):
        return "not asked"
    if position == reached and phase == "question":
        return "open"
    return "asked"


def _activity_status(position: int, snapshot: dict, live: bool) -> str:
    phase = snapshot.get("phase", "lobby")
    played = _played(snapshot)
    if played is None:
        played = set(range(int(snapshot.get("index", -1)) + 1)) if phase != "lobby" else set()
    if position not in played:
        return "not reached"
    if live and phase == "activity" and position == snapshot.get("index"):
        return "open"
    return "done"


# ------------------------------------------------------ polls, boards, surveys
def _field(item: object, *names: str):
    for name in names:
        if isinstance(item, dict) and name in item:
            return item[name]
        if hasattr(item, name):
            return getattr(item, name)
    return None


def activity_reports(room_row, submissions, names: dict[int, str]) -> list[ActivityReport]:
    """Every poll, board and survey of a room, rebuilt by replaying its stored submissions.

    ``room_row`` is a ``models.Room`` (or anything with its ``snapshot`` and ``live``);
    ``submissions`` are the room's submissions in arrival order (``models.Submission`` rows or
    ``engine.SubmissionRecord``s); ``names`` maps participant number -> nickname (the engine
    leaves nicknames out of anonymous activities). For each agenda position that is not a
    quiz question: a fresh run, its snapshot state loaded, every submission of that position
    replayed in order, then ``run.report(names)``.
    """
    snapshot = dict(getattr(room_row, "snapshot", None) or {})
    live = bool(getattr(room_row, "live", False))
    states = snapshot.get("runs") or {}
    by_position: dict[int, list] = defaultdict(list)
    for item in submissions:
        by_position[_field(item, "position")].append(item)
    out: list[ActivityReport] = []
    for position, kind, spec in agenda_specs(snapshot):
        if kind == "question":
            continue
        try:
            activity = parse_activity(spec)
        except DeckInvalid:
            continue  # a snapshot this version cannot read
        run = activity.new_run()
        state = states.get(str(position))
        if isinstance(state, dict):
            run.load_state(state)
        mine = by_position.get(position, [])
        for item in mine:
            record = _field(item, "record")
            run.replay(
                int(_field(item, "participant", "participant_number")),
                str(_field(item, "action")),
                record if isinstance(record, dict) else {},
            )
        out.append(
            ActivityReport(
                position=position,
                uid=activity.uid,
                kind=activity.kind,
                status=_activity_status(position, snapshot, live),
                data=run.report(names),
                activity=activity,
                submissions=mine,
            )
        )
    return out


# ---------------------------------------------------------- distributions
def _choice_bars(question: ChoiceQuestion, values: list) -> list[Bar]:
    counts = [0] * len(question.choices)
    for value in values:
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, int) and 0 <= v < len(counts):
                counts[v] += 1
    poll = question.kind == "poll"
    return [
        Bar(
            label=text,
            count=counts[i],
            percent=_percent(counts[i], len(values)) or 0,
            correct=None if poll else i in question.correct,
        )
        for i, text in enumerate(question.choices)
    ]


def _grouped_bars(groups: dict, labels: dict, correct: dict, total: int) -> list[Bar]:
    ranked = sorted(groups.items(), key=lambda item: (-item[1], str(labels[item[0]]).casefold()))
    bars = [
        Bar(label=labels[key], count=n, percent=_percent(n, total) or 0, correct=correct[key])
        for key, n in ranked[:DISTRIBUTION_ROWS]
    ]
    rest = ranked[DISTRIBUTION_ROWS:]
    if rest:
        n = sum(count for _key, count in rest)
        bars.append(Bar(label=f"{len(rest)} other answers", count=n, percent=_percent(n, total) or 0))
    return bars


def _typed_bars(question: TypedQuestion, values: list) -> list[Bar]:
    groups: Counter = Counter()
    spellings: dict[str, Counter] = defaultdict(Counter)
    for value in values:
        key = fold_answer(str(value))
        groups[key] += 1
        spellings[key][str(value)] += 1
    labels = {key: spellings[key].most_common(1)[0][0] for key in groups}
    correct = {key: question.grade(labels[key]) == 1.0 for key in groups}
    return _grouped_bars(groups, labels, correct, len(values))


def _order_bars(question: OrderQuestion, values: list) -> list[Bar]:
    groups: Counter = Counter(tuple(v) for v in values if isinstance(v, list))
    labels = {key: " → ".join(_order_items(question, list(key))) for key in groups}
    correct = {key: question.grade(list(key)) == 1.0 for key in groups}
    return _grouped_bars(groups, labels, correct, len(values))


def _slider_bars(question: SliderQuestion, values: list) -> tuple[list[Bar], dict]:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return [], {}
    stats = {
        "mean": statistics.fmean(numbers),
        "median": statistics.median(numbers),
        "lowest": min(numbers),
        "highest": max(numbers),
    }
    counts = Counter(numbers)
    total = len(numbers)
    if len(counts) <= SLIDER_VALUES:
        bars = [
            Bar(
                label=_with_unit(v, question.unit),
                count=n,
                percent=_percent(n, total) or 0,
                correct=question.grade(v) == 1.0,
            )
            for v, n in sorted(counts.items())
        ]
        return bars, stats
    low, high = question.minimum, question.maximum
    width = (high - low) / 10
    bins = [0] * 10
    for v in numbers:
        bins[min(9, max(0, int((v - low) / width)))] += 1
    bars = []
    for i, n in enumerate(bins):
        start, end = low + i * width, low + (i + 1) * width
        holds_target = start <= question.target <= end
        label = f"{number_text(round(start, 6))} to {_with_unit(round(end, 6), question.unit)}"
        bars.append(Bar(label=label, count=n, percent=_percent(n, total) or 0, correct=True if holds_target else None))
    return bars, stats


def _distribution(question: Question, values: list) -> tuple[list[Bar], dict]:
    if isinstance(question, ChoiceQuestion):
        return _choice_bars(question, values), {}
    if isinstance(question, TypedQuestion):
        return _typed_bars(question, values), {}
    if isinstance(question, SliderQuestion):
        return _slider_bars(question, values)
    if isinstance(question, OrderQuestion):
        return _order_bars(question, values), {}
    return [], {}


# ----------------------------------------------------------------- report
def room_report(app: Flask, trainer_id: int, room_id: int) -> Report | None:
    """Everything about one of this trainer's rooms, or None (not found, or someone else's)."""
    with database(app).read() as s:
        row = s.get(models.Room, room_id)
        if row is None or row.trainer_id != trainer_id:
            return None
        people = list(
            s.scalars(
                sa.select(models.Participant)
                .where(models.Participant.room_id == room_id)
                .order_by(models.Participant.number)
            )
        )
        answers = list(
            s.scalars(
                sa.select(models.Answer)
                .where(models.Answer.room_id == room_id, models.Answer.voided.is_(False))
                .order_by(models.Answer.question_index, models.Answer.participant_number)
            )
        )
        submissions = list(
            s.scalars(
                sa.select(models.Submission).where(models.Submission.room_id == room_id).order_by(models.Submission.id)
            )
        )
        info = _info(row, sum(1 for p in people if not p.removed))
        snapshot = dict(row.snapshot or {})
        names = {p.number: p.nickname for p in people}
        activities = activity_reports(row, submissions, names)

    questions = _questions(snapshot)
    ordinal = {position: i for i, (position, _spec, _question) in enumerate(questions)}
    voided = set(snapshot.get("voided") or [])
    answers = [a for a in answers if a.question_index not in voided and a.question_index in ordinal]
    by_question: dict[int, list[models.Answer]] = defaultdict(list)
    by_cell: dict[tuple[int, int], models.Answer] = {}
    for answer in answers:
        by_question[answer.question_index].append(answer)
        by_cell[(answer.participant_number, answer.question_index)] = answer

    reports: list[QuestionReport] = []
    for index, (position, spec, question) in enumerate(questions):
        status = _question_status(position, snapshot, voided)
        if question is None:  # a snapshot this version cannot read: show what we can
            reports.append(
                QuestionReport(
                    index=index,
                    position=position,
                    uid=str(spec.get("uid", "")),
                    type=str(spec.get("type", "")),
                    text=str(spec.get("text", "")),
                    image=None,
                    points=0,
                    time_limit=0,
                    status=status,
                    correct_answer=None,
                )
            )
            continue
        given = by_question.get(position, [])
        values = [a.value.get("v") if isinstance(a.value, dict) else None for a in given]
        right = sum(1 for a in given if a.correct)
        bars, stats = _distribution(question, values)
        times = [a.response_ms for a in given if a.response_ms is not None]
        reports.append(
            QuestionReport(
                index=index,
                position=position,
                uid=question.uid,
                type=question.kind,
                text=question.text,
                image=question.image,
                points=question.points,
                time_limit=question.time_limit,
                status=status,
                correct_answer=correct_answer_text(question),
                answered=len(given),
                correct=right,
                percent_correct=_percent(right, len(given)) if question.kind != "poll" else None,
                average_ms=round(statistics.fmean(times)) if times else None,
                distribution=bars,
                stats=stats,
            )
        )

    ranks = competition_ranks({p.number: p.score for p in people if not p.removed})
    participants: list[ParticipantReport] = []
    for person in people:
        cells = []
        for index, (position, _spec, question) in enumerate(questions):
            status = reports[index].status
            answer = by_cell.get((person.number, position))
            if answer is None:
                shown = status if status in ("skipped", "not asked") else "no answer"
                cells.append(Cell(question=index, status=shown))
                continue
            value = answer.value.get("v") if isinstance(answer.value, dict) else None
            cells.append(
                Cell(
                    question=index,
                    status="answered",
                    answered=True,
                    value=value,
                    answer=answer_text(question, value) if question else str(value),
                    correct=answer.correct,
                    points=answer.points,
                    response_ms=answer.response_ms,
                )
            )
        times = [c.response_ms for c in cells if c.response_ms is not None]
        participants.append(
            ParticipantReport(
                number=person.number,
                nickname=person.nickname,
                rank=ranks.get(person.number),
                score=person.score,
                correct=person.correct,
                answered=person.answered,
                best_streak=person.best_streak,
                removed=person.removed,
                average_ms=round(statistics.fmean(times)) if times else None,
                cells=cells,
            )
        )
    participants.sort(key=lambda p: (p.removed, p.rank or 0, p.nickname.casefold(), p.number))

    active = [p for p in participants if not p.removed]
    graded = [a for a in answers if a.correct is not None]
    summary = {
        "participants": len(active),
        "removed": len(participants) - len(active),
        "questions": len(questions),
        "asked": sum(1 for q in reports if q.status in ("asked", "open")),
        "skipped": sum(1 for q in reports if q.status == "skipped"),
        "answers": len(answers),
        "average_score": round(statistics.fmean(p.score for p in active)) if active else None,
        "percent_correct": _percent(sum(1 for a in graded if a.correct), len(graded)),
        "average_ms": round(statistics.fmean(a.response_ms for a in answers)) if answers else None,
        "duration_s": (
            round((info.ended_at - info.created_at).total_seconds()) if info.ended_at and info.created_at else None
        ),
        "podium": [{"rank": p.rank, "nickname": p.nickname, "score": p.score} for p in active[:3]],
        "activities": len(activities),
        "activities_run": sum(1 for a in activities if a.status != "not reached"),
    }
    return Report(room=info, questions=reports, participants=participants, summary=summary, activities=activities)


# ----------------------------------------------------------------- output
def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def report_json(report: Report) -> dict:
    room = report.room
    return {
        "room": {
            "id": room.id,
            "code": room.code,
            "title": room.title,
            "deck_id": room.deck_id,
            "plan_id": room.plan_id,
            "status": room.status,
            "phase": room.phase,
            "created_at": _iso(room.created_at),
            "ended_at": _iso(room.ended_at),
        },
        "summary": report.summary,
        "questions": [
            {
                "index": q.index,
                "number": q.number,
                "position": q.position,
                "uid": q.uid,
                "type": q.type,
                "text": q.text,
                "image": q.image,
                "points": q.points,
                "time_limit": q.time_limit,
                "status": q.status,
                "correct_answer": q.correct_answer,
                "answered": q.answered,
                "correct": q.correct,
                "percent_correct": q.percent_correct,
                "average_ms": q.average_ms,
                "stats": q.stats,
                "distribution": [
                    {"label": b.label, "count": b.count, "percent": b.percent, "correct": b.correct}
                    for b in q.distribution
                ],
            }
            for q in report.questions
        ],
        "participants": [
            {
                "id": p.number,
                "nickname": p.nickname,
                "rank": p.rank,
                "score": p.score,
                "correct": p.correct,
                "answered": p.answered,
                "best_streak": p.best_streak,
                "removed": p.removed,
                "average_ms": p.average_ms,
                "answers": [
                    {
                        "question": c.question,
                        "status": c.status,
                        "value": c.value,
                        "answer": c.answer,
                        "correct": c.correct,
                        "points": c.points,
                        "response_ms": c.response_ms,
                    }
                    for c in p.cells
                ],
            }
            for p in report.participants
        ],
        "activities": [a.as_json() for a in report.activities],
    }


def csv_rows(report: Report) -> list[list[object]]:
    """One row per participant and asked question (header first), formula-safe."""
    room = report.room
    date = room.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if room.created_at else ""
    rows: list[list[object]] = [list(CSV_HEADER)]
    for person in report.participants:
        nickname = person.nickname + (" (removed)" if person.removed else "")
        for cell in person.cells:
            question = report.questions[cell.question]
            if question.status == "not asked":
                continue
            correct = "" if cell.correct is None else ("yes" if cell.correct else "no")
            rows.append(
                [
                    neutralise(v)
                    for v in (
                        room.title,
                        room.code,
                        date,
                        question.number,
                        question.type_label,
                        question.text,
                        nickname,
                        cell.answer,
                        correct,
                        cell.points if cell.answered else "",
                        cell.response_ms if cell.response_ms is not None else "",
                        cell.status,
                    )
                ]
            )
    return rows


def csv_text(report: Report) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    csv.writer(out).writerows(csv_rows(report))
    return out.getvalue()


# ------------------------------------------- polls, boards, surveys: display
WORD_SIZES = 5  # word cloud font size steps (CSS classes word-size-1 .. word-size-5)
ENTRY_STATUS = {"shown": "shown", "hidden": "hidden by host", "pending": "awaiting approval"}
NOTE_STATUS = {"shown": "shown", "hidden": "hidden by host", "deleted": "deleted by host"}


def _entry_status(entry: dict) -> str:
    if entry.get("hidden"):
        return "hidden"
    if entry.get("approved") is False:
        return "pending"
    return "shown"


def _note_status(note: dict) -> str:
    return "deleted" if note.get("deleted") else "hidden" if note.get("hidden") else "shown"


def _word_sizes(words: list[dict]) -> list[dict]:
    counts = [int(w.get("count", 0)) for w in words] or [0]
    low, high = min(counts), max(counts)
    out = []
    for word in words:
        count = int(word.get("count", 0))
        step = (
            1
            if high == low
            else 1
            + round(
                (WORD_SIZES - 1) * (math.log(count) - math.log(low or 1)) / (math.log(high) - math.log(low or 1) or 1)
            )
        )
        out.append(
            {
                "text": str(word.get("text", "")),
                "count": count,
                "hidden": bool(word.get("hidden")),
                "size": max(1, min(WORD_SIZES, step)),
            }
        )
    return out


def _poll_view(data: dict) -> dict:
    kind = data.get("type")
    results = data.get("results") or {}
    options = [str(o) for o in data.get("options") or []]
    responses = int(data.get("responses") or 0)
    view: dict = {"type": kind, "responses": responses}
    if kind in ("single", "multi"):
        counts = list(results.get("counts") or [0] * len(options))
        view["bars"] = [
            Bar(
                label=text,
                count=counts[i] if i < len(counts) else 0,
                percent=_percent(counts[i] if i < len(counts) else 0, responses) or 0,
            )
            for i, text in enumerate(options)
        ]
    elif kind == "rating":
        distribution = list(results.get("distribution") or [])
        count = int(results.get("count") or 0)
        view["bars"] = [
            Bar(label=str(value), count=n, percent=_percent(n, count) or 0)
            for value, n in enumerate(distribution, start=1)
        ]
        view["mean"], view["count"], view["scale"] = results.get("mean"), count, data.get("scale")
    elif kind == "ranking":
        best = max(0, len(options) - 1) * responses  # every first place
        view["ranking"] = [
            {
                "rank": r.get("rank"),
                "text": str(r.get("text", "")),
                "points": int(r.get("points", 0)),
                "percent": _percent(int(r.get("points", 0)), best) or 0,
            }
            for r in results.get("ranking") or []
        ]
        view["best"] = best
    elif kind == "wordcloud":
        view["words"] = _word_sizes(list(results.get("words") or []))
        view["entries"] = int(results.get("entries") or 0)
    elif kind == "open":
        view["entries"] = [
            {
                "text": str(e.get("text", "")),
                "nickname": e.get("nickname"),
                "status": _entry_status(e),
                "status_label": ENTRY_STATUS[_entry_status(e)],
            }
            for e in results.get("entries") or []
        ]
    return view


def _board_view(data: dict) -> dict:
    columns = [str(c) for c in data.get("columns") or []]
    notes = [
        dict(n, status=_note_status(n), status_label=NOTE_STATUS[_note_status(n)]) for n in data.get("notes") or []
    ]
    live = [n for n in notes if n["status"] != "deleted"]
    groups = list(data.get("groups") or [])
    sections = []
    keys: list[int | None] = list(range(len(columns))) if columns else [None]
    if columns and any(n.get("column") is None or not 0 <= n["column"] < len(columns) for n in live):
        keys.append(-1)  # notes without a (current) column
    for key in keys:

        def in_section(column, key=key) -> bool:
            if key == -1:
                return column is None or not 0 <= column < len(columns)
            return key is None or column == key

        section_notes = [n for n in live if in_section(n.get("column"))]
        section_groups = []
        for group in groups:
            members = [n for n in section_notes if n.get("group") == group.get("id")]
            if members:
                section_groups.append(
                    {
                        "id": group.get("id"),
                        "title": str(group.get("title", "")),
                        "votes": int(group.get("votes") or 0),
                        "notes": members,
                    }
                )
        grouped = {n["id"] for g in section_groups for n in g["notes"]}
        sections.append(
            {
                "title": None if key is None else ("Without a column" if key == -1 else columns[key]),
                "groups": section_groups,
                "notes": [n for n in section_notes if n["id"] not in grouped],
                "count": len(section_notes),
            }
        )
    return {
        "sections": sections,
        "deleted": [n for n in notes if n["status"] == "deleted"],
        "notes": len(live),
        "hidden": sum(1 for n in live if n["status"] == "hidden"),
        "authors": data.get("authors", 0),
        "voters": data.get("voters", 0),
        "phase": data.get("phase"),
        "votes": sum(int(n.get("votes") or 0) for n in live),
    }


def _survey_view(data: dict) -> dict:
    results = data.get("results") or {}
    items = []
    for item in results.get("items") or []:
        row = {"id": item.get("id"), "type": item.get("type"), "text": str(item.get("text", ""))}
        if item.get("type") == "rating":
            count = int(item.get("count") or 0)
            row.update(
                scale=item.get("scale"),
                mean=item.get("mean"),
                count=count,
                bars=[
                    Bar(label=str(value), count=n, percent=_percent(n, count) or 0)
                    for value, n in enumerate(item.get("distribution") or [], start=1)
                ],
            )
        else:
            row["answers"] = [
                {"text": str(a.get("text", "")), "nickname": a.get("nickname")} for a in item.get("answers") or []
            ]
        items.append(row)
    return {"responses": int(results.get("responses", data.get("responses", 0)) or 0), "questions": items}


def activity_view(activity: ActivityReport) -> dict:
    """What the results page shows of one poll, board or survey (numbers ready to print)."""
    if activity.kind == "poll":
        return _poll_view(activity.data)
    if activity.kind == "board":
        return _board_view(activity.data)
    return _survey_view(activity.data)


# ------------------------------------------- polls, boards, surveys: exports
def _final_responses(activity: ActivityReport, action: str, clean) -> list[tuple[int, object]]:
    """Each person's last accepted response of one action (a changed vote or a resubmitted
    survey replaces the earlier one), in the order of those last responses."""
    latest: dict[int, object] = {}
    for item in activity.submissions:
        if _field(item, "action") != action:
            continue
        record = _field(item, "record")
        try:
            value = clean(record if isinstance(record, dict) else {})
        except EngineError:  # a stored record that no longer fits is skipped, as replay does
            value = None
        if value is None:
            continue
        pid = int(_field(item, "participant", "participant_number"))
        latest.pop(pid, None)
        latest[pid] = value
    return list(latest.items())


def _vote_text(data: dict, value: object) -> str:
    kind = data.get("type")
    options = [str(o) for o in data.get("options") or []]

    def option(i: object) -> str:
        return options[i] if isinstance(i, int) and 0 <= i < len(options) else f"(unknown option {i})"

    if kind == "multi":
        return "; ".join(option(i) for i in (value if isinstance(value, list) else [value]))
    if kind == "ranking":
        return " → ".join(option(i) for i in (value if isinstance(value, list) else [value]))
    if kind == "single":
        return option(value)
    return number_text(value)


def _room_cells(report: Report, activity: ActivityReport) -> list[object]:
    room = report.room
    date = room.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if room.created_at else ""
    return [room.title, room.code, date, activity.number, activity.type_label, activity.title]


ROOM_HEADER = ["room", "room_code", "room_date", "item_number", "item_type", "item_text"]


def activity_csv_rows(report: Report, activity: ActivityReport) -> list[list[object]]:
    """One activity as CSV rows (header first), formula-safe. Polls: one row per response or
    entry; boards: one row per note; surveys: one row per response, one column per item.
    Nicknames only for activities that were not anonymous."""
    data = activity.data
    named = not activity.anonymous
    lead = _room_cells(report, activity)
    rows: list[list[object]] = []
    if activity.kind == "poll" and data.get("type") in ("wordcloud", "open"):
        rows.append(ROOM_HEADER + ["entry", "text", "status"] + (["participant"] if named else []))
        if data.get("type") == "open":
            entries = [(e, _entry_status(e)) for e in (data.get("results") or {}).get("entries") or []]
        else:
            hidden = {
                fold_answer(str(w.get("text", "")))
                for w in (data.get("results") or {}).get("words") or []
                if w.get("hidden")
            }
            entries = [
                (e, "hidden" if fold_answer(str(e.get("text", ""))) in hidden else "shown")
                for e in data.get("answers") or []
            ]
        nicknames = {a.get("id"): a.get("nickname", "") for a in data.get("answers") or []}
        for entry, status in entries:
            row = lead + [entry.get("id"), entry.get("text", ""), ENTRY_STATUS[status]]
            if named:
                row.append(entry.get("nickname", nicknames.get(entry.get("id"), "")))
            rows.append(row)
    elif activity.kind == "poll":
        rows.append(ROOM_HEADER + ["response", "answer"] + (["participant"] if named else []))
        if named and "answers" in data:
            given = [(a.get("nickname", ""), a.get("value")) for a in data["answers"]]
        else:
            poll = activity.activity
            given = [
                ("", v) for _pid, v in _final_responses(activity, "vote", lambda r: poll.parse_value(r.get("value")))
            ]
        for number, (nickname, value) in enumerate(given, start=1):
            rows.append(lead + [number, _vote_text(data, value)] + ([nickname] if named else []))
    elif activity.kind == "board":
        rows.append(
            ROOM_HEADER
            + ["note", "text", "column", "group", "group_votes", "votes", "status"]
            + (["author"] if named else [])
        )
        groups = {g.get("id"): g for g in data.get("groups") or []}
        for note in data.get("notes") or []:
            group = groups.get(note.get("group"))
            row = lead + [
                note.get("id"),
                note.get("text", ""),
                note.get("column_name") or "",
                group.get("title", "") if group else "",
                group.get("votes", 0) if group else "",
                note.get("votes", 0),
                NOTE_STATUS[_note_status(note)],
            ]
            if named:
                row.append(note.get("nickname", ""))
            rows.append(row)
    else:  # survey
        items = [i for i in data.get("items") or [] if isinstance(i, dict)]
        rows.append(
            ROOM_HEADER
            + ["response"]
            + (["participant"] if named else [])
            + [f"{i.get('text', '')} [{i.get('id', '')}]" for i in items]
        )
        if named and "answers" in data:
            given = [(a.get("nickname", ""), a.get("answers") or {}) for a in data["answers"]]
        else:
            survey = activity.activity

            def clean(record: dict) -> dict | None:
                raw = record.get("answers")
                if not isinstance(raw, dict):
                    return None
                out = {}
                for spec in survey.items:
                    try:
                        value = spec.parse_value(raw.get(spec.id))
                    except EngineError:  # a stored answer that no longer fits is left out
                        value = None
                    if value is not None:
                        out[spec.id] = value
                return out

            given = [("", answers) for _pid, answers in _final_responses(activity, "submit", clean)]
        for number, (nickname, answers) in enumerate(given, start=1):
            cells = [number] + ([nickname] if named else [])
            cells += [number_text(answers[i["id"]]) if i.get("id") in answers else "" for i in items]
            rows.append(lead + cells)
    return [[neutralise(cell) for cell in row] for row in rows]


def activity_csv_text(report: Report, activity: ActivityReport) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(activity_csv_rows(report, activity))
    return out.getvalue()


MARKDOWN_SPECIAL = set("\\`*_{}[]<>#|~&")
MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")


def markdown_text(text: object) -> str:
    """User text as literal Markdown: formula-safe first (like the CSV), every character that
    could make a link, emphasis, code, a heading or HTML escaped, a line that would start a
    list escaped, line breaks kept (as hard breaks inside the list item)."""
    cleaned = str(neutralise(str(text)))
    lines = []
    for line in cleaned.splitlines():
        escaped = "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in line.strip())
        match = MARKDOWN_LINE_START.match(escaped)
        if match and match.group(2)[0].isdigit():
            end = match.end()
            escaped = escaped[:end] + "\\" + escaped[end:]
        elif match:
            escaped = escaped[: match.start(2)] + "\\" + escaped[match.start(2) :]
        lines.append(escaped)
    return "  \n  ".join(lines)


def _votes(n: object) -> str:
    n = int(n or 0)
    return f"{n} vote{'s' if n != 1 else ''}"


def board_markdown(report: Report, activity: ActivityReport) -> str:
    """A board as Markdown: the prompt, then each column, its groups as headings with their
    vote totals, and the notes as bullet items with their votes, most votes first."""
    view = _board_view(activity.data)
    room = report.room
    date = room.created_at.astimezone(UTC).strftime("%Y-%m-%d") if room.created_at else ""
    lines = [
        f"# {markdown_text(activity.title)}",
        "",
        f"{markdown_text(room.title)} · room {room.code} · {date} · item {activity.number} · "
        f"{view['notes']} note{'s' if view['notes'] != 1 else ''}, {view['votes']} "
        f"vote{'s' if view['votes'] != 1 else ''} from {view['voters']} "
        f"{'person' if view['voters'] == 1 else 'people'}",
        "",
    ]
    named = not activity.anonymous

    def bullet(note: dict) -> str:
        flags = "" if note["status"] == "shown" else f" *({note['status_label']})*"
        author = f" — {markdown_text(note.get('nickname', ''))}" if named and note.get("nickname") else ""
        return f"- {markdown_text(note.get('text', ''))} ({_votes(note.get('votes'))}){author}{flags}"

    heading = "##" if any(s["title"] is not None for s in view["sections"]) else None
    for section in view["sections"]:
        level = "###" if heading else "##"
        if heading:
            lines += [f"{heading} {markdown_text(section['title'])}", ""]
        if not section["count"]:
            lines += ["_No notes._", ""]
            continue
        for group in section["groups"]:
            lines += [f"{level} {markdown_text(group['title'])} ({_votes(group['votes'])})", ""]
            lines += [bullet(n) for n in group["notes"]] + [""]
        if section["notes"]:
            if section["groups"]:
                lines += [f"{level} Not grouped", ""]
            lines += [bullet(n) for n in section["notes"]] + [""]
    if view["deleted"]:
        lines += ["## Deleted by the host" if heading else "## Deleted by the host", ""]
        lines += [bullet(n) for n in view["deleted"]] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def find_activity(report: Report, position: int) -> ActivityReport | None:
    return next((a for a in report.activities if a.position == position), None)
