"""Socket.IO events (docs/protocol.md). Each handler checks its payload, then calls
the service; every error becomes ``{"ok": false, "error": {"code", "message"}}``."""

from __future__ import annotations

import functools
import logging

from flask import request
from flask_socketio import SocketIO

from ..engine import EngineError
from . import payloads
from .service import LiveRooms

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
    def wrapper(*args):
        try:
            if len(args) > 1:  # emit("join", a, b): one payload object per event, never more
                raise payloads.bad("send one payload object")
            return handler(*args)
        except EngineError as error:
            return error.as_ack()
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            return {"ok": False, "error": {"code": "server_error", "message": "something went wrong"}}

    return wrapper


def register(socketio: SocketIO, live: LiveRooms) -> None:
    @socketio.on("join")
    @acked
    def join(data=None):
        data = payloads.as_object(data, {"code", "nickname", "token"})
        code = payloads.room_code(data)
        token = payloads.optional_secret(data, "token")
        return live.join(request.sid, code, data.get("nickname"), token)

    @socketio.on("answer")
    @acked
    def answer(data=None):
        data = payloads.as_object(data, {"question", "value"})
        if "value" not in data:
            raise payloads.bad("value is required")
        return live.answer(request.sid, payloads.integer(data, "question"), data["value"])

    @socketio.on("respond")
    @acked
    def respond(data=None):
        data = payloads.as_object(data, {"position", "action", "payload"})
        position = payloads.integer(data, "position")
        action = data.get("action")
        if not isinstance(action, str) or not 0 < len(action) <= 20:
            raise payloads.bad("action must be a short string")
        payload = data.get("payload", {})
        if not isinstance(payload, dict):
            raise payloads.bad("payload must be an object")
        return live.respond(request.sid, position, action, payload)

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
        data = payloads.as_object(data, {"code", "key"})
        code = payloads.room_code(data)
        key = payloads.optional_secret(data, "key", payloads.KEY_MAX)
        if key is None:
            raise EngineError("not_host", "a host key is required")
        return live.attach_host(request.sid, code, key)

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
        data = payloads.as_object(data, {"question_on_device"})
        return live.host_command(request.sid, lambda room, now: room.configure(data, now))

    @socketio.on("disconnect")
    def disconnect(*_args):
        try:
            live.disconnect(request.sid)
        except Exception:
            log.exception("error while handling a disconnect")
