"""Issue #8, scale-out: several worker processes behind nginx, which routes every request
about a room to the worker holding it (quizroom/routing.py, deploy/nginx/quizroom.conf,
docs/deployment.md).

- nginx's hash, with the shipped configuration, sends each room code where
  ``routing.worker_of`` says (checked against a real nginx over many codes and every
  kind of room URL).
- ``quizroom run --workers 2`` on the real PostgreSQL and Redis, behind a real nginx:
  200 phones play a quiz to the podium, and the outcome is the one a single process
  gives for the same answers.

Needs nginx, PostgreSQL (127.0.0.1:5432, database ``test``) and Redis (127.0.0.1:6379):
missing ones skip, and fail under QUIZROOM_REQUIRE_SERVICES=1 (as in .ci/run).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests
import sqlalchemy as sa

from quizroom.proxy import nginx_site
from quizroom.routing import worker_of
from tests.conftest import (
    TRAINER_EMAIL,
    TRAINER_PASSWORD,
    LiveServer,
    free_port,
    require,
    run_cli,
    start_trainer_server,
)
from tests.e2e.players import HostClient, PlayerClient

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
PHONES = 200
QUESTIONS = 3
ENV = {"QUIZROOM_JOIN_RATE_PER_IP": "0", "QUIZROOM_TRUST_PROXY": "1"}  # 200 phones from one address
REPO = Path(__file__).resolve().parents[2]

DECK = {
    "format": "quizroom.deck",
    "version": 1,
    "title": "Scale-out deck",
    "questions": [
        {
            "uid": f"w{i}",
            "type": "single",
            "text": f"Question {i}?",
            "time_limit": 60,
            "points": 1000,
            "choices": [{"text": "right", "correct": True}, {"text": "wrong"}, {"text": "also wrong"}],
        }
        for i in range(QUESTIONS)
    ],
}


def choice(phone: int, question: int) -> int:
    """The scripted answer: about a third wrong, differently per question."""
    return 1 if (phone * 7 + question) % 3 == 0 else 0


# ------------------------------------------------------------------- services
def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def postgres_up() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return False


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Nginx:
    """A real nginx in the foreground, with its files in a temporary directory."""

    def __init__(self, root: Path, http_blocks: str):
        self.root = root
        for folder in ("logs", "tmp"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (root / "nginx.conf").write_text(
            f"""{user}worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
{http_blocks}
}}
"""
        )
        binary = nginx_binary()
        checked = subprocess.run(  # noqa: S603
            [binary, "-t", "-p", str(root), "-c", str(root / "nginx.conf")], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen(  # noqa: S603
            [binary, "-p", str(root), "-c", str(root / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_port(self, port: int) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.root / "logs/error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)  # polling for the port to open: there is no event to await
        raise AssertionError("nginx did not open its port")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def nginx_available():
    require(nginx_binary() is not None, "nginx is not installed (Debian package nginx-light)")


# -------------------------------------------------------------- routing only
def test_nginx_routes_each_room_code_to_the_worker_routing_py_names(tmp_path, nginx_available):
    workers, listen = 3, free_port()
    stubs = [free_port() for _ in range(workers)]
    site = nginx_site(workers, 0, listen, "127.0.0.1")
    for index, port in enumerate(stubs):  # the generated upstream, pointed at stub "workers"
        site = site.replace(f"server 127.0.0.1:{index} max_fails=0;", f"server 127.0.0.1:{port} max_fails=0;")
    stub_servers = "\n".join(
        f"server {{ listen 127.0.0.1:{port}; location / {{ return 200 '{index}'; }} }}"
        for index, port in enumerate(stubs)
    )
    nginx = Nginx(tmp_path / "nginx", site + stub_servers)
    try:
        nginx.wait_port(listen)
        base = f"http://127.0.0.1:{listen}"
        rng = random.Random(8)
        codes = [f"{rng.randrange(10**6):06d}" for _ in range(150)]
        http = requests.Session()
        served: dict[int, int] = {}
        for code in codes:
            expected = str(worker_of(code, workers))
            for path in (
                f"/j/{code}",
                f"/j/{code}/roster",
                f"/rooms/{code}/stage",
                f"/rooms/{code}/qr.svg",
                f"/socket.io/?EIO=4&transport=polling&room={code}",
                f"/socket.io/?room={code}&EIO=4&transport=websocket",
            ):
                assert http.get(base + path, timeout=5).text == expected, (code, path)
            served[int(expected)] = served.get(int(expected), 0) + 1
        assert sorted(served) == [0, 1, 2]  # every worker holds some of the codes
        # Anything not about a room may land on any worker.
        others = {http.get(f"{base}/decks", timeout=5).text for _ in range(60)}
        assert others == {"0", "1", "2"}
    finally:
        nginx.stop()


def test_the_shipped_nginx_configuration_is_the_generated_one():
    shipped = (REPO / "deploy" / "nginx" / "quizroom.conf").read_text()
    assert shipped == nginx_site(2, 5000, 80)


# ------------------------------------------------------- two workers, one quiz
async def play(url: str, code: str, key: str) -> dict:
    """200 phones answer every question (the scripted choices); returns what they saw."""
    host = HostClient(url, code, key)
    await host.connect()
    assert (await host.attach())["ok"]
    phones = [PlayerClient(url, code, name=f"Phone {i:03d}") for i in range(PHONES)]

    async def join(i: int) -> None:
        await phones[i].connect()
        ack = await phones[i].join(phones[i].name)
        assert ack.get("ok"), (i, ack)

    await asyncio.gather(*(join(i) for i in range(PHONES)))
    await host.wait_lobby(PHONES, timeout=30)
    seen: list[list[dict]] = []
    for q in range(QUESTIONS):
        marks = [p.mark() for p in phones]
        await host.must("start" if q == 0 else "next")
        await asyncio.gather(
            *(p.wait_phase("question", q, since=m, timeout=30) for p, m in zip(phones, marks, strict=True))
        )
        acks = await asyncio.gather(*(p.answer(q, choice(i, q)) for i, p in enumerate(phones)))
        assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
        results = await asyncio.gather(
            *(p.wait_result(q, since=m, timeout=30) for p, m in zip(phones, marks, strict=True))
        )
        seen.append(results)  # the last answer closes the question: everyone gets a result
        mark = host.mark()
        await host.must("next")
        await host.wait_phase("leaderboard", since=mark, timeout=30)
    marks = [p.mark() for p in phones]
    await host.must("next")
    final = await host.wait_phase("ended", timeout=30)
    ended = await asyncio.gather(
        *(p.wait_phase("ended", since=m, timeout=30) for p, m in zip(phones, marks, strict=True))
    )
    assert all(state["podium"] == final["podium"] for state in ended)
    outcome = {
        "ids": [p.id for p in phones],
        "results": [[(r["last_result"]["correct"], r["streak"], r["score"]) for r in per_q] for per_q in seen],
        "podium": final["podium"],
    }
    for client in [host, *phones]:
        await client.disconnect()
    return outcome


def stored(db_url: str, room_id: int) -> dict:
    """What the database holds of the room: per participant number, the answers (question,
    choice, correct) and the score; and every answer's points."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            answers = connection.execute(
                sa.text(
                    "SELECT participant_number, question_index, value, correct, points FROM answers "
                    "WHERE room_id = :r ORDER BY participant_number, question_index"
                ),
                {"r": room_id},
            ).all()
            scores = connection.execute(
                sa.text("SELECT number, nickname, score FROM participants WHERE room_id = :r ORDER BY number"),
                {"r": room_id},
            ).all()
            (live,) = connection.execute(sa.text("SELECT live FROM rooms WHERE id = :r"), {"r": room_id}).one()
    finally:
        engine.dispose()
    by_number: dict[int, dict] = {n: {"nickname": nick, "score": score, "answers": []} for n, nick, score in scores}
    for number, question, value, correct, points in answers:
        v = (value if isinstance(value, dict) else json.loads(value))["v"]  # SQLite hands back text
        by_number[number]["answers"].append((question, v, bool(correct), points))
    return {"participants": by_number, "live": bool(live)}


def comparable(db: dict) -> dict:
    """The outcome without the speed points (they depend on milliseconds of timing):
    who answered what, and whether it was right, per nickname."""
    return {
        p["nickname"]: [(q, v, correct) for q, v, correct, _points in p["answers"]] for p in db["participants"].values()
    }


def check_consistent(db: dict, outcome: dict) -> None:
    """Scores are the sums of the stored points, and the podium is the top of the scores."""
    for p in db["participants"].values():
        assert p["score"] == sum(points for *_rest, points in p["answers"]), p
    ranking = sorted(db["participants"].items(), key=lambda item: (-item[1]["score"], item[0]))
    assert [(entry["id"], entry["score"]) for entry in outcome["podium"]] == [
        (number, p["score"]) for number, p in ranking[: len(outcome["podium"])]
    ]
    finals = outcome["results"][-1]
    for i, number in enumerate(outcome["ids"]):
        assert finals[i][2] == db["participants"][number]["score"], (i, finals[i])


@pytest.fixture
def postgres_database():
    require(postgres_up(), "PostgreSQL is not answering at 127.0.0.1:5432 (database test)")
    name = f"quizroom_workers_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def consecutive_free_ports(count: int) -> int:
    for _ in range(200):
        first = free_port()
        ports_free = True
        for port in range(first, first + count):
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    ports_free = False
                    break
        if ports_free:
            return first
    raise RuntimeError("no run of free ports")


def start_workers(tmp_path: Path, db_url: str, workers: int) -> tuple[subprocess.Popen, int, dict, Path]:
    first = consecutive_free_ports(workers)
    tmp_path.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **ENV,
        "QUIZROOM_INSTANCE": str(tmp_path / "instance"),
        "QUIZROOM_DATABASE_URL": db_url,
        "QUIZROOM_REDIS_URL": REDIS_URL,
        "QUIZROOM_SECRET_KEY": "workers-secret",
        "PYTHONUNBUFFERED": "1",
    }
    created = run_cli(
        "create-trainer", "--email", TRAINER_EMAIL, "--name", "Tess Trainer", "--password", TRAINER_PASSWORD, env=env
    )
    assert created.returncode == 0, created.stderr
    log_path = tmp_path / "workers.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "quizroom.cli",
                "run",
                "--workers",
                str(workers),
                "--host",
                "127.0.0.1",
                "--port",
                str(first),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text()
        if f"{workers} workers on" in log_path.read_text():
            return process, first, env, log_path
        time.sleep(0.1)  # polling the supervisor's log: it has no other signal to await
    process.terminate()
    raise AssertionError("workers did not start:\n" + log_path.read_text())


@pytest.mark.services
@pytest.mark.timeout(300)
def test_two_workers_behind_nginx_play_a_quiz_like_one_process(tmp_path, nginx_available, postgres_database):
    require(redis_up(), "Redis is not answering at 127.0.0.1:6379")
    started = time.monotonic()
    figures: dict = {}

    # ------------------------------------------------ the same quiz in one process (SQLite)
    (tmp_path / "single").mkdir()
    single = start_trainer_server(tmp_path / "single", extra_env=ENV)
    try:
        room = single.start_room(DECK)
        one = asyncio.run(asyncio.wait_for(play(single.url, room["code"], room["host_key"]), timeout=120))
        one_db = stored(single.db_url, room["room_id"])
    finally:
        single.stop()
    figures["single process (s)"] = round(time.monotonic() - started, 1)

    # ------------------------------------------- two workers, PostgreSQL, Redis, nginx
    supervisor, first, env, log_path = start_workers(tmp_path / "two", postgres_database, 2)
    listen = free_port()
    nginx = Nginx(tmp_path / "nginx", nginx_site(2, first, listen))
    try:
        nginx.wait_port(listen)
        front = LiveServer(
            url=f"http://127.0.0.1:{listen}",
            port=listen,
            db_path=Path("-"),
            instance=Path("-"),
            process=supervisor,
            log_path=log_path,
            env=env,
        )
        rooms = [front.start_room(DECK) for _ in range(4)]  # created by whichever worker nginx picked
        owners = {worker_of(r["code"], 2) for r in rooms}
        figures["rooms on workers"] = sorted(owners)
        room = rooms[0]
        owner = worker_of(room["code"], 2)

        # The other worker, asked directly, refuses the room instead of making a second copy.
        async def misrouted() -> dict:
            phone = PlayerClient(f"http://127.0.0.1:{first + 1 - owner}", room["code"], name="stray")
            await phone.connect()
            try:
                return await phone.join("Stray")
            finally:
                await phone.disconnect()

        refused = asyncio.run(misrouted())
        assert refused["ok"] is False and refused["error"]["code"] == "wrong_worker", refused

        t0 = time.monotonic()
        two = asyncio.run(asyncio.wait_for(play(front.url, room["code"], room["host_key"]), timeout=150))
        figures["two workers (s)"] = round(time.monotonic() - t0, 1)
        two_db = stored(postgres_database, room["room_id"])

        # A worker that dies is restarted by the supervisor and restores its live rooms.
        waiting = rooms[1]  # live, never played
        port = first + worker_of(waiting["code"], 2)
        victim = next(c for c in psutil.Process(supervisor.pid).children() if f"--port {port}" in " ".join(c.cmdline()))
        victim.kill()
        victim.wait(10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "restarting" not in log_path.read_text():
            time.sleep(0.1)  # polling the supervisor's log: it has no other signal to await
        page = None
        while time.monotonic() < deadline:
            try:
                page = requests.get(f"{front.url}/j/{waiting['code']}", timeout=5)
                if page.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)  # the worker is starting: nothing to await but its port
        assert page is not None and page.status_code == 200, "the restarted worker did not restore its room"
        figures["worker restart (s)"] = round(60 - (deadline - time.monotonic()), 1)
        log = log_path.read_text()
    finally:
        nginx.stop()
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(30)

    for outcome, db in ((one, one_db), (two, two_db)):
        check_consistent(db, outcome)
        assert not db["live"]
        assert sum(len(p["answers"]) for p in db["participants"].values()) == PHONES * QUESTIONS
    assert comparable(two_db) == comparable(one_db)
    assert [[(c, s) for c, s, _score in per_q] for per_q in two["results"]] == [
        [(c, s) for c, s, _score in per_q] for per_q in one["results"]
    ]
    assert "Traceback" not in log, log[-3000:]
    assert log.count("belongs to worker") == 1, log[-3000:]  # only the stray join was misrouted
    assert log.count("restarting") == 1, log[-3000:]
    figures["whole test (s)"] = round(time.monotonic() - started, 1)
    print("\nscale-out figures: " + ", ".join(f"{k}: {v}" for k, v in figures.items()))
