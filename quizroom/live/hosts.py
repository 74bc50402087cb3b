"""Who may run a live room, and from which sockets (docs/cohosts.md).

- Host keys: the owner's is the room's key (``LiveRooms.host_key``, as ever); each co-host
  has a key of their own, ``HMAC(secret, "quizroom-cohost:<room id>:<salt>:<trainer id>")``,
  which stops opening the room the moment they are removed.
- ``host:cohost_add`` / ``host:cohost_remove`` / ``host:handover``: the owner or the trainer
  presenting now manages the team; every host socket gets the new ``hosts`` view. A removed
  co-host's sockets get ``revoked`` and are disconnected.
- Presenter views (``host:attach`` with ``"view": "presenter"``) also join
  ``<code>/presenter`` and get ``presenter`` messages (live/presenter.py) after changes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import cohosts
from ..engine import EngineError, Outcome, Phase
from . import presenter

if TYPE_CHECKING:
    from .service import LiveRoom, LiveRooms

VIEWS = ("stage", "presenter")


@dataclass
class Hosts:
    """A live room's team and the host sockets attached to it."""

    team: cohosts.Team
    sids: dict[str, int] = field(default_factory=dict)  # attached host socket -> its trainer
    presenters: set[str] = field(default_factory=set)  # those that are presenter views
    sent: dict | None = None  # the presenter view last sent


def presenter_room(code: str) -> str:
    return f"{code}/presenter"


def of(service: LiveRooms, live: LiveRoom) -> Hosts:
    """The room's hosts, read from the database the first time (also after a restart)."""
    if live.hosts is None:
        with live.lock:  # two first attaches at once must not each make their own
            if live.hosts is None:
                live.hosts = Hosts(cohosts.load_team(service.store.db, live.id, live.trainer_id))
    return live.hosts


# ------------------------------------------------------------------ keys
def _cohost_key(service: LiveRooms, live: LiveRoom, trainer_id: int) -> str:
    message = f"quizroom-cohost:{live.id}:{live.host_salt}:{trainer_id}".encode()
    return hmac.new(service.secret, message, hashlib.sha256).hexdigest()[:40]


def key_for(service: LiveRooms, live: LiveRoom, trainer_id: int) -> str | None:
    """The host key the pages of ``trainer_id`` carry for this room (None: not a host)."""
    team = of(service, live).team
    if trainer_id == team.owner:
        return service.host_key(live.id, live.host_salt)
    if trainer_id in team.cohosts and cohosts.may_cohost(service.store.db, team.owner, trainer_id):
        return _cohost_key(service, live, trainer_id)
    return None


def key_owner(service: LiveRooms, live: LiveRoom, key: str) -> int | None:
    """Which host a key belongs to (None: nobody's, or a co-host who may no longer co-host)."""
    team = of(service, live).team
    given = key.encode()  # bytes: compare_digest refuses non-ASCII str
    if hmac.compare_digest(given, service.host_key(live.id, live.host_salt).encode()):
        return team.owner
    for trainer_id in team.cohosts:
        if hmac.compare_digest(given, _cohost_key(service, live, trainer_id).encode()):
            return trainer_id if cohosts.may_cohost(service.store.db, team.owner, trainer_id) else None
    return None


# --------------------------------------------------------------- sockets
def attached(service: LiveRooms, live: LiveRoom, sid: str, trainer_id: int, view: str) -> dict:
    """Record a host socket; returns what its ``host:attach`` ack adds."""
    hosts = of(service, live)
    with live.lock:
        hosts.sids[sid] = trainer_id
        reply = {"team": hosts.team.view(), "you": trainer_id}
        if view == "presenter":
            hosts.presenters.add(sid)
            service.socketio.server.enter_room(sid, presenter_room(live.code), namespace="/")
            reply["presenter"] = presenter.view(live.engine)
    return reply


def detached(service: LiveRooms, code: str, sid: str) -> None:
    live = service.rooms.get(code)
    if live is not None and live.hosts is not None:
        live.hosts.sids.pop(sid, None)
        live.hosts.presenters.discard(sid)


def after_dispatch(service: LiveRooms, live: LiveRoom, outcome: Outcome) -> None:
    """Send presenter views what changed for them (call with the room's lock held)."""
    hosts = live.hosts
    if hosts is None or not hosts.presenters:
        return
    if not any(e.to == "host" and e.event in presenter.TRIGGERS for e in outcome.emits):
        return
    current = presenter.view(live.engine)
    if current != hosts.sent:
        hosts.sent = current
        service.socketio.emit("presenter", current, to=presenter_room(live.code))


# -------------------------------------------------------------- commands
def _sender(service: LiveRooms, sid: str) -> tuple[LiveRoom, Hosts, int]:
    conn = service.connections.get(sid)
    live = service.rooms.get(conn.code) if conn is not None and conn.role == "host" else None
    trainer_id = live.hosts.sids.get(sid) if live is not None and live.hosts is not None else None
    if trainer_id is None:
        raise EngineError("not_host", "only the room's host can do that")
    return live, live.hosts, trainer_id


def _check_manager(live: LiveRoom, team: cohosts.Team, trainer_id: int) -> None:
    if not team.may_manage(trainer_id):
        raise EngineError("not_owner", "only the room's owner or the trainer presenting now can do that")
    if live.engine.phase == Phase.ENDED:
        raise EngineError("room_ended", "the room has ended")


def _send_team(service: LiveRooms, live: LiveRoom) -> None:
    service.socketio.emit("hosts", live.hosts.team.view(), to=f"{live.code}/host")


def add_cohost(service: LiveRooms, sid: str, trainer_id: int | None, email: str | None) -> dict:
    live, hosts, me = _sender(service, sid)
    db = service.store.db
    with live.lock:
        team = hosts.team
        _check_manager(live, team, me)
        found = cohosts.find_trainer(db, trainer_id=trainer_id, email=email)
        if found is not None and found.id in team.hosts():
            raise EngineError("already_host", f"{found.name} already hosts this room")
        if found is None or not cohosts.may_cohost(db, team.owner, found.id):
            raise EngineError(
                "unknown_trainer", "no colleague of your workspace who runs rooms has that account; check the e-mail"
            )
        if len(team.cohosts) >= cohosts.COHOSTS_MAX:
            raise EngineError("too_many_cohosts", f"a room can have at most {cohosts.COHOSTS_MAX} co-hosts")
        cohosts.add_cohost(db, live.id, found.id, me, service.clock())
        team.cohosts.append(found.id)
        team.names[found.id] = found.name
        _send_team(service, live)
    return {"ok": True}


def remove_cohost(service: LiveRooms, sid: str, trainer_id: int) -> dict:
    live, hosts, me = _sender(service, sid)
    with live.lock:
        team = hosts.team
        if not team.may_manage(me):
            raise EngineError("not_owner", "only the room's owner or the trainer presenting now can do that")
        if trainer_id not in team.cohosts:
            raise EngineError("unknown_cohost", "that trainer is not a co-host of this room")
        if trainer_id == team.presenter:
            raise EngineError("is_presenter", "they are presenting: hand the room over to someone else first")
        cohosts.remove_cohost(service.store.db, live.id, trainer_id)
        team.cohosts.remove(trainer_id)
        _revoke(service, live, hosts, trainer_id)
        _send_team(service, live)
    return {"ok": True}


def _revoke(service: LiveRooms, live: LiveRoom, hosts: Hosts, trainer_id: int) -> None:
    """Detach and disconnect every host socket of a removed co-host, telling it why."""
    server = service.socketio.server
    for sid in [s for s, owner in hosts.sids.items() if owner == trainer_id]:
        service.socketio.emit("revoked", {"reason": "You are no longer a host of this room."}, to=sid)
        for name in (f"{live.code}/host", presenter_room(live.code)):
            server.leave_room(sid, name, namespace="/")
        hosts.sids.pop(sid, None)
        hosts.presenters.discard(sid)
        service.connections.pop(sid, None)
        server.disconnect(sid, namespace="/")


def handover(service: LiveRooms, sid: str, trainer_id: int) -> dict:
    """Pass the room to another host: participants see nothing but the name on the stage."""
    live, hosts, me = _sender(service, sid)
    with live.lock:
        team = hosts.team
        _check_manager(live, team, me)
        if trainer_id not in team.hosts():
            raise EngineError("unknown_cohost", "add that trainer as a co-host before handing the room over")
        if trainer_id == team.presenter:
            raise EngineError("already_presenting", "that trainer is presenting already")
        cohosts.record_handover(
            service.store.db, live.id, live.engine.index, team.presenter, trainer_id, service.clock()
        )
        team.presenter = trainer_id
        _send_team(service, live)
    return {"ok": True}
