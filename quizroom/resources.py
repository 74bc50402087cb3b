"""Resources attached to a deck (links and files) and who may open them.

A link is a title and an ``http(s)`` URL, nothing else (no ``javascript:``, ``data:``...).
A file must have an allowed extension *and* start like a file of that type (its magic
bytes; office files are ZIP archives with the right parts inside). Its bytes are stored in
the ``resources`` table, so every worker sharing the database can serve it.

Participants open a deck's resources after a room run from that deck has ended: anyone
who took part (by their phone's participant token) or the known person they were.
See docs/versions-and-resources.md.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from . import models
from .app import database
from .engine import EngineError
from .engine.text import clean_line
from .store import token_hash

TITLE_MAX = 120
URL_MAX = 2000
FILENAME_MAX = 160
MAX_PER_DECK = 30

# extension -> (Content-Type when served, what a person calls it)
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "PDF"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "OpenDocument presentation"),
    "odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text"),
    "png": ("image/png", "PNG image"),
    "jpg": ("image/jpeg", "JPEG image"),
    "txt": ("text/plain; charset=utf-8", "text"),
    "md": ("text/markdown; charset=utf-8", "Markdown"),
}
ALIASES = {"jpeg": "jpg", "markdown": "md"}
OOXML_PART = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}


class ResourceError(ValueError):
    """A refused resource; ``field`` names the form field it is about. Nothing was stored."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# ------------------------------------------------------------------ checks (pure)
def clean_title(raw: object, field: str = "title") -> str:
    try:
        return clean_line(raw if raw is not None else "", max_length=TITLE_MAX, field="title")
    except EngineError as error:
        raise ResourceError(field, error.message) from None


def clean_url(raw: object) -> str:
    """An absolute http:// or https:// address with a host, else ResourceError."""
    url = raw.strip() if isinstance(raw, str) else ""
    if not url:
        raise ResourceError("url", "the address is empty")
    if len(url) > URL_MAX:
        raise ResourceError("url", f"the address is too long (at most {URL_MAX} characters)")
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in url):
        raise ResourceError("url", "the address may not contain spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ResourceError("url", "that is not a web address") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ResourceError("url", "only http:// and https:// addresses can be linked")
    if not parts.hostname:
        raise ResourceError("url", "the address has no host name (like https://example.org/slides)")
    return url


def split_filename(raw: object) -> tuple[str, str]:
    """(cleaned file name, allowed extension) of an upload's name, else ResourceError."""
    name = raw if isinstance(raw, str) else ""
    name = re.split(r"[\\/]", name)[-1]  # a browser may send a path
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    if "." not in name.strip("."):
        raise ResourceError("file", f"the file needs an extension: one of {', '.join(TYPES)}")
    stem, extension = name.rsplit(".", 1)
    extension = ALIASES.get(extension.lower(), extension.lower())
    if extension not in TYPES:
        raise ResourceError("file", f"“.{extension[:10]}” files cannot be attached: only {', '.join(TYPES)}")
    stem = stem.strip()[: FILENAME_MAX - len(extension) - 1] or "file"
    return f"{stem}.{extension}", extension


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _odf_mimetype(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("mimetype") as entry:
            return entry.read(100).decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return ""


def content_matches(extension: str, data: bytes) -> bool:
    """Whether the bytes are really a file of that type (never trust the name alone)."""
    if extension == "pdf":
        return data.startswith(b"%PDF-")
    if extension == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension == "jpg":
        return data.startswith(b"\xff\xd8\xff")
    if extension in ("txt", "md"):
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        return True
    if not data.startswith(b"PK\x03\x04"):
        return False
    if extension in OOXML_PART:
        names = _zip_names(data) or []
        return "[Content_Types].xml" in names and any(n.startswith(OOXML_PART[extension]) for n in names)
    if extension in ("odp", "odt"):
        return _odf_mimetype(data) == TYPES[extension][0]
    return False


def check_file(filename: object, data: bytes, max_bytes: int) -> tuple[str, str]:
    """(cleaned name, extension) of an acceptable upload, else ResourceError."""
    name, extension = split_filename(filename)
    if not data:
        raise ResourceError("file", "the file is empty")
    if len(data) > max_bytes:
        raise ResourceError("file", f"the file is too large (at most {megabytes(max_bytes)})")
    if not content_matches(extension, data):
        raise ResourceError(
            "file", f"the file is not a real {TYPES[extension][1]} file (its content does not match “.{extension}”)"
        )
    return name, extension


def megabytes(size: int) -> str:
    """A size limit as people read it: "20 MB", "1.5 MB", "10 KB"."""
    value = size / (1024 * 1024)
    if value < 1:
        return f"{max(1, size // 1024)} KB"
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


# ------------------------------------------------------------------ storage
def of_deck(app: Flask, deck_id: int) -> list[models.Resource]:
    """A deck's resources in the order they were added (without their bytes)."""
    query = sa.select(models.Resource).where(models.Resource.deck_id == deck_id).order_by(models.Resource.id)
    with database(app).read() as s:
        return list(s.scalars(query))


def _room_for_one_more(s, deck_id: int, field: str) -> None:
    query = sa.select(sa.func.count()).select_from(models.Resource).where(models.Resource.deck_id == deck_id)
    if s.scalar(query) >= MAX_PER_DECK:
        raise ResourceError(field, f"a deck has at most {MAX_PER_DECK} resources: remove one first")


def add_link(app: Flask, deck_id: int, trainer_id: int, title: object, url: object) -> models.Resource:
    clean = clean_title(title)
    address = clean_url(url)
    with database(app).transaction() as s:
        _room_for_one_more(s, deck_id, "url")
        row = models.Resource(deck_id=deck_id, kind="link", title=clean, url=address, size=0, added_by=trainer_id)
        s.add(row)
        s.flush()
        return row


def add_file(
    app: Flask, deck_id: int, trainer_id: int, title: object, filename: object, data: bytes, max_bytes: int
) -> models.Resource:
    """Check and store an upload; the title defaults to the file name without extension."""
    name, extension = check_file(filename, data, max_bytes)
    clean = clean_title(title) if isinstance(title, str) and title.strip() else clean_title(name.rsplit(".", 1)[0])
    with database(app).transaction() as s:
        _room_for_one_more(s, deck_id, "file")
        row = models.Resource(
            deck_id=deck_id,
            kind="file",
            title=clean,
            filename=name,
            extension=extension,
            size=len(data),
            data=data,
            added_by=trainer_id,
        )
        s.add(row)
        s.flush()
        return row


def get(app: Flask, deck_id: int, resource_id: int) -> models.Resource | None:
    with database(app).read() as s:
        row = s.get(models.Resource, resource_id)
        return row if row is not None and row.deck_id == deck_id else None


def get_any(app: Flask, resource_id: int) -> models.Resource | None:
    """A resource by id alone: callers check who may open it (``person_may_open``)."""
    with database(app).read() as s:
        return s.get(models.Resource, resource_id)


def content(app: Flask, resource_id: int) -> bytes:
    with database(app).read() as s:
        return s.scalar(sa.select(models.Resource.data).where(models.Resource.id == resource_id)) or b""


def remove(app: Flask, deck_id: int, resource_id: int) -> bool:
    with database(app).transaction() as s:
        query = sa.delete(models.Resource).where(models.Resource.id == resource_id, models.Resource.deck_id == deck_id)
        return s.execute(query).rowcount > 0


# ------------------------------------------------------------------ who took part
ENDED = sa.or_(models.Room.live.is_(False), models.Room.ended_at.is_not(None))


@dataclass(frozen=True)
class Seat:
    """A participant's place in an ended room that was run from a deck."""

    room_id: int
    deck_id: int
    title: str  # the room's title (the deck's title when it ran)


def seat_by_token(app: Flask, code: str, token: object) -> Seat | None:
    """The ended deck room with this code where this phone token took part (not removed)."""
    if not isinstance(token, str) or not 0 < len(token) <= 200 or not isinstance(code, str):
        return None
    query = (
        sa.select(models.Room)
        .join(models.Participant, models.Participant.room_id == models.Room.id)
        .where(
            models.Room.code == code,
            models.Participant.token_hash == token_hash(token),
            models.Participant.removed.is_(False),
            models.Room.deck_id.is_not(None),
            ENDED,
        )
        .order_by(models.Room.id.desc())
    )
    with database(app).read() as s:
        room = s.scalars(query).first()
        return Seat(room.id, room.deck_id, room.title) if room is not None else None


def seat_in_room(app: Flask, room_id: int) -> Seat | None:
    """The (ended, deck) room of a signed grant, looked up again: a deck since deleted gives None."""
    with database(app).read() as s:
        room = s.scalar(
            sa.select(models.Room).where(models.Room.id == room_id, models.Room.deck_id.is_not(None), ENDED)
        )
        return Seat(room.id, room.deck_id, room.title) if room is not None else None


def decks_of_person(app: Flask, person_id: int) -> list[tuple[int, str]]:
    """(deck id, deck title) of the decks whose rooms this person took part in and that have
    ended, most recent session first."""
    last = sa.func.max(models.Room.id).label("last")
    query = (
        sa.select(models.Deck.id, models.Deck.title, last)
        .join(models.Room, models.Room.deck_id == models.Deck.id)
        .join(models.Participant, models.Participant.room_id == models.Room.id)
        .where(models.Participant.person_id == person_id, models.Participant.removed.is_(False), ENDED)
        .group_by(models.Deck.id, models.Deck.title)
        .order_by(last.desc())
    )
    with database(app).read() as s:
        return [(deck_id, title) for deck_id, title, _ in s.execute(query)]


def for_person(app: Flask, person_id: int) -> list[tuple[str, list[models.Resource]]]:
    """(deck title, its resources) for each deck of ``decks_of_person`` that has some."""
    found = []
    for deck_id, title in decks_of_person(app, person_id):
        rows = of_deck(app, deck_id)
        if rows:
            found.append((title, rows))
    return found


def person_may_open(app: Flask, person_id: int, resource: models.Resource) -> bool:
    return any(deck_id == resource.deck_id for deck_id, _ in decks_of_person(app, person_id))


def has_resources(app: Flask, room_id: int) -> bool:
    """Whether the deck this room was run from has any resources (the phone's end screen)."""
    query = (
        sa.select(sa.func.count())
        .select_from(models.Resource)
        .join(models.Room, models.Room.deck_id == models.Resource.deck_id)
        .where(models.Room.id == room_id)
    )
    with database(app).read() as s:
        return bool(s.scalar(query))
