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

Scenario ``poll`` (``cfg["scenario"]``) replaces step 3: on each ``state`` with phase
``activity`` every client responds (``respond``) at random moments within
``cfg["poll_window"]`` seconds: one vote to a single-choice poll, 1..max_entries entries
(drawn from a small vocabulary, in random case and spacing) to a word cloud, one after
the other. Every ``activity`` event is time-stamped with the aggregate it carries (votes
counted, or word-cloud entries). Once every client of the process has finished
responding to an activity the process reports ``("submitted", wid, position, ok,
failed)``; the main process sums the oks and sends ``("expect", position, total)``; the
process then reports ``seen`` for ``("final", position)`` once each of its clients has
received an ``activity`` event whose aggregate counts ``total``.

Records are plain dicts (picklable); bench.py turns them into figures.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import signal
import time
import traceback

import socketio

# Word-cloud entries: a few words people would type, each sent in a random case and
# spacing (and with or without its accent), so the server's merging has work to do.
VOCABULARY = (
    "coffee",
    "focus",
    "café",
    "teamwork",
    "more time",
    "clarity",
    "fun",
    "pizza",
    "deadlines",
    "learning",
    "naïve questions",
    "sleep",
)
UNACCENTED = str.maketrans("éï", "ei")


def entry_variant(word: str) -> str:
    """``word`` as somebody might type it: case, spaces, accent."""
    text = random.choice((str.lower, str.upper, str.title, str.capitalize))(word)
    if random.random() < 0.3:
        text = text.translate(UNACCENTED)
    if random.random() < 0.3:
        text = text.replace(" ", "  ")
    if random.random() < 0.3:
        text = random.choice((" ", "  ", "\t")) + text + random.choice(("", " ", "   "))
    return text


def aggregate_total(view: dict) -> int | None:
    """How many responses an activity view's results count (None: no results in it)."""
    results = (view or {}).get("results")
    if not isinstance(results, dict):
        return None
    if "counts" in results:
        return sum(results["counts"])
    if "entries" in results and isinstance(results["entries"], int):
        return results["entries"]
    return view.get("responses")


class Player:
    def __init__(self, worker: Worker, number: int):
        self.worker = worker
        self.number = number
        self.nickname = f"p{number:05d}"
        self.sio = None
        self.pid: int | None = None
        self.rec: dict = {
            "n": number,
            "pid": None,
            "connect_start": None,
            "connected": None,
            "joined": None,
            "join_error": None,
            "recv": {},
            "answers": {},
            "disconnected_early": False,
        }
        if worker.cfg.get("scenario") == "poll":
            # subs: one dict per respond; activity: [time, position, aggregate total] per event
            self.rec.update(subs=[], activity=[])
        self.totals: dict[int, int] = {}  # position -> highest aggregate seen
        self.final_seen: set[int] = set()
        self.answered: set[int] = set()
        self.tasks: set[asyncio.Task] = set()

    async def join(self, sem: asyncio.Semaphore) -> bool:
        cfg = self.worker.cfg
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, request_timeout=cfg["request_timeout"])
        self.sio.on("state", self.on_state)
        self.sio.on("me", self.on_me)
        self.sio.on("disconnect", self.on_disconnect)
        if cfg.get("scenario") == "poll":
            self.sio.on("activity", self.on_activity)
        async with sem:
            self.rec["connect_start"] = time.time()
            try:
                await self.sio.connect(cfg["url"], transports=["websocket"], wait_timeout=cfg["request_timeout"])
                self.rec["connected"] = time.time()
                ack = await self.sio.call(
                    "join", {"code": cfg["code"], "nickname": self.nickname}, timeout=cfg["request_timeout"]
                )
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
        elif phase == "activity" and self.worker.cfg.get("scenario") == "poll":
            view = data.get("activity") or {}
            position = view.get("position", data.get("index"))
            if position not in self.answered and view.get("kind") == "poll" and view.get("open"):
                self.answered.add(position)
                task = asyncio.create_task(self.respond(position, view))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    async def on_activity(self, data):
        now = time.time()
        position = data.get("position")
        view = data.get("view") or {}
        total = aggregate_total(view)
        self.rec["activity"].append([now, position, total])
        if self.number == self.worker.first_number:
            key = f"activity/{position}"
            self.worker.sizes[key] = max(self.worker.sizes.get(key, 0), len(json.dumps(data)))
        if total is not None and total > self.totals.get(position, -1):
            self.totals[position] = total
            self.check_final(position)

    def check_final(self, position: int) -> None:
        expected = self.worker.expect.get(position)
        if expected is not None and position not in self.final_seen and self.totals.get(position, -1) >= expected:
            self.final_seen.add(position)
            self.worker.seen(("final", position))

    async def respond(self, position: int, view: dict) -> None:
        """Vote once (single choice) or send 1..max_entries word-cloud entries, one by one."""
        cfg = self.worker.cfg
        start = time.monotonic()
        ok = failed = 0
        try:
            if view.get("type") == "wordcloud":
                count = random.randint(1, max(1, min(3, view.get("max_entries") or 1)))
                words = random.sample(VOCABULARY, count)
                moments = sorted(random.uniform(0, cfg["poll_window"]) for _ in words)
                for word, moment in zip(words, moments, strict=True):
                    await asyncio.sleep(max(0.0, start + moment - time.monotonic()))
                    good = await self.submit(position, "entry", {"text": entry_variant(word)})
                    ok, failed = ok + good, failed + (not good)
            else:
                await asyncio.sleep(random.uniform(0, cfg["poll_window"]))
                value = random.randrange(max(1, len(view.get("options") or [])))
                good = await self.submit(position, "vote", {"value": value})
                ok, failed = ok + good, failed + (not good)
        finally:
            self.worker.submitted(position, ok, failed)

    async def submit(self, position: int, action: str, payload: dict) -> bool:
        cfg = self.worker.cfg
        record = {
            "pos": position,
            "action": action,
            "payload": payload,
            "sent": time.time(),
            "acked": None,
            "ok": False,
            "error": None,
            "entry_id": None,
        }
        self.rec["subs"].append(record)
        try:
            ack = await self.sio.call(
                "respond", {"position": position, "action": action, "payload": payload}, timeout=cfg["request_timeout"]
            )
        except Exception as error:  # noqa: BLE001
            record["error"] = f"{type(error).__name__}"
            return False
        record["acked"] = time.time()
        if isinstance(ack, dict) and ack.get("ok"):
            record["ok"] = True
            if action == "entry":  # the new entry is the last of mine: its id is what the server stored
                entries = ((ack.get("personal") or {}).get("entries")) or []
                record["entry_id"] = entries[-1].get("id") if entries else None
            return True
        record["error"] = ((ack.get("error") or {}).get("code", "bad_ack")) if isinstance(ack, dict) else "bad_ack"
        return False

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
            ack = await self.sio.call(
                "answer", {"question": index, "value": random.choice(choices)}, timeout=cfg["request_timeout"]
            )
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
        self.expect: dict[int, int] = {}  # position -> aggregate total everyone should reach
        self.responded: dict[int, list[int]] = {}  # position -> [clients done, ok, failed]

    def submitted(self, position: int, ok: int, failed: int) -> None:
        tally = self.responded.setdefault(position, [0, 0, 0])
        tally[0] += 1
        tally[1] += ok
        tally[2] += failed
        if tally[0] == self.expected:
            self.out.put(("submitted", self.wid, position, tally[1], tally[2]))

    def expect_total(self, position: int, total: int) -> None:
        self.expect[position] = total
        for player in self.players:
            if player.pid is not None:
                player.check_final(position)

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
        # These clients are the measuring instrument: a pause of their own (a full garbage
        # collection of 1,000 clients takes 0.2-1 s) would be charged to the server. So no
        # collections while they play; the process ends after one run.
        gc.collect()
        gc.disable()
        self.out.put(("joined", self.wid, ok, len(results) - ok))
        while time.monotonic() < deadline:
            message = await self.recv(1.0)
            if message is None:
                continue
            if message[0] == "finish":
                break
            if message[0] == "expect":
                self.expect_total(message[1], message[2])
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
