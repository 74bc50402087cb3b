"""Past sessions written straight into the database, for the recognition and programme tests:
an ended room with its participants (known people and anonymous nicknames), the quiz
answers the retention model reads, pulse survey submissions and peer evaluations. Live
rooms are played through Socket.IO elsewhere (tests/web/test_feedback.py); these are the
months of history a profile or a programme report sums up, made in milliseconds."""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime, timedelta

from quizroom import models
from quizroom.app import database

_serial = itertools.count(1)

SURVEY = {
    "kind": "survey",
    "uid": "pulse",
    "title": "How was today?",
    "anonymous": True,
    "items": [
        {"id": "session", "type": "rating", "text": "Rate the session", "scale": 5},
        {"id": "trainer", "type": "rating", "text": "Rate the trainer", "scale": 10},
        {"id": "use", "type": "text", "text": "What will you use?"},
    ],
}


def question(uid: str, topics: tuple[str, ...] = ()) -> dict:
    spec = {
        "kind": "question",
        "uid": uid,
        "type": "single",
        "text": f"Question {uid}?",
        "time_limit": 20,
        "points": 1000,
        "choices": [{"text": "right", "correct": True}, {"text": "wrong"}],
    }
    if topics:
        spec["topics"] = list(topics)
    return spec


def person(app, owner: int, name: str | None = None) -> int:
    n = next(_serial)
    with database(app).transaction() as s:
        row = models.Person(trainer_id=owner, name=name or f"Person {n}", link_key=secrets.token_hex(16))
        s.add(row)
        s.flush()
        return row.id


def ended_room(
    app,
    trainer_id: int,
    started: datetime,
    *,
    title: str = "Session",
    known: dict[int, bool] | list[int] = (),
    anonymous: int = 0,
    questions: list[dict] = (),
    survey: list[dict] | None = None,
    removed: int = 0,
    live: bool = False,
) -> int:
    """A room that ran at ``started`` for an hour. ``known``: person ids (or person id -> answered
    every question right); ``survey``: one answers dict per participant, in join order."""
    known = dict(known) if isinstance(known, dict) else dict.fromkeys(known, True)
    activities = list(questions) + ([SURVEY] if survey is not None else [])
    opened = {str(i): started.timestamp() + 60 * (i + 1) for i in range(len(activities))}
    snapshot = {
        "activities": activities,
        "phase": "lobby" if live else "ended",
        "index": len(activities) - 1,
        "played": list(range(len(activities))) if not live else [],
        "opened_times": opened,
    }
    with database(app).transaction() as s:
        room = models.Room(
            code=f"{next(_serial):06d}"[-6:],
            trainer_id=trainer_id,
            title=title,
            host_salt=secrets.token_hex(8),
            live=live,
            snapshot=snapshot,
            created_at=started,
            ended_at=None if live else started + timedelta(hours=1),
        )
        s.add(room)
        s.flush()
        numbers = itertools.count(1)
        people = [(next(numbers), pid, right) for pid, right in known.items()]
        people += [(next(numbers), None, False) for _ in range(anonymous)]
        for number, pid, _right in people:
            s.add(
                models.Participant(
                    room_id=room.id,
                    number=number,
                    nickname=f"P{number}",
                    token_hash=secrets.token_hex(16),
                    person_id=pid,
                    joined_at=started,
                )
            )
        for _ in range(removed):
            number = next(numbers)
            s.add(
                models.Participant(
                    room_id=room.id,
                    number=number,
                    nickname=f"Gone{number}",
                    token_hash=secrets.token_hex(16),
                    removed=True,
                    joined_at=started,
                )
            )
        for position, spec in enumerate(questions):
            for number, pid, right in people:
                if pid is None:
                    continue
                s.add(
                    models.Answer(
                        room_id=room.id,
                        participant_number=number,
                        question_index=position,
                        question_uid=spec["uid"],
                        value={"v": 0 if right else 1},
                        correct=right,
                        points=800 if right else 0,
                        streak=1 if right else 0,
                        response_ms=8000,
                        answered_at=started + timedelta(minutes=position + 1, seconds=8),
                    )
                )
        for index, answers in enumerate(survey or []):
            number, _pid, _right = people[index]
            s.add(
                models.Submission(
                    room_id=room.id,
                    position=len(questions),
                    activity_uid="pulse",
                    participant_number=number,
                    action="submit",
                    record={"answers": answers},
                    created_at=started + timedelta(minutes=30),
                )
            )
        return room.id


def evaluation(app, room_id: int, evaluator: int, scores: tuple[int, int, int], comment: str | None = None) -> None:
    with database(app).transaction() as s:
        room = s.get(models.Room, room_id)
        s.add(
            models.PeerEvaluation(
                room_id=room_id,
                trainer_id=room.trainer_id,
                evaluator_id=evaluator,
                clarity=scores[0],
                interactivity=scores[1],
                usefulness=scores[2],
                comment=comment,
                created_at=room.ended_at,
                updated_at=room.ended_at,
            )
        )
