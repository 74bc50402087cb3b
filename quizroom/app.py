"""The application factory: settings, database, Socket.IO, live rooms, blueprints."""

from __future__ import annotations

import logging

from flask import Flask
from flask_socketio import SocketIO

from . import config as config_module
from .clock import from_settings as clock_from_settings
from .db import Database
from .live import handlers, socket_rooms
from .live.collector import Collector
from .live.service import LiveRooms
from .members import ensure_workspaces
from .routing import Partition
from .store import RoomStore


def create_app(overrides: dict | None = None) -> Flask:
    settings = config_module.from_env(overrides)
    app = Flask(__name__, instance_path=settings["INSTANCE_DIR"], instance_relative_config=False)
    app.config.update(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db = Database(app.config["DATABASE_URL"])
    db.create_all()
    ensure_workspaces(db)  # accounts made before workspaces get one of their own (members.py)
    app.extensions["quizroom.db"] = db

    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        client_manager=socket_rooms.manager(app.config["REDIS_URL"]),  # Redis: the message queue
        max_http_buffer_size=app.config["SOCKET_MAX_PAYLOAD"],
        ping_interval=10,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
    clock = clock_from_settings(app.config)
    app.extensions["quizroom.clock"] = clock
    live = LiveRooms(
        socketio,
        RoomStore(db, clock, commit_window=app.config["GROUP_COMMIT_MS"] / 1000),
        app.config["SECRET_KEY"],
        clock=clock,
        abandon_after=app.config["ABANDON_AFTER_HOURS"] * 3600,
        partition=Partition(app.config["WORKER_INDEX"], app.config["WORKERS"]),
        collector=Collector(enabled=app.config["GC_FREEZE"]),
    )
    app.extensions["quizroom.live"] = live
    restored = live.restore()
    if restored:
        app.logger.info("restored %d live room(s) from the database", restored)
    handlers.register(socketio, live)

    from .web import register as register_web

    register_web(app)

    if app.config.get("START_TICKER", True):
        live.start_ticker(app.config["TICK_SECONDS"])
    return app


def database(app: Flask) -> Database:
    return app.extensions["quizroom.db"]


def live_rooms(app: Flask) -> LiveRooms:
    return app.extensions["quizroom.live"]
