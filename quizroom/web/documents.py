"""What deck and plan pages share about their JSON documents: naming an error's path the
way a trainer would, for the error lists of the editors and imports."""

from __future__ import annotations


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
