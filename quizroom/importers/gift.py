"""GIFT, Moodle's text format for questions -> a deck document.

Questions are separated by blank lines; ``//`` starts a comment line; ``::title::`` is
optional; the answers are in one ``{…}`` block. Read: multiple choice (``=right ~wrong``,
``~%50%`` weights: every positive weight is a correct answer of a multiple-select
question), true/false (``{T}`` ``{F}`` ``{TRUE}`` ``{FALSE}``), short answer
(``{=a =b}``: typed, every answer accepted), numeric (``{#2005:1}``, ``{#1..2}``: a slider
around the value), the missing-word form (text after the block: the gap shows as
``_____``), ``$CATEGORY:`` lines (the last part of the path becomes the topic),
``[html]``/``[markdown]``/``[plain]``/``[moodle]`` markers and the escapes ``\\: \\= \\~
\\# \\{ \\} \\\\ \\n``. Feedback (``#…``) is dropped. Matching, essay and description
items are refused, each with its question number and line.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation

from ..engine import EngineError
from ..engine.questions import TOPIC_MAX
from ..engine.text import clean_line
from .common import Draft, ImportFailed

MAX_QUESTIONS = 1000
ESCAPES = {"\\": "\ue000", ":": "\ue001", "=": "\ue002", "~": "\ue003", "#": "\ue004", "{": "\ue005", "}": "\ue006"}
RESTORE = {v: k for k, v in ESCAPES.items()} | {"\ue007": "\n"}
PRIVATE = re.compile("[\ue000-\ue007]")
FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
WEIGHT = re.compile(r"\s*%(-?\d+(?:\.\d+)?)%")
GAP = "_____"


class Refused(Exception):
    """This question cannot be imported (the message says why)."""

    title = ""


def protect(text: str) -> str:
    """Escaped characters become private placeholders, so the parser never sees them."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and (text[i + 1] in ESCAPES or text[i + 1] == "n"):
            out.append(ESCAPES.get(text[i + 1], "\ue007"))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def restore(text: str, markup: str = "") -> str:
    text = PRIVATE.sub(lambda m: RESTORE[m.group()], text)
    if markup == "html":
        text = re.sub(r"<\s*(br|/?p|/?div|/?li|/?h\d)\b[^>]*>", " ", text, flags=re.IGNORECASE)
        text = " ".join(html.unescape(re.sub(r"<[^>]*>", "", text)).split())
    return text.strip()


def blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line separated block, comment lines left out."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if current:
                out.append((start, current))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        out.append((start, current))
    return out


def read(data: bytes, filename: str) -> tuple[dict | None, list[dict]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFailed(f"the file is not UTF-8 text (line {line}): save the GIFT file as UTF-8") from error
    draft = Draft(filename=filename, fields={"choices": "answers", "accepted": "answers", "correct": "answer"})
    topic: str | None = None
    count = 0
    for start, lines in blocks(PRIVATE.sub("", text)):
        while lines and lines[0].strip().startswith("$CATEGORY:"):
            topic = _category(draft, lines[0].strip()[len("$CATEGORY:") :], start)
            lines, start = lines[1:], start + 1
        if not lines:
            continue
        count += 1
        where = f"Question {count} (line {start})"
        if count > MAX_QUESTIONS:
            draft.fail(start, where, f"too many questions: at most {MAX_QUESTIONS} in one file")
            break
        try:
            spec, title = question("\n".join(lines))
        except Refused as refused:
            draft.fail(start, _where(count, refused.title, start), str(refused))
            continue
        where = _where(count, title, start)
        if topic:
            spec["topics"] = [topic]
        draft.add(spec, start, where)
    return draft.finish()


def _where(count: int, title: str, line: int) -> str:
    named = f" “{title[:30]}{'…' if len(title) > 30 else ''}”" if title else ""
    return f"Question {count}{named} (line {line})"


def _category(draft: Draft, path: str, line: int) -> str | None:
    parts = [p.strip() for p in path.strip().split("/")]
    parts = [p for p in parts if p and not re.fullmatch(r"\$\w+\$", p) and p.casefold() != "top"]
    if not parts:
        return None
    try:
        topic = clean_line(parts[-1], max_length=TOPIC_MAX, field="topic")
    except EngineError as error:
        draft.fail(line, f"Category (line {line})", f"“{parts[-1]}” cannot be a topic: {error.message}")
        return None
    if "," in topic:
        draft.fail(line, f"Category (line {line})", f"“{topic}” cannot be a topic: it contains a comma")
        return None
    return topic


def question(block: str) -> tuple[dict, str]:
    """One GIFT question -> (its deck spec, its title); raises Refused."""
    body = protect(block).strip()
    title = ""
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise Refused("the title ::…:: is not closed")
        title, body = restore(body[2:end]), body[end + 2 :]
    try:
        return _question(body), title
    except Refused as refused:
        refused.title = title
        raise


def _question(body: str) -> dict:
    markup = ""
    marker = FORMAT.match(body)
    if marker:
        markup, body = marker.group(1).lower(), body[marker.end() :]
    opening = body.find("{")
    if opening < 0:
        raise Refused("has no answer block {…}: descriptions (text without answers) are not imported")
    closing = body.find("}", opening)
    if closing < 0:
        raise Refused("the answer block is not closed: “{” without “}”")
    if "{" in body[opening + 1 :]:
        raise Refused("has more than one answer block: embedded answers (Cloze) are not supported")
    before, inside, after = body[:opening], body[opening + 1 : closing], body[closing + 1 :]
    text = restore(before, markup)
    if restore(after, markup):
        text = f"{text} {GAP} {restore(after, markup)}".strip()
    return {"text": text, **answers(inside.split("####")[0].strip(), markup)}


def answers(content: str, markup: str) -> dict:
    if not content:
        raise Refused("essay questions are not supported: there is no answer to check")
    if content.startswith("#"):
        return numeric(content[1:])
    if "->" in content:
        raise Refused("matching questions are not supported")
    if content.split("#", 1)[0].strip().upper() in ("T", "TRUE", "F", "FALSE"):
        return {"type": "truefalse", "correct": content.split("#", 1)[0].strip().upper() in ("T", "TRUE")}
    given = weighted(content, markup)
    if "~" in content:
        correct = [weight > 0 for _text, weight in given]
        if not any(correct):
            raise Refused("no answer is right: mark one with = (or a positive %weight%)")
        return {
            "type": "single" if sum(correct) == 1 else "multi",
            "choices": [{"text": text, "correct": right} for (text, _w), right in zip(given, correct, strict=True)],
        }
    accepted = [text for text, weight in given if weight > 0]
    if not accepted:
        raise Refused("no answer is accepted: start each accepted answer with =")
    return {"type": "typed", "accepted": accepted}


def weighted(content: str, markup: str = "") -> list[tuple[str, float]]:
    """``=a ~%50%b#feedback ~c`` -> [("a", 100), ("b", 50), ("c", 0)] (feedback dropped)."""
    pieces = re.split(r"(?=[=~])", content)
    if pieces[0].strip():
        raise Refused(
            f"cannot read the answers: start each one with = (right) or ~ (wrong), not “{restore(pieces[0])}”"
        )
    out = []
    for piece in pieces[1:]:
        marker, rest = piece[0], piece[1:]
        weight: float = 100 if marker == "=" else 0
        match = WEIGHT.match(rest)
        if match:
            weight, rest = float(match.group(1)), rest[match.end() :]
        out.append((restore(rest.split("#", 1)[0], markup), weight))
    return out


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(restore(text))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > Decimal("1e12"):
        raise Refused(f"“{restore(text)}” is not a number")
    return value


def numeric(content: str) -> dict:
    """``2005:1``, ``1..2``, ``3.14`` or ``=2005:0 =%50%2004:1`` -> a slider around the full-credit value."""
    if content.strip().startswith("="):
        given = [(text, weight) for text, weight in weighted(content.strip()) if weight > 0]
        if not given:
            raise Refused("no numeric answer has full credit")
        answer = max(given, key=lambda item: item[1])[0]
    else:
        answer = restore(content.split("#", 1)[0])
    if not answer:
        raise Refused("the numeric answer is empty")
    if ".." in answer:
        low, high = (_decimal(part) for part in answer.split("..", 1))
        if low > high:
            low, high = high, low
        value, tolerance = (low + high) / 2, (high - low) / 2
    elif ":" in answer:
        value, tolerance = (_decimal(part) for part in answer.split(":", 1))
        tolerance = abs(tolerance)
    else:
        value, tolerance = _decimal(answer), Decimal(0)
    return slider(value, tolerance)


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def slider(value: Decimal, tolerance: Decimal) -> dict:
    """A scale the right value sits in the middle of: ten tolerances (or ten steps) either side,
    moving in steps of the finest decimal the answer uses (``{#2005:1}`` -> 1995…2015, step 1)."""
    exponent = min(value.normalize().as_tuple().exponent, tolerance.normalize().as_tuple().exponent, 0)
    step = Decimal(1).scaleb(max(exponent, -6))
    width = max(tolerance * 10, step * 10)
    return {
        "type": "slider",
        "min": _plain(value - width),
        "max": _plain(value + width),
        "step": _plain(step),
        "correct": _plain(value),
        "tolerance": _plain(tolerance),
    }
