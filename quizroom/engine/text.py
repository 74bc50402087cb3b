"""Cleaning and comparing the text people type: nicknames, typed answers."""

import unicodedata

from .errors import EngineError

NICKNAME_MAX = 20


def strip_control(text: str) -> str:
    """Drop control and format characters (newlines, bidi overrides, zero-width...)."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def clean_line(text: object, *, max_length: int, field: str, min_length: int = 1) -> str:
    """A single line of user text: NFC, no control characters, spaces collapsed."""
    if not isinstance(text, str):
        raise EngineError(f"bad_{field}", f"{field} must be text")
    if len(text) > max_length * 4:
        raise EngineError(f"bad_{field}", f"{field} is too long (at most {max_length})")
    cleaned = collapse_spaces(strip_control(unicodedata.normalize("NFC", text)))
    if len(cleaned) < min_length:
        raise EngineError(f"bad_{field}", f"{field} is empty")
    if len(cleaned) > max_length:
        raise EngineError(f"bad_{field}", f"{field} is too long (at most {max_length})")
    return cleaned


def clean_nickname(raw: object) -> str:
    return clean_line(raw, max_length=NICKNAME_MAX, field="nickname")


def nickname_key(nickname: str) -> str:
    """Nicknames are unique in a room regardless of case (and compatibility forms)."""
    return unicodedata.normalize("NFKC", nickname).casefold()


def fold_answer(text: str) -> str:
    """Case-, accent- and space-insensitive form of a typed answer."""
    decomposed = unicodedata.normalize("NFKD", strip_control(text))
    no_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return collapse_spaces(no_marks.casefold())
