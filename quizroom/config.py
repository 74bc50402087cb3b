"""Settings from QUIZROOM_* environment variables, with safe defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ASYNC_MODES = ("eventlet", "gevent", "threading")


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _hops(value: str | None) -> int:
    """QUIZROOM_TRUST_PROXY: a number of proxies, or a yes/no (yes = 1)."""
    if value is None or not value.strip():
        return 0
    if value.strip().isdigit():
        return int(value.strip())
    return 1 if _bool(value, False) else 0


def _secret_key(instance: Path) -> str:
    """A secret kept beside the database, so sessions survive a restart."""
    explicit = os.environ.get("QUIZROOM_SECRET_KEY")
    if explicit:
        return explicit
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


def from_env(overrides: dict | None = None) -> dict:
    env = os.environ
    instance = Path(env.get("QUIZROOM_INSTANCE", Path.cwd() / "instance"))
    config = {
        "INSTANCE_DIR": str(instance),
        "DATABASE_URL": env.get("QUIZROOM_DATABASE_URL", f"sqlite:///{instance / 'quizroom.db'}"),
        "REDIS_URL": env.get("QUIZROOM_REDIS_URL") or None,
        "ASYNC_MODE": env.get("QUIZROOM_ASYNC_MODE", "eventlet"),
        "PUBLIC_URL": env.get("QUIZROOM_PUBLIC_URL") or None,
        "UPLOAD_DIR": env.get("QUIZROOM_UPLOAD_DIR"),
        "MAX_CONTENT_LENGTH": int(env.get("QUIZROOM_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)),
        # Largest file a trainer may attach to a deck as a resource (docs/versions-and-resources.md).
        "MAX_RESOURCE_MB": float(env.get("QUIZROOM_MAX_RESOURCE_MB", 20)),
        "SOCKET_MAX_PAYLOAD": int(env.get("QUIZROOM_SOCKET_MAX_PAYLOAD", 64 * 1024)),
        "MAX_CONNECTIONS": int(env.get("QUIZROOM_MAX_CONNECTIONS", 5000)),
        "TICK_SECONDS": float(env.get("QUIZROOM_TICK_SECONDS", 0.25)),
        # Group commit: answers arriving within this many milliseconds share one transaction
        # (each still acknowledged only once committed); 0 = no waiting (docs/performance.md).
        "GROUP_COMMIT_MS": float(env.get("QUIZROOM_GROUP_COMMIT_MS", 2)),
        # Freeze long-lived objects while questions are open, so that full garbage
        # collections wait for a quiet moment (quizroom/live/collector.py).
        "GC_FREEZE": _bool(env.get("QUIZROOM_GC_FREEZE"), True),
        # Several worker processes behind a proxy that routes by room code: this one is
        # WORKER_INDEX of WORKERS (set by `quizroom run --workers N`; docs/deployment.md).
        "WORKERS": int(env.get("QUIZROOM_WORKERS", 1)),
        "WORKER_INDEX": int(env.get("QUIZROOM_WORKER_INDEX", 0)),
        # A live room nobody has used for this long is ended (at start-up, and by the ticker
        # once nobody is connected to it), so no half-open rooms are left behind.
        "ABANDON_AFTER_HOURS": float(env.get("QUIZROOM_ABANDON_AFTER_HOURS", 12)),
        # Limits (docs/protocol.md, *Limits*); 0 turns one off. A whole classroom often
        # shares one public IP (school NAT), hence the per-IP headroom.
        "JOIN_RATE_PER_IP": int(env.get("QUIZROOM_JOIN_RATE_PER_IP", 60)),
        "JOIN_RATE_PER_ROOM": int(env.get("QUIZROOM_JOIN_RATE_PER_ROOM", 3000)),
        "MAX_PARTICIPANTS": int(env.get("QUIZROOM_MAX_PARTICIPANTS", 2000)),
        "CODE_LOOKUPS_PER_IP": int(env.get("QUIZROOM_CODE_LOOKUPS_PER_IP", 20)),
        # Behind n reverse proxies, set n (usually 1): the client IP is then taken from
        # X-Forwarded-For, n entries from the right. Never set it without a proxy.
        "TRUST_PROXY": _hops(env.get("QUIZROOM_TRUST_PROXY")),
        "SESSION_COOKIE_SECURE": _bool(env.get("QUIZROOM_SECURE_COOKIES"), False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "SECRET_KEY": None,
        # Registration without an invitation link makes a new workspace of one's own; off =
        # only invited people (and the very first account) may register (docs/workspace.md).
        "OPEN_SIGNUP": _bool(env.get("QUIZROOM_OPEN_SIGNUP"), True),
        # How long an invitation link works (days).
        "INVITATION_DAYS": float(env.get("QUIZROOM_INVITATION_DAYS", 7)),
        # For tests and demos only: a file holding seconds to add to the clock (clock.py).
        "TIME_OFFSET_FILE": env.get("QUIZROOM_TIME_OFFSET_FILE") or None,
    }
    if overrides:
        config.update(overrides)
    if not config["UPLOAD_DIR"]:
        config["UPLOAD_DIR"] = str(Path(config["INSTANCE_DIR"]) / "uploads")
    if config["ASYNC_MODE"] not in ASYNC_MODES:
        raise ValueError(f"QUIZROOM_ASYNC_MODE must be one of {ASYNC_MODES}")
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _secret_key(Path(config["INSTANCE_DIR"]))
    return config
