"""`quizroom run --workers N`: start N worker processes and keep them running.

Worker i listens on port P+i and holds the rooms routing.py assigns to it; a proxy in
front routes by room code (deploy/nginx/quizroom.conf, docs/deployment.md). Workers
share one database and a Redis message queue. This supervisor imports neither Flask
nor an async library: it prepares what the workers must share (the secret key and the
tables, made once here so that N processes do not race to create them), starts the
workers one after another, restarts one that dies, and stops them all on SIGTERM or
Ctrl-C. Workers die with it even if it is killed outright (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

RESTART_DELAY = 1.0  # seconds before a worker that died is started again
START_TIMEOUT = 60.0


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def check_shared_setup(env: dict) -> str | None:
    """Why these settings cannot run several workers (None: they can)."""
    if not env.get("QUIZROOM_REDIS_URL"):
        return "several workers need QUIZROOM_REDIS_URL (a Redis server for Socket.IO's message queue)"
    return None


def prepare(env: dict) -> dict:
    """Settings every worker must share, made once: the secret key and the tables."""
    from . import config
    from .db import Database

    settings = config.from_env()
    env = dict(env)
    env["QUIZROOM_SECRET_KEY"] = settings["SECRET_KEY"]
    database = Database(settings["DATABASE_URL"])
    try:
        database.create_all()
    finally:
        database.dispose()
    return env


class Supervisor:
    def __init__(self, workers: int, host: str, first_port: int, worker_args: list[str], env: dict):
        self.workers = workers
        self.host = host
        self.first_port = first_port
        self.worker_args = worker_args  # passed on to each `quizroom run`
        self.env = env
        self.processes: dict[int, subprocess.Popen] = {}
        self.stopping = False

    def command(self, index: int) -> list[str]:
        port = str(self.first_port + index)
        return [sys.executable, "-m", "quizroom.cli", "run", "--host", self.host, "--port", port, *self.worker_args]

    def start(self, index: int) -> subprocess.Popen:
        env = dict(self.env, QUIZROOM_WORKERS=str(self.workers), QUIZROOM_WORKER_INDEX=str(index))
        process = subprocess.Popen(self.command(index), env=env, preexec_fn=_die_with_parent)  # noqa: S603,PLW1509
        self.processes[index] = process
        return process

    def wait_ready(self, index: int) -> bool:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        url = f"http://{host}:{self.first_port + index}/healthz"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and not self.stopping:
            if self.processes[index].poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own worker
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.2)
        return False

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        for index in range(self.workers):
            self.start(index)
            if not self.wait_ready(index):
                print(f"worker {index} did not start", file=sys.stderr, flush=True)
                self.stop_all()
                return 1
        last = self.first_port + self.workers - 1
        print(f"quizroom: {self.workers} workers on {self.host}:{self.first_port}-{last}", flush=True)
        print("  put a proxy that routes by room code in front: `quizroom nginx-config --help`", flush=True)
        while not self.stopping:
            for index, process in list(self.processes.items()):
                if process.poll() is not None and not self.stopping:
                    print(f"worker {index} exited ({process.returncode}); restarting", file=sys.stderr, flush=True)
                    time.sleep(RESTART_DELAY)
                    if not self.stopping:
                        self.start(index)
            time.sleep(0.5)
        self.stop_all()
        return 0

    def _stop(self, _signum, _frame) -> None:
        self.stopping = True

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_workers(workers: int, host: str, first_port: int, worker_args: list[str]) -> int:
    env = dict(os.environ)
    problem = check_shared_setup(env)
    if problem:
        print(f"quizroom: {problem}", file=sys.stderr)
        return 2
    instance = Path(env.get("QUIZROOM_INSTANCE", Path.cwd() / "instance"))
    env.setdefault("QUIZROOM_INSTANCE", str(instance))
    return Supervisor(workers, host, first_port, worker_args, prepare(env)).run()
