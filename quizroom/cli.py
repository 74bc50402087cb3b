"""The ``quizroom`` command.

Heavy imports happen inside the commands, after the async library has patched the
standard library (eventlet needs to patch before sockets and threads are imported).
"""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import os
import socket
import sys
from pathlib import Path

DEMO_EMAIL = "demo@quizroom.local"
DEMO_PASSWORD = "quizroom-demo"  # noqa: S105 - printed on purpose: it is the demo account


def patch_for(mode: str) -> None:
    if mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()


def database_url(value: str | None) -> str | None:
    """--db takes a URL or a plain path to an SQLite file."""
    if not value:
        return None
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).resolve()}"


def lan_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({info[4][0] for info in infos if not info[4][0].startswith("127.")})


def build_app(args: argparse.Namespace, serving: bool = False):
    if getattr(args, "db", None):
        os.environ["QUIZROOM_DATABASE_URL"] = database_url(args.db)
    if getattr(args, "async_mode", None):
        os.environ["QUIZROOM_ASYNC_MODE"] = args.async_mode
    from quizroom import create_app

    return create_app({"START_TICKER": serving})


def serve(app, host: str, port: int) -> None:
    socketio = app.extensions["socketio"]
    mode = app.config["ASYNC_MODE"]
    options: dict = {"host": host, "port": port, "log_output": False}
    if mode == "eventlet":
        options["max_size"] = app.config["MAX_CONNECTIONS"]
    if mode == "threading":
        options["allow_unsafe_werkzeug"] = True
    shown = "localhost" if host in ("0.0.0.0", "::") else host  # noqa: S104
    print(f"quizroom is running on http://{shown}:{port}/  (async mode: {mode})", flush=True)
    if host in ("0.0.0.0", "::"):  # noqa: S104
        for address in lan_addresses():
            print(f"  phones on this network can join at http://{address}:{port}/", flush=True)
    # Everything built so far lives as long as the server: keep it out of the garbage
    # collector's full passes, which otherwise pause every connection for tens of ms.
    gc.collect()
    gc.freeze()
    socketio.run(app, **options)


def cmd_run(args: argparse.Namespace) -> int:
    if args.workers > 1:  # a supervisor: no async library, no app (workers.py)
        if args.db:
            os.environ["QUIZROOM_DATABASE_URL"] = database_url(args.db)
        if args.async_mode:
            os.environ["QUIZROOM_ASYNC_MODE"] = args.async_mode
        from quizroom.workers import run_workers

        return run_workers(args.workers, args.host, args.port, [])
    patch_for(args.async_mode or os.environ.get("QUIZROOM_ASYNC_MODE", "eventlet"))
    app = build_app(args, serving=True)
    serve(app, args.host, args.port)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    patch_for(args.async_mode or os.environ.get("QUIZROOM_ASYNC_MODE", "eventlet"))
    app = build_app(args, serving=True)
    from quizroom import accounts, decks

    trainer = accounts.find_trainer(app, DEMO_EMAIL) or accounts.create_trainer(
        app, email=DEMO_EMAIL, name="Demo Trainer", password=DEMO_PASSWORD
    )
    document = json.loads((Path(__file__).parent / "demo" / "demo-deck.json").read_text())
    if not decks.find_deck_by_title(app, trainer.id, document["title"]):
        decks.create_deck(app, trainer.id, document)
    print(f"Demo trainer: {DEMO_EMAIL} / password {DEMO_PASSWORD}", flush=True)
    serve(app, args.host, args.port)
    return 0


def cmd_create_trainer(args: argparse.Namespace) -> int:
    app = build_app(args)
    from quizroom import accounts

    password = args.password or os.environ.get("QUIZROOM_TRAINER_PASSWORD")
    if not password:
        password = getpass.getpass("Password (at least 8 characters): ")
    try:
        trainer = accounts.create_trainer(app, email=args.email, name=args.name or args.email, password=password)
    except accounts.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"created trainer {trainer.email} (id {trainer.id})")
    return 0


def cmd_import_deck(args: argparse.Namespace) -> int:
    app = build_app(args)
    from quizroom import accounts, decks
    from quizroom.engine import DeckInvalid

    trainer = accounts.find_trainer(app, args.trainer)
    if trainer is None:
        print(f"error: no trainer with e-mail {args.trainer}", file=sys.stderr)
        return 2
    try:
        document = json.loads(Path(args.file).read_text(encoding="utf-8"))
        deck = decks.create_deck(app, trainer.id, document)
    except json.JSONDecodeError as error:
        print(f"error: {args.file} is not valid JSON: {error}", file=sys.stderr)
        return 2
    except DeckInvalid as error:
        print(f"error: {args.file} is not a valid deck:", file=sys.stderr)
        for problem in error.errors:
            print(f"  {problem['path'] or '(deck)'}: {problem['message']}", file=sys.stderr)
        return 2
    print(f"imported deck {deck.id}: {deck.title}")
    return 0


def cmd_export_deck(args: argparse.Namespace) -> int:
    app = build_app(args)
    from quizroom import decks

    document = decks.export_document(app, args.deck_id)
    if document is None:
        print(f"error: no deck {args.deck_id}", file=sys.stderr)
        return 2
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0


def cmd_nginx_config(args: argparse.Namespace) -> int:
    from quizroom.proxy import nginx_site

    print(nginx_site(args.workers, args.port, args.listen, args.worker_host), end="")
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="quizroom", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", required=True)

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default=os.environ.get("QUIZROOM_HOST", "0.0.0.0"))  # noqa: S104
        p.add_argument("--port", type=int, default=int(os.environ.get("QUIZROOM_PORT", 5000)))
        p.add_argument("--db", help="SQLite file path or database URL")
        p.add_argument("--async-mode", choices=["eventlet", "gevent", "threading"])

    run = sub.add_parser("run", help="start the server")
    server_options(run)
    run.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes on ports PORT, PORT+1, ... behind a proxy that routes by room code "
        "(needs QUIZROOM_REDIS_URL; see docs/deployment.md)",
    )
    run.set_defaults(func=cmd_run)
    proxy = sub.add_parser("nginx-config", help="print the nginx configuration for `run --workers N`")
    proxy.add_argument("--workers", type=_positive, default=2)
    proxy.add_argument("--port", type=int, default=5000, help="the first worker's port")
    proxy.add_argument("--worker-host", default="127.0.0.1")
    proxy.add_argument("--listen", default="80", help="what nginx listens on (port or address:port)")
    proxy.set_defaults(func=cmd_nginx_config)
    demo = sub.add_parser("demo", help="start the server with a demo trainer and deck")
    server_options(demo)
    demo.set_defaults(func=cmd_demo)

    create = sub.add_parser("create-trainer", help="create a trainer account")
    create.add_argument("--email", required=True)
    create.add_argument("--name")
    create.add_argument("--password", help="(or QUIZROOM_TRAINER_PASSWORD, or a prompt)")
    create.add_argument("--db")
    create.set_defaults(func=cmd_create_trainer)

    imp = sub.add_parser("import-deck", help="import a deck JSON file for a trainer")
    imp.add_argument("file")
    imp.add_argument("--trainer", required=True, help="the trainer's e-mail")
    imp.add_argument("--db")
    imp.set_defaults(func=cmd_import_deck)

    exp = sub.add_parser("export-deck", help="print a deck as JSON")
    exp.add_argument("deck_id", type=int)
    exp.add_argument("--db")
    exp.set_defaults(func=cmd_export_deck)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("create-trainer", "import-deck", "export-deck", "nginx-config"):
        os.environ.setdefault("QUIZROOM_ASYNC_MODE", "threading")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
