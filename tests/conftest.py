"""Shared fixtures: an in-process app (threading mode, fake clock) and a real server.

``app``/``client``/``socket_client`` run everything in this process with a clock the
test moves by hand. ``live_server`` starts ``quizroom run`` (eventlet) in a subprocess
on a free port with a temporary SQLite file, for end-to-end tests; ``browser`` is Debian's
Chromium for the browser tests that drive several pages (see tests/e2e/browser.py), one
per test module, with a fresh browser context per page.

Under pytest-xdist (the README's ``-n auto``; pyproject.toml adds ``--dist loadgroup``)
each test module runs whole on one worker, in order, as it does without xdist; tests
marked ``services`` (the one PostgreSQL and Redis) form one group, so no two run at once.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import werkzeug.security

from quizroom import create_app

ROOT = Path(__file__).resolve().parent.parent
TRAINER_EMAIL = "trainer@example.com"
TRAINER_PASSWORD = "correct horse battery"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """xdist groups (used by ``--dist loadgroup``; without xdist they change nothing): tests
    marked ``services`` share one group, whatever their module; every other test is grouped
    with its module, so a module runs on one worker, in order, and its module-scoped
    fixtures (servers, a browser, a signed-in app) are built once."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        group = "services" if item.get_closest_marker("services") is not None else item.module.__name__
        item.add_marker(pytest.mark.xdist_group(group))


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


_password_hashes: dict[str, str] = {}


def _hashed_once(password: str) -> str:
    """The app's password hash (werkzeug's scrypt, slow on purpose), once per test process."""
    if password not in _password_hashes:
        _password_hashes[password] = werkzeug.security.generate_password_hash(password)
    return _password_hashes[password]


@pytest.fixture
def trainer(app, monkeypatch):
    """The trainer (TRAINER_EMAIL), made by ``accounts.create_trainer``, with the scrypt hash
    of its password computed once per test process (``_hashed_once``)."""
    from quizroom import accounts

    with monkeypatch.context() as patch:
        if accounts.generate_password_hash is werkzeug.security.generate_password_hash:  # (no quick_passwords)
            patch.setattr(accounts, "generate_password_hash", _hashed_once)
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


_trainer_database: Path | None = None


def trainer_database() -> Path:
    """A database that ``quizroom create-trainer`` made with the trainer (TRAINER_EMAIL, id 1),
    made once per test process: the command costs a Python start-up and a password hash,
    and every real server with a trainer starts from a copy of it."""
    global _trainer_database
    if _trainer_database is None:
        folder = Path(tempfile.mkdtemp(prefix="quizroom-trainer-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "quizroom.db"
        env = {
            **os.environ,
            "QUIZROOM_INSTANCE": str(folder / "instance"),
            "QUIZROOM_DATABASE_URL": f"sqlite:///{path}",
            "QUIZROOM_SECRET_KEY": "e2e-secret",
        }
        account = ("--email", TRAINER_EMAIL, "--name", "Tess Trainer", "--password", TRAINER_PASSWORD)
        created = run_cli("create-trainer", *account, env=env)
        assert created.returncode == 0, created.stderr
        with closing(sqlite3.connect(path)) as db:  # everything in the file itself, none in a WAL
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _trainer_database = path
    return _trainer_database


def start_trainer_server(tmp_path: Path, *, extra_env: dict | None = None) -> LiveServer:
    """``start_server`` on a database that already has the trainer (TRAINER_EMAIL, id 1): a
    copy of ``trainer_database()``."""
    db_path = tmp_path / "quizroom.db"
    assert not db_path.exists(), f"{db_path} exists already: the trainer would be created twice"
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(trainer_database(), db_path)
    return start_server(tmp_path, extra_env=extra_env, db_path=db_path)


@pytest.fixture
def live_server(tmp_path):
    server = start_trainer_server(tmp_path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_chromium():
    """Debian's Chromium, launched once for a test module (a launch costs about a second).
    While it runs, ``open_browser`` (tests/e2e/browser.py) opens its pages in it too. Playwright's
    sync API marks an asyncio loop as running in this thread meanwhile: a test in a browser
    module runs its asyncio clients in a thread of their own (tests/e2e/test_xss_browser.py)."""
    from tests.e2e.browser import chromium, shared

    with chromium() as browser, shared(browser):
        yield browser


@pytest.fixture
def browser(module_chromium):
    """Debian's Chromium (tests/e2e/browser.py), for tests that drive several pages at once:
    the module's browser; the browser contexts a test opened are closed when it ends, so
    every test starts with none (cookies, storage and pages are per context)."""
    yield module_chromium
    for context in list(module_chromium.contexts):
        context.close()


@pytest.fixture(autouse=True)
def _chromium_of_the_module(request):
    """Tests marked ``browser`` run with the module's Chromium started, so the pages they
    open with ``open_browser`` share it rather than each launching one."""
    if request.node.get_closest_marker("browser") is not None:
        request.getfixturevalue("module_chromium")


@pytest.fixture(autouse=True)
def _thaw_the_collector():
    """An app's collector (quizroom/live/collector.py) freezes the whole test process when a
    question opens, and only its ticker thaws it: thaw after every test, so one test's apps,
    database pools and files are collected instead of piling up for the rest of the run."""
    yield
    gc.unfreeze()
