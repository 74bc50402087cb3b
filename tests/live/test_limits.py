"""Join floods and room-code guessing: per-IP and per-room join rates, the participant cap,
failed code look-ups (docs/protocol.md, *Limits*)."""

from __future__ import annotations

import pytest

from quizroom.live.limits import RateLimiter
from tests.live.conftest import Phone


@pytest.fixture
def limited(app):
    """Small limits, and the client IP from X-Forwarded-For (one trusted proxy)."""
    app.config.update(
        JOIN_RATE_PER_IP=3, JOIN_RATE_PER_ROOM=5, MAX_PARTICIPANTS=4, CODE_LOOKUPS_PER_IP=3, TRUST_PROXY=1
    )
    return app


def phone_at(stage, ip: str) -> Phone:
    phone = Phone(stage.app, stage.code, stage)
    phone.sio.disconnect()
    phone.sio = stage.app.extensions["socketio"].test_client(stage.app, headers={"X-Forwarded-For": ip})
    stage.phones.append(phone)
    return phone


def error(ack: dict) -> str | None:
    return None if ack.get("ok") else ack["error"]["code"]


def test_per_ip_join_rate(limited, stage):
    limited.config["MAX_PARTICIPANTS"] = 0
    joined = [phone_at(stage, "10.0.0.1") for _ in range(3)]
    for i, phone in enumerate(joined):
        assert phone.join(f"P{i}")["ok"]
    before = stage.dump()
    refused = phone_at(stage, "10.0.0.1").join("Extra")
    assert error(refused) == "rate_limited" and "wait" in refused["error"]["message"]
    assert stage.dump() == before  # nothing stored, nobody added
    assert len(stage.engine.participants) == 3
    # a resume by token is never refused
    joined[0].disconnect()
    again = phone_at(stage, "10.0.0.1").join(token=joined[0].token)
    assert again["ok"] and again["resumed"] is True
    # a retried join with the same proposed token resumes too
    assert phone_at(stage, "10.0.0.1").join("P1", token=joined[1].token)["resumed"] is True
    # another address is fine
    assert phone_at(stage, "10.0.0.2").join("Other")["ok"]
    # after the minute, the first address may join again
    stage.clock.advance(60)
    assert phone_at(stage, "10.0.0.1").join("Later")["ok"]


def test_refused_attempts_spend_nothing(limited, stage):
    assert phone_at(stage, "10.0.0.1").join("Ana")["ok"]
    for _ in range(5):  # a taken nickname or a bad one does not use up the address's joins
        assert error(phone_at(stage, "10.0.0.1").join("ana")) == "nickname_taken"
        assert error(phone_at(stage, "10.0.0.1").join("")) == "bad_nickname"
    assert phone_at(stage, "10.0.0.1").join("Bo")["ok"]
    assert phone_at(stage, "10.0.0.1").join("Cy")["ok"]
    assert error(phone_at(stage, "10.0.0.1").join("Di")) == "rate_limited"


def test_per_room_join_rate(limited, open_room):
    limited.config["MAX_PARTICIPANTS"] = 0  # no cap: only the rate
    stage, other = open_room(), open_room()
    for i in range(5):
        assert phone_at(stage, f"10.0.1.{i}").join(f"P{i}")["ok"]
    before = stage.dump()
    assert error(phone_at(stage, "10.0.1.99").join("Late")) == "rate_limited"
    assert stage.dump() == before
    assert phone_at(other, "10.0.1.99").join("Late")["ok"]  # another room is not affected
    stage.clock.advance(60)
    assert phone_at(stage, "10.0.1.99").join("Late")["ok"]


def test_participant_cap(limited, stage):
    limited.config["JOIN_RATE_PER_IP"] = 0
    phones = [phone_at(stage, "10.0.2.1") for _ in range(4)]
    for i, phone in enumerate(phones):
        assert phone.join(f"P{i}")["ok"]
    before = stage.dump()
    full = phone_at(stage, "10.0.2.2").join("Fifth")
    assert error(full) == "room_full"
    assert stage.dump() == before
    phones[1].disconnect()  # a disconnected participant still holds a seat ...
    assert error(phone_at(stage, "10.0.2.2").join("Fifth")) == "room_full"
    resumed = phone_at(stage, "10.0.2.1").join(token=phones[1].token)  # ... and may come back
    assert resumed["ok"] and resumed["resumed"]
    stage.do("host:remove", {"participant": phones[2].id})  # a removed one frees the seat
    assert phone_at(stage, "10.0.2.2").join("Fifth")["ok"]


def test_unknown_codes_are_limited_per_ip(limited, stage):
    guesser = phone_at(stage, "10.0.3.1")
    for code in ("000001", "000002", "000003"):
        assert error(guesser.join("Eve", code=code)) == "room_not_found"
    refused = guesser.join("Eve", code="000004")
    assert error(refused) == "too_many_guesses"
    # once over, the real code is refused the same way (the answer reveals nothing) ...
    before = stage.dump()
    assert error(guesser.join("Eve")) == "too_many_guesses"
    assert stage.dump() == before
    # ... except a resume with a token of that room
    ana = phone_at(stage, "10.0.3.2")
    assert ana.join("Ana")["ok"]
    assert phone_at(stage, "10.0.3.1").join(token=ana.token)["resumed"] is True
    # another address may still look codes up; bad-format codes are not look-ups
    assert error(phone_at(stage, "10.0.3.3").join("Bo", code="000005")) == "room_not_found"
    assert error(guesser.join("Eve", code="12")) == "bad_code"
    stage.clock.advance(60)
    assert guesser.join("Eve")["ok"]


def test_known_codes_never_count_as_failures(limited, stage):
    limited.config.update(JOIN_RATE_PER_IP=0, MAX_PARTICIPANTS=0, JOIN_RATE_PER_ROOM=0)
    for i in range(10):
        assert phone_at(stage, "10.0.4.1").join(f"P{i}")["ok"]
        assert error(phone_at(stage, "10.0.4.1").join(f"p{i}")) == "nickname_taken"
    for code in ("000001", "000002", "000003"):
        assert error(phone_at(stage, "10.0.4.1").join("X", code=code)) == "room_not_found"


def test_proxy_header_ignored_unless_trusted(app, stage):
    app.config.update(CODE_LOOKUPS_PER_IP=1, TRUST_PROXY=0)
    assert error(phone_at(stage, "10.0.5.1").join("X", code="000001")) == "room_not_found"
    # a different X-Forwarded-For does not make a new address: the peer address is over its budget
    assert error(phone_at(stage, "10.0.5.2").join("X", code="000002")) == "too_many_guesses"


def test_forwarded_for_uses_the_trusted_proxys_entry(limited, stage):
    limited.config["CODE_LOOKUPS_PER_IP"] = 1
    # the client prepends spoofed addresses; the proxy appends the real one (10.0.6.1)
    assert error(phone_at(stage, "1.1.1.1, 10.0.6.1").join("X", code="000001")) == "room_not_found"
    assert error(phone_at(stage, "2.2.2.2, 10.0.6.1").join("X", code="000002")) == "too_many_guesses"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_rate_limiter_refills_and_stays_small():
    clock = Clock()
    limiter = RateLimiter(3, 60, clock, max_keys=50)
    assert [limiter.take("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.blocked("a") and limiter.retry_after("a") == 20
    clock.now += 20
    assert limiter.take("a") and not limiter.take("a")
    limiter.refund("a")
    assert limiter.take("a")
    for i in range(5000):
        limiter.take(f"ip{i}")
    assert len(limiter) <= 1024  # full buckets are swept ...
    clock.now += 60
    for i in range(3000):
        limiter.take(f"new{i}")
        clock.now += 0.001
    assert len(limiter) <= 2048
    off = RateLimiter(0, 60, clock)
    assert all(off.take("x") for _ in range(100)) and not off.blocked("x")
