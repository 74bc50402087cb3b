"""Live polls: single and multiple choice, word cloud, rating, open text and ranking.

A poll is not graded: people vote or type, everyone sees the aggregate. Aggregates are
kept up to date on every response (counters, per-word tallies, Borda points), so a view
for a room of thousands costs little more than copying a short list.

Participant actions (``PollRun.submit``)::

    vote  {"value": v}    single: option index; multi: non-empty list of distinct option
                          indexes; rating: 1..scale; ranking: every option index, best first
    entry {"text": s}     wordcloud: 1..40 characters, one line; open: 1..280, may have lines

Host commands (``PollRun.host``)::

    close, reopen                      stop / resume accepting responses
    show_results, hide_results         results on the stage and phones, or null
    approve {"entry": id}              open text: visible (approved and not hidden)
    approve_all                        open text: approve every entry not hidden
    hide {"entry": id} | {"word": s}   open text entry / word cloud word: not shown
    show {"entry": id} | {"word": s}   undo hide (an unapproved entry still waits for approval)
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from .activity import (
    OpenCloseRun,
    SpecChecker,
    bad_answer,
    bad_payload,
    clean_text,
    index_in,
    mean,
    only_keys,
    whole,
)
from .errors import EngineError
from .text import fold_answer

TYPES = ("single", "multi", "wordcloud", "rating", "open", "ranking")
OPTION_TYPES = ("single", "multi", "ranking")
VOTE_TYPES = ("single", "multi", "rating", "ranking")
ENTRY_TYPES = ("wordcloud", "open")
MODERATION = ("none", "approve")
TEXT_MAX = 300
OPTIONS = (2, 10)
OPTION_MAX = 120
SCALES = (5, 10)
MAX_ENTRIES = {"wordcloud": (3, 3), "open": (1, 5)}  # (default, highest)
ENTRY_MAX = {"wordcloud": 40, "open": 280}
WORDS_SHOWN = 100  # the word cloud shows the most frequent words
ENTRIES_SHOWN = 200  # open text views carry the latest entries (and, to the host, the oldest pending)


@dataclass(frozen=True)
class Poll:
    kind: ClassVar[str] = "poll"
    uid: str
    type: str
    text: str
    options: tuple[str, ...] = ()
    scale: int = 5
    max_entries: int = 1
    anonymous: bool = True
    allow_change: bool = True
    hide_results: bool = False
    moderation: str = "none"

    @property
    def votes(self) -> bool:
        return self.type in VOTE_TYPES

    def to_spec(self) -> dict:
        spec: dict = {"kind": "poll", "uid": self.uid, "type": self.type, "text": self.text}
        if self.type in OPTION_TYPES:
            spec["options"] = list(self.options)
        if self.type == "rating":
            spec["scale"] = self.scale
        if self.type in ENTRY_TYPES:
            spec["max_entries"] = self.max_entries
        spec["anonymous"] = self.anonymous
        if self.votes:
            spec["allow_change"] = self.allow_change
        spec["hide_results"] = self.hide_results
        if self.type == "open":
            spec["moderation"] = self.moderation
        return spec

    def new_run(self) -> PollRun:
        return PollRun(self)

    def parse_value(self, value: object) -> object:
        """A vote from the wire, cleaned (multi: sorted), or bad_answer."""
        n = len(self.options)
        if self.type == "single":
            return index_in(value, n)
        if self.type == "multi":
            if not isinstance(value, list) or not value or len(value) > n:
                raise bad_answer("choose one or more options")
            picked = sorted({index_in(v, n) for v in value})
            if len(picked) != len(value):
                raise bad_answer("an option was picked twice")
            return picked
        if self.type == "rating":
            if not whole(value) or not 1 <= value <= self.scale:  # type: ignore[operator]
                raise bad_answer(f"rate from 1 to {self.scale}")
            return value
        # ranking
        if not isinstance(value, list) or len(value) != n:
            raise bad_answer(f"send all {n} option indexes, best first")
        ranked = [index_in(v, n) for v in value]
        if len(set(ranked)) != n:
            raise bad_answer("each option exactly once")
        return ranked


def parse_poll(spec: dict, path: str, check: SpecChecker, uid_factory: Callable[[], str]) -> Poll:
    uid = check.uid(spec, path, uid_factory)
    kind = spec.get("type")
    if isinstance(kind, bool) or kind not in TYPES:
        check.fail(f"{path}type", f"must be one of {', '.join(TYPES)}")
        kind = None  # no type-specific checks: they would only add noise
    text = check.text(spec, "text", path, max_length=TEXT_MAX)
    options: tuple[str, ...] = ()
    scale, max_entries, moderation = 5, 1, "none"
    if kind in OPTION_TYPES:
        options = check.strings(spec, "options", path, count=OPTIONS, max_length=OPTION_MAX)
    if kind == "rating":
        scale = check.one_of(spec, "scale", path, SCALES, 5)  # type: ignore[assignment]
    if kind in ENTRY_TYPES:
        default, high = MAX_ENTRIES[kind]  # type: ignore[index]
        max_entries = check.integer(spec, "max_entries", path, default, 1, high)
    if kind == "open":
        moderation = check.one_of(spec, "moderation", path, MODERATION, "none")  # type: ignore[assignment]
    return Poll(
        uid=uid,
        type=kind or "single",
        text=text,
        options=options,
        scale=scale,  # type: ignore[arg-type]
        max_entries=max_entries,
        anonymous=check.boolean(spec, "anonymous", path, True),
        allow_change=check.boolean(spec, "allow_change", path, True),
        hide_results=check.boolean(spec, "hide_results", path, False),
        moderation=moderation,
    )


class _Word:
    """One word of the cloud: every spelling folded to the same key."""

    __slots__ = ("count", "spellings", "best")

    def __init__(self, spelling: str) -> None:
        self.count = 0
        self.spellings: dict[str, list[int]] = {}  # spelling -> [count, order first seen]
        self.best = spelling

    def add(self, spelling: str) -> None:
        self.count += 1
        tally = self.spellings.get(spelling)
        if tally is None:
            tally = self.spellings[spelling] = [0, len(self.spellings)]
        tally[0] += 1
        if spelling != self.best:
            best = self.spellings[self.best]
            if tally[0] > best[0] or (tally[0] == best[0] and tally[1] < best[1]):
                self.best = spelling

    def sort_key(self) -> tuple:
        return (-self.count, self.best.casefold(), self.best)


class _Entry:
    __slots__ = ("id", "pid", "text", "key")

    def __init__(self, entry_id: int, pid: int, text: str, key: str) -> None:
        self.id, self.pid, self.text, self.key = entry_id, pid, text, key


def _entry_ref(args: dict) -> int:
    entry = args.get("entry")
    if not whole(entry):
        raise bad_payload("entry must be an entry id")
    return entry  # type: ignore[return-value]


class PollRun(OpenCloseRun):
    ACTIONS = ("vote", "entry")
    HOST_ACTIONS = ("close", "reopen", "show_results", "hide_results", "approve", "approve_all", "hide", "show")
    activity: Poll

    def __init__(self, poll: Poll) -> None:
        super().__init__(poll)
        self.results_visible = not poll.hide_results
        n = len(poll.options)
        self.votes: dict[int, object] = {}  # pid -> current vote
        self.counts = [0] * n  # single, multi
        self.points = [0] * n  # ranking (Borda)
        self.distribution = [0] * poll.scale  # rating
        self.rating_total = 0
        self.entries: dict[int, _Entry] = {}  # entry id -> entry, in arrival order
        self.by_pid: dict[int, list[int]] = {}
        self.next_entry = 1
        self.words: dict[str, _Word] = {}
        self.approved: set[int] = set()
        self.hidden: set[int] = set()
        self.hidden_words: set[str] = set()

    # ------------------------------------------------------------- responses
    def _check_vote(self, pid: int, payload: dict) -> dict:
        only_keys(payload, {"value"})
        poll = self.activity
        if not poll.votes:
            raise bad_payload(f"a {poll.type} poll takes entries, not votes")
        self.require_open()
        if pid in self.votes and not poll.allow_change:
            raise EngineError("already_voted", "your vote is in and cannot be changed")
        return {"value": poll.parse_value(payload.get("value"))}

    def _apply_vote(self, pid: int, record: dict) -> None:
        try:
            value = self.activity.parse_value(record.get("value"))
        except EngineError:
            return
        old = self.votes.get(pid)
        if old is not None:
            self._tally(old, -1)
        self.votes[pid] = value
        self._tally(value, 1)

    def _tally(self, value, sign: int) -> None:
        kind = self.activity.type
        if kind == "single":
            self.counts[value] += sign
        elif kind == "multi":
            for option in value:
                self.counts[option] += sign
        elif kind == "rating":
            self.distribution[value - 1] += sign
            self.rating_total += sign * value
        else:  # ranking: n options, first place n-1 points ... last 0
            last = len(value) - 1
            for place, option in enumerate(value):
                self.points[option] += sign * (last - place)

    def _check_entry(self, pid: int, payload: dict) -> dict:
        only_keys(payload, {"text"})
        poll = self.activity
        if poll.votes:
            raise bad_payload(f"a {poll.type} poll takes votes, not entries")
        self.require_open()
        if len(self.by_pid.get(pid, ())) >= poll.max_entries:
            raise EngineError("limit_reached", f"at most {poll.max_entries} entries each")
        text = clean_text(
            payload.get("text"), max_length=ENTRY_MAX[poll.type], multiline=poll.type == "open", what="entry"
        )
        if poll.type == "wordcloud" and not fold_answer(text):
            raise bad_answer("entry is empty")  # only accents: nothing left to show as a word
        return {"id": self.next_entry, "text": text}

    def _apply_entry(self, pid: int, record: dict) -> None:
        entry_id, text = record.get("id"), record.get("text")
        if not whole(entry_id) or entry_id in self.entries or not isinstance(text, str) or not text:
            return
        wordcloud = self.activity.type == "wordcloud"
        key = fold_answer(text) if wordcloud else ""
        self.entries[entry_id] = _Entry(entry_id, pid, text, key)
        self.by_pid.setdefault(pid, []).append(entry_id)
        self.next_entry = max(self.next_entry, entry_id + 1)
        if wordcloud:
            word = self.words.get(key)
            if word is None:
                word = self.words[key] = _Word(text)
            word.add(text)

    # ----------------------------------------------------------------- host
    def _host_show_results(self, args: dict) -> None:
        only_keys(args, set())
        self.results_visible = True

    def _host_hide_results(self, args: dict) -> None:
        only_keys(args, set())
        self.results_visible = False

    def _entry_for_host(self, args: dict) -> int:
        if self.activity.type != "open":
            raise bad_payload("only open text entries are moderated one by one")
        only_keys(args, {"entry"})
        entry = _entry_ref(args)
        if entry not in self.entries:
            raise EngineError("unknown_entry", "no such entry")
        return entry

    def _word_for_host(self, args: dict) -> str:
        only_keys(args, {"word"})
        try:
            return fold_answer(clean_text(args.get("word"), max_length=ENTRY_MAX["wordcloud"], what="word"))
        except EngineError as error:
            raise bad_payload(error.message) from None

    def _host_approve(self, args: dict) -> None:
        entry = self._entry_for_host(args)
        if self.activity.moderation != "approve":
            raise bad_payload("this poll shows entries without approval")
        self.approved.add(entry)
        self.hidden.discard(entry)

    def _host_approve_all(self, args: dict) -> None:
        only_keys(args, set())
        if self.activity.moderation != "approve":
            raise bad_payload("this poll shows entries without approval")
        self.approved.update(e for e in self.entries if e not in self.hidden)

    def _host_hide(self, args: dict) -> None:
        if self.activity.type == "wordcloud":
            self.hidden_words.add(self._word_for_host(args))
        else:
            self.hidden.add(self._entry_for_host(args))

    def _host_show(self, args: dict) -> None:
        if self.activity.type == "wordcloud":
            self.hidden_words.discard(self._word_for_host(args))
        else:
            self.hidden.discard(self._entry_for_host(args))

    # ------------------------------------------------------------- results
    def responses(self) -> int:
        return len(self.votes) if self.activity.votes else len(self.by_pid)

    def visible(self, entry: _Entry) -> bool:
        """May phones and the audience see this open text entry?"""
        return entry.id not in self.hidden and (self.activity.moderation == "none" or entry.id in self.approved)

    def _entry_row(self, entry: _Entry, flags: bool, names: dict[int, str] | None) -> dict:
        row: dict = {"id": entry.id, "text": entry.text}
        if names is not None and not self.activity.anonymous:
            row["nickname"] = names.get(entry.pid, "")
        if flags:
            row["hidden"] = entry.id in self.hidden
            row["approved"] = self.activity.moderation == "none" or entry.id in self.approved
        return row

    def _shown_entries(self, for_players: bool) -> tuple[list[_Entry], int]:
        """Open text: the entries a view carries (latest ENTRIES_SHOWN; the host also gets the
        oldest ENTRIES_SHOWN waiting for approval) and how many there are in all."""
        if for_players:
            total, latest = 0, []
            for entry in reversed(self.entries.values()):
                if self.visible(entry):
                    total += 1
                    if len(latest) < ENTRIES_SHOWN:
                        latest.append(entry)
            return latest[::-1], total
        everything = list(self.entries.values())
        shown = {e.id: e for e in everything[-ENTRIES_SHOWN:]}
        if self.activity.moderation == "approve":
            waiting = 0
            for entry in everything:
                if waiting >= ENTRIES_SHOWN:
                    break
                if entry.id not in self.approved and entry.id not in self.hidden:
                    shown.setdefault(entry.id, entry)
                    waiting += 1
        return sorted(shown.values(), key=lambda e: e.id), len(everything)

    def _words(self, for_players: bool, limit: int | None) -> tuple[list[dict], int]:
        hidden = self.hidden_words
        items = [(k, w) for k, w in self.words.items() if not (for_players and k in hidden)]
        if limit is None:
            top = sorted(items, key=lambda kw: kw[1].sort_key())
        else:
            top = heapq.nsmallest(limit, items, key=lambda kw: kw[1].sort_key())
        rows = []
        for key, word in top:
            row: dict = {"text": word.best, "count": word.count}
            if not for_players:
                row["hidden"] = key in hidden
            rows.append(row)
        entries = len(self.entries) - sum(self.words[k].count for k in hidden if k in self.words)
        return rows, entries

    def _results(self, for_players: bool) -> dict:
        kind = self.activity.type
        if kind in ("single", "multi"):
            return {"counts": list(self.counts)}
        if kind == "rating":
            count = len(self.votes)
            return {"distribution": list(self.distribution), "mean": mean(self.rating_total, count), "count": count}
        if kind == "ranking":
            return {"ranking": self._ranking()}
        if kind == "wordcloud":
            words, entries = self._words(for_players, WORDS_SHOWN)
            return {"words": words, "entries": entries}
        entries, total = self._shown_entries(for_players)
        return {"entries": entries, "total": total}  # rows are built per view (nicknames)

    def _ranking(self) -> list[dict]:
        options = self.activity.options
        order = sorted(range(len(options)), key=lambda i: (-self.points[i], i))
        rows, previous, rank = [], None, 0
        for position, option in enumerate(order, start=1):
            if self.points[option] != previous:
                rank, previous = position, self.points[option]
            rows.append({"option": option, "text": options[option], "points": self.points[option], "rank": rank})
        return rows

    # ---------------------------------------------------------------- views
    def view(self, for_players: bool, names: dict[int, str]) -> dict:
        poll = self.activity
        results = None
        if self.results_visible:
            results = dict(self.cached(("results", for_players), lambda: self._results(for_players)))
            if poll.type == "open":
                results["entries"] = [self._entry_row(e, not for_players, names) for e in results["entries"]]
        return {
            "kind": "poll",
            "uid": poll.uid,
            "type": poll.type,
            "text": poll.text,
            "options": list(poll.options),
            "scale": poll.scale if poll.type == "rating" else None,
            "max_entries": poll.max_entries if poll.type in ENTRY_TYPES else None,
            "anonymous": poll.anonymous,
            "allow_change": poll.allow_change,
            "hide_results": poll.hide_results,
            "moderation": poll.moderation,
            "open": self.is_open,
            "results_visible": self.results_visible,
            "responses": self.responses(),
            "results": results,
        }

    def _status(self, entry_id: int) -> str:
        if entry_id in self.hidden:
            return "hidden"
        if self.activity.moderation == "approve" and entry_id not in self.approved:
            return "pending"
        return "shown"

    def personal(self, pid: int) -> dict:
        poll = self.activity
        mine = self.by_pid.get(pid, [])
        if poll.votes:
            value = self.votes.get(pid)
            can_respond = self.is_open and (value is None or poll.allow_change)
            entries, left = [], None
        else:
            value = None
            word_hidden = poll.type == "wordcloud"
            entries = [
                {
                    "id": e,
                    "text": self.entries[e].text,
                    "status": ("hidden" if self.entries[e].key in self.hidden_words else "shown")
                    if word_hidden
                    else self._status(e),
                }
                for e in mine
            ]
            left = max(0, poll.max_entries - len(mine))
            can_respond = self.is_open and left > 0
        return {
            "responded": pid in self.votes or bool(mine),
            "value": value,
            "entries": entries,
            "entries_left": left,
            "can_respond": can_respond,
        }

    def report(self, names: dict[int, str]) -> dict:
        poll = self.activity
        data = {
            "kind": "poll",
            "uid": poll.uid,
            "type": poll.type,
            "text": poll.text,
            "options": list(poll.options),
            "scale": poll.scale if poll.type == "rating" else None,
            "anonymous": poll.anonymous,
            "moderation": poll.moderation,
            "responses": self.responses(),
        }
        if poll.type == "wordcloud":
            words, entries = self._words(False, None)
            data["results"] = {"words": words, "entries": entries}
        elif poll.type == "open":
            data["results"] = {
                "entries": [self._entry_row(e, True, names) for e in self.entries.values()],
                "total": len(self.entries),
            }
        else:
            data["results"] = self._results(False)
        if not poll.anonymous:
            if poll.votes:
                data["answers"] = [
                    {"participant": pid, "nickname": names.get(pid, ""), "value": value}
                    for pid, value in sorted(self.votes.items())
                ]
            else:
                data["answers"] = [
                    {"participant": e.pid, "nickname": names.get(e.pid, ""), "id": e.id, "text": e.text}
                    for e in self.entries.values()
                ]
        elif poll.type == "wordcloud":
            data["answers"] = [{"id": e.id, "text": e.text} for e in self.entries.values()]
        return data

    # ------------------------------------------------------------ snapshot
    def state(self) -> dict:
        return {
            **self.base_state(),
            "results_visible": self.results_visible,
            "approved": sorted(self.approved),
            "hidden": sorted(self.hidden),
            "hidden_words": sorted(self.hidden_words),
            "next_entry": self.next_entry,
        }  # ids are never reused, even of an entry whose write failed

    def load_state(self, state: dict) -> None:
        self.load_base_state(state)
        self.results_visible = bool(state.get("results_visible", not self.activity.hide_results))
        self.approved = {e for e in state.get("approved", []) if whole(e)}
        self.hidden = {e for e in state.get("hidden", []) if whole(e)}
        self.hidden_words = {w for w in state.get("hidden_words", []) if isinstance(w, str)}
        next_entry = state.get("next_entry", 1)
        self.next_entry = max(self.next_entry, next_entry if whole(next_entry) else 1)
        self.touch()
