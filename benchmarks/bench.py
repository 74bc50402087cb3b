"""How many participants can one quizroom process serve? A real server, real clients.

For each target (a bare python-socketio server first, then quizroom) this:

1. starts the server in a subprocess on 127.0.0.1 (quizroom: ``python -m quizroom.cli run``
   with a temporary instance dir and SQLite file, after ``create-trainer``);
2. opens a room (quizroom: over HTTP, signed in as the trainer: POST /api/decks then
   POST /api/rooms) and attaches a host client with the room's host key;
3. starts ``--client-procs`` processes of ``--participants`` Socket.IO clients in all
   (benchmarks/swarm.py), which connect over websocket and ``join``;
4. runs the quiz: the host sends ``host:next`` for each question; every participant answers
   at a random moment; the question closes when everyone has answered; the host moves on
   to the leaderboard, the next question, and finally the end;
5. measures latencies from time stamps taken on both sides (one machine, one clock),
   the server's CPU time and peak memory (psutil), the errors in its log, and (quizroom)
   answers that were acknowledged but are missing from the database.

It prints one table row per target and quizroom's latencies as ratios to the bare
server's: the machine is shared and noisy, so compare ratios between runs, not
milliseconds. See benchmarks/README.md.

``--scenario poll`` runs a live poll instead of the quiz, against quizroom only: a plan
of a single-choice poll and a word cloud (POST /api/plans, POST /api/rooms {"plan_id"}),
every participant voting, then sending 1..3 word-cloud entries, within ``--poll-window``
seconds. It measures the ``respond`` ack latency, how many coalesced ``activity`` events
the host and each phone receive per second, how fresh the aggregate is, and checks that
every acknowledged submission is in the ``submissions`` table.

    python benchmarks/bench.py --participants 500 --async-mode eventlet --json out.json
    python benchmarks/bench.py --scenario poll --participants 500
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import math
import multiprocessing as mp
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import socketio
import swarm

ROOT = Path(__file__).resolve().parent.parent
TRAINER_EMAIL = "bench@quizroom.local"
TRAINER_PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway account in a temp database
SECRET_KEY = "bench-secret-key"  # noqa: S105 - ditto
BARE_CODE = "424242"
ERROR_LINE = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b")


# ------------------------------------------------------------------ options
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument("--participants", "-n", type=int, default=200, help="Socket.IO clients that join")
    p.add_argument(
        "--scenario",
        choices=["quiz", "poll"],
        default="quiz",
        help="quiz: questions, against the bare server and quizroom; poll: a single-choice poll "
        "and a word cloud, quizroom only",
    )
    p.add_argument(
        "--poll-window",
        type=float,
        default=3.0,
        help="poll scenario: every participant responds at random moments within this many seconds",
    )
    p.add_argument("--async-mode", choices=["eventlet", "gevent", "threading"], default="eventlet")
    p.add_argument("--questions", type=int, default=5)
    p.add_argument("--time-limit", type=int, default=10, help="each question's time limit (s, 5..240)")
    p.add_argument(
        "--time-scale",
        type=float,
        default=0.3,
        help="answers come at uniform(window) x time limit x this (keeps runs short)",
    )
    p.add_argument("--answer-window", type=float, nargs=2, default=(0.2, 0.8), metavar=("LOW", "HIGH"))
    p.add_argument("--client-procs", type=int, default=2, help="client processes")
    p.add_argument("--connect-concurrency", type=int, default=25, help="clients connecting at once, per client process")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--bare-only", action="store_true")
    which.add_argument("--quizroom-only", action="store_true")
    p.add_argument(
        "--setup",
        choices=["http", "db"],
        default="http",
        help="open the quizroom room over the HTTP API (default), or write it to the "
        "database before the server starts (it restores live rooms at start-up)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat bare then quizroom this many times (interleaved); ratios are medians over rounds",
    )
    p.add_argument("--settle", type=float, default=0.3, help="pause between phases (s)")
    p.add_argument(
        "--phase-timeout", type=float, default=60.0, help="longest wait for a broadcast to reach everyone (s)"
    )
    p.add_argument("--timeout", type=float, default=900.0, help="hard limit for the whole run (s)")
    p.add_argument("--request-timeout", type=float, default=60.0, help="clients' connect/ack timeout (s)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--profile",
        metavar="DIR",
        help="record each server with py-spy (pip install py-spy) into DIR/<target>.{svg,txt}",
    )
    p.add_argument(
        "--bare-gc-freeze",
        action="store_true",
        help="the bare server freezes its heap when a question opens, as quizroom does: compares like with like "
        "(without it the bare server collects garbage as Python does by default)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--raw", metavar="FILE", help="also write every client's time stamps as JSON (large)")
    args = p.parse_args(argv)
    if min(args.participants, args.client_procs, args.questions, args.rounds) < 1:
        p.error("--participants, --client-procs, --questions and --rounds must be at least 1")
    if not 5 <= args.time_limit <= 240:
        p.error("--time-limit must be within 5..240 (quizroom's rule)")
    if args.scenario == "poll":
        if args.bare_only:
            p.error("--scenario poll runs against quizroom only (bare_server.py speaks only the quiz protocol)")
        if args.setup == "db":
            p.error("--setup db opens a quiz deck; the poll scenario needs the HTTP API (POST /api/plans)")
        if args.poll_window <= 0:
            p.error("--poll-window must be positive")
        args.quizroom_only = True
    args.client_procs = min(args.client_procs, args.participants)
    return args


def deck_document(questions: int, time_limit: int) -> dict:
    return {
        "format": "quizroom.deck",
        "version": 1,
        "title": "Benchmark deck",
        "questions": [
            {
                "uid": f"bench{i}",
                "type": "single",
                "time_limit": time_limit,
                "points": 1000,
                "text": f"Question {i + 1}: which of these four answers is the right one this time?",
                "choices": [
                    {"text": "The first answer", "correct": i % 4 == 0},
                    {"text": "The second answer", "correct": i % 4 == 1},
                    {"text": "The third answer", "correct": i % 4 == 2},
                    {"text": "The fourth answer", "correct": i % 4 == 3},
                ],
            }
            for i in range(questions)
        ],
    }


POLL_ACTIVITIES = ("single", "wordcloud")  # the poll scenario's agenda, by position


def plan_document() -> dict:
    """The poll scenario's session plan: a single-choice poll, then a word cloud."""
    return {
        "format": "quizroom.plan",
        "version": 1,
        "title": "Benchmark polls",
        "activities": [
            {
                "kind": "poll",
                "uid": "bench-single",
                "type": "single",
                "text": "Which of these four should we do first this afternoon?",
                "options": ["The first option", "The second option", "The third option", "The fourth option"],
            },
            {
                "kind": "poll",
                "uid": "bench-cloud",
                "type": "wordcloud",
                "text": "In a word or two: what keeps you going on a long day?",
                "max_entries": 3,
            },
        ],
    }


# ---------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if this process dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Sampler(threading.Thread):
    """Samples CPU time and RSS of some processes every `interval` seconds."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval = interval
        self.watched: dict[str, psutil.Process] = {}
        self.cpu: dict[str, float] = {}
        self.peak_rss: dict[str, int] = {}
        self.samples: dict[str, list[tuple[float, float]]] = {}
        self.lock = threading.Lock()
        self.halt = threading.Event()

    def watch(self, name: str, pid: int) -> None:
        with self.lock:
            try:
                self.watched[name] = psutil.Process(pid)
            except psutil.Error:
                return
        self.sample_one(name)

    def sample_one(self, name: str) -> float | None:
        with self.lock:
            proc = self.watched.get(name)
        if proc is None:
            return None
        try:
            with proc.oneshot():
                times = proc.cpu_times()
                rss = proc.memory_info().rss
        except psutil.Error:
            return self.cpu.get(name)
        total = times.user + times.system
        now = time.monotonic()
        with self.lock:
            self.cpu[name] = total
            self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss)
            self.samples.setdefault(name, []).append((now, total))
        return total

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            for name in list(self.watched):
                self.sample_one(name)

    def cpu_now(self, name: str) -> float:
        value = self.sample_one(name)
        return value if value is not None else self.cpu.get(name, 0.0)

    def peak_utilisation(self, name: str, start: float, end: float, window: float = 1.0) -> float:
        """Highest share of one core used over any `window` seconds between start and end (monotonic)."""
        points = [(t, c) for t, c in self.samples.get(name, []) if start <= t <= end]
        best, j = 0.0, 0
        for i in range(len(points)):
            while j < i and points[i][0] - points[j][0] > window:
                j += 1
            span = points[i][0] - points[j][0]
            if span >= window * 0.8:
                best = max(best, (points[i][1] - points[j][1]) / span)
        return best


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    db_path: Path | None = None
    room: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_errors(self) -> list[str]:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return []
        return [line for line in lines if ERROR_LINE.search(line)]


def spawn(cmd: list[str], env: dict, log_path: Path, cwd: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, preexec_fn=_die_with_parent
        )  # noqa: PLW1509 - before any thread touches fork state


def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} server exited early:\n{server.log_path.read_text()[-3000:]}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)  # polling for the port to open: there is nothing to wait on
    server.stop()
    raise RuntimeError(f"{server.name} server did not start:\n{server.log_path.read_text()[-3000:]}")


def quizroom_env(work: Path, db_path: Path, args: argparse.Namespace) -> dict:
    return {
        **os.environ,
        "QUIZROOM_INSTANCE": str(work / "instance"),
        "QUIZROOM_DATABASE_URL": f"sqlite:///{db_path}",
        "QUIZROOM_SECRET_KEY": SECRET_KEY,
        "QUIZROOM_MAX_CONNECTIONS": str(args.participants + 200),
        # Every client comes from 127.0.0.1: the per-address join limit (which protects a
        # real room from floods) would refuse all but 60 of them.
        "QUIZROOM_JOIN_RATE_PER_IP": "0",
        "QUIZROOM_MAX_PARTICIPANTS": str(args.participants),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def run_quiet(cmd: list[str], env: dict, cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


DB_SETUP = """
import json, sys
from quizroom import accounts, create_app, decks
from quizroom.app import live_rooms
app = create_app({"ASYNC_MODE": "threading", "START_TICKER": False})
trainer = accounts.find_trainer(app, sys.argv[1])
row = decks.create_deck(app, trainer.id, json.load(sys.stdin))
live, key = live_rooms(app).open_room(trainer_id=trainer.id, deck_id=row.id, title=row.title,
                                      questions=decks.questions_of(row), settings={})
print(json.dumps({"code": live.code, "host_key": key, "room_id": live.id}))
"""


def csrf_token(html: str) -> str | None:
    found = re.search(r'<meta\s+name="csrf-token"\s+content="([^"]+)"', html)
    return found.group(1) if found else None


def open_room_http(url: str, document: dict, scenario: str = "quiz") -> dict:
    http = requests.Session()
    page = http.get(f"{url}/login", timeout=30)
    token = csrf_token(page.text)
    if page.status_code != 200 or token is None:
        raise RuntimeError(
            f"GET /login gave {page.status_code} without a csrf-token meta tag "
            "(is quizroom/web/auth.py written yet? --setup db works without it)"
        )
    signed = http.post(
        f"{url}/login", data={"email": TRAINER_EMAIL, "password": TRAINER_PASSWORD, "csrf_token": token}, timeout=30
    )
    if not signed.ok or "/login" in signed.url:
        raise RuntimeError(f"POST /login failed ({signed.status_code} at {signed.url})")
    # The token lives in the session; read it again in case signing in renewed it.
    after = http.get(f"{url}/decks", timeout=30)
    http.headers["X-CSRFToken"] = csrf_token(after.text) or token
    kind = "plans" if scenario == "poll" else "decks"
    created = http.post(f"{url}/api/{kind}", json=document, timeout=30)
    if created.status_code != 201:
        raise RuntimeError(f"POST /api/{kind} gave {created.status_code}: {created.text[:500]}")
    source = (
        {"plan_id": created.json()["id"]} if scenario == "poll" else {"deck_id": created.json()["id"], "settings": {}}
    )
    room = http.post(f"{url}/api/rooms", json=source, timeout=30)
    if room.status_code != 201:
        raise RuntimeError(f"POST /api/rooms gave {room.status_code}: {room.text[:500]}")
    body = room.json()
    return {"code": body["code"], "host_key": body["host_key"], "room_id": body.get("room_id")}


def start_quizroom(work: Path, args: argparse.Namespace, deck: dict) -> Server:
    db_path = work / "quizroom.db"
    env = quizroom_env(work, db_path, args)
    cli = [sys.executable, "-m", "quizroom.cli"]
    setup_env = {**env, "QUIZROOM_ASYNC_MODE": "threading"}
    run_quiet(
        [*cli, "create-trainer", "--email", TRAINER_EMAIL, "--name", "Bench Trainer", "--password", TRAINER_PASSWORD],
        setup_env,
        work,
    )
    room = None
    if args.setup == "db":
        room = json.loads(
            run_quiet([sys.executable, "-c", DB_SETUP, TRAINER_EMAIL], setup_env, work, stdin=json.dumps(deck))
            .strip()
            .splitlines()[-1]
        )
    port = free_port()
    process = spawn(
        [*cli, "run", "--host", "127.0.0.1", "--port", str(port), "--async-mode", args.async_mode],
        env,
        work / "quizroom-server.log",
        work,
    )
    server = Server("quizroom", f"http://127.0.0.1:{port}", process, work / "quizroom-server.log", db_path)
    wait_healthy(server)
    server.room = room or open_room_http(server.url, deck, args.scenario)
    return server


def start_bare(work: Path, args: argparse.Namespace, deck: dict) -> Server:
    deck_path = work / "deck.json"
    deck_path.write_text(json.dumps(deck))
    port = free_port()
    log_path = work / "bare-server.log"
    process = spawn(
        [
            sys.executable,
            str(Path(__file__).with_name("bare_server.py")),
            "--port",
            str(port),
            "--async-mode",
            args.async_mode,
            "--deck",
            str(deck_path),
            "--code",
            BARE_CODE,
            "--max-connections",
            str(args.participants + 200),
            *(["--gc-freeze"] if args.bare_gc_freeze else []),
        ],
        {**os.environ, "PYTHONUNBUFFERED": "1"},
        log_path,
        work,
    )
    server = Server("bare", f"http://127.0.0.1:{port}", process, log_path)
    wait_healthy(server)
    server.room = {"code": BARE_CODE, "host_key": "unused-by-the-bare-server", "room_id": None}
    return server


# ------------------------------------------------------------------ the run
class Run:
    """Drives one server: the host client here, the participants in worker processes."""

    def __init__(self, server: Server, args: argparse.Namespace, sampler: Sampler):
        self.server = server
        self.args = args
        self.sampler = sampler
        self.sends: dict[str, float] = {}
        self.host_recv: dict[str, float] = {}
        self.notes: list[str] = []
        self.ready: set[int] = set()
        self.joined: dict[int, tuple[int, int]] = {}
        self.seen: dict[tuple, set[int]] = {}
        self.results: dict[int, tuple[list, dict]] = {}
        self.worker_errors: list[str] = []
        self.inbox: asyncio.Queue = asyncio.Queue()
        # poll scenario
        self.submitted: dict[int, dict[int, tuple[int, int]]] = {}  # position -> wid -> (ok, failed)
        self.host_activity: list[list] = []  # [time, position, aggregate total] per host `activity`
        self.host_views: dict[int, dict] = {}  # position -> the latest view the host got
        self.expected_totals: dict[int, int] = {}
        self.activity_usage: dict[int, dict] = {}  # position -> server CPU s, busiest second
        self.workers: list = []

    # messages from the workers
    def handle(self, message: tuple) -> None:
        kind, wid = message[0], message[1]
        if kind == "ready":
            self.ready.add(wid)
            self.sampler.watch(f"client{wid}", message[2])
        elif kind == "joined":
            self.joined[wid] = (message[2], message[3])
        elif kind == "seen":
            self.seen.setdefault(tuple(message[2]), set()).add(wid)
        elif kind == "results":
            self.results[wid] = (message[2], message[3])
        elif kind == "submitted":
            self.submitted.setdefault(message[2], {})[wid] = (message[3], message[4])
        elif kind == "error":
            self.worker_errors.append(message[2])
            self.notes.append(f"client process {wid} failed: {message[2].strip().splitlines()[-1]}")

    async def wait(self, done, timeout: float, what: str) -> bool:
        deadline = time.monotonic() + timeout
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.notes.append(f"timed out after {timeout:.0f} s waiting for {what}")
                return False
            try:
                message = await asyncio.wait_for(self.inbox.get(), remaining)
            except TimeoutError:
                continue
            self.handle(message)
        return True

    def playing(self) -> set[int]:
        return {wid for wid, (ok, _failed) in self.joined.items() if ok > 0}

    async def wait_seen(self, key: tuple, timeout: float | None = None) -> bool:
        return await self.wait(
            lambda: self.playing() <= self.seen.get(key, set()),
            timeout or self.args.phase_timeout,
            f"{' '.join(map(str, key))} to reach everyone",
        )

    async def host_next(self, host, label: str, event: str = "host:next") -> None:
        self.sends[label] = time.time()
        ack = await host.call(event, timeout=self.args.request_timeout)
        if not (isinstance(ack, dict) and ack.get("ok")):
            self.notes.append(f"{event} ({label}) was refused: {ack}")

    async def play_quiz(self, host) -> None:
        args, limit = self.args, self.args.time_limit
        for i in range(args.questions):
            await self.host_next(host, f"question/{i}")
            await self.wait_seen(("state", "question", i))
            await self.wait_seen(("state", "reveal", i), limit + args.phase_timeout)
            await self.wait_seen(("me", "reveal", i))
            await asyncio.sleep(args.settle)
            await self.host_next(host, f"leaderboard/{i}")
            await self.wait_seen(("state", "leaderboard", i))
            await asyncio.sleep(args.settle)
        await self.host_next(host, "ended")
        await self.wait_seen(("state", "ended", None))
        await self.wait_seen(("me", "ended", None))

    def host_total(self, position: int) -> int:
        return max(
            (total for _t, pos, total in self.host_activity if pos == position and total is not None), default=-1
        )

    async def play_poll(self, host) -> None:
        """host:next opens each poll; everyone responds; wait until the host and every phone
        have an aggregate counting every acknowledged response; then the next; host:end."""
        args = self.args
        for position, kind in enumerate(POLL_ACTIVITIES):
            cpu0, mono0 = self.sampler.cpu_now("server"), time.monotonic()
            await self.host_next(host, f"activity/{position}")
            await self.wait_seen(("state", "activity", position))
            await self.wait(
                lambda p=position: self.playing() <= set(self.submitted.get(p, {})),
                args.poll_window + args.phase_timeout,
                f"everyone to respond to the {kind} poll",
            )
            total = sum(ok for ok, _failed in self.submitted.get(position, {}).values())
            self.expected_totals[position] = total
            for _proc, parent in self.workers:
                parent.send(("expect", position, total))
            await self.wait_seen(("final", position))
            await self.wait(
                lambda p=position, t=total: self.host_total(p) >= t,
                args.phase_timeout,
                f"the host to get the final {kind} aggregate",
            )
            mono1 = time.monotonic()
            self.activity_usage[position] = {
                "cpu": self.sampler.cpu_now("server") - cpu0,
                "seconds": mono1 - mono0,
                "peak_cpu_share": self.sampler.peak_utilisation("server", mono0, mono1),
            }
            await asyncio.sleep(args.settle)
        await self.host_next(host, "ended", "host:end")
        await self.wait_seen(("state", "ended", None))
        await self.wait_seen(("me", "ended", None))

    async def drive(self) -> dict:
        args, loop = self.args, asyncio.get_running_loop()
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        halt = threading.Event()

        def pump() -> None:
            while not halt.is_set():
                try:
                    message = out.get(timeout=0.2)
                except queue.Empty:
                    continue
                except (EOFError, OSError):
                    return
                loop.call_soon_threadsafe(self.inbox.put_nowait, message)

        threading.Thread(target=pump, daemon=True).start()
        numbers = list(range(args.participants))
        size = -(-len(numbers) // args.client_procs)
        workers = []
        host = socketio.AsyncClient(reconnection=False, handle_sigint=False, request_timeout=args.request_timeout)
        try:
            for wid in range(args.client_procs):
                cfg = {
                    "url": self.server.url,
                    "code": self.server.room["code"],
                    "numbers": numbers[wid * size : (wid + 1) * size],
                    "time_limit": args.time_limit,
                    "time_scale": args.time_scale,
                    "answer_window": tuple(args.answer_window),
                    "connect_concurrency": args.connect_concurrency,
                    "request_timeout": args.request_timeout,
                    "overall_timeout": args.timeout,
                    "seed": args.seed,
                    "scenario": args.scenario,
                    "poll_window": args.poll_window,
                }
                parent, child = ctx.Pipe()
                proc = ctx.Process(
                    target=swarm.worker_main, args=(wid, cfg, child, out), daemon=True, name=f"bench-clients-{wid}"
                )
                proc.start()
                workers.append((proc, parent))
            self.workers = workers
            await self.wait(lambda: len(self.ready) == len(workers), 120, "the client processes to start")

            @host.on("state")
            async def on_state(data):
                phase = data.get("phase")
                self.host_recv.setdefault(f"{phase}/{data.get('index')}", time.time())

            if args.scenario == "poll":

                @host.on("activity")
                async def on_activity(data):
                    view = data.get("view") or {}
                    self.host_activity.append([time.time(), data.get("position"), swarm.aggregate_total(view)])
                    self.host_views[data.get("position")] = view
                    self.inbox.put_nowait(("host", None))  # wakes a wait() on the host's aggregate

            await host.connect(self.server.url, transports=["websocket"], wait_timeout=args.request_timeout)
            attached = await host.call(
                "host:attach",
                {"code": self.server.room["code"], "key": self.server.room["host_key"]},
                timeout=args.request_timeout,
            )
            if not (isinstance(attached, dict) and attached.get("ok")):
                raise RuntimeError(f"host:attach refused: {attached}")

            cpu0, mono0, machine0 = self.sampler.cpu_now("server"), time.monotonic(), psutil.cpu_times()
            clients0 = {w: self.sampler.cpu_now(f"client{w}") for w in range(len(workers))}
            self.sends["go"] = time.time()
            for _proc, parent in workers:
                parent.send(("go",))
            await self.wait(
                lambda: len(self.joined) == len(workers), args.request_timeout * 3 + 60, "every client to join"
            )
            cpu_joined = self.sampler.cpu_now("server")
            if not self.playing():
                raise RuntimeError("no client could join")
            await asyncio.sleep(args.settle + 0.3)  # let the coalesced lobby updates go out
            cpu1 = self.sampler.cpu_now("server")
            if args.scenario == "poll":
                await self.play_poll(host)
            else:
                await self.play_quiz(host)
            cpu2, mono2, machine2 = self.sampler.cpu_now("server"), time.monotonic(), psutil.cpu_times()
            busy = (
                sum(machine2)
                - sum(machine0)
                - (machine2.idle - machine0.idle)
                - (getattr(machine2, "iowait", 0) - getattr(machine0, "iowait", 0))
            )
            ours = cpu2 - cpu0 + sum(self.sampler.cpu_now(f"client{w}") - clients0[w] for w in range(len(workers)))
            for _proc, parent in workers:
                parent.send(("finish",))
            await self.wait(
                lambda: len(self.results) + len(self.worker_errors) >= len(workers),
                120,
                "the client processes' results",
            )
            return {
                "cpu": {"join": cpu_joined - cpu0, "quiz": cpu2 - cpu1, "total": cpu2 - cpu0},
                "machine": {
                    "seconds": mono2 - mono0,
                    "busy_share": busy / max(1e-9, (mono2 - mono0) * (os.cpu_count() or 1)),
                    "other_cpu_s": max(0.0, busy - ours),
                },
                "peak_cpu_share": self.sampler.peak_utilisation("server", mono0, mono2),
                "client_cpu": {
                    f"client{w}": round(self.sampler.cpu_now(f"client{w}") - clients0[w], 2)
                    for w in range(len(workers))
                },
                "client_peak_cpu_share": max(
                    (self.sampler.peak_utilisation(f"client{w}", mono0, mono2) for w in range(len(workers))),
                    default=0.0,
                ),
            }
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(host.disconnect(), 5)
            for _proc, parent in workers:
                with contextlib.suppress(Exception):
                    parent.send(("finish",))
            for proc, _parent in workers:
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout=5)
                if proc.is_alive():
                    proc.kill()
            halt.set()


# ------------------------------------------------------------------ figures
def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)  # nearest rank: p99 of 100 values is the 99th
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def summary(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50_ms": _r(pct(ms, 50)),
        "p90_ms": _r(pct(ms, 90)),
        "p99_ms": _r(pct(ms, 99)),
        "max_ms": _r(max(ms) if ms else None),
    }


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def stored_answers(db_path: Path, room_id: int | None) -> set[tuple[int, int]]:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)) as db:
        if room_id is None:
            rows = db.execute("SELECT participant_number, question_index FROM answers")
        else:
            rows = db.execute("SELECT participant_number, question_index FROM answers WHERE room_id = ?", (room_id,))
        return {(int(p), int(q)) for p, q in rows}


def figures(run: Run, server: Server, usage: dict, args: argparse.Namespace) -> dict:
    records = [rec for wid in sorted(run.results) for rec in run.results[wid][0]]
    sizes: dict[str, int] = {}
    for _records, worker_sizes in run.results.values():
        sizes.update(worker_sizes)
    joined = [r for r in records if r["joined"] is not None]
    join_errors: dict[str, int] = {}
    for r in records:
        if r["join_error"]:
            join_errors[r["join_error"][:80]] = join_errors.get(r["join_error"][:80], 0) + 1
    starts = [r["connect_start"] for r in records if r["connect_start"] is not None]
    join_total = (max(r["joined"] for r in joined) - min(starts)) if joined and starts else None

    acks, answer_errors, sent, acked_ok = [], {}, 0, set()
    by_question: dict[int, list[dict]] = {}
    for r in joined:
        for index, a in r["answers"].items():
            sent += 1
            by_question.setdefault(index, []).append(a)
            if a["ok"]:
                acks.append(a["acked"] - a["sent"])
                acked_ok.add((r["pid"], index))
            else:
                answer_errors[a["error"] or "?"] = answer_errors.get(a["error"] or "?", 0) + 1

    def latencies(key: tuple, ref: float | None) -> tuple[list[float], int]:
        if ref is None:
            return [], len(joined)
        got = [r["recv"][key] - ref for r in joined if key in r["recv"]]
        return got, len(joined) - len(got)

    question, reveal, me, board = [], [], [], []
    missing = {"question": 0, "reveal": 0, "me": 0, "leaderboard": 0, "ended": 0, "me_ended": 0}
    closed_by: dict[int, str] = {}
    for i in range(args.questions):
        got, miss = latencies(("state", "question", i), run.sends.get(f"question/{i}"))
        question += got
        missing["question"] += miss
        answers = by_question.get(i, [])
        if answers and len([a for a in answers if a["ok"]]) == len(joined):
            ref, closed_by[i] = max(a["sent"] for a in answers), "last answer"
        else:  # somebody did not answer: the server's timer closed it (up to one tick late)
            opened = run.sends.get(f"question/{i}")
            ref, closed_by[i] = (opened + args.time_limit if opened else None), "time limit"
        got, miss = latencies(("state", "reveal", i), ref)
        reveal += got
        missing["reveal"] += miss
        got, miss = latencies(("me", "reveal", i), ref)
        me += got
        missing["me"] += miss
        got, miss = latencies(("state", "leaderboard", i), run.sends.get(f"leaderboard/{i}"))
        board += got
        missing["leaderboard"] += miss
    ended, miss = latencies(("state", "ended", None), run.sends.get("ended"))
    missing["ended"] += miss
    me_ended, miss = latencies(("me", "ended", None), run.sends.get("ended"))
    missing["me_ended"] += miss

    lost = None
    lost_examples: list = []
    unacked_stored = None
    if server.db_path is not None:
        try:
            stored = stored_answers(server.db_path, server.room.get("room_id"))
            lost_set = acked_ok - stored
            lost, lost_examples = len(lost_set), sorted(lost_set)[:10]
            unacked_stored = len(stored - acked_ok)
        except sqlite3.Error as error:
            run.notes.append(f"could not read the answers table: {error}")
    log_errors = server.log_errors()
    return {
        "target": server.name,
        "participants": args.participants,
        "joined": len(joined),
        "join_failed": len(records) - len(joined),
        "join_errors": join_errors,
        "join_total_s": _r(join_total, 2),
        "connect": summary([r["connected"] - r["connect_start"] for r in joined]),
        "join_ack": summary([r["joined"] - r["connected"] for r in joined]),
        "answers_sent": sent,
        "answers_acked": len(acks),
        "answer_errors": answer_errors,
        "answer_ack": summary(acks),
        "question_bcast": summary(question),
        "reveal_bcast": summary(reveal),
        "reveal_me": summary(me),
        "leaderboard_bcast": summary(board),
        "end_bcast": summary(ended),
        "end_me": summary(me_ended),
        "closed_by": {str(k): v for k, v in closed_by.items()},
        "missing_receipts": missing,
        "disconnected_early": sum(1 for r in joined if r["disconnected_early"]),
        "answers_lost": lost,
        "answers_lost_examples": lost_examples,
        "stored_but_not_acked": unacked_stored,
        "server_log_errors": len(log_errors),
        "server_log_error_lines": log_errors[:20],
        "server_cpu_s": _r(usage["cpu"]["total"], 2),
        "server_cpu_join_s": _r(usage["cpu"]["join"], 2),
        "server_cpu_quiz_s": _r(usage["cpu"]["quiz"], 2),
        "server_peak_cpu_share": _r(usage["peak_cpu_share"], 2),
        "server_peak_rss_mib": _r(usage["peak_rss"] / 2**20, 1),
        "client_cpu_s": usage["client_cpu"],
        "client_peak_cpu_share": _r(usage["client_peak_cpu_share"], 2),
        "run_seconds": _r(usage["machine"]["seconds"], 1),
        "machine_busy_share": _r(usage["machine"]["busy_share"], 2),
        "other_processes_cpu_s": _r(usage["machine"]["other_cpu_s"], 1),
        "payload_bytes": sizes,
        "notes": run.notes,
    }


# ---------------------------------------------------------- poll figures
BURST_TAIL = 0.5  # s after the last ack that still belong to a burst (the coalesced flush is one tick away)


def stored_submissions(db_path: Path, room_id: int | None) -> set[tuple]:
    """(participant, position, action, vote value or entry id) of every stored submission."""
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)) as db:
        query = "SELECT participant_number, position, action, record FROM submissions"
        rows = db.execute(query) if room_id is None else db.execute(query + " WHERE room_id = ?", (room_id,))
        out = set()
        for pid, position, action, record in rows:
            data = json.loads(record) if isinstance(record, str) else record
            ref = json.dumps(data.get("value")) if action == "vote" else data.get("id")
            out.add((int(pid), int(position), action, ref))
        return out


def acked_key(pid: int, sub: dict) -> tuple:
    ref = json.dumps(sub["payload"].get("value")) if sub["action"] == "vote" else sub["entry_id"]
    return (pid, sub["pos"], sub["action"], ref)


def per_second(times: list[float], start: float, end: float) -> tuple[int, float | None]:
    """Events in the busiest 1-s bucket (buckets from `start`) and the mean rate over [start, end]."""
    inside = [t for t in times if start <= t <= end]
    buckets: dict[int, int] = {}
    for t in inside:
        buckets[int((t - start) // 1.0)] = buckets.get(int((t - start) // 1.0), 0) + 1
    return max(buckets.values(), default=0), (len(inside) / (end - start) if end > start else None)


def first_at_least(events: list, position: int, total: int) -> float | None:
    """Time of the first `activity` event of `position` whose aggregate counts `total`."""
    for t, pos, got in events:
        if pos == position and got is not None and got >= total:
            return t
    return None


def fold(text: str) -> str:
    try:
        from quizroom.engine.text import fold_answer
    except ImportError:  # the same rule, for a checkout without quizroom installed
        import unicodedata

        decomposed = unicodedata.normalize("NFKD", "".join(c for c in text if unicodedata.category(c)[0] != "C"))
        return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())
    return fold_answer(text)


def aggregate_check(kind: str, view: dict | None, ok_subs: list[dict]) -> str | None:
    """None if the host's last view of the poll counts exactly the acknowledged responses."""
    results = (view or {}).get("results")
    if not isinstance(results, dict):
        return "the host got no results"
    if kind == "single":
        want = [0] * len(results.get("counts", []))
        for sub in ok_subs:
            value = sub["payload"]["value"]
            if value >= len(want):
                return f"vote {value} outside the counts {results.get('counts')}"
            want[value] += 1
        return None if results["counts"] == want else f"counts {results['counts']} != acked votes {want}"
    want_words: dict[str, int] = {}
    for sub in ok_subs:
        key = fold(sub["payload"]["text"])
        want_words[key] = want_words.get(key, 0) + 1
    got_words = {fold(w["text"]): w["count"] for w in results.get("words", [])}
    problems = []
    if results.get("entries") != len(ok_subs):
        problems.append(f"entries {results.get('entries')} != acked {len(ok_subs)}")
    if got_words != want_words:
        problems.append(f"words {sorted(got_words.items())} != acked {sorted(want_words.items())}")
    return "; ".join(problems) or None


def poll_figures(run: Run, server: Server, usage: dict, args: argparse.Namespace) -> dict:
    records = [rec for wid in sorted(run.results) for rec in run.results[wid][0]]
    sizes: dict[str, int] = {}
    for _records, worker_sizes in run.results.values():
        sizes.update(worker_sizes)
    joined = [r for r in records if r["joined"] is not None]
    join_errors: dict[str, int] = {}
    for r in records:
        if r["join_error"]:
            join_errors[r["join_error"][:80]] = join_errors.get(r["join_error"][:80], 0) + 1
    starts = [r["connect_start"] for r in records if r["connect_start"] is not None]
    join_total = (max(r["joined"] for r in joined) - min(starts)) if joined and starts else None
    try:
        stored = stored_submissions(server.db_path, server.room.get("room_id")) if server.db_path else None
    except sqlite3.Error as error:
        stored = None
        run.notes.append(f"could not read the submissions table: {error}")

    activities, all_acked = [], set()
    missing = {"state activity": 0, "final aggregate": 0, "ended": 0, "me_ended": 0}
    for position, kind in enumerate(POLL_ACTIVITIES):
        subs = [(r, sub) for r in joined for sub in r.get("subs", []) if sub["pos"] == position]
        ok = [sub for _rec, sub in subs if sub["ok"]]
        errors: dict[str, int] = {}
        for _rec, sub in subs:
            if not sub["ok"]:
                errors[sub["error"] or "?"] = errors.get(sub["error"] or "?", 0) + 1
        acked = {acked_key(r["pid"], sub) for r, sub in subs if sub["ok"]}
        all_acked |= acked
        opened = run.sends.get(f"activity/{position}")
        got = [
            r["recv"][("state", "activity", position)] - opened
            for r in joined
            if opened and ("state", "activity", position) in r["recv"]
        ]
        missing["state activity"] += len(joined) - len(got)
        row: dict = {
            "position": position,
            "poll": kind,
            "sent": len(subs),
            "acked": len(ok),
            "errors": errors,
            "open_bcast": summary(got),
            "ack": summary([s["acked"] - s["sent"] for s in ok]),
        }
        total = run.expected_totals.get(position, len(ok))
        if ok:
            start = min(sub["sent"] for _rec, sub in subs)
            last_ack = max(sub["acked"] for sub in ok)
            end = last_ack + BURST_TAIL
            host_times = sorted(t for t, pos, _n in run.host_activity if pos == position)
            row["burst_s"] = _r(end - start, 2)
            row["host_per_s_max"], host_mean = per_second(host_times, start, end)
            row["host_per_s_mean"] = _r(host_mean, 2)
            gaps = [b - a for a, b in zip(host_times, host_times[1:], strict=False) if start <= a and b <= end]
            row["host_min_gap_ms"] = _r(min(gaps) * 1000 if gaps else None)
            phone_max, phone_means, fanout, fresh, phone_gap = 0, [], 0, [], None
            for r in joined:
                times = sorted(t for t, pos, _n in r["activity"] if pos == position)
                most, mean_rate = per_second(times, start, end)
                gaps = [b - a for a, b in zip(times, times[1:], strict=False) if start <= a and b <= end]
                if gaps and (phone_gap is None or min(gaps) < phone_gap):
                    phone_gap = min(gaps)
                phone_max = max(phone_max, most)
                if mean_rate is not None:
                    phone_means.append(mean_rate)
                fanout += sum(1 for t in times if start <= t <= end)
                seen = first_at_least(r["activity"], position, total)
                if seen is None:
                    missing["final aggregate"] += 1
                else:
                    fresh.append(seen - last_ack)
            row["phone_per_s_max"] = phone_max
            row["phone_min_gap_ms"] = _r(phone_gap * 1000 if phone_gap is not None else None)
            row["phone_per_s_mean"] = _r(sum(phone_means) / len(phone_means), 2) if phone_means else None
            row["phone_msgs_per_s"] = _r(fanout / (end - start), 1)
            host_seen = first_at_least(run.host_activity, position, total)
            row["fresh_host_ms"] = _r((host_seen - last_ack) * 1000) if host_seen else None
            row["fresh_phone"] = summary(fresh)
            # Every acknowledged response, not just the last: the k-th ack (in ack order) is in the
            # first host event counting at least k (ack order ~ the order the server applied them).
            host_events = sorted((t, n) for t, pos, n in run.host_activity if pos == position and n is not None)
            lags, j = [], 0
            for k, acked_at in enumerate(sorted(sub["acked"] for sub in ok), start=1):
                while j < len(host_events) and host_events[j][1] < k:
                    j += 1
                if j < len(host_events):
                    lags.append(host_events[j][0] - acked_at)
            row["fresh_host_each"] = summary(lags)
        row["aggregate_error"] = aggregate_check(kind, run.host_views.get(position), ok)
        row["lost"] = len(acked - stored) if stored is not None else None
        row["lost_examples"] = sorted(acked - stored, key=str)[:5] if stored is not None else []
        use = run.activity_usage.get(position, {})
        row["server_cpu_s"] = _r(use.get("cpu"), 2)
        row["server_peak_cpu_share"] = _r(use.get("peak_cpu_share"), 2)
        activities.append(row)
    for key, label in ((("state", "ended", None), "ended"), (("me", "ended", None), "me_ended")):
        missing[label] = sum(1 for r in joined if key not in r["recv"])
    ended = run.sends.get("ended")
    log_errors = server.log_errors()
    lost = sum(a["lost"] for a in activities) if stored is not None else None
    return {
        "target": server.name,
        "scenario": "poll",
        "participants": args.participants,
        "joined": len(joined),
        "join_failed": len(records) - len(joined),
        "join_errors": join_errors,
        "join_total_s": _r(join_total, 2),
        "connect": summary([r["connected"] - r["connect_start"] for r in joined]),
        "join_ack": summary([r["joined"] - r["connected"] for r in joined]),
        "activities": activities,
        "end_bcast": summary(
            [
                r["recv"][("state", "ended", None)] - ended
                for r in joined
                if ended and ("state", "ended", None) in r["recv"]
            ]
        ),
        "answers_lost": lost,  # (the name main() checks)
        "stored_but_not_acked": len(stored - all_acked) if stored is not None else None,
        "aggregate_mismatch": sum(1 for a in activities if a["aggregate_error"]),
        "missing_receipts": missing,
        "disconnected_early": sum(1 for r in joined if r["disconnected_early"]),
        "server_log_errors": len(log_errors),
        "server_log_error_lines": log_errors[:20],
        "server_cpu_s": _r(usage["cpu"]["total"], 2),
        "server_cpu_join_s": _r(usage["cpu"]["join"], 2),
        "server_cpu_poll_s": _r(usage["cpu"]["quiz"], 2),
        "server_peak_cpu_share": _r(usage["peak_cpu_share"], 2),
        "server_peak_rss_mib": _r(usage["peak_rss"] / 2**20, 1),
        "client_cpu_s": usage["client_cpu"],
        "client_peak_cpu_share": _r(usage["client_peak_cpu_share"], 2),
        "run_seconds": _r(usage["machine"]["seconds"], 1),
        "machine_busy_share": _r(usage["machine"]["busy_share"], 2),
        "other_processes_cpu_s": _r(usage["machine"]["other_cpu_s"], 1),
        "payload_bytes": sizes,
        "notes": run.notes,
    }


POLL_COLUMNS = [
    ("target", "target", "{}"),
    ("poll", "poll", "{}"),
    ("N", "joined", "{}"),
    ("subs", "acked", "{}"),
    ("ack p50", ("ack", "p50_ms"), "{:.1f}"),
    ("ack p99", ("ack", "p99_ms"), "{:.1f}"),
    ("host/s max", "host_per_s_max", "{}"),
    ("host/s mean", "host_per_s_mean", "{:.2f}"),
    ("phone/s max", "phone_per_s_max", "{}"),
    ("phone/s mean", "phone_per_s_mean", "{:.2f}"),
    ("fresh host", "fresh_host_ms", "{:.0f}"),
    ("fresh ph p50", ("fresh_phone", "p50_ms"), "{:.0f}"),
    ("fresh ph p99", ("fresh_phone", "p99_ms"), "{:.0f}"),
    ("lost", "lost", "{}"),
    ("CPU s", "server_cpu_s", "{:.1f}"),
    ("busiest s", "server_peak_cpu_share", "{:.0%}"),
]


def print_poll_report(rows: dict, args: argparse.Namespace) -> None:
    print()
    print(
        f"{args.participants} participants, async mode {args.async_mode}, poll scenario (single-choice vote, "
        f"then 1-3 word-cloud entries each, within {args.poll_window:g} s), {args.client_procs} client "
        f"processes; latencies in ms"
    )
    print("bare-server comparison: skipped (bare_server.py speaks only the quiz protocol)")
    table = [[title for title, _k, _f in POLL_COLUMNS]]
    for row in rows.values():
        for activity in row["activities"]:
            merged = {**activity, "target": row["target"], "joined": row["joined"]}
            table.append([cell(merged, key, fmt) for _t, key, fmt in POLL_COLUMNS])
    widths = [max(len(r[i]) for r in table) for i in range(len(POLL_COLUMNS))]
    for n, line in enumerate(table):
        print("  ".join(v.rjust(w) for v, w in zip(line, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for row in rows.values():
        t = row["target"]
        print()
        print(
            f"[{t}] joins {row['joined']}/{row['participants']} in {row['join_total_s']} s"
            f"{' ' + json.dumps(row['join_errors']) if row['join_errors'] else ''}; server CPU "
            f"{row['server_cpu_s']} s (join {row['server_cpu_join_s']}, polls {row['server_cpu_poll_s']}), "
            f"busiest second {int((row['server_peak_cpu_share'] or 0) * 100)}% of a core, peak RSS "
            f"{row['server_peak_rss_mib']} MiB; log errors {row['server_log_errors']}; end bcast p99 "
            f"{row['end_bcast']['p99_ms']} ms"
        )
        for a in row["activities"]:
            print(
                f"[{t}] {a['poll']}: {a['acked']}/{a['sent']} acked"
                f"{' errors ' + json.dumps(a['errors']) if a['errors'] else ''}, burst {a.get('burst_s')} s; "
                f"open bcast p50/p99 {a['open_bcast']['p50_ms']}/{a['open_bcast']['p99_ms']} ms; "
                f"shortest gap between two activity events: host {a.get('host_min_gap_ms')} ms, any phone "
                f"{a.get('phone_min_gap_ms')} ms; activity events to "
                f"phones {a.get('phone_msgs_per_s')}/s in all; freshness of every ack at the host p50/p99 "
                f"{(a.get('fresh_host_each') or {}).get('p50_ms')}/{(a.get('fresh_host_each') or {}).get('p99_ms')} "
                f"ms; aggregate {'OK' if not a['aggregate_error'] else 'WRONG: ' + a['aggregate_error'][:300]}"
            )
            if a["lost"]:
                print(
                    f"[{t}] LOST SUBMISSIONS ({a['poll']}): {a['lost']} acked but not stored, e.g. {a['lost_examples']}"
                )
        print(
            f"[{t}] client processes' CPU {row['client_cpu_s']} (busiest second "
            f"{int((row['client_peak_cpu_share'] or 0) * 100)}%); payload bytes {row['payload_bytes']}"
        )
        print(
            f"[{t}] machine: {int((row['machine_busy_share'] or 0) * 100)}% of all {os.cpu_count()} cores busy "
            f"over the {row['run_seconds']} s run; other processes (not this benchmark) used "
            f"{row['other_processes_cpu_s']} CPU s: high values make latencies noisy"
        )
        missing = {k: v for k, v in row["missing_receipts"].items() if v}
        if missing or row["disconnected_early"]:
            print(f"[{t}] MISSING receipts {missing}, disconnected early {row['disconnected_early']}")
        if row["stored_but_not_acked"]:
            print(
                f"[{t}] note: {row['stored_but_not_acked']} submissions stored but not acknowledged "
                f"(ack lost or timed out)"
            )
        for line in row["server_log_error_lines"][:5]:
            print(f"[{t}] log: {line[:200]}")
        for note in row["notes"]:
            print(f"[{t}] note: {note}")


COLUMNS = [
    ("target", "target", "{}"),
    ("N", "joined", "{}"),
    ("join s", "join_total_s", "{:.2f}"),
    ("ack p50", ("answer_ack", "p50_ms"), "{:.1f}"),
    ("ack p99", ("answer_ack", "p99_ms"), "{:.1f}"),
    ("q p50", ("question_bcast", "p50_ms"), "{:.1f}"),
    ("q p99", ("question_bcast", "p99_ms"), "{:.1f}"),
    ("rev p50", ("reveal_bcast", "p50_ms"), "{:.1f}"),
    ("rev p99", ("reveal_bcast", "p99_ms"), "{:.1f}"),
    ("me p50", ("reveal_me", "p50_ms"), "{:.1f}"),
    ("me p99", ("reveal_me", "p99_ms"), "{:.1f}"),
    ("lost", "answers_lost", "{}"),
    ("log err", "server_log_errors", "{}"),
    ("CPU s", "server_cpu_s", "{:.1f}"),
    ("RSS MiB", "server_peak_rss_mib", "{:.0f}"),
]
RATIOS = [
    ("ack p99", "answer_ack"),
    ("question bcast p99", "question_bcast"),
    ("reveal bcast p99", "reveal_bcast"),
    ("reveal me p99", "reveal_me"),
    ("leaderboard bcast p99", "leaderboard_bcast"),
]
RATIOS_P50 = [("ack p50", "answer_ack"), ("question bcast p50", "question_bcast"), ("reveal bcast p50", "reveal_bcast")]


def cell(row: dict, key, fmt: str) -> str:
    value = (row.get(key[0]) or {}).get(key[1]) if isinstance(key, tuple) else row.get(key)
    if value is None:
        return "-"
    return fmt.format(value)


def ratios(rows: dict) -> dict:
    bare, quiz = rows.get("bare"), rows.get("quizroom")
    if not bare or not quiz:
        return {}
    out = {}
    for label, key in RATIOS:
        b, q = bare[key]["p99_ms"], quiz[key]["p99_ms"]
        out[label] = round(q / b, 2) if b and q is not None else None
    for label, key in RATIOS_P50:  # p50s are steadier than p99s on a busy machine
        b, q = bare[key]["p50_ms"], quiz[key]["p50_ms"]
        out[label] = round(q / b, 2) if b and q is not None else None
    if bare.get("server_cpu_s") and quiz.get("server_cpu_s") is not None:
        out["server CPU"] = round(quiz["server_cpu_s"] / bare["server_cpu_s"], 2)
    return out


def print_report(rows: dict, ratio: dict, args: argparse.Namespace) -> None:
    print()
    plural = "s" if args.questions != 1 else ""
    print(
        f"{args.participants} participants, async mode {args.async_mode}, {args.questions} question{plural}, "
        f"{args.client_procs} client processes; latencies in ms"
    )
    table = [[title for title, _k, _f in COLUMNS]]
    for row in rows.values():
        table.append([cell(row, key, fmt) for _t, key, fmt in COLUMNS])
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    for n, line in enumerate(table):
        print("  ".join(v.rjust(w) for v, w in zip(line, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    if ratio:
        print()
        label = "quizroom / bare" + (" (median over rounds)" if args.rounds > 1 else "")
        print(f"{label}:  " + ",  ".join(f"{k} x{v}" for k, v in ratio.items() if v is not None))
    for row in rows.values():
        print()
        print(
            f"[{row['target']}] answers {row['answers_acked']}/{row['answers_sent']} acked"
            f"{' errors ' + json.dumps(row['answer_errors']) if row['answer_errors'] else ''}; "
            f"join failures {row['join_failed']}"
            f"{' ' + json.dumps(row['join_errors']) if row['join_errors'] else ''}; "
            f"connect p99 {row['connect']['p99_ms']} ms, join ack p99 {row['join_ack']['p99_ms']} ms; "
            f"leaderboard bcast p99 {row['leaderboard_bcast']['p99_ms']} ms; "
            f"end p99 state {row['end_bcast']['p99_ms']} / me {row['end_me']['p99_ms']} ms"
        )
        print(
            f"[{row['target']}] server CPU {row['server_cpu_s']} s (join {row['server_cpu_join_s']}, "
            f"quiz {row['server_cpu_quiz_s']}), busiest second {int((row['server_peak_cpu_share'] or 0) * 100)}% "
            f"of a core; client processes' CPU {row['client_cpu_s']} (busiest second "
            f"{int((row['client_peak_cpu_share'] or 0) * 100)}%); payload bytes {row['payload_bytes']}"
        )
        print(
            f"[{row['target']}] machine: {int((row['machine_busy_share'] or 0) * 100)}% of all "
            f"{os.cpu_count()} cores busy over the {row['run_seconds']} s run; other processes (not this "
            f"benchmark) used {row['other_processes_cpu_s']} CPU s: high values make latencies noisy"
        )
        missing = {k: v for k, v in row["missing_receipts"].items() if v}
        if missing or row["disconnected_early"]:
            print(f"[{row['target']}] MISSING receipts {missing}, disconnected early {row['disconnected_early']}")
        if row["answers_lost"]:
            print(
                f"[{row['target']}] LOST ANSWERS: {row['answers_lost']} acked but not stored, "
                f"e.g. {row['answers_lost_examples']}"
            )
        for line in row["server_log_error_lines"][:5]:
            print(f"[{row['target']}] log: {line[:200]}")
        for note in row["notes"]:
            print(f"[{row['target']}] note: {note}")


# ------------------------------------------------------------------- main
def bench_one(kind: str, work: Path, args: argparse.Namespace, deck: dict) -> dict:
    sampler = Sampler()
    sampler.start()
    server = profiler = None
    try:
        print(f"starting the {kind} server ({args.async_mode})...", flush=True)
        server = start_quizroom(work, args, deck) if kind == "quizroom" else start_bare(work, args, deck)
        sampler.watch("server", server.process.pid)
        if args.profile:
            profiler = start_profiler(server, Path(args.profile), kind)
        run = Run(server, args, sampler)
        print(
            f"running {args.participants} participants against {kind} at {server.url} "
            f"(server pid {server.process.pid})...",
            flush=True,
        )
        usage = asyncio.run(run.drive())
        usage["peak_rss"] = sampler.peak_rss.get("server", 0)
        server.stop()  # before reading the database: acknowledged answers must have survived
        row = (poll_figures if args.scenario == "poll" else figures)(run, server, usage, args)
        if args.raw:
            raw_path = Path(args.raw)
            raw_path = raw_path.with_name(f"{raw_path.stem}-{kind}{raw_path.suffix or '.json'}")
            raw_path.write_text(
                json.dumps(
                    {
                        "sends": run.sends,
                        "host_recv": run.host_recv,
                        "clients": [
                            {**rec, "recv": {"/".join(map(str, k)): t for k, t in rec["recv"].items()}}
                            for wid in sorted(run.results)
                            for rec in run.results[wid][0]
                        ],
                    }
                )
            )
        return row
    finally:
        sampler.halt.set()
        if server is not None:
            server.stop()
        if profiler is not None:
            try:
                profiler.wait(timeout=30)  # py-spy writes its files when the server exits
            except subprocess.TimeoutExpired:
                profiler.kill()


def start_profiler(server: Server, folder: Path, kind: str) -> subprocess.Popen | None:
    """py-spy on the server for the whole run: a flame graph and collapsed stacks (text)."""
    import shutil

    spy = shutil.which("py-spy")
    if spy is None:
        print("--profile: py-spy is not installed (pip install py-spy); not profiling", file=sys.stderr)
        return None
    folder.mkdir(parents=True, exist_ok=True)
    log = open(folder / f"{kind}-py-spy.log", "ab")  # noqa: SIM115 - lives as long as py-spy
    # --nonblocking: do not pause the server to sample it (slightly less exact, much less intrusive).
    return subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(server.process.pid),
            "--rate",
            "100",
            "--nonblocking",
            "--format",
            "raw",
            "-o",
            str(folder / f"{kind}.txt"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )  # noqa: PLW1509


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def on_term(_signum, _frame):
        raise KeyboardInterrupt

    def on_alarm(_signum, _frame):
        raise TimeoutError(f"--timeout ({args.timeout:.0f} s) reached")

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(max(1, int(args.timeout)))  # the last resort: every wait below has its own timeout
    deck = plan_document() if args.scenario == "poll" else deck_document(args.questions, args.time_limit)
    kinds = ["bare"] if args.bare_only else ["quizroom"] if args.quizroom_only else ["bare", "quizroom"]
    work = Path(tempfile.mkdtemp(prefix="quizroom-bench-"))
    rounds: list[dict[str, dict]] = []
    status = 0
    try:
        for number in range(args.rounds):
            rounds.append({})
            folder = work / f"round{number + 1}"
            folder.mkdir()
            for kind in kinds:
                rounds[-1][kind] = bench_one(kind, folder, args, deck)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping the servers and clients", file=sys.stderr)
        status = 130
    except Exception as error:  # noqa: BLE001 - report, clean up, exit non-zero
        print(f"\nbenchmark failed: {type(error).__name__}: {error}", file=sys.stderr)
        status = 1
    finally:
        signal.alarm(0)
    rounds = [r for r in rounds if r]
    per_round = [ratios(r) for r in rounds]
    ratio = median_ratios(per_round)
    rows = {
        f"{kind}#{n + 1}" if len(rounds) > 1 else kind: {
            **row,
            "target": f"{kind}#{n + 1}" if len(rounds) > 1 else kind,
        }
        for n, r in enumerate(rounds)
        for kind, row in r.items()
    }
    if rows and args.scenario == "poll":
        print_poll_report(rows, args)
    elif rows:
        print_report(rows, ratio, args)
        if len(per_round) > 1:
            for n, r in enumerate(per_round, 1):
                print(f"round {n} ratios: " + ", ".join(f"{k} x{v}" for k, v in r.items()))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "options": {k: v for k, v in vars(args).items() if k != "json"},
                    "machine": {"cpus": os.cpu_count(), "load_avg": os.getloadavg()},
                    "rounds": rounds,
                    "ratios_per_round": per_round,
                    "ratios_quizroom_over_bare": ratio,
                    "status": status,
                },
                indent=2,
            )
        )
    for row in rows.values():
        if row["answers_lost"] or row["join_failed"] or row["server_log_errors"] or row.get("aggregate_mismatch"):
            status = status or 2
    if args.keep or status:
        print(f"\nlogs and database kept in {work}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return status


def median_ratios(per_round: list[dict]) -> dict:
    import statistics

    keys = [k for k in (per_round[0] if per_round else {})]
    out = {}
    for key in keys:
        values = [r[key] for r in per_round if r.get(key) is not None]
        out[key] = round(statistics.median(values), 2) if values else None
    return out


if __name__ == "__main__":
    sys.exit(main())
