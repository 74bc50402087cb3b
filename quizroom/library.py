"""The shared library's small rules (docs/workspace.md): tags, search, and what a fork is.
Pure functions over documents and plain values."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

TAGS_MAX = 8
TAG_MAX = 30
TITLE_MAX = 120
SEARCH_MAX = 100
SEPARATORS = re.compile(r"[,;\n]")


class TagsInvalid(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def tag_key(tag: str) -> str:
    """Tags compare case-insensitively: "Git" and "git" are one tag."""
    return " ".join(tag.split()).casefold()


def clean_tags(raw: object) -> list[str]:
    """Tags from a comma-separated text or a list: trimmed, the first spelling of each kept,
    at most TAGS_MAX of at most TAG_MAX characters. Raises TagsInvalid naming the problem."""
    if raw is None:
        return []
    if isinstance(raw, str):
        parts = SEPARATORS.split(raw)
    elif isinstance(raw, list) and all(isinstance(t, str) for t in raw):
        parts = raw
    else:
        raise TagsInvalid("tags must be text, separated by commas")
    tags: list[str] = []
    seen: set[str] = set()
    for part in parts:
        tag = " ".join(part.split())
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise TagsInvalid(f"the tag “{tag[:40]}” is too long (at most {TAG_MAX} characters)")
        if tag_key(tag) not in seen:
            seen.add(tag_key(tag))
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise TagsInvalid(f"use at most {TAGS_MAX} tags (you gave {len(tags)})")
    return tags


def has_tag(tags: Iterable[str] | None, wanted: str) -> bool:
    key = tag_key(wanted)
    return any(tag_key(t) == key for t in tags or ())


def matches(title: str, tags: Iterable[str] | None, *, tag: str = "", search: str = "") -> bool:
    """The library's filter: a tag (exact, any case) and words that all appear in the title."""
    if tag and not has_tag(tags, tag):
        return False
    words = search.casefold().split()
    return all(word in title.casefold() for word in words)


def all_tags(rows: Iterable[Iterable[str] | None]) -> list[str]:
    """Every tag in use, one spelling each, sorted without regard to case."""
    spelling: dict[str, str] = {}
    for tags in rows:
        for tag in tags or ():
            spelling.setdefault(tag_key(tag), tag)
    return sorted(spelling.values(), key=tag_key)


def fork_document(document: dict) -> dict:
    """The copy a fork starts from: the same content, with new question identities.

    Quiz questions lose their uid (the parser gives them new ones), so the fork's answers
    and retention history are its own: a fork is made to be changed, and two decks sharing
    uids would each count the other's sessions. Plan polls, boards and surveys keep theirs
    (a uid there only has to be unique within one plan)."""
    copy = json.loads(json.dumps(document))
    for key in ("questions", "activities"):
        for item in copy.get(key) or []:
            if isinstance(item, dict) and (key == "questions" or item.get("kind") == "question"):
                item.pop("uid", None)
    return copy


def credit(title: str, owner: str) -> str:
    return f"forked from “{title}” by {owner}"
