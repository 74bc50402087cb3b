"""What polls, boards and surveys share: the Run protocol, the flood limit, the cleaning
of the text people type into them, and the spec checks of the plan document.

A *Run* is the live state of one activity in one room. The room calls it with a
participant's action (``submit``), a host command (``host``), and when it moves on or
back (``close`` / ``open``). Every accepted participant action returns a *record*: the
room stores it, and after a restart ``replay(record)`` rebuilds exactly what ``submit``
did, without the checks that only make sense live (open, limits, rate). The host-side
layout (open/closed, moderation, the board's columns and groups...) lives in ``state()``,
saved in the room snapshot and put back with ``load_state()``.

Restoring: a fresh ``new_run()``, then ``replay`` every stored record in the order they
were stored, and ``load_state(snapshot)`` — before or after the replay, both orders
give the same run. Records stored after the snapshot was taken are applied on top of it.

Participant text (entries, notes, survey answers) is cleaned by ``clean_text``:

- NFC, then split into lines at any line break (``\\r\\n``, ``\\r``, ``\\n``, U+2028, ...);
- in each line, any white space (tabs...) becomes a space, every other control or format
  character (NUL, ESC, bidi overrides, zero-width joiners...) is dropped, runs of spaces
  become one space, and the ends are trimmed;
- single-line text joins the lines with one space; multi-line text keeps them, joined
  with ``\\n``, without blank lines at the start or end and at most one blank line in a row;
- then the length is checked (in characters, newlines included). Empty is ``bad_answer``
  (unless the field may be empty, like a survey's text answer).
"""

from __future__ import annotations

import unicodedata
from collections import deque
from collections.abc import Callable

from .deck import _Checker
from .errors import EngineError
from .text import collapse_spaces, strip_control

RATE_LIMIT = 10  # accepted submissions ...
RATE_WINDOW = 10.0  # ... per participant per run in this many seconds (sliding window)
UID_MAX = 40


def bad_payload(message: str) -> EngineError:
    return EngineError("bad_payload", message)


def bad_answer(message: str) -> EngineError:
    return EngineError("bad_answer", message)


# ------------------------------------------------------------------------ text
def _clean_line(line: str) -> str:
    spaced = "".join(" " if ch.isspace() else ch for ch in line)
    return collapse_spaces(strip_control(spaced))


def clean_text(
    raw: object, *, max_length: int, multiline: bool = False, allow_empty: bool = False, what: str = "text"
) -> str:
    """Clean what a participant typed (rules in the module docstring) or raise bad_answer."""
    if not isinstance(raw, str):
        raise bad_answer(f"{what} must be text")
    if len(raw) > max_length * 4:  # do not even clean a megabyte of junk
        raise bad_answer(f"{what} is too long (at most {max_length} characters)")
    lines = [_clean_line(line) for line in unicodedata.normalize("NFC", raw).splitlines()]
    if multiline:
        kept: list[str] = []
        for line in lines:
            if line or (kept and kept[-1]):  # at most one blank line in a row, none first
                kept.append(line)
        while kept and not kept[-1]:
            kept.pop()
        cleaned = "\n".join(kept)
    else:
        cleaned = " ".join(line for line in lines if line)
    if not cleaned and not allow_empty:
        raise bad_answer(f"{what} is empty")
    if len(cleaned) > max_length:
        raise bad_answer(f"{what} is too long (at most {max_length} characters)")
    return cleaned


# ---------------------------------------------------------------- small checks
def whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def index_in(value: object, count: int, code: str = "bad_answer", what: str = "choice") -> int:
    if not whole(value) or not 0 <= value < count:  # type: ignore[operator]
        raise EngineError(code, f"{what} must be one of 0..{count - 1}")
    return value  # type: ignore[return-value]


def valid_uid(uid: object) -> bool:
    return (
        isinstance(uid, str)
        and 1 <= len(uid) <= UID_MAX
        and uid.replace("_", "").replace("-", "").isalnum()
        and uid.isascii()
    )


class SpecChecker(_Checker):
    """deck.py's checker plus the reads activities need (booleans, whole numbers, enums)."""

    def boolean(self, data: dict, key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{path}{key}", "must be true or false")
            return default
        return value

    def integer(self, data: dict, key: str, path: str, default: int, low: int, high: int) -> int:
        value = data.get(key, default)
        if not whole(value) or not low <= value <= high:
            self.fail(f"{path}{key}", f"must be a whole number from {low} to {high}")
            return default
        return value

    def one_of(self, data: dict, key: str, path: str, options: tuple, default: object = None) -> object:
        value = data.get(key, default)
        if isinstance(value, bool) or value not in options:
            self.fail(f"{path}{key}", f"must be one of {', '.join(str(o) for o in options)}")
            return default if default is not None else options[0]
        return value

    def uid(self, data: dict, path: str, factory: Callable[[], str]) -> str:
        uid = data.get("uid") or factory()
        if not valid_uid(uid):
            self.fail(f"{path}uid", f"must be 1-{UID_MAX} letters, digits, - or _")
            return ""
        return uid


# ------------------------------------------------------------------------- runs
class Run:
    """The live state of one activity. Subclasses list their participant actions in
    ACTIONS (each with ``_check_<action>(pid, payload) -> record``, which must not change
    anything, and ``_apply_<action>(pid, record)``) and their host commands in HOST_ACTIONS
    (``_host_<action>(args)``, which validates everything before changing anything)."""

    ACTIONS: tuple[str, ...] = ()
    HOST_ACTIONS: tuple[str, ...] = ()

    def __init__(self, activity) -> None:
        self.activity = activity
        self.dirty = False
        self.version = 0  # bumped on every change; caches of aggregates are keyed on it
        self._recent: dict[int, deque[float]] = {}
        self._cache: dict[object, object] = {}

    # -------------------------------------------------------------- protocol
    def submit(self, pid: int, action: str, payload: dict, now: float) -> dict:
        if action not in self.ACTIONS:
            raise bad_payload(f"unknown action {str(action)[:40]!r}; expected one of {', '.join(self.ACTIONS)}")
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise bad_payload("the payload must be an object")
        window = self._recent.get(pid)
        if window is not None:
            while window and window[0] <= now - RATE_WINDOW:
                window.popleft()
            if len(window) >= RATE_LIMIT:
                raise EngineError("rate_limited", f"at most {RATE_LIMIT} responses in {RATE_WINDOW:g} s; wait a moment")
        record = getattr(self, f"_check_{action}")(pid, payload)
        getattr(self, f"_apply_{action}")(pid, record)
        if window is None:
            window = self._recent[pid] = deque()
        window.append(now)
        self.touch()
        return record

    def replay(self, pid: int, action: str, record: dict) -> None:
        if action in self.ACTIONS and isinstance(record, dict):
            getattr(self, f"_apply_{action}")(pid, record)
            self.touch()

    def host(self, action: str, args: dict | None, now: float) -> None:
        if action not in self.HOST_ACTIONS:
            raise bad_payload(
                f"unknown host action {str(action)[:40]!r}; expected one of {', '.join(self.HOST_ACTIONS)}"
            )
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise bad_payload("the arguments must be an object")
        getattr(self, f"_host_{action}")(args)
        self.touch()

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def open(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def state(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def load_state(self, state: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def view(self, for_players: bool, names: dict[int, str]) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def personal(self, pid: int) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def report(self, names: dict[int, str]) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    # --------------------------------------------------------------- helpers
    def touch(self) -> None:
        self.dirty = True
        self.version += 1
        self._cache.clear()

    def cached(self, key: object, build: Callable[[], object]):
        """An aggregate computed once per change (views are asked for several times a second)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


class OpenCloseRun(Run):
    """Polls and surveys: open (accepting) or closed. ``close()`` from the room remembers
    that the activity was open, and ``open()`` (the room coming back to it) reopens it only
    then; a host's explicit ``close``/``reopen`` wins."""

    def __init__(self, activity) -> None:
        super().__init__(activity)
        self.is_open = True
        self.resume = False

    def close(self) -> None:
        if self.is_open:
            self.is_open, self.resume = False, True
            self.touch()

    def open(self) -> None:
        if self.resume:
            self.is_open, self.resume = True, False
            self.touch()

    def require_open(self) -> None:
        if not self.is_open:
            raise EngineError("closed", "this activity is not accepting responses")

    def _host_close(self, args: dict) -> None:
        only_keys(args, set())
        if not self.is_open:
            raise EngineError("wrong_phase", "already closed")
        self.is_open, self.resume = False, False

    def _host_reopen(self, args: dict) -> None:
        only_keys(args, set())
        if self.is_open:
            raise EngineError("wrong_phase", "already open")
        self.is_open, self.resume = True, False

    def base_state(self) -> dict:
        return {"open": self.is_open, "resume": self.resume}

    def load_base_state(self, state: dict) -> None:
        self.is_open = bool(state.get("open", True))
        self.resume = bool(state.get("resume", False))


def mean(total: float, count: int) -> float | None:
    return round(total / count, 2) if count else None


def only_keys(data: dict, allowed: set[str]) -> None:
    extra = set(data) - allowed
    if extra:
        raise bad_payload(f"unknown field {sorted(map(str, extra))[0][:40]!r}")


def restore_run(activity, state: dict | None, records) -> Run:
    """Rebuild a run after a restart (or to undo a submission the database refused):
    ``records`` are the stored ``(pid, action, record)`` in the order they were stored,
    ``state`` the last ``state()`` saved (None: none was)."""
    run = activity.new_run()
    for pid, action, record in records:
        run.replay(pid, action, record)
    if state is not None:
        run.load_state(state)
    return run
