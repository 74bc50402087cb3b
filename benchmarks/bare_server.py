"""A bare python-socketio server speaking a minimal copy of quizroom's live protocol.

No Flask, no database, no engine: it exists so that ``bench.py`` can drive it with the
same clients as quizroom and report quizroom's latencies as ratios to it. What it does,
in the same shape and roughly the same sizes as quizroom:

- ``host:attach`` -> ack {ok, state, lobby}; the host's socket joins room ``host``.
- ``join`` {code, nickname} -> ack {ok, token, resumed, state, me}; the socket joins
  room ``players`` (its own sid is its personal room).
- ``answer`` {question, value} -> ack {ok, question, response_ms}; when everyone has
  answered (or the time is up) the question closes.
- ``host:next`` moves lobby -> question -> reveal -> leaderboard -> question ... -> ended.
- Closing a question emits ``state`` (phase reveal) to ``players`` and ``host`` once
  each, then one ``me`` per participant; the end does the same with a summary.
- A 0.25 s ticker sends coalesced ``lobby`` / ``progress`` to the host and closes a
  question whose time is up, like quizroom's.

Run: ``python benchmarks/bare_server.py --port 5055 --async-mode eventlet --deck deck.json``.
It prints ``bare server ready`` once it is listening.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--async-mode", choices=["eventlet", "gevent", "threading"], default="eventlet")
    p.add_argument("--deck", required=True, help="the deck document (JSON) the benchmark uses")
    p.add_argument("--code", default="424242", help="the room code to accept")
    p.add_argument("--max-connections", type=int, default=5000)
    p.add_argument("--tick", type=float, default=0.25)
    p.add_argument(
        "--gc-freeze",
        action="store_true",
        help="freeze the heap when a question opens, as quizroom's collector does (quizroom/live/collector.py)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Patch before anything imports sockets or threads, exactly like quizroom.cli.
    if args.async_mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    elif args.async_mode == "gevent":
        from gevent import monkey

        monkey.patch_all()

    import threading

    import socketio

    with open(args.deck, encoding="utf-8") as f:
        deck = json.load(f)
    # Same options as quizroom.app.create_app.
    sio = socketio.Server(
        async_mode=args.async_mode,
        max_http_buffer_size=64 * 1024,
        ping_interval=10,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
    room = BareRoom(sio, args.code, deck, threading.RLock())
    room.gc_freeze = args.gc_freeze
    room.register()

    def health(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok"}']

    app = socketio.WSGIApp(sio, health)

    def ticker() -> None:
        while True:
            sio.sleep(args.tick)
            room.tick()

    sio.start_background_task(ticker)

    if args.async_mode == "eventlet":
        import eventlet.wsgi

        listener = eventlet.listen((args.host, args.port))  # default backlog, as Flask-SocketIO's run()
        print("bare server ready", flush=True)
        eventlet.wsgi.server(listener, app, log_output=False, max_size=args.max_connections)
    elif args.async_mode == "gevent":
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler  # websocket upgrades, as Flask-SocketIO uses

        server = pywsgi.WSGIServer((args.host, args.port), app, log=None, handler_class=WebSocketHandler)
        server.start()
        print("bare server ready", flush=True)
        server.serve_forever()
    else:
        from werkzeug.serving import make_server

        server = make_server(args.host, args.port, app, threaded=True)
        print("bare server ready", flush=True)
        server.serve_forever()
    return 0


class BareRoom:
    """One room, quizroom-shaped payloads, nothing stored."""

    gc_freeze = False

    def __init__(self, sio, code: str, deck: dict, lock):
        self.sio = sio
        self.code = code
        self.title = deck.get("title", "Deck")
        self.questions = deck["questions"]
        self.lock = lock
        self.phase = "lobby"
        self.index = -1
        self.opened_at = 0.0
        self.players: dict[str, int] = {}  # sid -> participant id
        self.people: dict[int, dict] = {}  # participant id -> record
        self.nicknames: set[str] = set()
        self.current: dict[int, dict] = {}
        self.reveal: dict | None = None
        self.next_id = 1
        self.lobby_dirty = self.progress_dirty = False

    # ---------------------------------------------------------------- views
    def question_view(self) -> dict | None:
        if self.phase not in ("question", "reveal", "leaderboard"):
            return None
        q = self.questions[self.index]
        return {
            "uid": q.get("uid"),
            "type": q["type"],
            "text": q["text"],
            "image": None,
            "time_limit": q["time_limit"],
            "points": q.get("points", 1000),
            "choices": [{"id": i, "text": c["text"]} for i, c in enumerate(q["choices"])],
            "multiple": False,
        }

    def standings(self, size: int) -> list[dict]:
        top = sorted(self.people.values(), key=lambda p: (-p["score"], p["id"]))[:size]
        return [
            {"rank": i + 1, "id": p["id"], "nickname": p["nickname"], "score": p["score"], "streak": p["streak"]}
            for i, p in enumerate(top)
        ]

    def view(self, host: bool = False) -> dict:
        remaining = 0
        if self.phase == "question":
            limit = self.questions[self.index]["time_limit"]
            remaining = max(0, int((limit - (time.time() - self.opened_at)) * 1000))
        view = {
            "code": self.code,
            "title": self.title,
            "phase": self.phase,
            "index": self.index,
            "total": len(self.questions),
            "locked": False,
            "paused": False,
            "remaining_ms": remaining,
            "settings": {"question_on_device": True},
            "question": self.question_view(),
            "reveal": self.reveal if self.phase in ("reveal", "leaderboard") else None,
            "leaderboard": None,
            "podium": None,
        }
        if self.phase in ("leaderboard", "ended"):
            view["leaderboard"] = self.standings(5)
        if self.phase == "ended":
            view["podium"] = self.standings(3)
        if host:
            view["progress"] = self.progress_view()
            view["participants"] = len(self.people)
        return view

    def progress_view(self) -> dict:
        return {"question": self.index, "answered": len(self.current), "expected": len(self.players)}

    def me(self, pid: int) -> dict:
        p = self.people[pid]
        data = {
            "id": pid,
            "nickname": p["nickname"],
            "score": p["score"],
            "streak": p["streak"],
            "rank": p["rank"],
            "participants": len(self.people),
            "answered_current": False,
            "last_result": p["last"] if self.phase in ("reveal", "leaderboard") else None,
        }
        if self.phase == "ended":
            data["summary"] = {
                "correct": p["correct"],
                "questions": len(self.questions),
                "best_streak": p["streak"],
                "answered": p["answered"],
            }
        return data

    # -------------------------------------------------------------- output
    def broadcast(self) -> None:
        self.sio.emit("state", self.view(host=True), to="host")
        self.sio.emit("state", self.view(), to="players")

    def personal_all(self) -> None:
        for sid, pid in list(self.players.items()):
            self.sio.emit("me", self.me(pid), to=sid)

    # ---------------------------------------------------------- transitions
    def open(self, index: int) -> None:
        if self.gc_freeze:  # keep full collections out of the answers, like quizroom (--gc-freeze)
            gc.collect(1)
            gc.freeze()
        self.phase, self.index, self.opened_at = "question", index, time.time()
        self.current, self.reveal, self.progress_dirty = {}, None, True
        self.broadcast()

    def close(self) -> None:
        q = self.questions[self.index]
        correct = {i for i, c in enumerate(q["choices"]) if c.get("correct")}
        counts = [0] * len(q["choices"])
        for record in self.current.values():
            counts[record["value"]] += 1
        for pid, p in self.people.items():
            record = self.current.get(pid)
            ok = record is not None and record["value"] in correct
            points = 1000 if ok else 0
            p["score"] += points
            p["streak"] = p["streak"] + 1 if ok else 0
            p["correct"] += ok
            p["answered"] += record is not None
            p["last"] = {
                "question": self.index,
                "answered": record is not None,
                "value": record["value"] if record else None,
                "correct": ok,
                "points": points,
                "response_ms": record["response_ms"] if record else None,
            }
        for rank, p in enumerate(sorted(self.people.values(), key=lambda p: -p["score"]), 1):
            p["rank"] = rank
        self.reveal = {
            "solution": {"choices": sorted(correct)},
            "distribution": {"counts": counts},
            "answered": len(self.current),
            "correct": sum(counts[i] for i in correct),
            "participants": len(self.people),
        }
        self.phase = "reveal"
        self.broadcast()
        self.personal_all()

    # -------------------------------------------------------------- events
    def register(self) -> None:
        sio = self.sio

        @sio.on("host:attach")
        def host_attach(sid, data=None):
            sio.enter_room(sid, "host")
            with self.lock:
                return {"ok": True, "state": self.view(host=True), "lobby": self.lobby_view()}

        @sio.on("join")
        def join(sid, data=None):
            if not isinstance(data, dict) or data.get("code") != self.code:
                return {"ok": False, "error": {"code": "room_not_found", "message": "no such room"}}
            nickname = str(data.get("nickname") or "")[:20]
            with self.lock:
                if nickname in self.nicknames:
                    return {"ok": False, "error": {"code": "nickname_taken", "message": "taken"}}
                pid = self.next_id
                self.next_id += 1
                self.nicknames.add(nickname)
                self.people[pid] = {
                    "id": pid,
                    "nickname": nickname,
                    "score": 0,
                    "streak": 0,
                    "correct": 0,
                    "answered": 0,
                    "rank": 1,
                    "last": None,
                }
                self.players[sid] = pid
                self.lobby_dirty = True
                sio.enter_room(sid, "players")
                return {"ok": True, "token": "t" * 32, "resumed": False, "state": self.view(), "me": self.me(pid)}

        @sio.on("answer")
        def answer(sid, data=None):
            with self.lock:
                pid = self.players.get(sid)
                if pid is None:
                    return {"ok": False, "error": {"code": "not_joined", "message": "join first"}}
                if not isinstance(data, dict) or self.phase != "question" or data.get("question") != self.index:
                    return {"ok": False, "error": {"code": "question_closed", "message": "closed"}}
                if pid in self.current:
                    return {"ok": False, "error": {"code": "already_answered", "message": "again"}}
                value = data.get("value")
                if not isinstance(value, int) or not 0 <= value < len(self.questions[self.index]["choices"]):
                    return {"ok": False, "error": {"code": "bad_answer", "message": "bad value"}}
                response_ms = int((time.time() - self.opened_at) * 1000)
                self.current[pid] = {"value": value, "response_ms": response_ms}
                self.progress_dirty = True
                if len(self.current) >= len(self.players):
                    self.close()
                return {"ok": True, "question": self.index, "response_ms": response_ms}

        @sio.on("host:next")
        def host_next(sid, data=None):
            with self.lock:
                if self.phase == "lobby":
                    self.open(0)
                elif self.phase == "question":
                    self.close()
                elif self.phase == "reveal":
                    self.phase = "leaderboard"
                    self.broadcast()
                elif self.phase == "leaderboard":
                    if self.index + 1 < len(self.questions):
                        self.open(self.index + 1)
                    else:
                        self.phase = "ended"
                        self.broadcast()
                        self.personal_all()
                else:
                    return {"ok": False, "error": {"code": "wrong_phase", "message": "ended"}}
                return {"ok": True}

        @sio.on("disconnect")
        def disconnect(sid, *_args):
            with self.lock:
                if self.players.pop(sid, None) is not None:
                    self.lobby_dirty = True

    def lobby_view(self) -> dict:
        return {
            "count": len(self.people),
            "participants": [
                {"id": p["id"], "nickname": p["nickname"], "connected": True} for p in self.people.values()
            ],
        }

    def tick(self) -> None:
        with self.lock:
            if self.phase == "question" and time.time() - self.opened_at > self.questions[self.index]["time_limit"]:
                self.close()
            if self.lobby_dirty:
                self.lobby_dirty = False
                self.sio.emit("lobby", self.lobby_view(), to="host")
            if self.progress_dirty:
                self.progress_dirty = False
                if self.phase == "question":
                    self.sio.emit("progress", self.progress_view(), to="host")


if __name__ == "__main__":
    sys.exit(main())
