"""Importing questions from other tools' files into a deck (docs/imports.md).

``detect`` tells the format of an upload from its name and first bytes; ``read`` turns a
Kahoot template (.xlsx), a question CSV or a GIFT file into a deck document that is valid
as a whole, or lists every problem with its row (or question number and line). JSON decks
are read by the web layer as before (quizroom/web/documents.py). Nothing here touches the
database: the caller creates the deck only when there are no errors.
"""

from __future__ import annotations

from pathlib import PurePath

from . import csvfile, gift, kahoot
from .common import ImportFailed, failed

FORMATS = ("json", "xlsx", "csv", "gift")
EXTENSIONS = {
    ".json": "json",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".csv": "csv",
    ".tsv": "csv",
    ".gift": "gift",
    ".txt": "gift",
}
ACCEPT = ".json,.xlsx,.csv,.gift,.txt"
READERS = {"xlsx": kahoot.read, "csv": csvfile.read, "gift": gift.read}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .xls (and .doc)


def detect(data: bytes, filename: str) -> tuple[str | None, str | None]:
    """(format, None) or (None, why the format is not one we read)."""
    extension = PurePath(filename.replace("\\", "/")).suffix.lower()
    if data.startswith(ZIP_MAGIC):
        return "xlsx", None
    if data.startswith(OLE_MAGIC) or extension == ".xls":
        return None, "this is an old Excel file (.xls): save it as an Excel Workbook (.xlsx) and import that"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if extension in (".txt", "") and head in (b"{", b"["):
        return "json", None  # a deck saved under another name
    if extension in EXTENSIONS:
        return EXTENSIONS[extension], None
    if head in (b"{", b"["):
        return "json", None
    return None, (
        f"cannot tell the format of “{filename}”: import a quizroom deck (.json), a Kahoot quiz template "
        "(.xlsx), a question CSV (.csv) or a GIFT file (.gift or .txt)"
    )


def read(fmt: str, data: bytes, filename: str) -> tuple[dict | None, list[dict]]:
    """A Kahoot template, CSV or GIFT upload -> (deck document, []) or (None, errors)."""
    if not data.strip():
        return failed("the file is empty")
    try:
        return READERS[fmt](data, filename)
    except ImportFailed as problem:
        return failed(problem.message)


__all__ = ["ACCEPT", "FORMATS", "detect", "read"]
