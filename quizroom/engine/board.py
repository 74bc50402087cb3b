"""The brainstorming board: sticky notes in columns, grouped by the host, dot voting.

Phases: ``open`` (people post notes) -> ``voting`` (dot voting; no new notes) -> ``closed``
(votes shown). Phones see nobody else's notes while the board is open (their own come in
``personal``), and no vote counts before it is closed.

Participant actions (``BoardRun.submit``)::

    note   {"text": s, "column": i}   1..280 characters (lines kept); column required when the
                                      board has columns, absent (or null) when it has none
    vote   {"note": id}               one dot (voting phase; within the allowance)
    unvote {"note": id}               take one of your dots back

Host commands (``BoardRun.host``)::

    lock, unlock                     no new notes and no votes while locked
    open_voting {votes?, multiple_votes?}   from open or closed
    close_voting                     from open or voting -> closed
    reopen                           from voting or closed -> open
    move {"note": id | "group": "g1", "column": i}   a note moved out of its group's column
                                     leaves the group; a group moves with all its notes
    group {"note": id, "onto": id | "g1"}   onto a note: a new group of both (or the group
                                     the target is in); onto a group: into it. The note takes
                                     the target's column.
    ungroup {"note": id}             out of its group (an emptied group disappears)
    rename_group {"group": "g1", "title": s}   1..60 characters
    hide / show {"note": id}         hidden notes are not shown, kept in the report
    delete {"note": id}              gone from the views (flagged in the report); its dots
                                     go back to the people who placed them
    columns {"columns": [...]}       redefine the columns; notes in removed columns go to
                                     column 0 (or none, when there are no columns left)

Groups are called ``"g<n>"`` in views and commands; notes by their number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from .activity import (
    Run,
    SpecChecker,
    bad_payload,
    clean_text,
    only_keys,
    whole,
)
from .errors import EngineError

PROMPT_MAX = 300
COLUMNS = (0, 6)
COLUMN_MAX = 40
NOTE_MAX = 280
NOTE_LIMIT_MAX = 100
VOTES = (1, 20)
GROUP_TITLE_MAX = 60
PHASES = ("open", "voting", "closed")


@dataclass(frozen=True)
class Board:
    kind: ClassVar[str] = "board"
    uid: str
    prompt: str
    columns: tuple[str, ...] = ()
    note_limit: int = 0
    votes: int = 3
    multiple_votes: bool = False
    anonymous: bool = True

    def to_spec(self) -> dict:
        return {
            "kind": "board",
            "uid": self.uid,
            "prompt": self.prompt,
            "columns": list(self.columns),
            "note_limit": self.note_limit,
            "votes": self.votes,
            "multiple_votes": self.multiple_votes,
            "anonymous": self.anonymous,
        }

    def new_run(self) -> BoardRun:
        return BoardRun(self)


def parse_board(spec: dict, path: str, check: SpecChecker, uid_factory: Callable[[], str]) -> Board:
    uid = check.uid(spec, path, uid_factory)
    prompt = check.text(spec, "prompt", path, max_length=PROMPT_MAX)
    columns: tuple[str, ...] = ()
    if spec.get("columns") is not None:
        columns = check.strings(spec, "columns", path, count=COLUMNS, max_length=COLUMN_MAX)
    return Board(
        uid=uid,
        prompt=prompt,
        columns=columns,
        note_limit=check.integer(spec, "note_limit", path, 0, 0, NOTE_LIMIT_MAX),
        votes=check.integer(spec, "votes", path, 3, *VOTES),
        multiple_votes=check.boolean(spec, "multiple_votes", path, False),
        anonymous=check.boolean(spec, "anonymous", path, True),
    )


class _Note:
    __slots__ = ("id", "pid", "text", "column", "posted_in", "group", "hidden", "deleted", "voters", "votes")

    def __init__(self, note_id: int, pid: int, text: str, column: object) -> None:
        self.id, self.pid, self.text = note_id, pid, text
        self.posted_in = column  # the column in the record (what a restore lays it out from)
        self.column: int | None = None
        self.group: int | None = None
        self.hidden = self.deleted = False
        self.voters: dict[int, int] = {}  # pid -> dots on this note
        self.votes = 0

    @property
    def shown(self) -> bool:
        return not self.hidden and not self.deleted


class _Group:
    __slots__ = ("id", "title", "notes")

    def __init__(self, group_id: int, title: str) -> None:
        self.id, self.title = group_id, title
        self.notes: dict[int, None] = {}  # note ids, in the order they joined


def group_name(group_id: int | None) -> str | None:
    return None if group_id is None else f"g{group_id}"


class BoardRun(Run):
    ACTIONS = ("note", "vote", "unvote")
    HOST_ACTIONS = (
        "lock",
        "unlock",
        "open_voting",
        "close_voting",
        "reopen",
        "move",
        "group",
        "ungroup",
        "rename_group",
        "hide",
        "show",
        "delete",
        "columns",
    )
    activity: Board

    def __init__(self, board: Board) -> None:
        super().__init__(board)
        self.phase = "open"
        self.resume: str | None = None  # the phase close() interrupted
        self.locked = False
        self.allowance = board.votes
        self.multiple = board.multiple_votes
        self.columns: list[str] = list(board.columns)
        self.notes: dict[int, _Note] = {}
        self.by_pid: dict[int, list[int]] = {}
        self.used: dict[int, int] = {}  # pid -> dots on notes that are not deleted
        self.dots: dict[int, dict[int, int]] = {}  # pid -> note id -> dots (deleted notes included)
        self.groups: dict[int, _Group] = {}
        self.next_note = 1
        self.next_group = 1
        self.pending: dict[int, dict] = {}  # layout from load_state for notes not replayed yet

    # ------------------------------------------------------------- helpers
    def _column(self, value: object, code: str = "bad_payload") -> int | None:
        if not self.columns:
            if value is not None:
                raise EngineError(code, "this board has no columns")
            return None
        if not whole(value) or not 0 <= value < len(self.columns):  # type: ignore[operator]
            raise EngineError(code, f"column must be one of 0..{len(self.columns) - 1}")
        return value  # type: ignore[return-value]

    def _note(self, value: object, *, hidden_ok: bool = True) -> _Note:
        note = self.notes.get(value) if whole(value) else None  # type: ignore[arg-type]
        if note is None or note.deleted or (note.hidden and not hidden_ok):
            raise EngineError("unknown_note", "no such note")
        return note

    def _group(self, value: object) -> _Group:
        group_id = value
        digits = value[1:] if isinstance(value, str) and value[:1] == "g" else ""
        # At most 18 digits: int() refuses more than 4,300 (a ValueError), no board has that many groups.
        if digits.isdigit() and digits.isascii() and len(digits) <= 18:
            group_id = int(digits)
        group = self.groups.get(group_id) if whole(group_id) else None  # type: ignore[arg-type]
        if group is None:
            raise EngineError("unknown_group", "no such group")
        return group

    def _group_column(self, group: _Group) -> int | None:
        for note_id in group.notes:
            if note_id in self.notes:
                return self.notes[note_id].column
        return None

    def _join(self, note: _Note, group: _Group | None) -> None:
        """Move a note into a group (or out of any, with None); an emptied group goes."""
        if note.group is not None and (group is None or group.id != note.group):
            old = self.groups.get(note.group)
            if old is not None:
                old.notes.pop(note.id, None)
                if not old.notes:
                    del self.groups[old.id]
        note.group = None if group is None else group.id
        if group is not None:
            group.notes[note.id] = None

    def _set_deleted(self, note: _Note, deleted: bool) -> None:
        if note.deleted == deleted:
            return
        note.deleted = deleted
        sign = -1 if deleted else 1
        for pid, dots in note.voters.items():
            self.used[pid] = self.used.get(pid, 0) + sign * dots

    def _layout(self, note: _Note, layout: dict) -> None:
        column = layout.get("column")
        try:
            note.column = self._column(column)
        except EngineError:
            note.column = 0 if self.columns else None
        note.hidden = bool(layout.get("hidden", False))
        group_id = layout.get("group")
        group = self.groups.get(group_id) if whole(group_id) else None
        self._join(note, group)
        self._set_deleted(note, bool(layout.get("deleted", False)))

    # ------------------------------------------------------------ responses
    def _check_note(self, pid: int, payload: dict) -> dict:
        only_keys(payload, {"text", "column"})
        if self.phase != "open":
            raise EngineError("closed", "the board is not taking notes now")
        if self.locked:
            raise EngineError("locked", "the host has locked the board")
        limit = self.activity.note_limit
        if limit and sum(1 for n in self.by_pid.get(pid, ()) if not self.notes[n].deleted) >= limit:
            raise EngineError("limit_reached", f"at most {limit} notes each")
        column = self._column(payload.get("column"))
        text = clean_text(payload.get("text"), max_length=NOTE_MAX, multiline=True, what="note")
        return {"id": self.next_note, "text": text, "column": column}

    def _apply_note(self, pid: int, record: dict) -> None:
        note_id, text = record.get("id"), record.get("text")
        if not whole(note_id) or note_id in self.notes or not isinstance(text, str) or not text:
            return
        note = self.notes[note_id] = _Note(note_id, pid, text, record.get("column"))
        self.by_pid.setdefault(pid, []).append(note_id)
        self.next_note = max(self.next_note, note_id + 1)
        self._layout(note, self.pending.pop(note_id, {"column": note.posted_in}))

    def _voting(self) -> None:
        if self.phase != "voting":
            raise EngineError("closed", "voting is not open")
        if self.locked:
            raise EngineError("locked", "the host has locked the board")

    def _check_vote(self, pid: int, payload: dict) -> dict:
        only_keys(payload, {"note"})
        self._voting()
        note = self._note(payload.get("note"), hidden_ok=False)
        if not self.multiple and note.voters.get(pid):
            raise EngineError("already_voted", "you already put a dot on this note")
        if self.used.get(pid, 0) >= self.allowance:
            raise EngineError("no_votes_left", f"you have used all {self.allowance} of your dots")
        return {"note": note.id}

    def _apply_vote(self, pid: int, record: dict) -> None:
        note = self.notes.get(record.get("note"))  # type: ignore[arg-type]
        if note is None:
            return
        note.voters[pid] = note.voters.get(pid, 0) + 1
        note.votes += 1
        mine = self.dots.setdefault(pid, {})
        mine[note.id] = mine.get(note.id, 0) + 1
        if not note.deleted:
            self.used[pid] = self.used.get(pid, 0) + 1

    def _check_unvote(self, pid: int, payload: dict) -> dict:
        only_keys(payload, {"note"})
        self._voting()
        note = self._note(payload.get("note"))
        if not note.voters.get(pid):
            raise bad_payload("you have no dot on this note")
        return {"note": note.id}

    def _apply_unvote(self, pid: int, record: dict) -> None:
        note = self.notes.get(record.get("note"))  # type: ignore[arg-type]
        if note is None or not note.voters.get(pid):
            return
        note.voters[pid] -= 1
        if not note.voters[pid]:
            del note.voters[pid]
        note.votes -= 1
        mine = self.dots[pid]
        mine[note.id] -= 1
        if not mine[note.id]:
            del mine[note.id]
        if not note.deleted:
            self.used[pid] -= 1

    # ----------------------------------------------------------------- host
    def _host_lock(self, args: dict) -> None:
        only_keys(args, set())
        self.locked = True

    def _host_unlock(self, args: dict) -> None:
        only_keys(args, set())
        self.locked = False

    def _host_open_voting(self, args: dict) -> None:
        only_keys(args, {"votes", "multiple_votes"})
        if self.phase not in ("open", "closed"):
            raise EngineError("wrong_phase", "voting is already open")
        votes = args.get("votes", self.allowance)
        if not whole(votes) or not VOTES[0] <= votes <= VOTES[1]:
            raise bad_payload(f"votes must be a whole number from {VOTES[0]} to {VOTES[1]}")
        multiple = args.get("multiple_votes", self.multiple)
        if not isinstance(multiple, bool):
            raise bad_payload("multiple_votes must be true or false")
        self.phase, self.resume, self.allowance, self.multiple = "voting", None, votes, multiple

    def _host_close_voting(self, args: dict) -> None:
        only_keys(args, set())
        if self.phase == "closed":
            raise EngineError("wrong_phase", "the board is already closed")
        self.phase, self.resume = "closed", None

    def _host_reopen(self, args: dict) -> None:
        only_keys(args, set())
        if self.phase == "open":
            raise EngineError("wrong_phase", "the board is already open")
        self.phase, self.resume = "open", None

    def _host_move(self, args: dict) -> None:
        if "group" in args:
            only_keys(args, {"group", "column"})
            group = self._group(args.get("group"))
            column = self._column(args.get("column"))
            for note_id in group.notes:
                if note_id in self.notes:
                    self.notes[note_id].column = column
            return
        only_keys(args, {"note", "column"})
        note = self._note(args.get("note"))
        column = self._column(args.get("column"))
        if column != note.column:
            note.column = column
            self._join(note, None)

    def _host_group(self, args: dict) -> None:
        only_keys(args, {"note", "onto"})
        note = self._note(args.get("note"))
        onto = args.get("onto")
        if isinstance(onto, str):
            group = self._group(onto)
            column = self._group_column(group)
        else:
            target = self._note(onto)
            if target.id == note.id:
                raise bad_payload("a note cannot be grouped onto itself")
            column = target.column
            if target.group is not None:
                group = self.groups[target.group]
            else:
                group = _Group(self.next_group, f"Group {self.next_group}")
                self.groups[group.id] = group
                self.next_group += 1
                self._join(target, group)
        note.column = column
        self._join(note, group)

    def _host_ungroup(self, args: dict) -> None:
        only_keys(args, {"note"})
        note = self._note(args.get("note"))
        if note.group is None:
            raise bad_payload("this note is not in a group")
        self._join(note, None)

    def _host_rename_group(self, args: dict) -> None:
        only_keys(args, {"group", "title"})
        group = self._group(args.get("group"))
        try:
            title = clean_text(args.get("title"), max_length=GROUP_TITLE_MAX, what="title")
        except EngineError as error:
            raise bad_payload(error.message) from None
        group.title = title

    def _host_hide(self, args: dict) -> None:
        only_keys(args, {"note"})
        self._note(args.get("note")).hidden = True

    def _host_show(self, args: dict) -> None:
        only_keys(args, {"note"})
        self._note(args.get("note")).hidden = False

    def _host_delete(self, args: dict) -> None:
        only_keys(args, {"note"})
        note = self._note(args.get("note"))
        self._join(note, None)
        self._set_deleted(note, True)

    def _host_columns(self, args: dict) -> None:
        only_keys(args, {"columns"})
        raw = args.get("columns")
        if not isinstance(raw, list) or not COLUMNS[0] <= len(raw) <= COLUMNS[1]:
            raise bad_payload(f"columns must be a list of {COLUMNS[0]} to {COLUMNS[1]} names")
        try:
            columns = [clean_text(c, max_length=COLUMN_MAX, what="column name") for c in raw]
        except EngineError as error:
            raise bad_payload(error.message) from None
        self.columns = columns
        for note in self.notes.values():
            if not columns:
                note.column = None
            elif note.column is None or note.column >= len(columns):
                note.column = 0

    # ------------------------------------------------------------ room calls
    def close(self) -> None:
        if self.phase != "closed":
            self.phase, self.resume = "closed", self.phase
            self.touch()

    def open(self) -> None:
        if self.resume is not None:
            self.phase, self.resume = self.resume, None
            self.touch()

    # ---------------------------------------------------------------- views
    def _note_row(self, note: _Note, names: dict[int, str] | None, votes: bool) -> dict:
        row: dict = {"id": note.id, "text": note.text, "column": note.column, "group": group_name(note.group)}
        if names is not None and not self.activity.anonymous:
            row["nickname"] = names.get(note.pid, "")
        if votes:
            row["votes"] = note.votes
        return row

    def _group_votes(self, group: _Group, shown_only: bool = True) -> int:
        return sum(
            self.notes[n].votes for n in group.notes if n in self.notes and (self.notes[n].shown or not shown_only)
        )

    def _ordered(self, notes: list[_Note], by_votes: bool) -> list[_Note]:
        return sorted(notes, key=lambda n: (-n.votes, n.id)) if by_votes else notes

    def voters(self) -> int:
        return sum(1 for used in self.used.values() if used > 0)

    def view(self, for_players: bool, names: dict[int, str]) -> dict:
        closed = self.phase == "closed"
        shown = [n for n in self.notes.values() if n.shown]
        show_notes = not for_players or self.phase != "open"
        notes, groups = [], []
        if show_notes:
            notes = [self._note_row(n, names, closed) for n in self._ordered(shown, closed)]
            in_view = {n.group for n in shown if n.group is not None}
            ordered_groups = [g for g in self.groups.values() if g.id in in_view]
            if closed:
                ordered_groups.sort(key=lambda g: (-self._group_votes(g), g.id))
            for group in ordered_groups:
                row: dict = {"id": group_name(group.id), "title": group.title, "column": self._group_column(group)}
                if closed:
                    row["votes"] = self._group_votes(group)
                groups.append(row)
        board = self.activity
        data = {
            "kind": "board",
            "uid": board.uid,
            "prompt": board.prompt,
            "columns": list(self.columns),
            "phase": self.phase,
            "locked": self.locked,
            "note_limit": board.note_limit,
            "votes": self.allowance,
            "multiple_votes": self.multiple,
            "anonymous": board.anonymous,
            "notes": notes,
            "groups": groups,
            "note_count": len(shown),
            "voters": self.voters(),
        }
        if not for_players:
            data["hidden_notes"] = [
                self._note_row(n, names, closed) for n in self.notes.values() if n.hidden and not n.deleted
            ]
        return data

    def personal(self, pid: int) -> dict:
        mine = [self.notes[n] for n in self.by_pid.get(pid, ()) if not self.notes[n].deleted]
        limit = self.activity.note_limit
        notes_left = None if not limit else max(0, limit - len(mine))
        votes_left = max(0, self.allowance - self.used.get(pid, 0))
        my_votes = {str(n): dots for n, dots in self.dots.get(pid, {}).items() if not self.notes[n].deleted}
        return {
            "notes": [{**self._note_row(n, None, False), "hidden": n.hidden} for n in mine],
            "notes_left": notes_left,
            "votes_left": votes_left,
            "my_votes": my_votes,
            "can_post": self.phase == "open" and not self.locked and notes_left != 0,
            "can_vote": self.phase == "voting" and not self.locked and votes_left > 0,
        }

    def report(self, names: dict[int, str]) -> dict:
        board = self.activity
        notes = []
        for note in sorted(self.notes.values(), key=lambda n: (-n.votes, n.id)):
            row = self._note_row(note, names, True)
            row["column_name"] = self.columns[note.column] if note.column is not None else None
            row["hidden"], row["deleted"] = note.hidden, note.deleted
            if not board.anonymous:
                row["participant"] = note.pid
            notes.append(row)
        groups = [
            {
                "id": group_name(g.id),
                "title": g.title,
                "column": self._group_column(g),
                "votes": self._group_votes(g, shown_only=False),
                "notes": [n.id for n in self._ordered([self.notes[i] for i in g.notes if i in self.notes], True)],
            }
            for g in sorted(self.groups.values(), key=lambda g: (-self._group_votes(g, False), g.id))
        ]
        return {
            "kind": "board",
            "uid": board.uid,
            "prompt": board.prompt,
            "columns": list(self.columns),
            "phase": self.phase,
            "votes": self.allowance,
            "multiple_votes": self.multiple,
            "anonymous": board.anonymous,
            "notes": notes,
            "groups": groups,
            "authors": sum(1 for ids in self.by_pid.values() if ids),
            "voters": self.voters(),
        }

    # ------------------------------------------------------------ snapshot
    def state(self) -> dict:
        return {
            "phase": self.phase,
            "resume": self.resume,
            "locked": self.locked,
            "votes": self.allowance,
            "multiple_votes": self.multiple,
            "columns": list(self.columns),
            "notes": [
                {"id": n.id, "column": n.column, "group": n.group, "hidden": n.hidden, "deleted": n.deleted}
                for n in self.notes.values()
            ],
            "groups": [{"id": g.id, "title": g.title} for g in self.groups.values()],
            "next_group": self.next_group,
            "next_note": self.next_note,  # ids are never reused, even of a note whose write failed
        }

    def load_state(self, state: dict) -> None:
        self.phase = state.get("phase") if state.get("phase") in PHASES else "open"
        self.resume = state.get("resume") if state.get("resume") in PHASES else None
        self.locked = bool(state.get("locked", False))
        self.allowance = state.get("votes", self.activity.votes)
        self.multiple = bool(state.get("multiple_votes", self.activity.multiple_votes))
        self.columns = [c for c in state.get("columns", self.activity.columns) if isinstance(c, str)]
        for note in self.notes.values():
            self._join(note, None)
        self.groups = {
            g["id"]: _Group(g["id"], g.get("title") or f"Group {g['id']}")
            for g in state.get("groups", [])
            if isinstance(g, dict) and whole(g.get("id"))
        }
        self.next_group = max([state.get("next_group", 1), self.next_group, *[g + 1 for g in self.groups]])
        next_note = state.get("next_note", 1)
        self.next_note = max(self.next_note, next_note if whole(next_note) else 1)
        layouts = {n["id"]: n for n in state.get("notes", []) if isinstance(n, dict) and whole(n.get("id"))}
        self.pending = {}
        for note_id, layout in layouts.items():
            note = self.notes.get(note_id)
            if note is None:
                self.pending[note_id] = layout
                group = self.groups.get(layout.get("group"))  # type: ignore[arg-type]
                if group is not None:
                    group.notes[note_id] = None  # reserved for the note when its record comes
            else:
                self._layout(note, layout)
        for note in self.notes.values():
            if note.id not in layouts:  # posted after the snapshot
                self._layout(note, {"column": note.posted_in})
        self.groups = {gid: g for gid, g in self.groups.items() if g.notes}
        self.touch()
