"""Building decks and driving a Room with a hand-moved clock (plain floats, no sleeps)."""

from __future__ import annotations

import json

from quizroom.engine import Outcome, Room, Settings, parse_deck
from quizroom.engine.room import AnswerRecord

T0 = 1_000.0
CODE = "123456"


# ------------------------------------------------------------------ question specs
def single(uid: str = "s", correct: int = 0, n: int = 4, **extra) -> dict:
    choices = [{"text": f"choice {i}", "correct": i == correct} for i in range(n)]
    return {"uid": uid, "type": "single", "text": f"Single {uid}?", "choices": choices, **extra}


def multi(uid: str = "m", correct: tuple[int, ...] = (0, 1), n: int = 4, **extra) -> dict:
    choices = [{"text": f"option {i}", "correct": i in correct} for i in range(n)]
    return {"uid": uid, "type": "multi", "text": f"Multi {uid}?", "choices": choices, **extra}


def truefalse(uid: str = "tf", correct: bool = True, **extra) -> dict:
    return {"uid": uid, "type": "truefalse", "text": f"True or false {uid}?", "correct": correct, **extra}


def typed(uid: str = "t", accepted: tuple[str, ...] = ("Paris",), **extra) -> dict:
    return {"uid": uid, "type": "typed", "text": f"Typed {uid}?", "accepted": list(accepted), **extra}


def slider(
    uid: str = "sl", correct: float = 42, tolerance: float = 0, low: float = 0, high: float = 100, **extra
) -> dict:
    return {
        "uid": uid,
        "type": "slider",
        "text": f"Slider {uid}?",
        "min": low,
        "max": high,
        "step": 1,
        "correct": correct,
        "tolerance": tolerance,
        **extra,
    }


def order(uid: str = "o", items: tuple[str, ...] = ("first", "second", "third", "fourth"), **extra) -> dict:
    return {"uid": uid, "type": "order", "text": f"Order {uid}?", "items": list(items), **extra}


def poll(uid: str = "p", n: int = 3, multiple: bool = False, **extra) -> dict:
    return {
        "uid": uid,
        "type": "poll",
        "text": f"Poll {uid}?",
        "multiple": multiple,
        "choices": [{"text": f"opinion {i}"} for i in range(n)],
        **extra,
    }


def deck_doc(*specs: dict, title: str = "Deck") -> dict:
    return {"format": "quizroom.deck", "version": 1, "title": title, "questions": list(specs)}


def make_room(*specs: dict, settings: Settings | None = None, seed: int = 7) -> Room:
    deck = parse_deck(deck_doc(*specs))
    return Room(CODE, "Deck", deck.questions, settings=settings, seed=seed)


def right_order(room: Room, index: int | None = None) -> list[int]:
    """The screen ids of an order question in the correct order (what a perfect phone sends)."""
    question = room.questions[room.index if index is None else index]
    return question.solution()["order"]


def walk(data: object):
    """Every (key, value) pair in a nested payload."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key, value
            yield from walk(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from walk(value)


SECRET_KEYS = {"correct", "accepted", "solution", "target", "tolerance", "display", "value"}


def assert_no_solution(payload: dict) -> None:
    """A payload a phone may see while answers are open: no key that carries the solution."""
    for key, value in walk(payload):
        if key == "reveal":
            assert value is None, payload
        if key == "last_result":
            assert value is None, payload
        assert key not in SECRET_KEYS, (key, payload)


# ----------------------------------------------------------------------- game
class Game:
    """A room plus a clock and a record of what the transport would store and send."""

    def __init__(self, *specs: dict, players: int | list[str] = 0, settings: Settings | None = None, seed: int = 7):
        self.room = make_room(*specs, settings=settings, seed=seed)
        self.now = T0
        self.stored: list[AnswerRecord] = []
        self.voided: set[int] = set()
        self.emits = []
        self.outcomes: list[Outcome] = []
        names = [f"player{i}" for i in range(players)] if isinstance(players, int) else players
        self.ids = [self.join(name) for name in names]

    def record(self, outcome: Outcome) -> Outcome:
        json.dumps([e.payload for e in outcome.emits])  # every emit must be JSON-serialisable
        self.stored += outcome.answers
        self.voided |= set(outcome.voided)
        self.emits += outcome.emits
        self.outcomes.append(outcome)
        return outcome

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def join(self, nickname: object) -> int:
        person, outcome = self.room.join(nickname, self.now)
        self.record(outcome)
        return person.id

    def do(self, action: str, *args) -> Outcome:
        """Call a room method that takes `now` last."""
        return self.record(getattr(self.room, action)(*args, self.now))

    def start(self) -> Outcome:
        return self.do("start")

    def next(self) -> Outcome:
        return self.do("next")

    def tick(self) -> Outcome:
        return self.do("tick")

    def answer(self, pid: int, value: object, index: int | None = None) -> Outcome:
        return self.do("answer", pid, self.room.index if index is None else index, value)

    def score(self, pid: int) -> int:
        return self.room.participants[pid].score

    def streak(self, pid: int) -> int:
        return self.room.participants[pid].streak

    def last_points(self, pid: int) -> int:
        return [a for a in self.stored if a.participant == pid][-1].points

    def to_player(self, event: str | None = None) -> list[dict]:
        """Payloads sent to phones (the players room and personal rooms)."""
        return [
            e.payload for e in self.emits if e.to in ("players", "participant") and (event is None or e.event == event)
        ]
