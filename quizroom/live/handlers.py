"""Socket.IO events (docs/protocol.md). Each handler checks its payload, then calls
the service; every error becomes ``{"ok": false, "error": {"code", "message"}}``."""

from __future__ import annotations

import functools
import logging

from flask import current_app, request, session
from flask_login import current_user
from flask_socketio import SocketIO

from .. import members, workspaces
from ..engine import EngineError
from ..store import token_hash
from . import hosts, limits, payloads
from .service import LiveRoom, LiveRooms

log = logging.getLogger(__name__)

# Host events that take no arguments: event name -> engine method.
SIMPLE_HOST_EVENTS = {
    "host:start": "start",
    "host:next": "next",
    "host:skip": "skip",
    "host:pause": "pause",
    "host:resume": "resume",
    "host:add_time": "add_time",
    "host:end_question": "end_question",
    "host:end": "end",
    "host:back": "back",
}


def acked(handler):
    """Turn rule violations into error acks and never let an exception escape."""

    @functools.wraps(handler)
    def wrapper(*args, **context):  # context: the sid, for plain_event handlers
        try:
            if len(args) > 1:  # emit("join", a, b): one payload object per event, never more
                raise payloads.bad("send one payload object")
            return handler(*args, **context)
        except EngineError as error:
            return error.as_ack()
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            return {"ok": False, "error": {"code": "server_error", "message": "something went wrong"}}

    return wrapper


def plain_event(socketio: SocketIO, event: str):
    """Register a phone's hot event (answers, responses) straight on python-socketio.

    Flask-SocketIO builds a Flask request context for every event it dispatches (decoding
    the session cookie, matching the URL): about 0.24 ms of CPU each, a tenth of the
    server's time when 2,000 phones answer (docs/performance.md). These handlers use
    neither Flask's request nor its session, so they skip it; they get the sid as the
    keyword ``sid`` instead of ``request.sid``."""

    def register(handler):
        socketio.server.on(event, lambda sid, *args: handler(*args, sid=sid), namespace="/")
        return handler

    return register


def _resumes(room: LiveRoom, token: str | None) -> bool:
    """A join by the token of someone still in the room (a removed participant's token is
    not a resume: it goes through every limit like a new join)."""
    if token is None:
        return False
    pid = room.tokens.get(token_hash(token))
    return pid is not None and not room.engine.participants[pid].removed


def guarded_join(
    live: LiveRooms,
    sid: str,
    code: str,
    nickname: object,
    token: str | None,
    person: payloads.PersonRef | None = None,
    device: str | None = None,
) -> dict:
    """``live.join`` behind the limits (docs/protocol.md, *Limits*). A resume — by a token
    of the room, or by the personal link of someone in it — is never refused by them; a
    refused join changes nothing."""
    room = live.rooms.get(code)
    if room is None:
        live.check_routed(code)
    if room is not None and (_resumes(room, token) or live.resumes_by_link(room, person)):
        return live.join(sid, code, nickname, token, person, device=device)
    app = current_app._get_current_object()
    rules = limits.for_app(app)
    ip = limits.client_ip(app)
    guesses = rules.code_lookups_per_ip
    # Once an address is over its failed look-ups, every code is refused alike: answering
    # known codes differently would tell a guesser which codes exist.
    if (room is None and not guesses.take(ip)) or (room is not None and guesses.blocked(ip)):
        raise EngineError(
            "too_many_guesses",
            "too many wrong room codes from this network; "
            f"wait {guesses.retry_after(ip)} s, then check the code on the screen",
        )
    if room is None:
        raise EngineError("room_not_found", "no live room has that code")
    with room.lock:  # the head count and the join, together: the cap is never overshot
        if _resumes(room, token):  # the same join, retried while the first was in flight
            return live.join(sid, code, nickname, token, person, device=device)
        cap = rules.max_participants
        if cap and len(room.engine.active()) >= cap:
            raise EngineError("room_full", f"this room is full ({cap} participants)")
        if not rules.joins_per_ip.take(ip):
            raise EngineError(
                "rate_limited",
                f"too many joins from this network; wait {rules.joins_per_ip.retry_after(ip)} s, then try again",
            )
        if not rules.joins_per_room.take(code):
            rules.joins_per_ip.refund(ip)
            raise EngineError(
                "rate_limited",
                "too many people are joining this room at once; "
                f"wait {rules.joins_per_room.retry_after(code)} s, then try again",
            )
        counted = True
        try:
            reply = live.join(sid, code, nickname, token, person, device=device)
            counted = not reply.get("resumed")
            return reply
        except Exception:
            counted = False
            raise
        finally:
            if not counted:  # a refused join (or a resume after all) spends nothing
                rules.joins_per_ip.refund(ip)
                rules.joins_per_room.refund(code)


def _check_role(live: LiveRooms, code: str, key: str) -> None:
    """Viewers run no rooms (docs/workspace.md): a key whose trainer has become a viewer or
    was removed opens nothing, and neither does any key in a viewer's signed-in browser."""
    room = live.rooms.get(code)
    holder = hosts.key_owner(live, room, key) if room is not None else None
    signed_in = current_user if current_user and current_user.is_authenticated else None
    if holder is None and signed_in is None:
        return  # a wrong key: attach_host refuses it (and counts it as a guess)
    refused = (holder is not None and not workspaces.may_run(members.settled(live.store.db, holder))) or (
        signed_in is not None and not workspaces.may_run(signed_in)
    )
    if refused:
        raise EngineError("not_allowed", "your role in the workspace does not allow running rooms")


def register(socketio: SocketIO, live: LiveRooms) -> None:
    @socketio.on("join")
    @acked
    def join(data=None):
        data = payloads.as_object(data, {"code", "nickname", "token", "person"})
        code = payloads.room_code(data)
        token = payloads.optional_secret(data, "token")
        person = payloads.person(data)
        device = session.get("device")  # set by the play page (web/play.py): one id per browser
        device = device if isinstance(device, str) else None
        return guarded_join(live, request.sid, code, data.get("nickname"), token, person, device)

    @plain_event(socketio, "answer")
    @acked
    def answer(data=None, *, sid):
        data = payloads.as_object(data, {"question", "value"})
        if "value" not in data:
            raise payloads.bad("value is required")
        return live.answer(sid, payloads.integer(data, "question"), data["value"])

    @plain_event(socketio, "respond")
    @acked
    def respond(data=None, *, sid):
        data = payloads.as_object(data, {"position", "action", "payload"})
        position = payloads.integer(data, "position")
        action = data.get("action")
        if not isinstance(action, str) or not 0 < len(action) <= 20:
            raise payloads.bad("action must be a short string")
        payload = data.get("payload", {})
        if not isinstance(payload, dict):
            raise payloads.bad("payload must be an object")
        return live.respond(sid, position, action, payload)

    @socketio.on("host:activity")
    @acked
    def host_activity(data=None):
        data = payloads.as_object(data, {"action", "args"})
        action = data.get("action")
        if not isinstance(action, str) or not 0 < len(action) <= 20:
            raise payloads.bad("action must be a short string")
        args = data.get("args", {})
        if not isinstance(args, dict):
            raise payloads.bad("args must be an object")
        return live.host_command(request.sid, lambda room, now: room.host_activity(action, args, now))

    @socketio.on("host:attach")
    @acked
    def host_attach(data=None):
        data = payloads.as_object(data, {"code", "key", "view"})
        code = payloads.room_code(data)
        key = payloads.optional_secret(data, "key", payloads.KEY_MAX)
        view = data.get("view", "stage")
        if view not in hosts.VIEWS:
            raise payloads.bad('view must be "stage" or "presenter"')
        if key is None:
            raise EngineError("not_host", "a host key is required")
        _check_role(live, code, key)
        return live.attach_host(request.sid, code, key, view)

    # Co-hosts and hand-over (docs/cohosts.md): the owner or the trainer presenting now.
    @socketio.on("host:cohost_add")
    @acked
    def host_cohost_add(data=None):
        data = payloads.as_object(data, {"trainer", "email"})
        if ("trainer" in data) == ("email" in data):
            raise payloads.bad("send either trainer (an account id) or email")
        if "trainer" in data:
            return hosts.add_cohost(live, request.sid, payloads.account_id(data), None)
        return hosts.add_cohost(live, request.sid, None, payloads.email(data))

    @socketio.on("host:cohost_remove")
    @acked
    def host_cohost_remove(data=None):
        data = payloads.as_object(data, {"trainer"})
        return hosts.remove_cohost(live, request.sid, payloads.account_id(data))

    @socketio.on("host:handover")
    @acked
    def host_handover(data=None):
        data = payloads.as_object(data, {"trainer"})
        return hosts.handover(live, request.sid, payloads.account_id(data))

    def simple(method: str):
        @acked
        def handler(data=None):
            payloads.as_object(data, set())
            return live.host_command(request.sid, lambda room, now: getattr(room, method)(now))

        handler.__name__ = f"host_{method}"
        return handler

    for event, method in SIMPLE_HOST_EVENTS.items():
        socketio.on_event(event, simple(method))

    @socketio.on("host:lock")
    @acked
    def host_lock(data=None):
        data = payloads.as_object(data, {"locked"})
        return live.host_command(request.sid, lambda room, now: room.set_locked(data.get("locked"), now))

    @socketio.on("host:remove")
    @acked
    def host_remove(data=None):
        data = payloads.as_object(data, {"participant"})
        pid = payloads.integer(data, "participant")
        return live.host_command(request.sid, lambda room, now: room.remove(pid, now))

    @socketio.on("host:settings")
    @acked
    def host_settings(data=None):
        data = payloads.as_object(data, {"question_on_device", "approve_joiners"})
        return live.host_command(request.sid, lambda room, now: room.configure(data, now))

    @socketio.on("host:admit")
    @acked
    def host_admit(data=None):
        data = payloads.as_object(data, {"request", "admit"})
        request_id = payloads.integer(data, "request")
        admit = data.get("admit")
        if not isinstance(admit, bool):
            raise payloads.bad("admit must be true or false")
        cap = limits.for_app(current_app._get_current_object()).max_participants
        return live.admit(request.sid, request_id, admit, cap)

    @socketio.on("disconnect")
    def disconnect(*_args):
        try:
            live.disconnect(request.sid)
        except Exception:
            log.exception("error while handling a disconnect")
