"""Random games: any sequence of host and participant actions, at any moments, raises
nothing but EngineError, a refused action changes nothing, and the books always balance:

- every non-removed participant's score is the sum of the points of their stored,
  non-voided answers to closed questions (and `answered` their count);
- at most one stored answer per participant and question;
- phases move only along the edges of the diagram in room.py;
- nothing sent to a phone while answers are open carries the solution.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from quizroom.engine import EngineError, Phase
from quizroom.engine.scoring import STREAK_CAP

from .helpers import Game, assert_no_solution, multi, order, poll, single, slider, truefalse, typed
from .test_room import restore

SPECS = [
    single(time_limit=5),
    single(n=2, correct=1, time_limit=6),
    single(points=2000, time_limit=5),
    single(points=0, time_limit=5),
    multi(correct=(0, 2), time_limit=5),
    truefalse(time_limit=5),
    typed(accepted=("Oslo", "Ósló"), time_limit=5),
    slider(correct=40, tolerance=5, time_limit=5),
    order(items=("a", "b", "c"), time_limit=5),
    poll(time_limit=5),
    poll(multiple=True, time_limit=5),
]
JUNK = [None, True, -1, 99, "x", "", [], [99], [0, 0], {"v": 0}, 1.5, "Oslo" * 40, [[0]]]
ALLOWED = {
    ("lobby", "question"),
    ("lobby", "ended"),
    ("question", "question"),  # skip opens the next question
    ("question", "reveal"),
    ("question", "ended"),
    ("reveal", "leaderboard"),
    ("reveal", "question"),
    ("reveal", "ended"),
    ("leaderboard", "question"),
    ("leaderboard", "ended"),
}
HOST = {
    "next": 6,
    "start": 1,
    "skip": 1,
    "pause": 1,
    "resume": 1,
    "add_time": 0.5,
    "end_question": 0.5,
    "end": 0.1,
    "lock": 0.5,
    "unlock": 0.5,
    "remove": 0.3,
    "configure": 0.3,
}
NAMES = ["Ana", "ana", "Bo", " Cy ", "", "x" * 30, None, "Dee", "Eve"]

KINDS = {"answer": 12, "advance": 3, "host": 4, "tick": 2, "join": 1, "connection": 1, "restart": 0.3}


def random_action(rng, phase: Phase) -> tuple:
    """One step of a script; weights keep games moving (answers while a question is open,
    "next" otherwise; now and then anything, anywhere)."""
    kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
    if kind == "answer" and phase != Phase.QUESTION and rng.random() < 0.8:
        kind = "host"
    if kind == "answer":
        return kind, rng.randrange(7), rng.randrange(21), rng.choice([0] * 8 + [1, -1])
    if kind == "advance":
        return kind, rng.choice([0.1, 0.1, 0.5, 0.5, 1, 1, 2.5, 5.5, 15])
    if kind == "host":
        return kind, rng.choices(list(HOST), weights=list(HOST.values()))[0], rng.randrange(7)
    if kind == "join":
        return kind, rng.choice(NAMES)
    if kind == "connection":
        return kind, rng.randrange(1, 7), rng.random() < 0.5
    return (kind,)


def candidates(game: Game) -> list:
    """Right, wrong and partial answers for the open question."""
    room = game.room
    if room.phase != Phase.QUESTION:
        return [0]
    question = room.questions[room.index]
    if question.kind == "order":
        return [question.solution()["order"], [0, 1, 2], [2, 1, 0]]
    if question.kind == "poll":
        return [[0], [1, 2]] if question.multiple else [0, 1, 2]
    return {
        "single": [0, 1],
        "truefalse": [0, 1],
        "multi": [[0, 2], [0], [1], [0, 1, 2]],
        "typed": ["oslo", " OSLO ", "Bergen"],
        "slider": [40, 44.5, 46, 0],
    }[question.kind]


def fingerprint(game: Game) -> str:
    room = game.room
    return json.dumps(
        [
            room.snapshot(),
            [p.to_record() for p in room.participants.values()],
            sorted(room.current),
            room.next_participant_id,
            sorted(room.by_key.items()),
        ],
        sort_keys=True,
        default=str,
    )


class Player:
    def __init__(self, game: Game):
        self.game = game

    def attempt(self, method: str, *args) -> None:
        game = self.game
        before, phase, index, sent = fingerprint(game), game.room.phase, game.room.index, len(game.emits)
        try:
            if method == "join":
                game.join(*args)
            else:
                game.do(method, *args)
        except EngineError as error:
            assert error.code and error.message
            assert fingerprint(game) == before, f"refused {method}{args} changed the room"
            event(f"refused: {error.code}")
            return
        room = game.room
        if room.phase != phase:
            assert (str(phase), str(room.phase)) in ALLOWED, (method, phase, room.phase)
            event(f"{phase} -> {room.phase}")
        if phase == Phase.REVEAL and room.phase == Phase.QUESTION:
            assert not room.questions[index].scored  # scored questions show the leaderboard first
        if room.phase == Phase.QUESTION and (phase != Phase.QUESTION or room.index != index):
            assert room.index == index + 1
            if phase == Phase.QUESTION:
                assert index in room.voided  # only skip goes from one question to the next
                event("question -> question (skip)")
        if room.phase == Phase.QUESTION:
            for emit in game.emits[sent:]:
                if emit.to in ("players", "participant") and emit.event in ("state", "me"):
                    assert_no_solution(emit.payload)

    def run(self, action: tuple) -> None:
        game, kind = self.game, action[0]
        if kind == "advance":
            game.advance(action[1])
        elif kind == "tick":
            self.attempt("tick")
            self.attempt("flush")
        elif kind == "join":
            self.attempt("join", action[1])
        elif kind == "answer":
            _, who, which, offset = action
            people = sorted(game.room.participants)
            pid = people[who % len(people)] if people and who < 6 else 99
            values = candidates(game)
            value = values[which % len(values)] if which < 15 else JUNK[which % len(JUNK)]
            self.attempt("answer", pid, game.room.index + offset, value)
        elif kind == "host":
            _, name, arg = action
            if name in ("lock", "unlock"):
                self.attempt("set_locked", [name == "lock", None, "yes"][arg % 3] if arg < 4 else name == "lock")
            elif name == "remove":
                self.attempt("remove", [1, 2, 3, 4, 99, "1", None][arg])
            elif name == "configure":
                self.attempt(
                    "configure", [{"question_on_device": False}, {"question_on_device": True}, {"x": 1}, None][arg % 4]
                )
            else:
                self.attempt(name)
        elif kind == "connection":
            self.attempt("rejoin" if action[2] else "disconnect", action[1])
        elif kind == "restart":  # the server dies; the room is rebuilt from what was stored
            game.room = restore(game)
        self.check()

    def check(self) -> None:
        game = self.game
        room, stored = game.room, game.stored
        keys = [(a.participant, a.question) for a in stored]
        assert len(keys) == len(set(keys)), "two answers to one question"
        open_index = room.index if room.phase == Phase.QUESTION else None
        for person in room.active():
            settled = [
                a
                for a in stored
                if a.participant == person.id and a.question not in game.voided and a.question != open_index
            ]
            assert person.score == sum(a.points for a in settled)
            assert person.answered == len(settled)
            assert 0 <= person.streak <= person.best_streak <= len(settled)
        for record in stored:
            question = room.questions[record.question]
            assert 0 <= record.points <= question.points + STREAK_CAP
            if not question.scored:
                assert record.points == 0
        if room.phase == Phase.QUESTION:
            assert set(room.current) <= {p.id for p in room.active()}
            assert 0 <= room.remaining(game.now) <= room.time_limit <= 600


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    specs=st.lists(st.sampled_from(SPECS), min_size=1, max_size=6),
    players=st.integers(1, 4),
    seed=st.integers(0, 2**16),
    rng=st.randoms(use_true_random=True),
    steps=st.integers(20, 120),
)
def test_random_games_keep_the_books(specs, players, seed, rng, steps):
    game = Game(*[dict(spec, uid=f"q{i}") for i, spec in enumerate(specs)], players=players, seed=seed)
    player = Player(game)
    script = []
    for _ in range(steps):
        script.append(random_action(rng, game.room.phase))
        player.run(script[-1])  # on failure, hypothesis prints the seed; `script` shows the steps
    event(f"stored answers: {min(len(game.stored), 10)}")
    event(f"ended in {game.room.phase}")
