"""Known people and groups (rosters) of a workspace: the identity that retention follows.

People and groups are shared by the workspace (docs/workspace.md): every method takes the
acting trainer's id and reaches the rows of anyone in that trainer's workspace (a row's
``trainer_id`` is who added it); a person or group of another workspace answers ``None`` /
``False``, exactly like one that does not exist. ``People`` works on the Database and the
app clock (``people_of(app)``); the live rooms use the same class for the ``join``
look-ups with the room's trainer (quizroom/live/service.py).

- A person has a name (1-80 characters, cleaned like every line of user text), an optional
  e-mail (unique per workspace, compared lower-cased through ``email_key``) and a secret
  ``link_key``: their personal join link ``/me/<link_key>``.
- A roster CSV (``import_roster``) is all-or-nothing: any bad row refuses the whole file,
  with every problem named by its row number (see docs/people.md).
- ``delete_person`` keeps the answers (per-question aggregates do not change) but unlinks
  them from anyone; ``export_person`` is everything stored about someone.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from . import members, models
from .clock import clock_of
from .engine import EngineError
from .engine.text import clean_line, nickname_key

NAME_MAX = 80
GROUP_NAME_MAX = 80
EMAIL_MAX = 254
ROSTER_MAX_BYTES = 1_000_000
ROSTER_MAX_ROWS = 5_000
ERRORS_SHOWN = 50
DELETED_NICKNAME = "Deleted person"
EXPORT_FORMAT = "quizroom.person-export"

# Simple on purpose: something@somewhere.tld, no spaces and none of the characters that
# only appear in quoted or display-name forms ("Ana" <ana@x.org>), so it is one address.
EMAIL = re.compile(r'[^\s@<>()\[\]\\,;:"]{1,64}@[^\s@<>()\[\]\\,;:".]+(\.[^\s@<>()\[\]\\,;:".]+)+')

NAME_HEADERS = {"name", "full name", "fullname", "full_name"}
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail"}
EXAMPLE_CSV = "name,email\nAna Lima,ana.lima@example.com\nBo Chen,\nCyril Dubois,cyril@example.com\n"


# ------------------------------------------------------------------ errors
class PeopleError(ValueError):
    """A refused change; ``field`` names the form field it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int | None  # 1 = the header row; None = the whole file
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}" if self.row is not None else self.message


class RosterInvalid(ValueError):
    """A roster file that was not imported (nothing was created)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(map(str, errors[:3])))
        self.errors = errors


# ---------------------------------------------------------------- cleaning
def clean_name(raw: object, field: str = "name") -> str:
    """A person's name: one line, NFC, no control characters, 1-80 characters."""
    try:
        return clean_line(raw, max_length=NAME_MAX, field="name")
    except EngineError as error:
        if not isinstance(raw, str):
            raise PeopleError(field, "the name must be text") from None
        if "empty" in error.message:
            raise PeopleError(field, "the name is empty") from None
        raise PeopleError(field, f"the name is too long (at most {NAME_MAX} characters)") from None


def clean_email(raw: object, field: str = "email") -> str | None:
    """An e-mail address (stripped), or None when left empty."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise PeopleError(field, "the e-mail must be text")
    text = raw.strip()
    if not text:
        return None
    if len(text) > EMAIL_MAX:
        raise PeopleError(field, f"the e-mail is too long (at most {EMAIL_MAX} characters)")
    if not EMAIL.fullmatch(text):
        raise PeopleError(field, f"“{text[:60]}” does not look like an e-mail address (like ana@example.com)")
    return text


def email_key(email: str | None) -> str | None:
    return email.lower() if email else None


def name_key(name: str) -> str:
    """Two names are the same for a roster when they differ only in case or width."""
    return nickname_key(name)


def new_link_key() -> str:
    return secrets.token_urlsafe(24)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _iso(moment: datetime | None) -> str | None:
    moment = _aware(moment)
    return moment.astimezone(UTC).isoformat() if moment else None


# ------------------------------------------------------------------ roster
@dataclass(frozen=True)
class RosterRow:
    row: int  # the row number in the file (the header is row 1)
    name: str
    email: str | None


@dataclass
class RosterResult:
    created: int = 0  # new people
    matched: int = 0  # rows that were people already known (by e-mail, or by name in the group)
    added: int = 0  # people who joined the group (new or not)
    emails_added: int = 0  # members who had no e-mail and got the one on their row
    people: list[int] = field(default_factory=list)  # every row's person id, in file order


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        if len(data) > ROSTER_MAX_BYTES:
            raise RosterInvalid([RowError(None, "the file is larger than 1 MB; split it into smaller files")])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RosterInvalid(
                [
                    RowError(
                        None,
                        "the file is not UTF-8 text; in your spreadsheet choose “Save as” › “CSV UTF-8”",
                    )
                ]
            ) from None
    return data.removeprefix("\ufeff")


def _header_cell(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').lower().split())


def _delimiter(first_line: str) -> str:
    """Comma, semicolon (spreadsheets in many European locales) or tab: whichever makes a
    header with a "name" column; a comma when nothing tells them apart."""
    for candidate in (",", ";", "\t"):
        cells = next(csv.reader([first_line], delimiter=candidate), [])
        if any(_header_cell(c) in NAME_HEADERS for c in cells):
            return candidate
    return ","


def parse_roster(data: bytes | str) -> list[RosterRow]:
    """Read a roster CSV (header row with ``name`` and optional ``email``); raises
    RosterInvalid listing every problem, by row number."""
    text = _decode(data)
    if not text.strip():
        raise RosterInvalid([RowError(None, "the file is empty: the first row must be a header with a “name” column")])
    first = next(line for line in text.splitlines() if line.strip())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    errors: list[RowError] = []
    rows: list[RosterRow] = []
    header: list[str] | None = None
    columns: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    seen_names: dict[str, int] = {}  # names of rows without an e-mail
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if header is None:
                header = [_header_cell(c) for c in cells]
                for index, cell in enumerate(header):
                    kind = "name" if cell in NAME_HEADERS else "email" if cell in EMAIL_HEADERS else None
                    if kind is None:
                        continue  # other columns (a department, a phone number) are ignored
                    if kind in columns:
                        errors.append(RowError(number, f"the header has two “{kind}” columns"))
                    columns[kind] = index
                if "name" not in columns:
                    found = ", ".join(f"“{c}”" for c in header if c)[:200] or "nothing"
                    errors.append(
                        RowError(number, f"the header row needs a “name” column (and may have “email”); found {found}")
                    )
                    break
                continue
            if len(rows) + len(errors) >= ROSTER_MAX_ROWS:
                errors.append(RowError(number, f"a roster holds at most {ROSTER_MAX_ROWS:,} people; split the file"))
                break
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                errors.append(
                    RowError(
                        number,
                        f"{len(cells)} values but the header has {len(header)} columns "
                        "(a comma in a name? put the name in double quotes)",
                    )
                )
                continue
            raw_name = cells[columns["name"]] if columns["name"] < len(cells) else ""
            raw_email = cells[columns["email"]] if "email" in columns and columns["email"] < len(cells) else ""
            try:
                name = clean_name(raw_name)
            except PeopleError as error:
                errors.append(RowError(number, error.message))
                continue
            try:
                email = clean_email(raw_email)
            except PeopleError as error:
                errors.append(RowError(number, error.message))
                continue
            if email:
                key = email_key(email)
                if key in seen_emails:
                    errors.append(RowError(number, f"the e-mail {email} is also on row {seen_emails[key]}"))
                    continue
                seen_emails[key] = number
            else:
                key = name_key(name)
                if key in seen_names:
                    errors.append(
                        RowError(
                            number,
                            f"“{name}” is also on row {seen_names[key]}; remove the duplicate, "
                            "or add e-mails to tell them apart",
                        )
                    )
                    continue
                seen_names[key] = number
            rows.append(RosterRow(number, name, email))
    except csv.Error as error:
        errors.append(RowError(reader.line_num or None, f"the file is not valid CSV ({error})"))
    if header is None and not errors:
        errors.append(RowError(None, "the file is empty: the first row must be a header with a “name” column"))
    if not errors and not rows:
        errors.append(RowError(None, "the file has a header but nobody in it: add one person per row"))
    if errors:
        raise RosterInvalid(errors)
    return rows


# ------------------------------------------------------------ result rows
@dataclass(frozen=True)
class PersonRow:
    """A person as the people list shows them."""

    person: models.Person
    groups: tuple[models.Group, ...]
    sessions: int
    last_seen: datetime | None


@dataclass(frozen=True)
class GroupRow:
    group: models.Group
    members: int


@dataclass(frozen=True)
class Attendance:
    """One room a person joined."""

    room_id: int
    title: str
    code: str
    at: datetime | None
    live: bool
    nickname: str
    score: int
    correct: int
    answered: int
    removed: bool


@dataclass(frozen=True)
class KnownPerson:
    """What a live room may know about a person: never their e-mail."""

    id: int
    name: str


# ----------------------------------------------------------------- service
class People:
    def __init__(self, db, clock: Callable[[], float] = time.time, live=None):
        self.db = db
        self.clock = clock
        self.live = live  # the LiveRooms, so deleting someone also unlinks them in live rooms

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def new_person(self, trainer_id: int, name: str, email: str | None) -> models.Person:
        """A new row (not added to any session): for callers that clean name and e-mail first."""
        return models.Person(
            trainer_id=trainer_id,
            name=name,
            email=email,
            email_key=email_key(email),
            link_key=new_link_key(),
            created_at=self.now(),
        )

    # ------------------------------------------------------------- people
    def list_people(self, trainer_id: int, search: str = "") -> list[PersonRow]:
        """A trainer's people by name; ``search`` matches names and e-mails (any case)."""
        needle = " ".join(search.split()).casefold()
        with self.db.read() as s:
            people = list(s.scalars(sa.select(models.Person).where(_ours(models.Person.trainer_id, trainer_id))))
            if needle:
                people = [
                    p for p in people if needle in p.name.casefold() or (p.email and needle in p.email.casefold())
                ]
            groups = self._groups_by_person(s, trainer_id)
            sessions: dict[int, tuple[int, datetime | None]] = {}
            query = (
                sa.select(
                    models.Participant.person_id,
                    sa.func.count(sa.distinct(models.Participant.room_id)),
                    sa.func.max(models.Participant.joined_at),
                )
                .join(models.Room, models.Room.id == models.Participant.room_id)
                .where(_ours(models.Room.trainer_id, trainer_id), models.Participant.person_id.is_not(None))
                .group_by(models.Participant.person_id)
            )
            for person_id, count, last in s.execute(query):
                sessions[person_id] = (count, _aware(last))
        people.sort(key=lambda p: (p.name.casefold(), p.id))
        return [
            PersonRow(p, tuple(groups.get(p.id, ())), *sessions.get(p.id, (0, None)))  # type: ignore[arg-type]
            for p in people
        ]

    def get_person(self, trainer_id: int, person_id: int) -> models.Person | None:
        with self.db.read() as s:
            return self._own_person(s, trainer_id, person_id)

    def person_by_link(self, link_key: str) -> models.Person | None:
        """The person whose personal link this is (any trainer's), or None."""
        if not isinstance(link_key, str) or not 0 < len(link_key) <= 100:
            return None
        with self.db.read() as s:
            return s.scalar(sa.select(models.Person).where(models.Person.link_key == link_key))

    def create_person(
        self, trainer_id: int, name: object, email: object = None, group_id: int | None = None
    ) -> models.Person:
        """Add someone (optionally straight into a group); an e-mail already known for
        this trainer is refused, naming who has it."""
        clean = clean_name(name)
        address = clean_email(email)
        with self.db.transaction() as s:
            group = None
            if group_id is not None:
                group = self._own_group(s, trainer_id, group_id)
                if group is None:
                    raise PeopleError("group", "that group does not exist")
            if address:
                self._check_email_free(s, trainer_id, address)
            if group is not None:
                self._check_name_free(s, group, clean)
            person = self.new_person(trainer_id, clean, address)
            s.add(person)
            s.flush()
            if group is not None:
                s.add(models.GroupMember(group_id=group.id, person_id=person.id))
            return person

    def update_person(self, trainer_id: int, person_id: int, name: object, email: object) -> models.Person | None:
        clean = clean_name(name)
        address = clean_email(email)
        with self.db.transaction() as s:
            person = self._own_person(s, trainer_id, person_id)
            if person is None:
                return None
            if address and email_key(address) != person.email_key:
                self._check_email_free(s, trainer_id, address)
            if name_key(clean) != name_key(person.name):
                for group in self._groups_of(s, trainer_id, person.id):
                    self._check_name_free(s, group, clean, ignore=person.id)
            person.name = clean
            person.email = address
            person.email_key = email_key(address)
            return person

    def new_link(self, trainer_id: int, person_id: int) -> models.Person | None:
        """A new personal link for someone; the old one stops working at once."""
        with self.db.transaction() as s:
            person = self._own_person(s, trainer_id, person_id)
            if person is not None:
                person.link_key = new_link_key()
            return person

    def find_or_create_opt_in(self, trainer_id: int, name: object, email: object) -> models.Person:
        """The person with this e-mail for this trainer, or a new one (the join page's
        "remember me"). A known person keeps the name they have."""
        clean = clean_name(name)
        address = clean_email(email)
        if not address:
            raise PeopleError("email", "the e-mail is empty")
        with self.db.transaction() as s:
            found = self.opt_in_match(s, trainer_id, address)
            if found is not None:
                return found
            person = self.new_person(trainer_id, clean, address)
            s.add(person)
            s.flush()
            return person

    def opt_in_match(self, session: so.Session, trainer_id: int, address: str) -> models.Person | None:
        return session.scalar(
            sa.select(models.Person).where(
                _ours(models.Person.trainer_id, trainer_id), models.Person.email_key == email_key(address)
            )
        )

    def attendance(self, trainer_id: int, person_id: int) -> list[Attendance]:
        """The rooms someone joined (of this trainer), most recent first."""
        with self.db.read() as s:
            query = (
                sa.select(models.Participant, models.Room)
                .join(models.Room, models.Room.id == models.Participant.room_id)
                .where(models.Participant.person_id == person_id, _ours(models.Room.trainer_id, trainer_id))
                .order_by(models.Room.created_at.desc(), models.Room.id.desc())
            )
            return [
                Attendance(
                    room_id=room.id,
                    title=room.title,
                    code=room.code,
                    at=_aware(room.created_at),
                    live=room.live,
                    nickname=p.nickname,
                    score=p.score,
                    correct=p.correct,
                    answered=p.answered,
                    removed=p.removed,
                )
                for p, room in s.execute(query)
            ]

    def delete_person(self, trainer_id: int, person_id: int) -> bool:
        """Forget someone, in one transaction: the rooms they joined keep their answers
        (so per-question results do not change) under the nickname "Deleted person", linked
        to nobody; self-paced reviews and their answers are kept unlinked; memory states and
        group memberships go. Live rooms forget the link too."""
        with self.db.transaction() as s:
            person = self._own_person(s, trainer_id, person_id)
            if person is None:
                return False
            s.execute(
                sa.update(models.Participant)
                .where(models.Participant.person_id == person_id)
                .values(person_id=None, nickname=DELETED_NICKNAME)
            )
            s.execute(
                sa.update(models.PracticeAnswer)
                .where(models.PracticeAnswer.person_id == person_id)
                .values(person_id=None)
            )
            s.execute(sa.update(models.Practice).where(models.Practice.person_id == person_id).values(person_id=None))
            s.execute(sa.delete(models.MemoryState).where(models.MemoryState.person_id == person_id))
            s.execute(sa.delete(models.GroupMember).where(models.GroupMember.person_id == person_id))
            s.delete(person)
        if self.live is not None:
            self.live.unlink_person(person_id)
        return True

    def export_person(self, trainer_id: int, person_id: int) -> dict | None:
        """Everything stored about someone, as one JSON-ready document (None: not theirs)."""
        with self.db.read() as s:
            person = self._own_person(s, trainer_id, person_id)
            if person is None:
                return None
            groups = self._groups_of(s, trainer_id, person_id)
            sessions = []
            query = (
                sa.select(models.Participant, models.Room)
                .join(models.Room, models.Room.id == models.Participant.room_id)
                .where(models.Participant.person_id == person_id)
                .order_by(models.Room.created_at, models.Room.id)
            )
            for participant, room in s.execute(query):
                sessions.append(self._export_session(s, participant, room))
            practices = []
            for practice in s.scalars(
                sa.select(models.Practice).where(models.Practice.person_id == person_id).order_by(models.Practice.id)
            ):
                practices.append(self._export_practice(s, practice))
            # Answers of someone's review are theirs even if the review itself is not linked.
            linked = {p["id"] for p in practices}
            loose = s.scalars(
                sa.select(models.PracticeAnswer)
                .where(models.PracticeAnswer.person_id == person_id, models.PracticeAnswer.practice_id.not_in(linked))
                .order_by(models.PracticeAnswer.id)
            )
            loose_answers = [_practice_answer(a, {}) for a in loose]
            memory = [
                {
                    "question_uid": m.question_uid,
                    "stability": m.stability,
                    "difficulty": m.difficulty,
                    "reviews": m.reviews,
                    "lapses": m.lapses,
                    "last_review": _iso(m.last_review),
                    "due": _iso(m.due),
                    "card": m.card,
                }
                for m in s.scalars(
                    sa.select(models.MemoryState)
                    .where(models.MemoryState.person_id == person_id)
                    .order_by(models.MemoryState.question_uid)
                )
            ]
        document = {
            "format": EXPORT_FORMAT,
            "version": 1,
            "exported_at": _iso(self.now()),
            "person": {
                "id": person.id,
                "name": person.name,
                "email": person.email,
                "personal_link_key": person.link_key,
                "created_at": _iso(person.created_at),
                "memory_synced_at": _iso(person.memory_synced_at),
            },
            "groups": [{"id": g.id, "name": g.name} for g in groups],
            "sessions": sessions,
            "practices": practices,
            "memory": memory,
        }
        if loose_answers:
            document["other_practice_answers"] = loose_answers
        return document

    def _export_session(self, s: so.Session, participant: models.Participant, room: models.Room) -> dict:
        specs = (room.snapshot or {}).get("activities") or (room.snapshot or {}).get("questions") or []
        answers = [
            {
                "question_index": a.question_index,
                "question_uid": a.question_uid,
                "question_text": _spec_text(specs, a.question_index),
                "value": (a.value or {}).get("v"),
                "correct": a.correct,
                "points": a.points,
                "response_ms": a.response_ms,
                "voided": a.voided,
                "answered_at": _iso(a.answered_at),
            }
            for a in _rows_of(s, models.Answer, participant, models.Answer.question_index, models.Answer.id)
        ]
        responses = [
            {
                "position": r.position,
                "activity_uid": r.activity_uid,
                "activity_text": _spec_text(specs, r.position),
                "action": r.action,
                "record": r.record,
                "at": _iso(r.created_at),
            }
            for r in _rows_of(s, models.Submission, participant, models.Submission.id)
        ]
        return {
            "room_id": room.id,
            "title": room.title,
            "code": room.code,
            "date": _iso(room.created_at),
            "ended_at": _iso(room.ended_at),
            "group_id": room.group_id,
            "nickname": participant.nickname,
            "joined_at": _iso(participant.joined_at),
            "score": participant.score,
            "correct": participant.correct,
            "answered": participant.answered,
            "best_streak": participant.best_streak,
            "removed": participant.removed,
            "answers": answers,
            "responses": responses,
        }

    def _export_practice(self, s: so.Session, practice: models.Practice) -> dict:
        texts = {
            q.get("uid"): q.get("text") for q in (practice.questions or []) if isinstance(q, dict) and q.get("uid")
        }
        answers = s.scalars(
            sa.select(models.PracticeAnswer)
            .where(models.PracticeAnswer.practice_id == practice.id)
            .order_by(models.PracticeAnswer.id)
        )
        return {
            "id": practice.id,
            "title": practice.title,
            "questions": len(practice.questions or []),
            "position": practice.position,
            "created_at": _iso(practice.created_at),
            "finished_at": _iso(practice.finished_at),
            "answers": [_practice_answer(a, texts) for a in answers],
        }

    # ------------------------------------------------------------- groups
    def list_groups(self, trainer_id: int) -> list[GroupRow]:
        with self.db.read() as s:
            counts = dict(
                s.execute(
                    sa.select(models.GroupMember.group_id, sa.func.count()).group_by(models.GroupMember.group_id)
                ).all()
            )
            groups = list(s.scalars(sa.select(models.Group).where(_ours(models.Group.trainer_id, trainer_id))))
        groups.sort(key=lambda g: (g.name.casefold(), g.id))
        return [GroupRow(g, counts.get(g.id, 0)) for g in groups]

    def get_group(self, trainer_id: int, group_id: int) -> models.Group | None:
        with self.db.read() as s:
            return self._own_group(s, trainer_id, group_id)

    def create_group(self, trainer_id: int, name: object) -> models.Group:
        clean = self._group_name(name)
        with self.db.transaction() as s:
            self._check_group_name_free(s, trainer_id, clean)
            group = models.Group(trainer_id=trainer_id, name=clean, created_at=self.now())
            s.add(group)
            s.flush()
            return group

    def rename_group(self, trainer_id: int, group_id: int, name: object) -> models.Group | None:
        clean = self._group_name(name)
        with self.db.transaction() as s:
            group = self._own_group(s, trainer_id, group_id)
            if group is None:
                return None
            if name_key(clean) != name_key(group.name):
                self._check_group_name_free(s, trainer_id, clean)
            group.name = clean
            return group

    def delete_group(self, trainer_id: int, group_id: int) -> bool:
        """The group goes; its people stay (and keep their history). Rooms run for it
        become rooms without a roster."""
        with self.db.transaction() as s:
            group = self._own_group(s, trainer_id, group_id)
            if group is None:
                return False
            s.execute(sa.delete(models.GroupMember).where(models.GroupMember.group_id == group_id))
            s.execute(sa.update(models.Room).where(models.Room.group_id == group_id).values(group_id=None))
            s.delete(group)
        if self.live is not None:
            self.live.forget_group(group_id)
        return True

    def members(self, trainer_id: int, group_id: int) -> list[models.Person] | None:
        """A group's members by name (None: no such group for this trainer)."""
        with self.db.read() as s:
            group = self._own_group(s, trainer_id, group_id)
            if group is None:
                return None
            return self._members(s, group_id)

    def groups_of(self, trainer_id: int, person_id: int) -> list[models.Group]:
        with self.db.read() as s:
            return self._groups_of(s, trainer_id, person_id)

    def add_member(self, trainer_id: int, group_id: int, person_id: int) -> bool:
        """Put someone in a group (True); False when either is not this trainer's.
        Refused when another member has the same name (phones pick names from the roster)."""
        with self.db.transaction() as s:
            group = self._own_group(s, trainer_id, group_id)
            person = self._own_person(s, trainer_id, person_id)
            if group is None or person is None:
                return False
            if s.get(models.GroupMember, (group_id, person_id)) is not None:
                return True
            self._check_name_free(s, group, person.name, ignore=person.id)
            s.add(models.GroupMember(group_id=group_id, person_id=person_id))
            return True

    def remove_member(self, trainer_id: int, group_id: int, person_id: int) -> bool:
        with self.db.transaction() as s:
            if self._own_group(s, trainer_id, group_id) is None:
                return False
            membership = s.get(models.GroupMember, (group_id, person_id))
            if membership is None:
                return False
            s.delete(membership)
            return True

    def import_roster(self, trainer_id: int, data: bytes | str, group_id: int | None = None) -> RosterResult:
        """Create the people of a roster CSV (and put them all in ``group_id``), all or
        nothing. A row whose e-mail is already known is that person (not a duplicate); in a
        group, a row without an e-mail whose name is a member's is that member."""
        rows = parse_roster(data)
        with self.db.transaction() as s:
            group = None
            if group_id is not None:
                group = self._own_group(s, trainer_id, group_id)
                if group is None:
                    raise RosterInvalid([RowError(None, "that group does not exist")])
            keys = [email_key(r.email) for r in rows if r.email]
            known: dict[str, models.Person] = {}
            for chunk in _chunks(keys, 500):
                for person in s.scalars(
                    sa.select(models.Person).where(
                        _ours(models.Person.trainer_id, trainer_id), models.Person.email_key.in_(chunk)
                    )
                ):
                    known[person.email_key] = person
            members = self._members(s, group.id) if group else []
            member_ids = {p.id for p in members}
            by_name = {name_key(p.name): p for p in members}
            names: dict[str, object] = {key: p.id for key, p in by_name.items()}  # name in the group -> who
            errors: list[RowError] = []
            plan: list[tuple[RosterRow, models.Person | None, str | None]] = []
            rows_of: dict[int, int] = {}  # person id -> the row that is them
            for row in rows:
                person = known.get(email_key(row.email)) if row.email else None
                email_for = None
                if person is None and group is not None:
                    member = by_name.get(name_key(row.name))
                    # A member of that name with no e-mail yet is this row (the roster gained
                    # e-mails since it was imported); one with another e-mail is someone else.
                    if member is not None and not (row.email and member.email):
                        person, email_for = member, row.email
                if person is not None:
                    first = rows_of.setdefault(person.id, row.row)
                    if first != row.row:
                        errors.append(RowError(row.row, f"this is {person.name} again (as on row {first})"))
                        continue
                if group is not None:
                    shown = person.name if person is not None else row.name
                    who = person.id if person is not None else ("row", row.row)
                    holder = names.setdefault(name_key(shown), who)
                    if holder != who:
                        errors.append(
                            RowError(
                                row.row,
                                f"the group would have two people called “{shown}”; make the names different "
                                "(add an initial, like “Ana L.”): phones pick their name from the roster",
                            )
                        )
                        continue
                plan.append((row, person, email_for))
            if errors:
                raise RosterInvalid(errors)
            result = RosterResult()
            for row, person, email_for in plan:
                if email_for:
                    person.email, person.email_key = email_for, email_key(email_for)
                    result.emails_added += 1
                if person is None:
                    person = self.new_person(trainer_id, row.name, row.email)
                    s.add(person)
                    s.flush()
                    if row.email:
                        known[email_key(row.email)] = person  # the same e-mail twice is refused earlier
                    result.created += 1
                else:
                    result.matched += 1
                if group is not None and person.id not in member_ids:
                    s.add(models.GroupMember(group_id=group.id, person_id=person.id))
                    member_ids.add(person.id)
                    result.added += 1
                result.people.append(person.id)
            return result

    # ------------------------------------------------- live-room look-ups
    def known_by_link(self, trainer_id: int, link_key: str) -> KnownPerson | None:
        """The person of a personal link, if they are this trainer's."""
        with self.db.read() as s:
            row = s.execute(
                sa.select(models.Person.id, models.Person.name).where(
                    models.Person.link_key == link_key, _ours(models.Person.trainer_id, trainer_id)
                )
            ).first()
        return KnownPerson(*row) if row else None

    def known_member(self, trainer_id: int, group_id: int, person_id: int) -> KnownPerson | None:
        """The person, if they are a member of this trainer's group."""
        with self.db.read() as s:
            row = s.execute(
                sa.select(models.Person.id, models.Person.name)
                .join(models.GroupMember, models.GroupMember.person_id == models.Person.id)
                .join(models.Group, models.Group.id == models.GroupMember.group_id)
                .where(
                    models.Person.id == person_id,
                    _ours(models.Person.trainer_id, trainer_id),
                    models.Group.id == group_id,
                    _ours(models.Group.trainer_id, trainer_id),
                )
            ).first()
        return KnownPerson(*row) if row else None

    def known_by_email(self, trainer_id: int, address: str) -> KnownPerson | None:
        with self.db.read() as s:
            person = self.opt_in_match(s, trainer_id, address)
            return KnownPerson(person.id, person.name) if person else None

    def roster(self, trainer_id: int, group_id: int) -> list[KnownPerson]:
        """A group's members (id and name only), by name."""
        with self.db.read() as s:
            group = self._own_group(s, trainer_id, group_id)
            if group is None:
                return []
            return [KnownPerson(p.id, p.name) for p in self._members(s, group_id)]

    def groups_with(self, person_id: int) -> set[int]:
        with self.db.read() as s:
            return set(
                s.scalars(sa.select(models.GroupMember.group_id).where(models.GroupMember.person_id == person_id))
            )

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _own_person(s: so.Session, trainer_id: int, person_id: int) -> models.Person | None:
        person = s.get(models.Person, person_id)
        return person if person is not None and members.same_workspace(s, trainer_id, person.trainer_id) else None

    @staticmethod
    def _own_group(s: so.Session, trainer_id: int, group_id: int) -> models.Group | None:
        group = s.get(models.Group, group_id)
        return group if group is not None and members.same_workspace(s, trainer_id, group.trainer_id) else None

    @staticmethod
    def _members(s: so.Session, group_id: int) -> list[models.Person]:
        people = list(
            s.scalars(
                sa.select(models.Person)
                .join(models.GroupMember, models.GroupMember.person_id == models.Person.id)
                .where(models.GroupMember.group_id == group_id)
            )
        )
        people.sort(key=lambda p: (p.name.casefold(), p.id))
        return people

    @staticmethod
    def _groups_of(s: so.Session, trainer_id: int, person_id: int) -> list[models.Group]:
        groups = list(
            s.scalars(
                sa.select(models.Group)
                .join(models.GroupMember, models.GroupMember.group_id == models.Group.id)
                .where(models.GroupMember.person_id == person_id, _ours(models.Group.trainer_id, trainer_id))
            )
        )
        groups.sort(key=lambda g: (g.name.casefold(), g.id))
        return groups

    @staticmethod
    def _groups_by_person(s: so.Session, trainer_id: int) -> dict[int, list[models.Group]]:
        out: dict[int, list[models.Group]] = {}
        query = (
            sa.select(models.GroupMember.person_id, models.Group)
            .join(models.Group, models.Group.id == models.GroupMember.group_id)
            .where(_ours(models.Group.trainer_id, trainer_id))
        )
        for person_id, group in s.execute(query):
            out.setdefault(person_id, []).append(group)
        for groups in out.values():
            groups.sort(key=lambda g: (g.name.casefold(), g.id))
        return out

    @staticmethod
    def _check_email_free(s: so.Session, trainer_id: int, address: str) -> None:
        holder = s.scalar(
            sa.select(models.Person).where(
                _ours(models.Person.trainer_id, trainer_id), models.Person.email_key == email_key(address)
            )
        )
        if holder is not None:
            raise PeopleError("email", f"{holder.name} already has the e-mail {address}")

    def _check_name_free(self, s: so.Session, group: models.Group, name: str, ignore: int | None = None) -> None:
        key = name_key(name)
        for member in self._members(s, group.id):
            if member.id != ignore and name_key(member.name) == key:
                raise PeopleError(
                    "name",
                    f"{group.name} already has someone called “{member.name}”; make the names different "
                    "(add an initial, like “Ana L.”): phones pick their name from the roster",
                )

    @staticmethod
    def _group_name(name: object) -> str:
        try:
            return clean_line(name, max_length=GROUP_NAME_MAX, field="group name")
        except EngineError:
            raise PeopleError("name", f"give the group a name of 1 to {GROUP_NAME_MAX} characters") from None

    @staticmethod
    def _check_group_name_free(s: so.Session, trainer_id: int, name: str) -> None:
        for other in s.scalars(sa.select(models.Group.name).where(_ours(models.Group.trainer_id, trainer_id))):
            if name_key(other) == name_key(name):
                raise PeopleError("name", f"your workspace already has a group called “{other}”")


def _ours(column, trainer_id: int):
    """``column`` (a ``trainer_id``) is someone in ``trainer_id``'s workspace."""
    return column.in_(members.colleagues(trainer_id))


def _rows_of(s: so.Session, model, participant: models.Participant, *order_by) -> sa.ScalarResult:
    """What one participant stored in ``model`` (answers, submissions) in their room, in that order."""
    return s.scalars(
        sa.select(model)
        .where(model.room_id == participant.room_id, model.participant_number == participant.number)
        .order_by(*order_by)
    )


def _spec_text(specs: list, index: int) -> str | None:
    if 0 <= index < len(specs) and isinstance(specs[index], dict):
        spec = specs[index]
        return spec.get("text") or spec.get("prompt") or spec.get("title")
    return None


def _practice_answer(answer: models.PracticeAnswer, texts: dict) -> dict:
    return {
        "practice_id": answer.practice_id,
        "question_uid": answer.question_uid,
        "question_text": texts.get(answer.question_uid),
        "value": (answer.value or {}).get("v"),
        "correct": answer.correct,
        "points": answer.points,
        "response_ms": answer.response_ms,
        "time_limit_ms": answer.time_limit_ms,
        "answered_at": _iso(answer.answered_at),
    }


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def people_of(app) -> People:
    """The people service of an app (its database, clock and live rooms)."""
    return People(app.extensions["quizroom.db"], clock_of(app), app.extensions.get("quizroom.live"))
