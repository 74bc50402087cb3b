"""A live room: the state machine of one run of a deck.

Every method takes ``now`` (seconds since the epoch, from the caller's clock) and
returns an ``Outcome``: what to emit to whom and what to store. Nothing here sends,
saves or sleeps, so the same code runs in tests with a fake clock, in one server
process, and when a room is rebuilt from the database after a crash.

The agenda is a list of quiz questions and activities (polls, boards, surveys)::

    lobby -> question -> reveal -> leaderboard -> (next item) ... -> ended
          -> activity (a poll, board or survey on screen) -> (next item)

``back`` shows an earlier item's results again; moving on from there shows the results
of items already played and opens the first one not played yet.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from .errors import EngineError
from .plan import activity_spec, parse_activity
from .questions import Question
from .scoring import answer_points, competition_ranks, streak_bonus
from .text import clean_nickname, nickname_key

LEADERBOARD_SIZE = 5
PODIUM_SIZE = 3
ADD_TIME_SECONDS = 10
MAX_TIME_LIMIT = 600  # a question's limit can be extended up to this, in total


class Phase(StrEnum):
    LOBBY = "lobby"
    QUESTION = "question"
    REVEAL = "reveal"
    LEADERBOARD = "leaderboard"
    ACTIVITY = "activity"
    ENDED = "ended"


@dataclass
class Participant:
    id: int
    nickname: str
    joined_at: float
    score: int = 0
    streak: int = 0
    best_streak: int = 0
    correct: int = 0
    answered: int = 0
    connected: bool = True
    removed: bool = False
    last_result: dict | None = None

    @property
    def key(self) -> str:
        return nickname_key(self.nickname)

    def public(self) -> dict:
        return {"id": self.id, "nickname": self.nickname, "connected": self.connected}

    def to_record(self) -> dict:
        return asdict(self)


@dataclass
class AnswerRecord:
    participant: int
    question: int
    question_uid: str
    value: object
    correct: bool | None
    points: int
    streak: int
    response_ms: int
    at: float


@dataclass
class SubmissionRecord:
    """Something a participant sent to a poll, board or survey (stored, then replayed)."""

    participant: int
    position: int
    activity_uid: str
    action: str
    record: dict
    at: float


@dataclass(frozen=True)
class Emit:
    """Send `event` with `payload` to 'host', 'players', or one participant."""

    event: str
    payload: dict
    to: str
    participant: int | None = None


@dataclass
class Outcome:
    emits: list[Emit] = field(default_factory=list)
    answers: list[AnswerRecord] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    room_changed: bool = False
    voided: list[int] = field(default_factory=list)
    submissions: list[SubmissionRecord] = field(default_factory=list)
    voided_answers: list[tuple[int, int]] = field(default_factory=list)  # (participant, question)
    reply: dict = field(default_factory=dict)

    def merge(self, other: Outcome) -> Outcome:
        self.emits += other.emits
        self.answers += other.answers
        self.submissions += other.submissions
        self.voided_answers += other.voided_answers
        self.participants += other.participants
        self.room_changed = self.room_changed or other.room_changed
        self.voided += other.voided
        self.reply.update(other.reply)
        return self


@dataclass
class Settings:
    question_on_device: bool = True
    # New joiners wait until the host lets them in (the transport keeps the waiting list).
    approve_joiners: bool = False

    @classmethod
    def from_dict(cls, data: dict | None) -> Settings:
        data = data or {}
        return cls(
            question_on_device=bool(data.get("question_on_device", True)),
            approve_joiners=bool(data.get("approve_joiners", False)),
        )


SETTING_NAMES = {"question_on_device", "approve_joiners"}


class Room:
    def __init__(
        self,
        code: str,
        title: str,
        activities: list | tuple,
        *,
        settings: Settings | None = None,
        seed: int | None = None,
    ):
        if not activities:
            raise EngineError("empty_deck", "a room needs at least one question or activity")
        rng = random.Random(seed)
        self.code = code
        self.title = title
        self.activities: list = [a.prepared(rng) if isinstance(a, Question) else a for a in activities]
        self.runs: dict[int, object] = {}  # agenda position -> live run of a poll/board/survey
        self.reveals: dict[int, dict] = {}  # question position -> its reveal, for "back"
        self.played: set[int] = set()
        # Agenda position -> when it first opened: who was in the room for a question
        # (retention counts "no answer" only for people who were there).
        self.opened_times: dict[int, float] = {}
        self.sent_player_view: dict | None = None
        self.sent_personal: dict[int, tuple] = {}  # pid -> (position, personal part) last sent
        self.personal_dirty = False
        self.settings = settings or Settings()
        self.phase = Phase.LOBBY
        self.index = -1
        self.locked = False
        self.opened_at = 0.0
        self.time_limit = 0.0
        self.paused_at: float | None = None
        self.paused_total = 0.0
        self.participants: dict[int, Participant] = {}
        self.by_key: dict[str, int] = {}
        self.current: dict[int, AnswerRecord] = {}
        # The last full count of expected answers, and the answers dict it was made for:
        # one more answer cannot lower it, so answers below it need no O(N) recount.
        self._expected_hint: tuple[dict, int] = ({}, 0)
        self.reveal: dict | None = None
        self.ranks: dict[int, int] = {}
        self.voided: set[int] = set()
        self.next_participant_id = 1
        self.lobby_dirty = False
        self.progress_dirty = False
        self.early_close_after = 0.0

    # ------------------------------------------------------------------ helpers
    @property
    def questions(self) -> list:
        """The agenda (its older name, from when rooms only ran decks)."""
        return self.activities

    @property
    def question(self) -> Question | None:
        if 0 <= self.index < len(self.activities) and self.phase in (Phase.QUESTION, Phase.REVEAL, Phase.LEADERBOARD):
            return self.activities[self.index]
        return None

    @property
    def run(self):
        """The live run of the poll, board or survey on screen, if any."""
        return self.runs.get(self.index) if self.phase == Phase.ACTIVITY else None

    def names(self) -> dict[int, str]:
        return {p.id: p.nickname for p in self.participants.values()}

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def elapsed(self, now: float) -> float:
        """Seconds the current question has been open, not counting pauses."""
        end = self.paused_at if self.paused_at is not None else now
        return max(0.0, end - self.opened_at - self.paused_total)

    def remaining(self, now: float) -> float:
        if self.phase != Phase.QUESTION:
            return 0.0
        return max(0.0, self.time_limit - self.elapsed(now))

    def active(self) -> list[Participant]:
        return [p for p in self.participants.values() if not p.removed]

    def expected(self) -> int:
        """Answers we wait for before closing early: everyone connected, plus those who
        answered and then dropped (their answer counts towards ``len(self.current)``)."""
        return sum(1 for p in self.participants.values() if not p.removed and (p.connected or p.id in self.current))

    def participant(self, pid: int) -> Participant:
        person = self.participants.get(pid)
        if person is None or person.removed:
            raise EngineError("not_in_room", "you are not in this room")
        return person

    def require(self, *phases: Phase) -> None:
        if self.phase not in phases:
            raise EngineError("wrong_phase", f"not possible while the room is in {self.phase}")

    # ------------------------------------------------------------ participants
    def check_joinable(self) -> None:
        if self.phase == Phase.ENDED:
            raise EngineError("room_ended", "this room has ended")
        if self.locked:
            raise EngineError("room_locked", "the host has locked this room")

    def join(self, nickname: object, now: float) -> tuple[Participant, Outcome]:
        self.check_joinable()
        name = clean_nickname(nickname)
        if nickname_key(name) in self.by_key:
            raise EngineError("nickname_taken", "that nickname is taken in this room")
        person = Participant(id=self.next_participant_id, nickname=name, joined_at=now)
        self.next_participant_id += 1
        self.participants[person.id] = person
        self.by_key[person.key] = person.id
        self.lobby_dirty = True
        self.ranks[person.id] = 1 if self.phase == Phase.LOBBY else self.rank_for_score(0)
        outcome = Outcome(participants=[person])
        outcome.reply = self.sync_for(person.id, now)
        return person, outcome

    def forget(self, pid: int) -> None:
        """Undo a join the transport could not store."""
        person = self.participants.pop(pid, None)
        if person is not None:
            self.by_key.pop(person.key, None)
            self.ranks.pop(pid, None)
            self.lobby_dirty = True

    def rejoin(self, pid: int, now: float) -> Outcome:
        person = self.participant(pid)
        if not person.connected:
            person.connected = True
            self.lobby_dirty = self.progress_dirty = True  # "x of N answered": N changed
        return Outcome(reply=self.sync_for(pid, now))

    def disconnect(self, pid: int, now: float) -> Outcome:
        person = self.participants.get(pid)
        if person is None or not person.connected:
            return Outcome()
        person.connected = False
        self.lobby_dirty = self.progress_dirty = True
        return self._close_if_everyone_answered(now)

    def answer(self, pid: int, index: object, value: object, now: float) -> Outcome:
        person = self.participant(pid)
        if self.phase != Phase.QUESTION or index != self.index:
            raise EngineError("question_closed", "this question is not open for answers")
        if self.paused:
            raise EngineError("paused", "the host has paused the question")
        if pid in self.current:
            raise EngineError("already_answered", "you have already answered this question")
        elapsed = self.elapsed(now)
        if elapsed > self.time_limit:
            raise EngineError("too_late", "time is up for this question")
        question = self.activities[self.index]
        clean = question.parse(value)
        fraction = question.grade(clean)
        if fraction is None or not question.scored:  # polls and 0-point questions
            points, streak = 0, person.streak
            correct = None if fraction is None else fraction == 1.0
        else:
            correct = fraction == 1.0
            streak = person.streak + 1 if correct else 0
            points = answer_points(fraction, elapsed, self.time_limit, question.points)
            if correct:
                points += streak_bonus(streak)
        record = AnswerRecord(
            participant=pid,
            question=self.index,
            question_uid=question.uid,
            value=clean,
            correct=correct,
            points=points,
            streak=streak,
            response_ms=int(elapsed * 1000),
            at=now,
        )
        self.current[pid] = record
        self.progress_dirty = True
        outcome = Outcome(answers=[record], reply={"question": self.index, "response_ms": record.response_ms})
        return outcome.merge(self._close_if_everyone_answered(now, one_more_answer=True))

    def retract(self, pid: int, index: int) -> None:
        """Undo an answer the transport could not store (so it was never acknowledged)."""
        if index == self.index and self.phase == Phase.QUESTION:
            self.current.pop(pid, None)
            self.progress_dirty = True

    # --------------------------------------------------------------- host
    def start(self, now: float) -> Outcome:
        self.require(Phase.LOBBY)
        return self._open(0, now)

    def next(self, now: float) -> Outcome:
        """The one key that moves the room on, whatever it is showing."""
        if self.phase == Phase.LOBBY:
            return self.start(now)
        if self.phase == Phase.QUESTION:
            return self._close(now)
        if self.phase == Phase.REVEAL and self.activities[self.index].scored:
            self.phase = Phase.LEADERBOARD
            return self._broadcast_state(now, room_changed=True)
        if self.phase in (Phase.REVEAL, Phase.LEADERBOARD, Phase.ACTIVITY):
            return self._advance(now)
        raise EngineError("wrong_phase", "the room has ended")

    def back(self, now: float) -> Outcome:
        """Show the previous agenda item's results again (nothing is reopened)."""
        self.require(Phase.REVEAL, Phase.LEADERBOARD, Phase.ACTIVITY)
        if self.index <= 0:
            raise EngineError("no_previous", "this is the first item of the agenda")
        self._leave_activity()
        return self._show(self.index - 1, now)

    def _advance(self, now: float) -> Outcome:
        self._leave_activity()
        following = self.index + 1
        if following >= len(self.activities):
            return self.end(now)
        if following in self.played:
            return self._show(following, now)
        return self._open(following, now)

    def _leave_activity(self) -> None:
        if self.phase == Phase.ACTIVITY:
            self.runs[self.index].close()

    def _show(self, index: int, now: float) -> Outcome:
        """An item already played, with its results (a question's reveal, a closed run)."""
        self.index = index
        self.current = {}
        if isinstance(self.activities[index], Question):
            self.phase = Phase.REVEAL
            self.reveal = self.reveals.get(index)
        else:
            self.phase = Phase.ACTIVITY
            self.reveal = None
            self._sent_in_state(self.runs[index])
        return self._broadcast_state(now, room_changed=True)

    def _sent_in_state(self, run) -> None:
        """The `state` about to go out carries this run's view: nothing is left for the flush."""
        run.dirty = False
        self.sent_player_view = run.view(True, self.names())
        # Everyone starts from their part as it stands; later host actions send only changes.
        self.sent_personal = {p.id: (self.index, run.personal(p.id)) for p in self.active()}

    def skip(self, now: float) -> Outcome:
        """Drop the open question (its answers stay stored but earn nothing), or move past
        the activity on screen."""
        if self.phase == Phase.ACTIVITY:
            return self._advance(now)
        self.require(Phase.QUESTION)
        self.voided.add(self.index)
        self.current = {}
        self.reveals[self.index] = {
            "solution": None,
            "distribution": None,
            "answered": 0,
            "correct": 0,
            "participants": len(self.active()),
            "skipped": True,
        }
        return Outcome(voided=[self.index]).merge(self._advance(now))

    def end_question(self, now: float) -> Outcome:
        self.require(Phase.QUESTION)
        return self._close(now)

    def pause(self, now: float) -> Outcome:
        self.require(Phase.QUESTION)
        if self.paused:
            raise EngineError("already_paused", "the question is already paused")
        self.paused_at = now
        return self._broadcast_state(now, room_changed=True)

    def resume(self, now: float) -> Outcome:
        self.require(Phase.QUESTION)
        if not self.paused:
            raise EngineError("not_paused", "the question is not paused")
        self.paused_total += now - self.paused_at  # type: ignore[operator]
        self.paused_at = None
        return self._broadcast_state(now, room_changed=True)

    def add_time(self, now: float, seconds: int = ADD_TIME_SECONDS) -> Outcome:
        self.require(Phase.QUESTION)
        if self.time_limit + seconds > MAX_TIME_LIMIT:
            raise EngineError("too_much_time", f"a question can run at most {MAX_TIME_LIMIT} s")
        self.time_limit += seconds
        return self._broadcast_state(now, room_changed=True)

    def set_locked(self, locked: object, now: float) -> Outcome:
        if not isinstance(locked, bool):
            raise EngineError("bad_payload", "locked must be true or false")
        if self.phase == Phase.ENDED:
            raise EngineError("room_ended", "this room has ended")
        self.locked = locked
        return self._broadcast_state(now, room_changed=True)

    def configure(self, changes: object, now: float) -> Outcome:
        if (
            not isinstance(changes, dict)
            or set(changes) - SETTING_NAMES
            or not all(isinstance(v, bool) for v in changes.values())
        ):
            raise EngineError("bad_payload", "settings: question_on_device and approve_joiners are true or false")
        for name, value in changes.items():
            setattr(self.settings, name, value)
        return self._broadcast_state(now, room_changed=True)

    def remove(self, pid: object, now: float) -> Outcome:
        if isinstance(pid, bool) or not isinstance(pid, int) or pid not in self.participants:
            raise EngineError("unknown_participant", "no such participant in this room")
        person = self.participants[pid]
        if person.removed:
            raise EngineError("unknown_participant", "that participant was already removed")
        person.removed = True
        person.connected = False
        self.by_key.pop(person.key, None)
        dropped = self.current.pop(pid, None)
        self.lobby_dirty = self.progress_dirty = True
        outcome = Outcome(
            participants=[person], emits=[Emit("removed", {"reason": "removed by the host"}, "participant", pid)]
        )
        if dropped is not None:  # stored, but it no longer counts: mark it voided
            outcome.voided_answers.append((pid, dropped.question))
        return outcome.merge(self._close_if_everyone_answered(now))

    def end(self, now: float) -> Outcome:
        if self.phase == Phase.ENDED:
            raise EngineError("room_ended", "this room has already ended")
        outcome = Outcome()
        if self.phase == Phase.QUESTION and self.index not in self.voided:  # skip voids the last one
            outcome.merge(self._score_current(now))
        self._leave_activity()
        self.phase = Phase.ENDED
        self.paused_at = None
        self.ranks = self._rank()
        outcome.participants += self.active()
        outcome.merge(self._broadcast_state(now, room_changed=True))
        outcome.merge(self._personal_all(now))
        return outcome

    # --------------------------------------------------- polls, boards, surveys
    def respond(self, pid: int, position: object, action: object, payload: object, now: float) -> Outcome:
        """A participant's vote, entry, note, dot vote or survey answers."""
        self.participant(pid)
        if self.phase != Phase.ACTIVITY or position != self.index:
            raise EngineError("closed", "that activity is not on screen")
        if not isinstance(action, str) or not isinstance(payload, dict):
            raise EngineError("bad_payload", "action must be text and payload an object")
        run = self.runs[self.index]
        record = run.submit(pid, action, payload, now)
        activity = self.activities[self.index]
        mine = run.personal(pid)
        self.sent_personal[pid] = (self.index, mine)
        return Outcome(
            submissions=[SubmissionRecord(pid, self.index, activity.uid, action, record, now)],
            reply={"position": self.index, "personal": mine},
        )

    def host_activity(self, action: object, args: object, now: float) -> Outcome:
        self.require(Phase.ACTIVITY)
        if not isinstance(action, str) or not isinstance(args, dict):
            raise EngineError("bad_payload", "action must be text and args an object")
        run = self.runs[self.index]
        run.host(action, args, now)
        outcome = Outcome(room_changed=True)
        outcome.emits += self._activity_emits()  # at once; to phones only if their view changed
        # A host action can change what is personal too (votes handed back by a delete, an
        # entry approved, a new allowance): the next flush tells whoever it changed for.
        self.personal_dirty = True
        return outcome

    def _changed_personal(self) -> list[Emit]:
        """`me` to the participants whose own part of the activity on screen changed."""
        run = self.run
        if run is None:
            return []
        people = self.active()
        emits = []
        for person in people:
            mine = (self.index, run.personal(person.id))
            if self.sent_personal.get(person.id) != mine:
                self.sent_personal[person.id] = mine
                emits.append(Emit("me", self.personal_view(person.id, len(people)), "participant", person.id))
        return emits

    def _activity_emits(self) -> list[Emit]:
        """The activity's views, to the stage always and to phones when theirs changed."""
        run = self.run
        if run is None:
            return []
        run.dirty = False
        names = self.names()
        emits = [Emit("activity", {"position": self.index, "view": run.view(False, names)}, "host")]
        players = run.view(True, names)
        if players != self.sent_player_view:
            self.sent_player_view = players
            emits.append(Emit("activity", {"position": self.index, "view": players}, "players"))
        return emits

    # ----------------------------------------------------------- clock
    def tick(self, now: float) -> Outcome:
        """Called a few times a second: closes a question whose time is up."""
        if self.phase == Phase.QUESTION and not self.paused and self.elapsed(now) > self.time_limit:
            return self._close(now)
        if self.early_close_after and now >= self.early_close_after:
            self.early_close_after = 0.0  # the hold is over: everyone back may have answered
            return self._close_if_everyone_answered(now)
        return Outcome()

    def flush(self, now: float) -> Outcome:
        """Coalesced updates for the host: lobby list and answer count, at most once a tick."""
        outcome = Outcome()
        if self.lobby_dirty:
            self.lobby_dirty = False
            outcome.emits.append(Emit("lobby", self.lobby_view(), "host"))
        if self.progress_dirty:
            self.progress_dirty = False
            if self.phase == Phase.QUESTION:
                outcome.emits.append(Emit("progress", self.progress_view(), "host"))
        if self.run is not None and self.run.dirty:
            outcome.emits += self._activity_emits()
        if self.personal_dirty:
            self.personal_dirty = False
            outcome.emits += self._changed_personal()
        return outcome

    # ------------------------------------------------------- transitions
    def _open(self, index: int, now: float) -> Outcome:
        self.played.add(index)
        self.opened_times.setdefault(index, now)
        item = self.activities[index]
        if not isinstance(item, Question):
            self.phase = Phase.ACTIVITY
            self.index = index
            self.current = {}
            self.reveal = None
            run = self.runs.get(index)
            if run is None:
                run = self.runs[index] = item.new_run()
            run.open()
            self._sent_in_state(run)
            return self._broadcast_state(now, room_changed=True)
        self.phase = Phase.QUESTION
        self.index = index
        self.opened_at = now
        self.time_limit = float(self.activities[index].time_limit)
        self.paused_at = None
        self.paused_total = 0.0
        self.current = {}
        self.reveal = None
        self.progress_dirty = True
        return self._broadcast_state(now, room_changed=True)

    def hold_early_close(self, until: float) -> None:
        """After a restart nobody is connected yet: until everyone is back (or `until`),
        the first phones back must not close the question by being "all" who answered.
        The question's timer still runs."""
        self.early_close_after = until

    def _close_if_everyone_answered(self, now: float, one_more_answer: bool = False) -> Outcome:
        if one_more_answer:
            counted_for, expected = self._expected_hint
            if counted_for is self.current and len(self.current) < expected:
                return Outcome()  # 2,000 answers: 2 recounts, not 2,000
        if now < self.early_close_after and not all(p.connected for p in self.active()):
            return Outcome()
        if self.phase == Phase.QUESTION and self.current:
            expected = self.expected()
            self._expected_hint = (self.current, expected)
            if len(self.current) >= expected:
                return self._close(now)
        return Outcome()

    def _close(self, now: float) -> Outcome:
        outcome = self._score_current(now)
        self.phase = Phase.REVEAL
        outcome.merge(self._broadcast_state(now, room_changed=True))
        outcome.merge(self._personal_all(now))
        return outcome

    def _score_current(self, now: float) -> Outcome:
        """Apply the open question's answers to everyone's score and streak."""
        question = self.activities[self.index]
        if self.paused_at is not None:
            self.paused_total += now - self.paused_at
            self.paused_at = None
        for person in self.active():
            record = self.current.get(person.id)
            if record is not None:
                person.answered += 1
                person.score += record.points
                person.streak = record.streak
                person.best_streak = max(person.best_streak, person.streak)
                person.correct += 1 if record.correct else 0
            elif question.scored:  # a missed scored question breaks the streak
                person.streak = 0
            person.last_result = self._result_for(person, record, question)
        values = [r.value for r in self.current.values()]
        self.reveal = {
            "solution": question.solution() if question.kind != "poll" else None,
            "distribution": question.distribution(values),
            "answered": len(self.current),
            "correct": sum(1 for r in self.current.values() if r.correct),
            "participants": len(self.active()),
        }
        self.reveals[self.index] = self.reveal
        self.ranks = self._rank()
        return Outcome(participants=self.active(), room_changed=True)

    def _result_for(self, person: Participant, record: AnswerRecord | None, question: Question) -> dict:
        return {
            "question": self.index,
            "answered": record is not None,
            "value": record.value if record else None,
            "correct": record.correct if record else (False if question.kind != "poll" else None),
            "points": record.points if record else 0,
            "response_ms": record.response_ms if record else None,
        }

    def _rank(self) -> dict[int, int]:
        return competition_ranks({p.id: p.score for p in self.active()})

    def rank_of(self, person: Participant) -> int:
        rank = self.ranks.get(person.id)  # (not .get(id, default): the default costs O(n))
        return rank if rank is not None else self.rank_for_score(person.score)

    def rank_for_score(self, score: int) -> int:
        return 1 + sum(1 for p in self.active() if p.score > score)

    def standings(self, size: int) -> list[dict]:
        ordered = sorted(self.active(), key=lambda p: (-p.score, p.id))[:size]
        return [
            {"rank": self.rank_of(p), "id": p.id, "nickname": p.nickname, "score": p.score, "streak": p.streak}
            for p in ordered
        ]

    # ------------------------------------------------------------ views
    def question_view(self, for_players: bool) -> dict | None:
        question = self.question
        if question is None:
            return None
        view = question.public()
        if for_players and not self.settings.question_on_device:
            view["text"] = None
            view["image"] = None
        if self.phase == Phase.QUESTION:
            view["time_limit"] = self.time_limit
        return view

    def common_view(self, now: float, for_players: bool) -> dict:
        view = {
            "code": self.code,
            "title": self.title,
            "phase": str(self.phase),
            "index": self.index,
            "position": self.index,
            "total": len(self.activities),
            "question_number": self.question_number(),
            "questions_total": sum(1 for a in self.activities if isinstance(a, Question)),
            "locked": self.locked,
            "paused": self.paused,
            "remaining_ms": int(self.remaining(now) * 1000),
            "settings": {"question_on_device": self.settings.question_on_device}
            if for_players
            else asdict(self.settings),
            "question": self.question_view(for_players),
            "reveal": self.reveal if self.phase in (Phase.REVEAL, Phase.LEADERBOARD) else None,
            "leaderboard": None,
            "podium": None,
            "activity": None,
        }
        if self.run is not None:
            view["activity"] = {"position": self.index, **self.run.view(for_players, self.names())}
        if self.phase == Phase.LEADERBOARD:
            view["leaderboard"] = self.standings(LEADERBOARD_SIZE)
        if self.phase == Phase.ENDED:
            view["leaderboard"] = self.standings(LEADERBOARD_SIZE)
            view["podium"] = self.standings(PODIUM_SIZE)
        return view

    def question_number(self) -> int | None:
        """1-based number of the question on screen among the agenda's quiz questions."""
        if self.question is None:
            return None
        return sum(1 for a in self.activities[: self.index + 1] if isinstance(a, Question))

    def host_view(self, now: float) -> dict:
        view = self.common_view(now, for_players=False)
        view["progress"] = self.progress_view()
        view["participants"] = len(self.active())
        return view

    def player_view(self, now: float) -> dict:
        return self.common_view(now, for_players=True)

    def lobby_view(self) -> dict:
        people = self.active()
        return {"count": len(people), "participants": [p.public() for p in people]}

    def progress_view(self) -> dict:
        return {"question": self.index, "answered": len(self.current), "expected": self.expected()}

    def personal_view(self, pid: int, participants: int | None = None) -> dict:
        person = self.participants[pid]
        data = {
            "id": person.id,
            "nickname": person.nickname,
            "score": person.score,
            "streak": person.streak,
            "rank": self.rank_of(person),
            "participants": len(self.active()) if participants is None else participants,
            "answered_current": pid in self.current if self.phase == Phase.QUESTION else False,
            "last_result": self._result_on_screen(person),
            "activity": self.run.personal(pid) if self.run is not None else None,
        }
        if self.phase == Phase.ENDED:
            # Questions with a right answer (0-point ones too: `correct` counts them); not polls.
            graded = [
                q
                for i, q in enumerate(self.activities)
                if isinstance(q, Question) and q.kind != "poll" and i not in self.voided
            ]
            data["summary"] = {
                "correct": person.correct,
                "questions": len(graded),
                "best_streak": person.best_streak,
                "answered": person.answered,
            }
        return data

    def _result_on_screen(self, person: Participant) -> dict | None:
        """The person's result for the question whose reveal is showing (not, after "back",
        the result of a later question)."""
        result = person.last_result
        if self.phase in (Phase.REVEAL, Phase.LEADERBOARD) and result and result.get("question") == self.index:
            return result
        return None

    def sync_for(self, pid: int, now: float) -> dict:
        return {"state": self.player_view(now), "me": self.personal_view(pid)}

    def _broadcast_state(self, now: float, room_changed: bool = False) -> Outcome:
        return Outcome(
            emits=[Emit("state", self.host_view(now), "host"), Emit("state", self.player_view(now), "players")],
            room_changed=room_changed,
        )

    def _personal_all(self, now: float) -> Outcome:
        people = self.active()
        return Outcome(emits=[Emit("me", self.personal_view(p.id, len(people)), "participant", p.id) for p in people])

    # ---------------------------------------------------- persistence
    def snapshot(self) -> dict:
        """Everything needed, with the stored participants and answers, to rebuild the room."""
        return {
            "code": self.code,
            "title": self.title,
            "activities": [activity_spec(a) for a in self.activities],
            "settings": asdict(self.settings),
            "phase": str(self.phase),
            "index": self.index,
            "locked": self.locked,
            "opened_at": self.opened_at,
            "time_limit": self.time_limit,
            "paused_at": self.paused_at,
            "paused_total": self.paused_total,
            "reveal": self.reveal,
            "voided": sorted(self.voided),
            "played": sorted(self.played),
            "opened_times": {str(i): t for i, t in sorted(self.opened_times.items())},
            "reveals": {str(i): r for i, r in self.reveals.items()},
            "runs": {str(i): run.state() for i, run in self.runs.items()},
        }

    @classmethod
    def restore(
        cls,
        snapshot: dict,
        participants: list[Participant],
        current_answers: list[AnswerRecord],
        submissions: list[SubmissionRecord] | tuple = (),
    ) -> Room:
        specs = snapshot.get("activities") or [{"kind": "question", **q} for q in snapshot["questions"]]
        room = cls(
            snapshot["code"],
            snapshot["title"],
            [parse_activity(spec) for spec in specs],
            settings=Settings.from_dict(snapshot.get("settings")),
        )
        room.phase = Phase(snapshot["phase"])
        room.index = snapshot["index"]
        room.locked = snapshot["locked"]
        room.opened_at = snapshot["opened_at"]
        room.time_limit = snapshot["time_limit"]
        room.paused_at = snapshot["paused_at"]
        room.paused_total = snapshot["paused_total"]
        room.reveal = snapshot.get("reveal")
        room.voided = set(snapshot.get("voided", []))
        room.played = set(snapshot.get("played", range(room.index + 1)))
        room.reveals = {int(i): r for i, r in (snapshot.get("reveals") or {}).items()}
        room.opened_times = {int(i): t for i, t in (snapshot.get("opened_times") or {}).items()}
        for key, state in (snapshot.get("runs") or {}).items():
            run = room.runs[int(key)] = room.activities[int(key)].new_run()
            run.load_state(state)
        for item in submissions:  # in arrival order, as they were acknowledged
            run = room.runs.get(item.position)
            if run is not None:
                run.replay(item.participant, item.action, item.record)
        for run in room.runs.values():
            run.dirty = False
        room.next_participant_id = 1 + max((p.id for p in participants), default=0)
        for person in participants:
            person.connected = False  # until their phone comes back
            room.participants[person.id] = person
            if not person.removed:
                room.by_key[person.key] = person.id
        if room.phase == Phase.QUESTION:  # a removed participant's stored answer no longer counts
            present = {p.id for p in room.active()}
            room.current = {
                a.participant: a for a in current_answers if a.question == room.index and a.participant in present
            }
        elif room.phase in (Phase.REVEAL, Phase.LEADERBOARD) and isinstance(room.activities[room.index], Question):
            # Each phone's result card for the question on screen, as it was before the restart.
            question = room.activities[room.index]
            mine = {a.participant: a for a in current_answers if a.question == room.index}
            for person in room.active():
                person.last_result = room._result_for(person, mine.get(person.id), question)
        room.ranks = room._rank()
        return room
