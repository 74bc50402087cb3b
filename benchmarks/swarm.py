"""The participants: many python-socketio AsyncClients in one process (one asyncio loop).

``bench.py`` starts several of these processes (multiprocessing, spawn) so the clients
are not the bottleneck. Each process:

1. waits for ``("go", ...)`` on its pipe, then connects its clients (websocket only,
   at most ``connect_concurrency`` connecting at once) and sends ``join``;
2. reports ``("joined", wid, ok, failed)`` on the shared queue;
3. plays: on each ``state`` with phase ``question`` every client answers a random choice
   after a random delay; every receipt is time-stamped with ``time.time()`` (one machine,
   one clock, so the stamps compare with the host's send times in the main process);
4. reports ``("seen", wid, key, count)`` once every joined client of this process has
   received a given message (key = (event, phase, index)), so the main process can
   wait for a broadcast to have reached everybody before it moves on;
5. on ``("finish",)`` disconnects everyone and sends ``("results", wid, records)``.

Records are plain dicts (picklable); bench.py turns them into figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import time
import traceback

import socketio


class Player:
    def __init__(self, worker: Worker, number: int):
        self.worker = worker
        self.number = number
        self.nickname = f"p{number:05d}"
        self.sio = None
        self.pid: int | None = None
        self.rec: dict = {"n": number, "pid": None, "connect_start": None, "connected": None,
                          "joined": None, "join_error": None, "recv": {}, "answers": {},
                          "disconnected_early": False}
        self.answered: set[int] = set()
        self.tasks: set[asyncio.Task] = set()

    async def join(self, sem: asyncio.Semaphore) -> bool:
        cfg = self.worker.cfg
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False,
                                        request_timeout=cfg["request_timeout"])
        self.sio.on("state", self.on_state)
        self.sio.on("me", self.on_me)
        self.sio.on("disconnect", self.on_disconnect)
        async with sem:
            self.rec["connect_start"] = time.time()
            try:
                await self.sio.connect(cfg["url"], transports=["websocket"],
                                       wait_timeout=cfg["request_timeout"])
                self.rec["connected"] = time.time()
                ack = await self.sio.call("join", {"code": cfg["code"], "nickname": self.nickname},
                                          timeout=cfg["request_timeout"])
            except Exception as error:  # noqa: BLE001 - every failure is a figure in the report
                self.rec["join_error"] = f"{type(error).__name__}: {error}"[:200]
                return False
        if not isinstance(ack, dict) or not ack.get("ok"):
            self.rec["join_error"] = json.dumps(ack)[:200]
            return False
        self.rec["joined"] = time.time()
        self.pid = ack["me"]["id"]
        self.rec["pid"] = self.pid
        return True

    def stamp(self, key: tuple, data: object) -> None:
        if key in self.rec["recv"]:
            return  # only the first receipt counts
        self.rec["recv"][key] = time.time()
        if self.number == self.worker.first_number:  # payload sizes, from one client per process
            self.worker.sizes.setdefault("/".join(map(str, key[:2])), len(json.dumps(data)))
        self.worker.seen(key)

    async def on_state(self, data):
        phase = data.get("phase")
        key = ("state", phase, None if phase == "ended" else data.get("index"))
        self.stamp(key, data)
        if data.get("phase") == "question" and not data.get("paused"):
            index = data["index"]
            if index not in self.answered:
                self.answered.add(index)
                task = asyncio.create_task(self.answer(index, data.get("question") or {}))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    async def on_me(self, data):
        if data.get("summary") is not None:
            key = ("me", "ended", None)
        else:
            last = data.get("last_result") or {}
            key = ("me", "reveal", last.get("question"))
        self.stamp(key, data)

    async def on_disconnect(self, *_args):
        if not self.worker.finishing:
            self.rec["disconnected_early"] = True

    async def answer(self, index: int, question: dict) -> None:
        cfg = self.worker.cfg
        limit = float(question.get("time_limit") or cfg["time_limit"])
        low, high = cfg["answer_window"]
        await asyncio.sleep(random.uniform(low, high) * limit * cfg["time_scale"])
        choices = [c["id"] for c in question.get("choices") or []] or [0]
        record = {"sent": time.time(), "acked": None, "ok": False, "error": None}
        self.rec["answers"][index] = record
        try:
            ack = await self.sio.call("answer", {"question": index, "value": random.choice(choices)},
                                      timeout=cfg["request_timeout"])
        except Exception as error:  # noqa: BLE001
            record["error"] = f"{type(error).__name__}"
            return
        record["acked"] = time.time()
        if isinstance(ack, dict) and ack.get("ok"):
            record["ok"] = True
        elif isinstance(ack, dict):
            record["error"] = (ack.get("error") or {}).get("code", "bad_ack")
        else:
            record["error"] = "bad_ack"

    async def leave(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        if self.sio is not None and self.sio.connected:
            try:
                await asyncio.wait_for(self.sio.disconnect(), timeout=10)
            except Exception:  # noqa: BLE001, S110 - leaving anyway
                pass


class Worker:
    def __init__(self, wid: int, cfg: dict, conn, out):
        self.wid = wid
        self.cfg = cfg
        self.conn = conn
        self.out = out
        numbers = cfg["numbers"]
        self.first_number = numbers[0] if numbers else -1
        self.players = [Player(self, n) for n in numbers]
        self.expected = len(self.players)
        self.counts: dict[tuple, int] = {}
        self.sizes: dict[str, int] = {}
        self.finishing = False

    def seen(self, key: tuple) -> None:
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        if count == self.expected:
            self.out.put(("seen", self.wid, key, count))

    async def recv(self, timeout: float):
        loop = asyncio.get_running_loop()
        ready = await loop.run_in_executor(None, self.conn.poll, timeout)
        if not ready:
            return None
        return self.conn.recv()

    async def run(self) -> None:
        deadline = time.monotonic() + self.cfg["overall_timeout"]
        self.out.put(("ready", self.wid, os.getpid()))
        message = await self.recv(self.cfg["overall_timeout"])
        if not message or message[0] != "go":
            return
        sem = asyncio.Semaphore(self.cfg["connect_concurrency"])
        results = await asyncio.gather(*(p.join(sem) for p in self.players))
        ok = sum(results)
        # Only joined clients are waited for in "seen" counts.
        self.expected = ok
        self.out.put(("joined", self.wid, ok, len(results) - ok))
        while time.monotonic() < deadline:
            message = await self.recv(1.0)
            if message is None:
                continue
            if message[0] == "finish":
                break
        self.finishing = True
        await asyncio.gather(*(p.leave() for p in self.players))
        self.out.put(("results", self.wid, [p.rec for p in self.players], self.sizes))


def worker_main(wid: int, cfg: dict, conn, out) -> None:
    """Entry point of a client process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    random.seed(cfg.get("seed", 0) * 1000 + wid)
    try:
        asyncio.run(Worker(wid, cfg, conn, out).run())
    except Exception:  # noqa: BLE001
        out.put(("error", wid, traceback.format_exc()))
    finally:
        out.put(("exit", wid, os.getpid()))
