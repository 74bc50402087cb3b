"""What happened in a room: reports built from the stored rooms, participants and answers.

The questions of a room are the frozen copy in ``Room.snapshot["questions"]`` (deck-format
specs, with the order question's ``display`` permutation), so a report stays right after
its deck is edited or deleted. Answers of skipped (voided) questions are left out.

Everything here reads; nothing writes. The web blueprint only renders what this returns.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask

from . import models
from .app import database
from .engine import DeckInvalid, parse_question
from .engine.questions import ChoiceQuestion, OrderQuestion, Question, SliderQuestion, TypedQuestion
from .engine.scoring import competition_ranks
from .engine.text import fold_answer

TYPE_LABELS = {
    "single": "Single choice", "multi": "Multiple select", "truefalse": "True / false",
    "typed": "Type the answer", "slider": "Slider", "order": "Ordering", "poll": "Poll",
}
DISTRIBUTION_ROWS = 12  # typed and order answers: the most common, then "other answers"
SLIDER_VALUES = 20  # more distinct slider values than this are grouped into ranges
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ["room", "room_code", "room_date", "question_number", "question_type", "question_text",
              "participant", "answer", "correct", "points", "response_ms", "status"]


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
    index: int
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
class Report:
    room: RoomInfo
    questions: list[QuestionReport]
    participants: list[ParticipantReport]
    summary: dict


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
    return RoomInfo(id=row.id, code=row.code, title=row.title, deck_id=row.deck_id,
                    created_at=_utc(row.created_at), ended_at=_utc(row.ended_at), live=row.live,
                    phase=str(snapshot.get("phase", "lobby")), participants=participants,
                    questions=len(snapshot.get("questions") or []))


def list_rooms(app: Flask, trainer_id: int) -> list[RoomInfo]:
    """This trainer's rooms, newest first, with how many people joined."""
    people = (sa.select(models.Participant.room_id, sa.func.count().label("n"))
              .where(models.Participant.removed.is_(False))
              .group_by(models.Participant.room_id).subquery())
    query = (sa.select(models.Room, sa.func.coalesce(people.c.n, 0))
             .outerjoin(people, people.c.room_id == models.Room.id)
             .where(models.Room.trainer_id == trainer_id)
             .order_by(models.Room.created_at.desc(), models.Room.id.desc()))
    with database(app).read() as s:
        return [_info(row, count) for row, count in s.execute(query)]


def _questions(snapshot: dict) -> list[Question | None]:
    out: list[Question | None] = []
    for spec in snapshot.get("questions") or []:
        try:
            out.append(parse_question(spec))
        except DeckInvalid:
            out.append(None)
    return out


def _question_status(index: int, snapshot: dict, voided: set[int]) -> str:
    phase = snapshot.get("phase", "lobby")
    reached = snapshot.get("index", -1)
    if index in voided:
        return "skipped"
    if phase == "lobby" or index > reached:
        return "not asked"
    if index == reached and phase == "question":
        return "open"
    return "asked"


# ---------------------------------------------------------- distributions
def _choice_bars(question: ChoiceQuestion, values: list) -> list[Bar]:
    counts = [0] * len(question.choices)
    for value in values:
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, int) and 0 <= v < len(counts):
                counts[v] += 1
    poll = question.kind == "poll"
    return [Bar(label=text, count=counts[i], percent=_percent(counts[i], len(values)) or 0,
                correct=None if poll else i in question.correct)
            for i, text in enumerate(question.choices)]


def _grouped_bars(groups: dict, labels: dict, correct: dict, total: int) -> list[Bar]:
    ranked = sorted(groups.items(), key=lambda item: (-item[1], str(labels[item[0]]).casefold()))
    bars = [Bar(label=labels[key], count=n, percent=_percent(n, total) or 0, correct=correct[key])
            for key, n in ranked[:DISTRIBUTION_ROWS]]
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
    stats = {"mean": statistics.fmean(numbers), "median": statistics.median(numbers),
             "lowest": min(numbers), "highest": max(numbers)}
    counts = Counter(numbers)
    total = len(numbers)
    if len(counts) <= SLIDER_VALUES:
        bars = [Bar(label=_with_unit(v, question.unit), count=n, percent=_percent(n, total) or 0,
                    correct=question.grade(v) == 1.0) for v, n in sorted(counts.items())]
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
        bars.append(Bar(label=label, count=n, percent=_percent(n, total) or 0,
                        correct=True if holds_target else None))
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
        people = list(s.scalars(sa.select(models.Participant)
                                .where(models.Participant.room_id == room_id)
                                .order_by(models.Participant.number)))
        answers = list(s.scalars(sa.select(models.Answer)
                                 .where(models.Answer.room_id == room_id, models.Answer.voided.is_(False))
                                 .order_by(models.Answer.question_index, models.Answer.participant_number)))
        info = _info(row, sum(1 for p in people if not p.removed))
        snapshot = dict(row.snapshot or {})

    questions = _questions(snapshot)
    voided = set(snapshot.get("voided") or [])
    answers = [a for a in answers if a.question_index not in voided and 0 <= a.question_index < len(questions)]
    by_question: dict[int, list[models.Answer]] = defaultdict(list)
    by_cell: dict[tuple[int, int], models.Answer] = {}
    for answer in answers:
        by_question[answer.question_index].append(answer)
        by_cell[(answer.participant_number, answer.question_index)] = answer

    reports: list[QuestionReport] = []
    for index, question in enumerate(questions):
        spec = (snapshot.get("questions") or [])[index]
        status = _question_status(index, snapshot, voided)
        if question is None:  # a snapshot this version cannot read: show what we can
            reports.append(QuestionReport(index=index, uid=str(spec.get("uid", "")), type=str(spec.get("type", "")),
                                          text=str(spec.get("text", "")), image=None, points=0, time_limit=0,
                                          status=status, correct_answer=None))
            continue
        given = by_question.get(index, [])
        values = [a.value.get("v") if isinstance(a.value, dict) else None for a in given]
        right = sum(1 for a in given if a.correct)
        bars, stats = _distribution(question, values)
        times = [a.response_ms for a in given if a.response_ms is not None]
        reports.append(QuestionReport(
            index=index, uid=question.uid, type=question.kind, text=question.text, image=question.image,
            points=question.points, time_limit=question.time_limit, status=status,
            correct_answer=correct_answer_text(question), answered=len(given), correct=right,
            percent_correct=_percent(right, len(given)) if question.kind != "poll" else None,
            average_ms=round(statistics.fmean(times)) if times else None,
            distribution=bars, stats=stats))

    ranks = competition_ranks({p.number: p.score for p in people if not p.removed})
    participants: list[ParticipantReport] = []
    for person in people:
        cells = []
        for index, question in enumerate(questions):
            status = reports[index].status
            answer = by_cell.get((person.number, index))
            if answer is None:
                shown = status if status in ("skipped", "not asked") else "no answer"
                cells.append(Cell(question=index, status=shown))
                continue
            value = answer.value.get("v") if isinstance(answer.value, dict) else None
            cells.append(Cell(question=index, status="answered", answered=True, value=value,
                              answer=answer_text(question, value) if question else str(value),
                              correct=answer.correct, points=answer.points, response_ms=answer.response_ms))
        times = [c.response_ms for c in cells if c.response_ms is not None]
        participants.append(ParticipantReport(
            number=person.number, nickname=person.nickname, rank=ranks.get(person.number),
            score=person.score, correct=person.correct, answered=person.answered,
            best_streak=person.best_streak, removed=person.removed,
            average_ms=round(statistics.fmean(times)) if times else None, cells=cells))
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
        "duration_s": (round((info.ended_at - info.created_at).total_seconds())
                       if info.ended_at and info.created_at else None),
        "podium": [{"rank": p.rank, "nickname": p.nickname, "score": p.score} for p in active[:3]],
    }
    return Report(room=info, questions=reports, participants=participants, summary=summary)


# ----------------------------------------------------------------- output
def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def report_json(report: Report) -> dict:
    room = report.room
    return {
        "room": {"id": room.id, "code": room.code, "title": room.title, "deck_id": room.deck_id,
                 "status": room.status, "phase": room.phase, "created_at": _iso(room.created_at),
                 "ended_at": _iso(room.ended_at)},
        "summary": report.summary,
        "questions": [{
            "index": q.index, "number": q.number, "uid": q.uid, "type": q.type, "text": q.text,
            "image": q.image, "points": q.points, "time_limit": q.time_limit, "status": q.status,
            "correct_answer": q.correct_answer, "answered": q.answered, "correct": q.correct,
            "percent_correct": q.percent_correct, "average_ms": q.average_ms, "stats": q.stats,
            "distribution": [{"label": b.label, "count": b.count, "percent": b.percent, "correct": b.correct}
                             for b in q.distribution],
        } for q in report.questions],
        "participants": [{
            "id": p.number, "nickname": p.nickname, "rank": p.rank, "score": p.score, "correct": p.correct,
            "answered": p.answered, "best_streak": p.best_streak, "removed": p.removed,
            "average_ms": p.average_ms,
            "answers": [{"question": c.question, "status": c.status, "value": c.value, "answer": c.answer,
                         "correct": c.correct, "points": c.points, "response_ms": c.response_ms}
                        for c in p.cells],
        } for p in report.participants],
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
            rows.append([neutralise(v) for v in (
                room.title, room.code, date, question.number, question.type_label, question.text, nickname,
                cell.answer, correct, cell.points if cell.answered else "",
                cell.response_ms if cell.response_ms is not None else "", cell.status)])
    return rows


def csv_text(report: Report) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    csv.writer(out).writerows(csv_rows(report))
    return out.getvalue()
