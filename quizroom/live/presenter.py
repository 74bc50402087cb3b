"""What only the presenter view gets (docs/cohosts.md): the presenter notes of the item on
screen and of the next one, and who has not answered the open question yet.

Sent to the socket room ``<code>/presenter`` (presenter views only: never the projected
stage, never a phone) in the ``host:attach`` ack and as ``presenter`` events, whenever
it changed after a transition, an answer or a (dis)connect.
"""

from __future__ import annotations

from ..engine import Phase, Room
from ..engine.plan import activity_label, activity_spec
from ..engine.questions import Question

WAITING_SHOWN = 200  # names listed; the rest are counted
# Emits after which the presenter view may have changed (a transition, answers, people).
TRIGGERS = {"state", "progress", "lobby"}


def _item(engine: Room, position: int) -> dict | None:
    if not 0 <= position < len(engine.activities):
        return None
    item = engine.activities[position]
    kind = "question" if isinstance(item, Question) else activity_spec(item)["kind"]
    return {
        "position": position,
        "kind": kind,
        "text": activity_label(item),
        "notes": item.notes if isinstance(item, Question) else "",
    }


def view(engine: Room) -> dict:
    """The presenter's extra view of the room as it is now."""
    current = _item(engine, engine.index) if engine.phase != Phase.LOBBY else None
    following = None if engine.phase == Phase.ENDED else _item(engine, engine.index + 1)
    waiting = None
    offline = 0
    if engine.phase == Phase.QUESTION:
        missing = [p for p in engine.active() if p.id not in engine.current]
        online = sorted((p for p in missing if p.connected), key=lambda p: (p.nickname.casefold(), p.id))
        offline = len(missing) - len(online)
        waiting = {
            "count": len(online),
            "offline": offline,
            "people": [{"id": p.id, "nickname": p.nickname} for p in online[:WAITING_SHOWN]],
        }
    return {
        "position": engine.index,
        "phase": str(engine.phase),
        "current": current,
        "next": following,
        "waiting": waiting,
    }
