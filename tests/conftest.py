"""Shared fixtures: an in-process app (threading mode, fake clock) and a real server.

``app``/``client``/``socket_client`` run everything in this process with a clock the
test moves by hand. ``live_server`` starts ``quizroom run`` (eventlet) in a subprocess
on a free port with a temporary SQLite file, for end-to-end tests; ``browser`` is Debian's
Chromium for the browser tests that drive several pages (see tests/e2e/browser.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from quizroom import create_app

ROOT = Path(__file__).resolve().parent.parent
TRAINER_EMAIL = "trainer@example.com"
TRAINER_PASSWORD = "correct horse battery"


def require(available: bool, reason: str) -> None:
    """Skip when a service or browser is missing, or fail when CI says it must be there."""
    if available:
        return
    if os.environ.get("QUIZROOM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required but missing: {reason}")
    pytest.skip(reason)


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def sample_deck(n: int = 3) -> dict:
    questions = [
        {
            "uid": f"q{i}",
            "type": "single",
            "text": f"Question {i}?",
            "time_limit": 20,
            "points": 1000,
            "choices": [
                {"text": "right", "correct": True},
                {"text": "wrong"},
                {"text": "also wrong"},
                {"text": "nope"},
            ],
        }
        for i in range(n)
    ]
    return {"format": "quizroom.deck", "version": 1, "title": "Sample deck", "questions": questions}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(tmp_path, clock):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret",
            "ASYNC_MODE": "threading",
            "START_TICKER": False,
            "CLOCK": clock,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app
    app.extensions["quizroom.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def trainer(app):
    from quizroom import accounts

    return accounts.create_trainer(app, email=TRAINER_EMAIL, name="Tess Trainer", password=TRAINER_PASSWORD)


@pytest.fixture
def logged_in(client, trainer):
    response = client.post("/login", data={"email": TRAINER_EMAIL, "password": TRAINER_PASSWORD})
    assert response.status_code in (302, 303), response.data[:500]
    return client


def socket_client(app, flask_client=None):
    return app.extensions["socketio"].test_client(app, flask_test_client=flask_client)


# ----------------------------------------------------------------- real server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    port: int
    db_path: Path
    instance: Path
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def session(self, email: str = TRAINER_EMAIL, password: str = TRAINER_PASSWORD) -> requests.Session:
        """A requests session signed in as the trainer, with the CSRF header set."""
        http = requests.Session()
        page = http.get(f"{self.url}/login", timeout=10)
        token = _csrf_from(page.text)
        response = http.post(
            f"{self.url}/login", data={"email": email, "password": password, "csrf_token": token}, timeout=10
        )
        assert response.ok and "/login" not in response.url, "login failed"
        http.headers["X-CSRFToken"] = _csrf_from(http.get(f"{self.url}/decks", timeout=10).text)
        return http

    def start_room(self, deck: dict, settings: dict | None = None, http: requests.Session | None = None) -> dict:
        """Create a deck and open a room; returns the /api/rooms answer (code, host_key...)."""
        http = http or self.session()
        created = http.post(f"{self.url}/api/decks", json=deck, timeout=10)
        assert created.status_code == 201, created.text
        room = http.post(
            f"{self.url}/api/rooms", json={"deck_id": created.json()["id"], "settings": settings or {}}, timeout=10
        )
        assert room.status_code == 201, room.text
        return room.json()

    def stop(self, sig: int | None = None) -> None:
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _csrf_from(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def run_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "quizroom.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def start_server(
    tmp_path: Path, *, extra_env: dict | None = None, port: int | None = None, db_path: Path | None = None
) -> LiveServer:
    port = port or free_port()
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    db_path = db_path or tmp_path / "quizroom.db"
    env = {
        **os.environ,
        "QUIZROOM_INSTANCE": str(instance),
        "QUIZROOM_DATABASE_URL": f"sqlite:///{db_path}",
        "QUIZROOM_SECRET_KEY": "e2e-secret",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    log_path = tmp_path / f"server-{port}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "quizroom.cli", "run", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        port=port,
        db_path=db_path,
        instance=instance,
        process=process,
        log_path=log_path,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=1).ok:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.05)  # polling for the port to open: there is no event to await
    server.stop()
    raise RuntimeError(f"server did not start:\n{server.log()}")


def start_trainer_server(tmp_path: Path, *, extra_env: dict | None = None) -> LiveServer:
    """``start_server`` on a database that already has the trainer (TRAINER_EMAIL, id 1)."""
    env = {
        **os.environ,
        "QUIZROOM_INSTANCE": str(tmp_path / "instance"),
        "QUIZROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'quizroom.db'}",
        "QUIZROOM_SECRET_KEY": "e2e-secret",
    }
    created = run_cli(
        "create-trainer", "--email", TRAINER_EMAIL, "--name", "Tess Trainer", "--password", TRAINER_PASSWORD, env=env
    )
    assert created.returncode == 0, created.stderr
    return start_server(tmp_path, extra_env=extra_env)


@pytest.fixture
def live_server(tmp_path):
    server = start_trainer_server(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def browser():
    """Debian's Chromium (tests/e2e/browser.py), for tests that drive several pages at once."""
    from tests.e2e.browser import chromium

    with chromium() as browser:
        yield browser
