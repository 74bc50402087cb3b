"""Shared by the importer tests: the sample files and posting a file to the import page."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "samples"
EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "quizroom" / "static" / "examples" / "quizroom-questions.csv"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def upload(client, data: bytes, filename: str):
    return client.post("/decks/import", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def listed_errors(page: str) -> list[str]:
    """The problems the import page lists, as plain text ("Row 10 › Correct answer(s): …")."""
    items = re.findall(r"<li>(.*?)</li>", page.split('class="import-errors"', 1)[1].split("</ul>", 1)[0], re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def deck_count(client) -> int:
    return len(client.get("/api/decks").json["decks"])


def without_uids(document: dict) -> list[dict]:
    return [{k: v for k, v in q.items() if k != "uid"} for q in document["questions"]]
