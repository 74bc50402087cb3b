"""Checks every incoming payload's shape before anything else looks at it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import people
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


def is_text(value: str) -> bool:
    """False for what JSON can carry but is not text: a lone surrogate (``"\\ud800"``), which
    no UTF-8 encoder (hashing, HMAC, the database) accepts."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def optional_secret(data: dict, key: str, limit: int = TOKEN_MAX) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit or not is_text(value):
        raise bad(f"{key} must be a short string")
    return value


def integer(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"{key} must be a whole number")
    return value


EMAIL_MAX = 254


def account_id(data: dict, key: str = "trainer") -> int:
    """A database id (a trainer account): a whole number the database can hold."""
    value = integer(data, key)
    if not 0 < value < 2**53:
        raise bad(f"{key} must be an account id")
    return value


def email(data: dict, key: str = "email") -> str:
    """A trainer's account e-mail (compared lower-cased); its format is not checked here:
    an address nobody has is simply not found."""
    value = data.get(key)
    if not isinstance(value, str) or not 0 < len(value.strip()) <= EMAIL_MAX or not is_text(value):
        raise bad(f"{key} must be an e-mail address")
    return value.strip().lower()


@dataclass(frozen=True)
class PersonRef:
    """Who a joining phone says it is (docs/protocol.md, ``join``): exactly one of a
    personal link ``key``, a roster pick ``id``, or an opt-in ``name`` + ``email``."""

    key: str | None = None
    id: int | None = None
    name: str | None = None
    email: str | None = None


def person(data: dict) -> PersonRef | None:
    value = data.get("person")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad("person must be an object")
    fields = set(value)
    if fields == {"key"}:
        key = optional_secret(value, "key", KEY_MAX)
        if key is None:
            raise bad("person.key must be a short string")
        return PersonRef(key=key)
    if fields == {"id"}:
        pid = value["id"]
        if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 2**53:
            raise bad("person.id must be a whole number")
        return PersonRef(id=pid)
    if fields == {"name", "email"}:
        try:
            name = people.clean_name(value["name"])
        except people.PeopleError:
            raise bad(f"your name must be 1 to {people.NAME_MAX} characters") from None
        try:
            email = people.clean_email(value["email"])
        except people.PeopleError as error:
            raise bad(error.message) from None
        if email is None:
            raise bad("your e-mail is needed to remember you")
        if not is_text(email):
            raise bad("that does not look like an e-mail address")
        return PersonRef(name=name, email=email)
    raise bad('person must be {"key"}, {"id"} or {"name", "email"}')
