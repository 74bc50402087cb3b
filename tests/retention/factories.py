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
    activities,
    people,
    answers,
    room_id=1,
    start=T0,
    played=None,
    voided=(),
    phase="ended",
    index=None,
    trainer_id=1,
    deck_id=None,
    group_id=None,
):
    """people: (number, person_id or None, joined offset s, removed); answers: (number, position, choice, correct,
    points, response_ms); played: the positions opened (default: every activity, in order)."""
    played = list(range(len(activities))) if played is None else played
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


def add_two_sessions(
    db, trainer_id: int, *, later: list[tuple], qc_text: str = "Question qc", third_name: str = "Cy"
) -> None:
    """Deck 10 "Onboarding" (qa and qb on Safety, qc on Tools), group 20 "Team A" of people 1 to
    3 (Ana, Ben and ``third_name``), and two rooms of that deck for that group a week apart
    (rooms 1 and 2, from T0): everyone gets every question right in the first, ``later`` are
    the second room's answers (as for ``add_room``)."""
    questions = [
        q("qa", topics=["Safety"]),
        q("qb", topics=["Safety"]),
        q("qc", text=qc_text, topics=["Tools"]),
    ]
    with db.transaction() as s:
        s.add(
            models.Deck(
                id=10,
                trainer_id=trainer_id,
                title="Onboarding",
                document={
                    "title": "Onboarding",
                    "questions": [{k: v for k, v in spec.items() if k != "kind"} for spec in questions],
                },
            )
        )
        s.add(models.Group(id=20, trainer_id=trainer_id, name="Team A"))
        for pid, name in ((1, "Ana"), (2, "Ben"), (3, third_name)):
            s.add(models.Person(id=pid, trainer_id=trainer_id, name=name, link_key=f"key{pid}"))
        s.flush()
        for pid in (1, 2, 3):
            s.add(models.GroupMember(group_id=20, person_id=pid))
    people = [(1, 1, 0, False), (2, 2, 0, False), (3, 3, 0, False)]
    first = [(n, pos, 0, True, 900, 2000) for n in (1, 2, 3) for pos in (0, 1, 2)]
    for room_id, start, answers in ((1, T0, first), (2, T0 + timedelta(days=7), later)):
        add_room(
            db,
            room_id=room_id,
            start=start,
            activities=questions,
            people=people,
            answers=answers,
            trainer_id=trainer_id,
            deck_id=10,
            group_id=20,
        )
