"""Stored sessions for retention tests, written straight to the tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizroom import models

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def q(uid: str, correct: int = 0, time_limit: int = 20, **extra) -> dict:
    choices = [{"text": t, "correct": i == correct} for i, t in enumerate(["A", "B", "C"])]
    return {
        "kind": "question",
        "type": "single",
        "uid": uid,
        "text": f"Question {uid}",
        "time_limit": time_limit,
        "points": 1000,
        "choices": choices,
        **extra,
    }


def add_room(
    db,
    *,
    room_id,
    start,
    activities,
    played,
    people,
    answers,
    voided=(),
    phase="ended",
    index=None,
    trainer_id=1,
    deck_id=None,
    group_id=None,
):
    """people: (number, person_id or None, joined offset s, removed); answers: (number, position, choice, correct,
    points, response_ms)."""
    snapshot = {
        "code": f"{room_id:06d}",
        "title": f"Room {room_id}",
        "activities": activities,
        "settings": {},
        "phase": phase,
        "index": max(played) if index is None else index,
        "locked": False,
        "opened_at": 0,
        "time_limit": 20,
        "paused_at": None,
        "paused_total": 0,
        "reveal": None,
        "voided": list(voided),
        "played": list(played),
        "reveals": {},
        "opened_times": {str(p): (start + timedelta(minutes=p)).timestamp() for p in played},
    }
    with db.transaction() as s:
        s.add(
            models.Room(
                id=room_id,
                code=f"{room_id:06d}",
                trainer_id=trainer_id,
                deck_id=deck_id,
                group_id=group_id,
                title=f"Room {room_id}",
                host_salt="s",
                live=phase != "ended",
                snapshot=snapshot,
                created_at=start,
                ended_at=start + timedelta(hours=1),
            )
        )
        s.flush()
        for number, person_id, joined, removed in people:
            s.add(
                models.Participant(
                    room_id=room_id,
                    number=number,
                    nickname=f"n{number}",
                    token_hash=f"{room_id}-{number}",
                    person_id=person_id,
                    removed=removed,
                    joined_at=start + timedelta(seconds=joined),
                )
            )
        for number, position, choice, correct, points, ms in answers:
            s.add(
                models.Answer(
                    room_id=room_id,
                    participant_number=number,
                    question_index=position,
                    question_uid=activities[position]["uid"],
                    value={"v": choice},
                    correct=correct,
                    points=points,
                    streak=0,
                    response_ms=ms,
                    answered_at=start + timedelta(minutes=position, milliseconds=ms),
                )
            )
