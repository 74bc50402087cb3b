"""Real python-socketio clients for end-to-end tests and load scenarios: a phone
(``PlayerClient``) and a stage (``HostClient``), asyncio, websocket transport only.

Every message a client receives is kept in ``received`` (in order); ``wait_for`` blocks
until a matching message arrives (an asyncio.Event is set on each one), so tests wait
for the server, never for a fixed time. No tests live here.

    async with PlayerClient(url, code) as phone:
        ack = await phone.join("Ana")
        state = await phone.wait_for("state", lambda s: s["phase"] == "question")
        await phone.answer(state["index"], 0)

Polls, boards and surveys: ``phone.respond(position, action, payload)`` and
``host.activity(action, args)``; ``received_at`` has the arrival time (``time.monotonic()``)
of each message in ``received``, to measure broadcast rates.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import socketio

ACK_TIMEOUT = 10.0
WAIT_TIMEOUT = 15.0


class ProtocolClient:
    """One Socket.IO connection that records what it receives."""

    def __init__(self, url: str, code: str, *, name: str = "client"):
        self.url = url
        self.code = code
        self.name = name
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: list[tuple[str, Any]] = []
        self.received_at: list[float] = []  # time.monotonic() of each message in `received`
        self._arrived = asyncio.Event()
        self.sio.on("*", self._record)
        self.sio.on("disconnect", self._disconnected)

    async def _record(self, event: str, data: Any = None) -> None:
        self.received_at.append(time.monotonic())
        self.received.append((event, data))
        self._arrived.set()

    async def _disconnected(self, *reason: Any) -> None:
        """Recorded as a pseudo-event, so a test can wait for the server to drop us."""
        await self._record("disconnect", reason[0] if reason else None)

    async def __aenter__(self):
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.disconnect()

    async def connect(self) -> None:
        # ?room= as play.js and stage.js send it: a proxy routes the room's sockets by it.
        await self.sio.connect(f"{self.url}?room={self.code}", transports=["websocket"], wait_timeout=10)

    async def disconnect(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()

    @property
    def connected(self) -> bool:
        return self.sio.connected

    async def call(self, event: str, data: Any = None, *, timeout: float = ACK_TIMEOUT) -> dict:
        """Send an event and return its acknowledgement. A tuple sends several arguments."""
        if data is None:
            return await self.sio.call(event, timeout=timeout)
        return await self.sio.call(event, data, timeout=timeout)

    # ------------------------------------------------------------- receiving
    def messages(self, event: str) -> list[Any]:
        return [data for name, data in self.received if name == event]

    def last(self, event: str) -> Any:
        found = self.messages(event)
        return found[-1] if found else None

    def arrivals(self, event: str, since: int = 0) -> list[float]:
        """When each `event` message (at or after `since`) arrived (time.monotonic())."""
        return [
            at
            for (name, _data), at in zip(self.received[since:], self.received_at[since:], strict=True)
            if name == event
        ]

    def mark(self) -> int:
        """A position in ``received``: pass it as ``since`` to wait only for newer messages."""
        return len(self.received)

    async def wait_for(
        self,
        event: str,
        predicate: Callable[[Any], bool] = lambda _data: True,
        *,
        since: int = 0,
        timeout: float = WAIT_TIMEOUT,
    ) -> Any:
        """The first message `event` (at or after `since`) that satisfies `predicate`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        checked = since
        while True:
            for name, data in self.received[checked:]:
                if name == event and predicate(data):
                    return data
            checked = len(self.received)
            self._arrived.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"{self.name}: no matching {event!r} within {timeout} s; last messages: {self.received[-3:]!r}"
                )
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_phase(self, phase: str, index: int | None = None, **kwargs) -> dict:
        return await self.wait_for(
            "state", lambda s: s["phase"] == phase and (index is None or s["index"] == index), **kwargs
        )


class PlayerClient(ProtocolClient):
    """A phone: join (or resume by token), answer, follow `state` and `me`."""

    def __init__(self, url: str, code: str, *, name: str = "player"):
        super().__init__(url, code, name=name)
        self.token: str | None = None
        self.id: int | None = None
        self.join_ack: dict | None = None

    async def join(self, nickname: str | None = None, token: str | None = None) -> dict:
        data: dict = {"code": self.code}
        if nickname is not None:
            data["nickname"] = nickname
        if token is not None:
            data["token"] = token
        ack = await self.call("join", data)
        if ack.get("ok"):
            self.token, self.id, self.join_ack = ack["token"], ack["me"]["id"], ack
        return ack

    async def answer(self, question: int, value: Any) -> dict:
        return await self.call("answer", {"question": question, "value": value})

    async def respond(self, position: int, action: str, payload: dict | None = None) -> dict:
        """A poll vote or entry, a board note or dot, survey answers (ack: {ok, position, personal})."""
        return await self.call("respond", {"position": position, "action": action, "payload": payload or {}})

    async def wait_activity(self, predicate: Callable[[dict], bool] = lambda _view: True, **kwargs) -> dict:
        """The first `activity` message whose view satisfies `predicate`; returns the view."""
        message = await self.wait_for("activity", lambda m: predicate(m["view"]), **kwargs)
        return message["view"]

    async def wait_result(self, question: int, **kwargs) -> dict:
        """The `me` message sent at the reveal of `question`."""
        return await self.wait_for("me", lambda me: (me.get("last_result") or {}).get("question") == question, **kwargs)

    @classmethod
    async def resume(cls, url: str, code: str, token: str, *, name: str = "player") -> tuple[PlayerClient, dict]:
        """A new connection that takes over a participant by token (a reload, a dropped network)."""
        phone = cls(url, code, name=name)
        await phone.connect()
        ack = await phone.join(token=token)
        return phone, ack


class HostClient(ProtocolClient):
    """The stage: attach with the host key, then send host commands."""

    def __init__(self, url: str, code: str, key: str, *, name: str = "host"):
        super().__init__(url, code, name=name)
        self.key = key
        self.attach_ack: dict | None = None

    async def attach(self) -> dict:
        self.attach_ack = await self.call("host:attach", {"code": self.code, "key": self.key})
        return self.attach_ack

    async def command(self, event: str, data: Any = None) -> dict:
        if not event.startswith("host:"):
            event = f"host:{event}"
        return await self.call(event, data)

    async def must(self, event: str, data: Any = None) -> None:
        ack = await self.command(event, data)
        if ack != {"ok": True}:
            raise AssertionError(f"{event} refused: {ack}")

    async def activity(self, action: str, args: dict | None = None) -> dict:
        """A host command on the poll, board or survey on screen (ack: {ok})."""
        data: dict = {"action": action}
        if args is not None:
            data["args"] = args
        return await self.command("host:activity", data)

    async def must_activity(self, action: str, args: dict | None = None) -> None:
        ack = await self.activity(action, args)
        if ack != {"ok": True}:
            raise AssertionError(f"host:activity {action} {args} refused: {ack}")

    async def wait_activity(self, predicate: Callable[[dict], bool] = lambda _view: True, **kwargs) -> dict:
        message = await self.wait_for("activity", lambda m: predicate(m["view"]), **kwargs)
        return message["view"]

    async def wait_lobby(self, count: int, **kwargs) -> dict:
        return await self.wait_for("lobby", lambda lobby: lobby["count"] >= count, **kwargs)


async def join_all(url: str, code: str, nicknames: list[str]) -> list[PlayerClient]:
    """Connect and join many phones at once."""

    async def one(nickname: str) -> PlayerClient:
        phone = PlayerClient(url, code, name=nickname)
        await phone.connect()
        ack = await phone.join(nickname)
        if not ack.get("ok"):
            raise AssertionError(f"{nickname} could not join: {ack}")
        return phone

    return list(await asyncio.gather(*(one(n) for n in nicknames)))
