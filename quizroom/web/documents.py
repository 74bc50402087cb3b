"""What deck and plan pages share about their JSON documents: reading one from an upload,
a pasted text or a request body, and naming an error's path the way a trainer would.
A kind whose ``formats`` go beyond JSON (decks) also takes the files quizroom/importers reads."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import importers


def describe_path(path: str, *, document: str, words: dict[str, str], rows: dict[str, str]) -> str:
    """``questions.2.choices.1`` -> ``Question 3 › answer 2``.

    ``rows`` names the numbered entries of a list (``choices`` -> ``answer``), ``words`` the
    plain fields; an empty path is the whole ``document``."""
    if not path:
        return document
    parts = path.split(".")
    named: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else None
        if part in rows and following is not None and following.isdigit():
            named.append(f"{rows[part]} {int(following) + 1}")
            i += 2
            continue
        named.append(words.get(part, part))
        i += 1
    text = " › ".join(named)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Kind:
    """The words and routes that tell a deck page from a plan page."""

    name: str  # "deck", "session plan"
    short: str  # "deck", "plan" (also the docs/<short>-format.md file)
    action: str  # the import endpoint
    cancel: str  # the list endpoint
    formats: tuple[str, ...] = ("json",)  # what the import page takes: "json" and importers.FORMATS

    @property
    def accept(self) -> str:
        """The file input's ``accept`` list."""
        return importers.ACCEPT if len(self.formats) > 1 else ".json,application/json"

    @property
    def extensions(self) -> str:
        return ", ".join(f".{ext}" for ext in self.formats)


def read_document(data: bytes, what: str = "the file") -> tuple[object, list[dict]]:
    """Decode an uploaded file (or a request body): (document, []) or (None, [error])."""
    if not data.strip():
        return None, [{"path": "", "message": f"{what} is empty"}]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [{"path": "", "message": f"{what} is not UTF-8 text: is it a quizroom deck (.json)?"}]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as error:
        return None, [
            {
                "path": "",
                "message": f"{what} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            }
        ]
    except RecursionError:
        return None, [{"path": "", "message": f"{what} is not a deck: it is nested too deeply"}]


def body_document(kind: Kind) -> tuple[object, list[dict]]:
    """A document from a JSON body, or from an uploaded file (multipart field "file")."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            return None, [{"path": "", "message": f'send the {kind.short} as JSON, or upload it as the field "file"'}]
        return read_document(upload.read())
    if not request.is_json:
        return None, [{"path": "", "message": f"send the {kind.short} as JSON (Content-Type: application/json)"}]
    return read_document(request.get_data(), "the request body")


def import_form(kind: Kind) -> tuple[object, str | None, list[dict], int]:
    """The import page's upload or pasted JSON: (document, file name, errors, status if refused)."""
    try:
        upload = request.files.get("file")
        pasted = request.form.get("document", "")
    except RequestEntityTooLarge:
        return None, None, [{"path": "", "message": "the file is too large"}], 413
    filename = upload.filename if upload and upload.filename else None
    if filename:
        data = upload.read()
    elif pasted.strip():
        data = pasted.encode("utf-8")
    else:
        return None, None, [{"path": "", "message": f"choose a {kind.short} file ({kind.extensions}) to import"}], 400
    fmt = "json"
    if filename and len(kind.formats) > 1:
        fmt, problem = importers.detect(data, filename)
        if fmt is None:
            return None, filename, [{"path": "", "message": problem}], 400
    if fmt == "json":
        document, errors = read_document(data, "the file" if filename else "the pasted text")
    else:
        document, errors = importers.read(fmt, data, filename)
    return document, filename, errors, 400
