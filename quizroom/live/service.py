"""Live rooms held by this process: the registry, host keys, tokens, and the ticker.

The service turns engine Outcomes into database writes and Socket.IO emits. Socket
rooms per quiz room: ``<code>/host`` (stage and presenter), ``<code>/players`` (every
phone) and ``<code>/p/<participant id>`` (one person's phones, so a reconnect with a
new sid still gets personal messages).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from flask_socketio import SocketIO

from ..engine import EngineError, Outcome, Phase, Room, Settings
from ..engine.text import NICKNAME_MAX, clean_nickname
from ..people import KnownPerson, People
from ..routing import Partition, worker_of
from ..store import RoomStore, epoch, token_hash
from . import hosts, limits
from .admission import Admission
from .collector import Collector
from .payloads import PersonRef

log = logging.getLogger(__name__)

# A phone may propose its own token (so that a retried join resumes instead of clashing);
# it must be long and random-looking enough to be unguessable.
CLIENT_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,100}")
# After a restart, phones get this long to come back before "everyone answered" can
# close a question early (the question's own timer is not affected).
RESUME_GRACE_SECONDS = 15.0
SWEEP_SECONDS = 60.0  # how often the ticker looks for abandoned rooms
BURSTS = (Phase.QUESTION, Phase.ACTIVITY)  # phases in which every phone may send at once


@dataclass
class LiveRoom:
    id: int
    code: str
    trainer_id: int
    host_salt: str
    engine: Room
    tokens: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    group_id: int | None = None  # run for this group (roster): phones may pick their name
    people: dict[int, int] = field(default_factory=dict)  # participant id -> person id (known people)
    seats: dict[int, int] = field(default_factory=dict)  # person id -> their participant id
    admission: Admission = field(default_factory=Admission)  # joins waiting for the host
    touched: float = 0.0  # when anything last happened in it (clock seconds)
    hosts: hosts.Hosts | None = None  # owner, co-hosts, host sockets (live/hosts.py; loaded on first use)
    rebuilds: int = 0  # runs rebuilt from the database after a failed write (see respond)
    on_screen: tuple = ()  # (phase, index) at the last dispatch: a new burst is a change of it

    def link(self, pid: int, person_id: int | None) -> None:
        if person_id is not None:
            self.people[pid] = person_id
            self.seats[person_id] = pid

    def unlink(self, person_id: int) -> None:
        self.seats.pop(person_id, None)
        for pid in [pid for pid, known in self.people.items() if known == person_id]:
            del self.people[pid]

    def seat_of(self, person_id: int) -> int | None:
        """The participant who is this person in the room; a removed one holds no seat."""
        pid = self.seats.get(person_id)
        if pid is None:
            return None
        participant = self.engine.participants.get(pid)
        return pid if participant is not None and not participant.removed else None


@dataclass
class Connection:
    code: str
    role: str  # "host" or "player"
    participant: int | None = None


def socket_room(code: str, to: str, participant: int | None = None) -> str:
    if to == "participant":
        return f"{code}/p/{participant}"
    return f"{code}/{to}"


class LiveRooms:
    def __init__(
        self,
        socketio: SocketIO,
        store: RoomStore,
        secret_key: str,
        clock: Callable[[], float] = time.time,
        abandon_after: float = 12 * 3600,
        partition: Partition = Partition(),
        collector: Collector | None = None,
    ):
        self.socketio = socketio
        self.collector = collector or Collector(enabled=False)  # collector.py
        self.partition = partition  # the rooms this worker holds (routing.py)
        self.abandon_after = abandon_after
        self.next_sweep = 0.0
        self.store = store
        self.secret = secret_key.encode()
        self.clock = clock
        self.people = People(store.db, clock)  # who a join's `person` is
        self.rooms: dict[str, LiveRoom] = {}
        self.connections: dict[str, Connection] = {}
        # (room code, participant id) -> that person's open connections, so a disconnect
        # does not scan every connection of the process (a room of 2,000 leaving at once).
        self.player_sids: dict[tuple[str, int], set[str]] = {}
        self.waiting_sids: dict[str, str] = {}  # sid of a phone waiting to be let in -> room code
        self.registry_lock = threading.Lock()
        self.ticker_started = False

    # ------------------------------------------------------------ rooms
    def host_key(self, room_id: int, salt: str) -> str:
        """Only the server can make it: HMAC of the room's random salt under the secret key."""
        message = f"quizroom-host:{room_id}:{salt}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:40]

    def new_code(self) -> str:
        """A free code among those the proxy routes to this worker."""
        taken = set(self.rooms) | self.store.live_codes()
        while True:
            code = f"{secrets.randbelow(10**6):06d}"
            if code not in taken and self.partition.owns(code):
                return code

    def open_room(
        self,
        *,
        trainer_id: int,
        deck_id: int | None,
        title: str,
        activities: list | tuple = (),
        plan_id: int | None = None,
        settings: dict | None = None,
        group_id: int | None = None,
    ) -> tuple[LiveRoom, str]:
        """Start a room from an agenda (a deck's questions, or a plan's questions and
        activities); returns it with its host key."""
        with self.registry_lock:
            code = self.new_code()
            room = Room(code, title, activities, settings=Settings.from_dict(settings), seed=secrets.randbits(32))
            salt = secrets.token_hex(16)
            room_id = self.store.create_room(
                code=code,
                trainer_id=trainer_id,
                deck_id=deck_id,
                plan_id=plan_id,
                group_id=group_id,
                title=title,
                host_salt=salt,
                snapshot=room.snapshot(),
            )
            live = LiveRoom(
                id=room_id,
                code=code,
                trainer_id=trainer_id,
                host_salt=salt,
                engine=room,
                group_id=group_id,
                touched=self.clock(),
            )
            self.rooms[code] = live
        return live, self.host_key(room_id, salt)

    def restore(self) -> int:
        """Rebuild live rooms from the database (after a restart); end the ones nobody has
        used for longer than the abandon grace instead of leaving them half-open."""
        count = 0
        now = self.clock()
        for row, room, tokens, people in self.store.load_live_rooms(self.partition.owns):
            room.hold_early_close(now + RESUME_GRACE_SECONDS)
            last = row.updated_at or row.created_at
            live = LiveRoom(
                id=row.id,
                code=row.code,
                trainer_id=row.trainer_id,
                host_salt=row.host_salt,
                engine=room,
                tokens=tokens,
                group_id=row.group_id,
                touched=epoch(last),
            )
            for pid in sorted(people):  # a later seat of the same person (after a removal) wins
                live.link(pid, people[pid])
            if now - live.touched > self.abandon_after:
                self._end_abandoned(live, now)
                continue
            self.rooms[row.code] = live
            count += 1
        return count

    def _end_abandoned(self, live: LiveRoom, now: float) -> None:
        """End a room nobody uses any more (its scores so far stand) and forget it."""
        with live.lock:
            if str(live.engine.phase) != "ended":
                self.dispatch(live, live.engine.end(now))
            log.info("room %s ended after %.0f h without activity", live.code, (now - live.touched) / 3600)
        self.rooms.pop(live.code, None)

    def sweep(self, now: float) -> int:
        """End (or, once ended, forget) rooms idle past the abandon grace with nobody connected."""
        busy = {conn.code for conn in self.connections.values()} | set(self.waiting_sids.values())
        stale = [
            live
            for live in list(self.rooms.values())
            if live.code not in busy and now - live.touched > self.abandon_after
        ]
        for live in stale:
            try:
                self._end_abandoned(live, now)
            except Exception:
                log.exception("could not end abandoned room %s", live.code)
        return len(stale)

    def get(self, code: str) -> LiveRoom:
        live = self.rooms.get(code)
        if live is None:
            self.check_routed(code)
            raise EngineError("room_not_found", "no live room has that code")
        return live

    def check_routed(self, code: str) -> None:
        """A code of another worker's share reached this one: the proxy is not routing by
        room code (or that worker is down). Refuse, rather than answer "no such room"."""
        if not self.partition.owns(code):
            log.warning(
                "room code %s belongs to worker %d, not %d",
                code,
                worker_of(code, self.partition.count),
                self.partition.index,
            )
            raise EngineError("wrong_worker", "this room is served by another worker; reload the page")

    # ---------------------------------------------------------- output
    def dispatch(self, live: LiveRoom, outcome: Outcome) -> None:
        """Store what changed, then tell everyone. Call with the room's lock held."""
        snapshot = live.engine.snapshot() if outcome.room_changed else None
        self.store.persist(live.id, outcome, snapshot)
        live.touched = self.clock()
        on_screen = (live.engine.phase, live.engine.index)
        if on_screen != live.on_screen:
            live.on_screen = on_screen
            if on_screen[0] in BURSTS:
                self.collector.opening()
        for emit in outcome.emits:
            self.socketio.emit(emit.event, emit.payload, to=socket_room(live.code, emit.to, emit.participant))
        hosts.after_dispatch(self, live, outcome)  # presenter views: notes, who has not answered
        removed = [e.participant for e in outcome.emits if e.event == "removed"]
        for pid in removed:
            live.admission.bar(pid)
            self._disconnect_participant(live.code, pid)
        if snapshot is not None and snapshot["phase"] == "ended" and live.people:
            # Fold the session into its known people's memory, off the request that ended it.
            from ..retention.sync import after_room_ended  # (retention reads results, which needs the app)

            ended_at = datetime.fromtimestamp(self.clock(), UTC)
            self.socketio.start_background_task(after_room_ended, self.store.db, live.id, ended_at)

    def _disconnect_participant(self, code: str, pid: int | None) -> None:
        for sid in self.player_sids.pop((code, pid), set()):
            self.connections.pop(sid, None)
            self.socketio.server.disconnect(sid, namespace="/")

    def _enter(self, sid: str, code: str, *names: str) -> None:
        for name in names:
            self.socketio.server.enter_room(sid, name, namespace="/")

    # -------------------------------------------------------- players
    def join(
        self,
        sid: str,
        code: str,
        nickname: object,
        token: str | None,
        person: PersonRef | None = None,
        *,
        device: str | None = None,
        admitted: bool = False,
    ) -> dict:
        """A phone joins: resumes by its token, or joins as someone new — anonymous with a
        nickname, or a known person (``person``: personal link key, roster pick, opt-in).
        A new join waits for the host (admission.py) unless ``admitted``."""
        live = self.get(code)
        now = self.clock()
        removed_token = False
        if token is not None:
            pid = live.tokens.get(token_hash(token))
            if pid is not None and live.engine.participants[pid].removed:
                if nickname is None and person is None:
                    raise EngineError("removed", "the host removed you from this room")
                removed_token, token = True, None  # a new name from a removed phone: the host decides
                pid = None
            if pid is not None:
                self._check_free(sid, Connection(code, "player", pid))
                with live.lock:  # in the socket rooms before any later broadcast can go out
                    outcome = live.engine.rejoin(pid, now)
                    self._attach_player(sid, live, pid)
                return {"ok": True, "token": token, "resumed": True, **outcome.reply}
            if nickname is None and person is None:
                raise EngineError("unknown_token", "pick a nickname to join")
        if sid in self.connections:
            raise EngineError("already_joined", "this connection has already joined; reconnect to join again")
        if sid in self.waiting_sids:
            raise EngineError("already_waiting", "this phone is already waiting for the host to let it in")
        if token is None or not CLIENT_TOKEN.fullmatch(token):
            token = secrets.token_urlsafe(24)
        known, new_person, shown = self._identify(live, person) if person is not None else (None, None, None)
        if not admitted and (known is None or live.seat_of(known.id) is None):
            reason = live.admission.reason_to_wait(live.engine.settings.approve_joiners, device, removed_token)
            if reason is not None:
                live.engine.check_joinable()  # a locked or ended room queues nobody
                return self._park(sid, live, nickname, token, person, device, reason, shown, now)
        with live.lock:
            if known is not None:
                seat = live.seat_of(known.id)
                if seat is not None:
                    if person.key is None:  # a roster pick or an opt-in cannot take someone's seat
                        raise EngineError(
                            "person_taken",
                            f"{shown} has already joined this room; if that is you, open your personal link",
                        )
                    return self._resume_seat(sid, live, seat, token, now, shown)
            joined, outcome = self._join_engine(live, nickname, shown, now)
            try:
                person_id = self.store.add_participant(
                    live.id, joined, token, person_id=known.id if known else None, new_person=new_person
                )
            except Exception:
                live.engine.forget(joined.id)
                raise
            live.tokens[token_hash(token)] = joined.id
            live.link(joined.id, person_id)
            live.admission.remember(joined.id, device)
            self._attach_player(sid, live, joined.id)
        reply = {"ok": True, "token": token, "resumed": False, **outcome.reply}
        if shown is not None:
            reply["person"] = {"name": shown}
        return reply

    def _park(self, sid, live: LiveRoom, nickname, token, person, device, reason, shown, now) -> dict:
        """Hold a join until the host decides (docs/protocol.md, *Approve joiners*)."""
        # A bad nickname is refused now, not when the host admits it.
        name = shown if nickname is None and shown is not None else clean_nickname(nickname)
        with live.lock:
            request = live.admission.park(
                sid=sid,
                name=name,
                nickname=nickname,
                token=token,
                person=person,
                device=device,
                reason=reason,
                at=now,
            )
            self.waiting_sids[sid] = live.code
            self._send_requests(live)
        return {"ok": True, "waiting": True, "request": request.id, "reason": reason, "token": token}

    def _send_requests(self, live: LiveRoom) -> None:
        self.socketio.emit("join_requests", live.admission.view(), to=socket_room(live.code, "host"))

    def admit(self, sid: str, request_id: int, admit: bool, cap: int = 0) -> dict:
        """The host lets a waiting phone in (it gets ``admitted`` with the join's reply) or
        not (it gets ``refused``)."""
        conn = self.connections.get(sid)
        if conn is None or conn.role != "host":
            raise EngineError("not_host", "only the room's host can do that")
        live = self.get(conn.code)
        with live.lock:
            request = live.admission.take(request_id)
            if request is None:
                raise EngineError("unknown_request", "nobody is waiting with that request (they may have left)")
            self.waiting_sids.pop(request.sid, None)
            if admit and cap and len(live.engine.active()) >= cap:
                live.admission.requests[request.id] = request  # still waiting: the host may remove someone
                self.waiting_sids[request.sid] = live.code
                raise EngineError("room_full", f"this room is full ({cap} participants)")
            if not admit:
                self.socketio.emit("refused", {"reason": "The host did not let you in."}, to=request.sid)
                self._send_requests(live)
                return {"ok": True}
            try:
                reply = self.join(
                    request.sid,
                    live.code,
                    request.nickname,
                    request.token,
                    request.person,
                    device=request.device,
                    admitted=True,
                )
            except EngineError as error:  # e.g. the nickname was taken meanwhile: the phone is told why
                reply = error.as_ack()
            self.socketio.emit("admitted", reply, to=request.sid)
            self._send_requests(live)
        return {"ok": True, "joined": reply["ok"]}

    def _identify(self, live: LiveRoom, ref: PersonRef) -> tuple[KnownPerson | None, object, str]:
        """Who a join's ``person`` is: (known person or None, a new person row to create
        with the participant (an opt-in with a new e-mail), the name to greet them by).
        Only reads; nothing is stored until the join itself is."""
        if ref.key is not None:
            known = self.people.known_by_link(live.trainer_id, ref.key)
            if known is None:
                raise EngineError(
                    "unknown_person", "that personal link is not for this room's trainer; join with a nickname"
                )
            return known, None, known.name
        if ref.id is not None:
            if live.group_id is None:
                raise EngineError("unknown_person", "this room has no list of names; join with a nickname")
            known = self.people.known_member(live.trainer_id, live.group_id, ref.id)
            if known is None:
                raise EngineError("unknown_person", "that name is not on this room's list; pick again")
            return known, None, known.name
        # Opt-in: the name typed is the one shown back, never the stored one (that would
        # tell anyone typing an address whose it is).
        known = self.people.known_by_email(live.trainer_id, ref.email)
        if known is not None:
            return known, None, ref.name
        return None, self.people.new_person(live.trainer_id, ref.name, ref.email), ref.name

    def _join_engine(self, live: LiveRoom, nickname: object, name: str | None, now: float):
        """``engine.join`` with the nickname given, or else the person's name ("Ana 2" when
        "Ana" is taken)."""
        if nickname is not None or name is None:
            return live.engine.join(nickname, now)
        base = clean_nickname(name[:NICKNAME_MAX].rstrip())
        for number in range(1, 100):
            suffix = "" if number == 1 else f" {number}"
            try:
                return live.engine.join(base[: NICKNAME_MAX - len(suffix)].rstrip() + suffix, now)
            except EngineError as error:
                if error.code != "nickname_taken":
                    raise
        raise EngineError("nickname_taken", "that name is taken in this room; type a nickname")

    def _resume_seat(self, sid: str, live: LiveRoom, pid: int, token: str, now: float, name: str) -> dict:
        """A personal link opens the seat its person already has (a new phone, a lost
        token): the new token becomes theirs and the old ones stop working."""
        self._check_free(sid, Connection(live.code, "player", pid))
        self.store.replace_token(live.id, pid, token)
        for old in [h for h, owner in live.tokens.items() if owner == pid]:
            del live.tokens[old]
        live.tokens[token_hash(token)] = pid
        outcome = live.engine.rejoin(pid, now)
        self._attach_player(sid, live, pid)
        return {"ok": True, "token": token, "resumed": True, "person": {"name": name}, **outcome.reply}

    def resumes_by_link(self, live: LiveRoom, ref: PersonRef | None) -> bool:
        """True when ``ref`` is the personal link of someone holding a seat in the room
        (a resume, which the join limits never refuse)."""
        if ref is None or ref.key is None:
            return False
        known = self.people.known_by_link(live.trainer_id, ref.key)
        return known is not None and live.seat_of(known.id) is not None

    def open_roster(self, live: LiveRoom) -> list[KnownPerson] | None:
        """For "pick your name": the room's group members who have not joined yet
        (None: the room is not run for a group)."""
        if live.group_id is None:
            return None
        return [p for p in self.people.roster(live.trainer_id, live.group_id) if live.seat_of(p.id) is None]

    def unlink_person(self, person_id: int) -> None:
        """A deleted person: no live room links anyone to them any more."""
        for live in list(self.rooms.values()):
            with live.lock:
                live.unlink(person_id)

    def forget_group(self, group_id: int) -> None:
        """A deleted group: rooms run for it carry on without a roster."""
        for live in list(self.rooms.values()):
            if live.group_id == group_id:
                live.group_id = None

    def _check_free(self, sid: str, wanted: Connection) -> None:
        """One connection, one role: a socket that already joined (as someone else, or as
        the host) would otherwise stay in that person's socket rooms, and that person
        would stay "connected" for ever, holding up every question's early close."""
        current = self.connections.get(sid)
        if current is not None and current != wanted:
            raise EngineError("already_joined", "this connection has already joined; reconnect to join again")

    def _attach_player(self, sid: str, live: LiveRoom, pid: int) -> None:
        self.connections[sid] = Connection(live.code, "player", pid)
        self.player_sids.setdefault((live.code, pid), set()).add(sid)
        self._enter(sid, live.code, socket_room(live.code, "players"), socket_room(live.code, "participant", pid))

    def answer(self, sid: str, index: int, value: object) -> dict:
        conn = self.connections.get(sid)
        if conn is None or conn.role != "player":
            raise EngineError("not_joined", "join a room before answering")
        live = self.get(conn.code)
        with live.lock:
            outcome = live.engine.answer(conn.participant, index, value, self.clock())
        try:
            self.store.save_answers(live.id, outcome.answers)
        except Exception:
            log.exception("could not store an answer in room %s", live.code)
            with live.lock:
                live.engine.retract(conn.participant, index)
            raise EngineError("not_stored", "your answer could not be saved; send it again") from None
        if outcome.emits or outcome.room_changed:
            try:  # the answer is stored: whatever happens next, it is acknowledged
                with live.lock:
                    self.dispatch(live, outcome)
            except Exception:
                log.exception("could not close the question in room %s", live.code)
        return {"ok": True, **outcome.reply}

    def respond(self, sid: str, position: object, action: object, payload: object) -> dict:
        """A vote, entry, note, dot vote or survey answer: stored before it is acknowledged."""
        conn = self.connections.get(sid)
        if conn is None or conn.role != "player":
            raise EngineError("not_joined", "join a room before responding")
        live = self.get(conn.code)
        with live.lock:
            outcome = live.engine.respond(conn.participant, position, action, payload, self.clock())
            rebuilds = live.rebuilds
        try:  # outside the lock, so that submissions to one room share a group commit
            self.store.save_submissions(live.id, outcome.submissions)
        except Exception:
            log.exception("could not store a submission in room %s", live.code)
            with live.lock:
                self._rebuild_runs(live, outcome.submissions)
            raise EngineError("not_stored", "that could not be saved; send it again") from None
        if live.rebuilds != rebuilds:  # another's failed write rebuilt the run without this one
            with live.lock:
                self._rebuild_runs(live, outcome.submissions)
        return {"ok": True, **outcome.reply}

    def _rebuild_runs(self, live: LiveRoom, items: list) -> None:
        for position in sorted({item.position for item in items}):
            self._rebuild_run(live, position)

    def _rebuild_run(self, live: LiveRoom, position: int) -> None:
        """Bring a run back to what the database holds (after a failed write)."""
        live.rebuilds += 1
        run = live.engine.runs[position]
        fresh = live.engine.activities[position].new_run()
        fresh.load_state(run.state())
        fresh._recent = run._recent  # keep the rate limit's memory across the rebuild
        for item in self.store.load_submissions(live.id, position):
            fresh.replay(item.participant, item.action, item.record)
        live.engine.runs[position] = fresh

    def disconnect(self, sid: str) -> None:
        waiting_in = self.waiting_sids.pop(sid, None)
        if waiting_in is not None and waiting_in in self.rooms:
            live = self.rooms[waiting_in]
            with live.lock:
                if live.admission.drop_sid(sid):
                    self._send_requests(live)
        conn = self.connections.pop(sid, None)
        if conn is not None and conn.role == "host":
            hosts.detached(self, conn.code, sid)
        if conn is None or conn.role != "player":
            return
        key = (conn.code, conn.participant)
        sids = self.player_sids.get(key, set())
        sids.discard(sid)
        if sids:
            return  # another of their phones (or tabs) is still here
        self.player_sids.pop(key, None)
        live = self.rooms.get(conn.code)
        if live is not None:
            with live.lock:
                self.dispatch(live, live.engine.disconnect(conn.participant, self.clock()))

    # ----------------------------------------------------------- hosts
    def attach_host(self, sid: str, code: str, key: str, view: str = "stage") -> dict:
        live = self.rooms.get(code)
        if live is None:
            self.check_routed(code)
        # The owner's key or a co-host's (live/hosts.py); a removed co-host's opens nothing.
        trainer = hosts.key_owner(self, live, key) if live is not None else None
        if trainer is None:
            # A failed look-up, limited like a join's: "room_not_found" versus "not_host" would
            # otherwise tell anyone, without limit, which codes are live. The right key always opens.
            refused = limits.check_failed_lookup(current_app._get_current_object())
            if refused:
                raise EngineError("too_many_guesses", refused)
            if live is None:
                raise EngineError("room_not_found", "no live room has that code")
            raise EngineError("not_host", "that host key does not open this room")
        self._check_free(sid, Connection(code, "host"))
        self.connections[sid] = Connection(code, "host")
        self._enter(sid, code, socket_room(code, "host"))
        now = self.clock()
        return {
            "ok": True,
            "state": live.engine.host_view(now),
            "lobby": live.engine.lobby_view(),
            "requests": live.admission.view(),
            **hosts.attached(self, live, sid, trainer, view),
        }

    def host_command(self, sid: str, command: Callable[[Room, float], Outcome]) -> dict:
        conn = self.connections.get(sid)
        if conn is None or conn.role != "host":
            raise EngineError("not_host", "only the room's host can do that")
        live = self.get(conn.code)
        with live.lock:
            outcome = command(live.engine, self.clock())
            self.dispatch(live, outcome)
        return {"ok": True}

    # ----------------------------------------------------------- clock
    def tick(self) -> None:
        """Close questions whose time is up and send coalesced updates."""
        now = self.clock()
        for live in list(self.rooms.values()):
            try:
                with live.lock:
                    outcome = live.engine.tick(now).merge(live.engine.flush(now))
                    if outcome.emits or outcome.room_changed:
                        self.dispatch(live, outcome)
            except Exception:
                log.exception("tick failed for room %s", live.code)
        if now >= self.next_sweep:
            self.next_sweep = now + SWEEP_SECONDS
            self.sweep(now)
        self.collector.tick(any(live.engine.phase in BURSTS for live in self.rooms.values()))

    def start_ticker(self, interval: float) -> None:
        if self.ticker_started:
            return
        self.ticker_started = True

        def run() -> None:
            while True:
                self.socketio.sleep(interval)
                self.tick()

        self.socketio.start_background_task(run)
