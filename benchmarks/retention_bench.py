"""How long the retention dashboard takes for a trainer with a long history.

Seeds a temporary SQLite database with S sessions of one group of P people answering a
deck of Q questions (a week apart; each person right with a probability that fades over
time), then times, separately: reading the history (history.load_history), folding it
through FSRS (memory.fold), all the report figures (dashboard.build, which also syncs the
stored memory states the first time), and a second build (states already in sync).

    python benchmarks/retention_bench.py                      # 12 sessions x 30 people x 20 questions
    python benchmarks/retention_bench.py -s 52 -p 60 -q 25    # a year of weekly sessions
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quizroom import models  # noqa: E402
from quizroom.db import Database  # noqa: E402
from quizroom.retention import dashboard, memory  # noqa: E402
from quizroom.retention.history import load_history  # noqa: E402

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def question(i: int) -> dict:
    return {
        "type": "single",
        "uid": f"q{i}",
        "text": f"Question {i}",
        "time_limit": 20,
        "topics": [f"Topic {i % 5}"],
        "choices": [{"text": "right", "correct": True}, {"text": "wrong"}],
    }


def seed(db: Database, sessions: int, people: int, questions: int, rng: random.Random) -> int:
    specs = [question(i) for i in range(questions)]
    answers = 0
    with db.transaction() as s:
        s.add(models.Trainer(id=1, email="bench@example.org", name="Bench", password_hash="x"))  # noqa: S106 - never used to sign in
        s.flush()
        s.add(models.Deck(id=1, trainer_id=1, title="Bench deck", document={"title": "Bench deck", "questions": specs}))
        s.add(models.Group(id=1, trainer_id=1, name="Team"))
        for p in range(1, people + 1):
            s.add(models.Person(id=p, trainer_id=1, name=f"Person {p}", link_key=f"k{p}"))
        s.flush()
        for p in range(1, people + 1):
            s.add(models.GroupMember(group_id=1, person_id=p))
    for n in range(sessions):
        start = START + timedelta(days=7 * n)
        rows, parts = [], []
        for p in range(1, people + 1):
            if rng.random() < 0.1:
                continue  # away this week
            parts.append({"number": p, "person_id": p})
            for i in range(questions):
                if rng.random() < 0.05:
                    continue  # no answer
                right = rng.random() < 0.6 + 0.3 * (n / max(sessions, 1))
                rows.append((p, i, 0 if right else 1, right, rng.randint(1500, 18000)))
        snapshot = {
            "code": f"{n:06d}",
            "title": f"Week {n + 1}",
            "activities": [{"kind": "question", **q} for q in specs],
            "phase": "ended",
            "index": questions - 1,
            "played": list(range(questions)),
            "voided": [],
            "opened_times": {str(i): (start + timedelta(minutes=i)).timestamp() for i in range(questions)},
        }
        with db.transaction() as s:
            room = models.Room(
                code=f"{n:06d}",
                trainer_id=1,
                deck_id=1,
                group_id=1,
                title=f"Week {n + 1}",
                host_salt="s",
                live=False,
                snapshot=snapshot,
                created_at=start,
                ended_at=start + timedelta(hours=1),
            )
            s.add(room)
            s.flush()
            for part in parts:
                s.add(
                    models.Participant(
                        room_id=room.id,
                        nickname=f"P{part['number']}",
                        token_hash=f"{room.id}-{part['number']}",
                        joined_at=start,
                        **part,
                    )
                )
            for p, i, choice, right, ms in rows:
                s.add(
                    models.Answer(
                        room_id=room.id,
                        participant_number=p,
                        question_index=i,
                        question_uid=f"q{i}",
                        value={"v": choice},
                        correct=right,
                        points=800 if right else 0,
                        streak=0,
                        response_ms=ms,
                        answered_at=start + timedelta(minutes=i, milliseconds=ms),
                    )
                )
        answers += len(rows)
    return answers


def timed(label: str, fn):
    began = time.perf_counter()
    result = fn()
    print(f"  {label:<44} {time.perf_counter() - began:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-s", "--sessions", type=int, default=12)
    parser.add_argument("-p", "--people", type=int, default=30)
    parser.add_argument("-q", "--questions", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.create_all()
        answers = seed(db, args.sessions, args.people, args.questions, random.Random(args.seed))
        now = START + timedelta(days=7 * args.sessions + 3)
        print(f"{args.sessions} sessions x {args.people} people x {args.questions} questions: {answers} answers stored")
        with db.read() as s:
            history = timed("read history (load_history)", lambda: load_history(s, 1))
        print(f"  {len(history.attempts)} attempts, {len(history.catalogue)} questions")
        memories = timed("fold through FSRS (memory.fold)", lambda: memory.fold(history.attempts))
        print(f"  {len(memories)} memory states")
        scope = dashboard.find_scope(db, 1, 1, 1)
        timed("dashboard.build, first (syncs memory states)", lambda: dashboard.build(db, 1, scope, now, 0.7))
        timed("dashboard.build, again", lambda: dashboard.build(db, 1, scope, now, 0.7))
        db.dispose()


if __name__ == "__main__":
    main()
