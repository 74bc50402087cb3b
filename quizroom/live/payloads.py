"""Checks every incoming payload's shape before anything else looks at it."""

from __future__ import annotations

import re

from ..engine import EngineError

CODE_PATTERN = re.compile(r"\d{6}")
TOKEN_MAX = 100
KEY_MAX = 100


def bad(message: str) -> EngineError:
    return EngineError("bad_payload", message)


def as_object(data: object, allowed: set[str]) -> dict:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise bad("the payload must be an object")
    unknown = set(data) - allowed
    if unknown:
        raise bad(f"unknown field(s): {', '.join(sorted(map(str, unknown)))[:200]}")
    return data


def room_code(data: dict) -> str:
    code = data.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise EngineError("bad_code", "a room code is 6 digits")
    return code


def optional_secret(data: dict, key: str, limit: int = TOKEN_MAX) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise bad(f"{key} must be a short string")
    return value


def integer(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"{key} must be a whole number")
    return value
