"""Recognition of peer trainers (docs/feedback.md): a trainer's figures, the badges they
have earned and the workspace's rankings. Pure: plain records in (built from the database
by track_record.py), figures out; ``now`` is passed in. Badges are computed every time,
never stored: change a rule in ``BADGES`` and every profile follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .feedback import Averages, averages

RECENT_DAYS = 90  # "most active": sessions run in this many days before today
MIN_EVALUATIONS = 3  # a peer rating average counts (rankings, the five-star badge) from this many evaluations
MIN_RETENTION_PEOPLE = 3  # retention of a trainer's decks counts from this many people with memory states
TOP = 5  # rows per ranking


# ---------------------------------------------------------------------- records
@dataclass(frozen=True)
class SessionRecord:
    """One ended room, as recognition and the programme report read it."""

    room_id: int
    trainer_id: int  # who ran it (rooms.trainer_id): the session counts for them
    title: str
    started_at: datetime  # aware UTC
    known: frozenset[int] = frozenset()  # people (models.Person ids) present, not removed
    anonymous: int = 0  # participants without a person: counted once per session
    topics: tuple[str, ...] = ()  # topics of the quiz questions played
    presenters: frozenset[int] = frozenset()  # other trainers who presented part of it (hand-overs)

    @property
    def participants(self) -> int:
        return len(self.known) + self.anonymous


@dataclass(frozen=True)
class DeckRecord:
    id: int
    trainer_id: int
    title: str
    forked_from_id: int | None = None


@dataclass(frozen=True)
class RetentionRecord:
    """What the retention model says of the questions of one trainer's decks."""

    mean_recall: float | None = None  # mean over those questions of their mean predicted recall now
    people: int = 0  # distinct people with a memory state of at least one of them
    questions: int = 0  # of their questions, how many someone has a memory of

    @property
    def enough(self) -> bool:
        return self.mean_recall is not None and self.people >= MIN_RETENTION_PEOPLE


@dataclass(frozen=True)
class Reach:
    known: int  # distinct known people over every session
    anonymous: int  # anonymous participants, summed per session

    @property
    def total(self) -> int:
        return self.known + self.anonymous


def reach(sessions: Iterable[SessionRecord]) -> Reach:
    """People reached: a known person once however many sessions they attended; an anonymous
    participant once per session (nicknames cannot be followed from one session to the next)."""
    known: set[int] = set()
    anonymous = 0
    for session in sessions:
        known |= session.known
        anonymous += session.anonymous
    return Reach(len(known), anonymous)


@dataclass(frozen=True)
class Fork:
    deck: DeckRecord  # the copy
    original: DeckRecord


def forks_of(trainer_id: int, decks: Iterable[DeckRecord]) -> list[Fork]:
    """Copies colleagues made of ``trainer_id``'s decks (a trainer's copy of their own deck is no fork)."""
    decks = list(decks)
    own = {d.id: d for d in decks if d.trainer_id == trainer_id}
    return [Fork(d, own[d.forked_from_id]) for d in decks if d.forked_from_id in own and d.trainer_id != trainer_id]


# ---------------------------------------------------------------------- a trainer's figures
@dataclass(frozen=True)
class TrainerStats:
    trainer_id: int
    name: str
    sessions: int
    recent_sessions: int  # in the last RECENT_DAYS days
    reach: Reach
    rubric: Averages  # peer evaluations received
    evaluations_given: int
    decks: int
    forks: int  # copies colleagues made of their decks
    retention: RetentionRecord
    co_presented: int  # sessions with a hand-over they gave or took
    last_session: datetime | None = None

    @property
    def evaluations(self) -> int:
        return self.rubric.count

    @property
    def peer_average(self) -> float | None:
        """The peer rating average, once it rests on at least MIN_EVALUATIONS evaluations."""
        return self.rubric.overall if self.rubric.count >= MIN_EVALUATIONS else None


def trainer_stats(
    trainer_id: int,
    name: str,
    sessions: Iterable[SessionRecord],
    evaluations: Iterable[object],
    decks: Iterable[DeckRecord],
    retention: RetentionRecord | None,
    given: int,
    now: datetime,
) -> TrainerStats:
    """``sessions``, ``evaluations`` and ``decks`` may be the whole workspace's: only this
    trainer's are counted (evaluations: anything with ``trainer_id`` and the rubric scores)."""
    every = list(sessions)
    mine = [s for s in every if s.trainer_id == trainer_id]
    since = now - timedelta(days=RECENT_DAYS)
    decks = list(decks)
    return TrainerStats(
        trainer_id=trainer_id,
        name=name,
        sessions=len(mine),
        recent_sessions=sum(1 for s in mine if s.started_at >= since),
        reach=reach(mine),
        rubric=averages(e for e in evaluations if getattr(e, "trainer_id", None) == trainer_id),
        evaluations_given=given,
        decks=sum(1 for d in decks if d.trainer_id == trainer_id),
        forks=len(forks_of(trainer_id, decks)),
        retention=retention or RetentionRecord(),
        co_presented=sum(
            1 for s in every if (s.trainer_id == trainer_id and s.presenters) or trainer_id in s.presenters
        ),
        last_session=max((s.started_at for s in mine), default=None),
    )


# ---------------------------------------------------------------------- badges
def _peer_average_rounded(s: TrainerStats) -> float | None:
    return round(s.peer_average, 1) if s.peer_average is not None else None


def _retention(s: TrainerStats) -> float | None:
    return s.retention.mean_recall if s.retention.enough else None


# metric name -> (what it counts, its value for a trainer; None = not enough data yet)
METRICS: dict[str, tuple[str, Callable[[TrainerStats], float | None]]] = {
    "sessions": ("sessions run", lambda s: s.sessions),
    "people": ("people reached", lambda s: s.reach.total),
    "peer_average": (f"peer rating average over {MIN_EVALUATIONS}+ evaluations", _peer_average_rounded),
    "forks": ("decks forked by colleagues", lambda s: s.forks),
    "given": ("peer evaluations given", lambda s: s.evaluations_given),
    "co_presented": ("co-presented sessions", lambda s: s.co_presented),
    "retention": (f"mean recall of their decks' questions ({MIN_RETENTION_PEOPLE}+ people)", _retention),
}


@dataclass(frozen=True)
class Badge:
    """Earned when the metric's value is at least ``minimum``."""

    id: str
    title: str
    description: str
    metric: str
    minimum: float


BADGES: tuple[Badge, ...] = (
    Badge("first-session", "First session", "Ran a first session to its end.", "sessions", 1),
    Badge("sessions-5", "5 sessions", "Ran 5 sessions.", "sessions", 5),
    Badge("sessions-10", "10 sessions", "Ran 10 sessions.", "sessions", 10),
    Badge("sessions-25", "25 sessions", "Ran 25 sessions.", "sessions", 25),
    Badge("people-100", "100 people reached", "Reached 100 people in their sessions.", "people", 100),
    Badge("people-500", "500 people reached", "Reached 500 people in their sessions.", "people", 500),
    Badge(
        "five-stars",
        "Five stars from peers",
        f"A peer rating average of 5.0 (to one decimal) over at least {MIN_EVALUATIONS} evaluations.",
        "peer_average",
        5.0,
    ),
    Badge("forked", "Borrowed by a colleague", "A colleague copied (forked) one of their decks.", "forks", 1),
    Badge("peer-reviewer", "Peer reviewer", "Gave peer feedback on 3 colleagues' sessions.", "given", 3),
    Badge("tag-team", "Tag team", "Co-presented a session: handed it over, or took it over.", "co_presented", 1),
    Badge(
        "it-sticks",
        "It sticks",
        f"The questions of their decks have a mean predicted recall of at least 80 % among at least "
        f"{MIN_RETENTION_PEOPLE} people.",
        "retention",
        0.8,
    ),
)


@dataclass(frozen=True)
class BadgeState:
    badge: Badge
    earned: bool
    value: float | None  # the metric's value now (None: not enough data)


def badges(stats: TrainerStats, rules: Iterable[Badge] = BADGES) -> list[BadgeState]:
    """Every badge, earned or not, in the order of ``rules``."""
    out = []
    for badge in rules:
        value = METRICS[badge.metric][1](stats)
        out.append(BadgeState(badge, value is not None and value >= badge.minimum, value))
    return out


def earned(stats: TrainerStats, rules: Iterable[Badge] = BADGES) -> list[Badge]:
    return [state.badge for state in badges(stats, rules) if state.earned]


# ---------------------------------------------------------------------- rankings
@dataclass(frozen=True)
class RankRow:
    rank: int
    trainer_id: int
    name: str
    value: float
    detail: str


@dataclass(frozen=True)
class Ranking:
    id: str
    title: str
    explanation: str
    rows: list[RankRow] = field(default_factory=list)
    empty: str = ""


def _ranked(rows: list[tuple[tuple, TrainerStats, float, str]], top: int) -> list[RankRow]:
    """rows: (sort key, stats, value, detail); equal values share a rank (1, 2, 2, 4)."""
    rows.sort(key=lambda r: r[0])
    out: list[RankRow] = []
    for position, (_key, stats, value, detail) in enumerate(rows[:top], start=1):
        rank = out[-1].rank if out and out[-1].value == value else position
        out.append(RankRow(rank, stats.trainer_id, stats.name, value, detail))
    return out


def most_active(stats: Iterable[TrainerStats], top: int = TOP) -> Ranking:
    rows = [
        (
            (-s.recent_sessions, -s.sessions, s.name.casefold(), s.trainer_id),
            s,
            s.recent_sessions,
            f"{s.recent_sessions} in {RECENT_DAYS} days, {s.sessions} in all",
        )
        for s in stats
        if s.recent_sessions > 0
    ]
    return Ranking(
        "active",
        "Most active",
        f"Sessions run (rooms they opened and ended) in the last {RECENT_DAYS} days. Equal counts share a "
        "rank; the list then goes by sessions in all, then by name.",
        _ranked(rows, top),
        f"Nobody has run a session in the last {RECENT_DAYS} days.",
    )


def best_rated(stats: Iterable[TrainerStats], top: int = TOP) -> Ranking:
    rows = [
        (
            (-round(s.peer_average, 2), -s.evaluations, s.name.casefold(), s.trainer_id),
            s,
            round(s.peer_average, 2),
            f"{s.evaluations} evaluations",
        )
        for s in stats
        if s.peer_average is not None
    ]
    return Ranking(
        "rated",
        "Most effective: rated by peers",
        f"The mean of clarity, interactivity and usefulness (1 to 5) in colleagues' evaluations of their "
        f"sessions, for trainers with at least {MIN_EVALUATIONS} evaluations. Equal averages share a rank; "
        "more evaluations come first.",
        _ranked(rows, top),
        f"Nobody has {MIN_EVALUATIONS} peer evaluations yet.",
    )


def best_retention(stats: Iterable[TrainerStats], top: int = TOP) -> Ranking:
    rows = [
        (
            (-round(s.retention.mean_recall, 2), -s.retention.people, s.name.casefold(), s.trainer_id),
            s,
            round(s.retention.mean_recall, 2),
            f"{s.retention.people} people, {s.retention.questions} questions",
        )
        for s in stats
        if s.retention.enough
    ]
    return Ranking(
        "retention",
        "Most effective: what sticks",
        "The mean predicted recall today (the retention model) of the questions of the decks they own, among "
        f"the people who answered them, for trainers whose questions at least {MIN_RETENTION_PEOPLE} people "
        "have a memory of. Equal values share a rank; more people come first.",
        _ranked(rows, top),
        f"No trainer's decks have been answered by {MIN_RETENTION_PEOPLE} known people yet.",
    )


def rankings(stats: Iterable[TrainerStats], top: int = TOP) -> list[Ranking]:
    stats = list(stats)
    return [most_active(stats, top), best_rated(stats, top), best_retention(stats, top)]
