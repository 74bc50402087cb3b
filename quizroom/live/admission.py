"""Who may come in: "approve joiners" and participants the host removed.

With approve joiners on (a room setting), a new phone's join is parked here and the
stage lists it; the host admits or refuses each. A participant the host removed cannot
slip back in under a new nickname: a join carrying their old token, or coming from the
same browser (the device id kept in the phone's session cookie), is parked for approval
even when approve joiners is off. Parked requests live only in this process and vanish
with the phone's connection; nothing is stored until the host admits one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .payloads import PersonRef

REASONS = {
    "approval": "asks to join",
    "removed": "was removed earlier and asks to join again",
}


@dataclass
class JoinRequest:
    id: int
    sid: str
    name: str  # what the host sees: the nickname, or the person's name
    nickname: object
    token: str | None
    person: PersonRef | None
    device: str | None
    reason: str  # a key of REASONS
    at: float

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "reason": self.reason, "note": REASONS[self.reason]}


@dataclass
class Admission:
    requests: dict[int, JoinRequest] = field(default_factory=dict)
    next_id: int = 1
    devices: dict[int, str] = field(default_factory=dict)  # participant id -> their browser's device id
    barred: set[str] = field(default_factory=set)  # device ids of removed participants

    def reason_to_wait(self, approve_joiners: bool, device: str | None, removed_token: bool) -> str | None:
        if removed_token or (device is not None and device in self.barred):
            return "removed"
        return "approval" if approve_joiners else None

    def park(self, **fields) -> JoinRequest:
        request = JoinRequest(id=self.next_id, **fields)
        self.next_id += 1
        self.requests[request.id] = request
        return request

    def take(self, request_id: int) -> JoinRequest | None:
        return self.requests.pop(request_id, None)

    def drop_sid(self, sid: str) -> bool:
        gone = [rid for rid, request in self.requests.items() if request.sid == sid]
        for rid in gone:
            del self.requests[rid]
        return bool(gone)

    def remember(self, pid: int, device: str | None) -> None:
        if device is not None:
            self.devices[pid] = device

    def bar(self, pid: int | None) -> None:
        device = self.devices.get(pid) if pid is not None else None
        if device is not None:
            self.barred.add(device)

    def view(self) -> list[dict]:
        return [request.public() for request in self.requests.values()]
