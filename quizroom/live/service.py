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

from flask_socketio import SocketIO

from ..engine import EngineError, Outcome, Room, Settings
from ..store import RoomStore, token_hash

log = logging.getLogger(__name__)

# A phone may propose its own token (so that a retried join resumes instead of clashing);
# it must be long and random-looking enough to be unguessable.
CLIENT_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,100}")
# After a restart, phones get this long to come back before "everyone answered" can
# close a question early (the question's own timer is not affected).
RESUME_GRACE_SECONDS = 15.0


@dataclass
class LiveRoom:
    id: int
    code: str
    trainer_id: int
    host_salt: str
    engine: Room
    tokens: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


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
    def __init__(self, socketio: SocketIO, store: RoomStore, secret_key: str, clock: Callable[[], float] = time.time):
        self.socketio = socketio
        self.store = store
        self.secret = secret_key.encode()
        self.clock = clock
        self.rooms: dict[str, LiveRoom] = {}
        self.connections: dict[str, Connection] = {}
        # (room code, participant id) -> that person's open connections, so a disconnect
        # does not scan every connection of the process (a room of 2,000 leaving at once).
        self.player_sids: dict[tuple[str, int], set[str]] = {}
        self.registry_lock = threading.Lock()
        self.ticker_started = False

    # ------------------------------------------------------------ rooms
    def host_key(self, room_id: int, salt: str) -> str:
        """Only the server can make it: HMAC of the room's random salt under the secret key."""
        message = f"quizroom-host:{room_id}:{salt}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:40]

    def new_code(self) -> str:
        taken = set(self.rooms) | self.store.live_codes()
        while True:
            code = f"{secrets.randbelow(10**6):06d}"
            if code not in taken:
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
                title=title,
                host_salt=salt,
                snapshot=room.snapshot(),
            )
            live = LiveRoom(id=room_id, code=code, trainer_id=trainer_id, host_salt=salt, engine=room)
            self.rooms[code] = live
        return live, self.host_key(room_id, salt)

    def restore(self) -> int:
        """Rebuild live rooms from the database (after a restart)."""
        count = 0
        now = self.clock()
        for row, room, tokens in self.store.load_live_rooms():
            room.hold_early_close(now + RESUME_GRACE_SECONDS)
            self.rooms[row.code] = LiveRoom(
                id=row.id, code=row.code, trainer_id=row.trainer_id, host_salt=row.host_salt, engine=room, tokens=tokens
            )
            count += 1
        return count

    def get(self, code: str) -> LiveRoom:
        live = self.rooms.get(code)
        if live is None:
            raise EngineError("room_not_found", "no live room has that code")
        return live

    # ---------------------------------------------------------- output
    def dispatch(self, live: LiveRoom, outcome: Outcome) -> None:
        """Store what changed, then tell everyone. Call with the room's lock held."""
        snapshot = live.engine.snapshot() if outcome.room_changed else None
        self.store.persist(live.id, outcome, snapshot)
        for emit in outcome.emits:
            self.socketio.emit(emit.event, emit.payload, to=socket_room(live.code, emit.to, emit.participant))
        removed = [e.participant for e in outcome.emits if e.event == "removed"]
        for pid in removed:
            self._disconnect_participant(live.code, pid)

    def _disconnect_participant(self, code: str, pid: int | None) -> None:
        for sid in self.player_sids.pop((code, pid), set()):
            self.connections.pop(sid, None)
            self.socketio.server.disconnect(sid, namespace="/")

    def _enter(self, sid: str, code: str, *names: str) -> None:
        for name in names:
            self.socketio.server.enter_room(sid, name, namespace="/")

    # -------------------------------------------------------- players
    def join(self, sid: str, code: str, nickname: object, token: str | None) -> dict:
        live = self.get(code)
        now = self.clock()
        if token is not None:
            pid = live.tokens.get(token_hash(token))
            if pid is not None:
                if live.engine.participants[pid].removed:
                    raise EngineError("removed", "the host removed you from this room")
                self._check_free(sid, Connection(code, "player", pid))
                with live.lock:  # in the socket rooms before any later broadcast can go out
                    outcome = live.engine.rejoin(pid, now)
                    self._attach_player(sid, live, pid)
                return {"ok": True, "token": token, "resumed": True, **outcome.reply}
            if nickname is None:
                raise EngineError("unknown_token", "pick a nickname to join")
        if sid in self.connections:
            raise EngineError("already_joined", "this connection has already joined; reconnect to join again")
        if token is None or not CLIENT_TOKEN.fullmatch(token):
            token = secrets.token_urlsafe(24)
        with live.lock:
            person, outcome = live.engine.join(nickname, now)
            try:
                self.store.add_participant(live.id, person, token)
            except Exception:
                live.engine.forget(person.id)
                raise
            live.tokens[token_hash(token)] = person.id
            self._attach_player(sid, live, person.id)
        return {"ok": True, "token": token, "resumed": False, **outcome.reply}

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
        with live.lock:  # stored under the lock: a failed write can be undone by a rebuild
            outcome = live.engine.respond(conn.participant, position, action, payload, self.clock())
            try:
                self.store.save_submissions(live.id, outcome.submissions)
            except Exception:
                log.exception("could not store a submission in room %s", live.code)
                self._rebuild_run(live, live.engine.index)
                raise EngineError("not_stored", "that could not be saved; send it again") from None
        return {"ok": True, **outcome.reply}

    def _rebuild_run(self, live: LiveRoom, position: int) -> None:
        """Bring a run back to what the database holds (after a failed write)."""
        run = live.engine.runs[position]
        fresh = live.engine.activities[position].new_run()
        fresh.load_state(run.state())
        fresh._recent = run._recent  # keep the rate limit's memory across the rebuild
        for item in self.store.load_submissions(live.id, position):
            fresh.replay(item.participant, item.action, item.record)
        live.engine.runs[position] = fresh

    def disconnect(self, sid: str) -> None:
        conn = self.connections.pop(sid, None)
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
    def attach_host(self, sid: str, code: str, key: str) -> dict:
        live = self.get(code)
        # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, not a 'no').
        if not hmac.compare_digest(key.encode(), self.host_key(live.id, live.host_salt).encode()):
            raise EngineError("not_host", "that host key does not open this room")
        self._check_free(sid, Connection(code, "host"))
        self.connections[sid] = Connection(code, "host")
        self._enter(sid, code, socket_room(code, "host"))
        now = self.clock()
        return {"ok": True, "state": live.engine.host_view(now), "lobby": live.engine.lobby_view()}

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

    def start_ticker(self, interval: float) -> None:
        if self.ticker_started:
            return
        self.ticker_started = True

        def run() -> None:
            while True:
                self.socketio.sleep(interval)
                self.tick()

        self.socketio.start_background_task(run)
