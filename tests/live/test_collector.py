"""Full garbage collections wait for a quiet moment (quizroom/live/collector.py)."""

from __future__ import annotations

import gc
import weakref

import pytest

from quizroom.live.collector import Collector


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds():
    return Clock()


@pytest.fixture(autouse=True)
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_an_opening_freezes_what_exists(seconds):
    collector = Collector(clock=seconds)
    kept = {"alive": []}  # a container of containers: tracked by the collector
    assert any(x is kept for x in gc.get_objects())
    collector.opening()
    assert gc.get_freeze_count() > 0
    assert not any(x is kept for x in gc.get_objects())  # out of the collector's sight


def test_nothing_is_collected_while_busy_or_before_the_interval(seconds):
    collector = Collector(settle=3, interval=60, longest=900, clock=seconds)
    collector.opening()
    seconds.now += 100
    assert not collector.tick(busy=True)  # a question is open
    seconds.now += 2
    assert not collector.tick(busy=False)  # closed, but the reveal may still be going out
    assert gc.get_freeze_count() > 0
    seconds.now += 1
    assert collector.tick(busy=False)  # settled, and 103 s since the last collection
    assert gc.get_freeze_count() == 0
    assert collector.full_collections == 1
    assert not collector.tick(busy=False)  # nothing frozen since


def test_a_quiet_moment_soon_after_a_collection_waits_for_the_interval(seconds):
    collector = Collector(settle=3, interval=60, longest=900, clock=seconds)
    seconds.now += 30
    collector.opening()
    seconds.now += 10
    assert not collector.tick(busy=False)  # quiet, but only 40 s since the last collection
    seconds.now += 20
    assert collector.tick(busy=False)


def test_a_process_never_quiet_still_collects_after_the_longest_wait(seconds):
    collector = Collector(settle=3, interval=60, longest=900, clock=seconds)
    collector.opening()
    for _ in range(89):
        seconds.now += 10
        assert not collector.tick(busy=True)
        collector.opening()  # question after question
    seconds.now += 10
    assert collector.tick(busy=True)
    assert gc.get_freeze_count() == 0


def test_cycles_made_while_frozen_are_freed_once_collected(seconds):
    collector = Collector(settle=0, interval=0, clock=seconds)

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    collector.opening()
    alive = gc.get_objects()
    assert not any(x is a for x in alive)  # frozen: out of the collector's sight
    freed = []
    probe = weakref.ref(a, lambda _ref: freed.append(True))
    del a, b
    seconds.now += 1
    assert collector.tick(busy=False)
    assert freed and probe() is None


def test_disabled_does_nothing(seconds):
    collector = Collector(enabled=False, clock=seconds)
    collector.opening()
    assert gc.get_freeze_count() == 0
    seconds.now += 10_000
    assert not collector.tick(busy=False)


class Recorder:
    def __init__(self):
        self.openings = 0
        self.ticks: list[bool] = []

    def opening(self):
        self.openings += 1

    def tick(self, busy):
        self.ticks.append(busy)
        return False


def test_the_service_freezes_once_per_question_and_tells_the_ticker_when_busy(stage):
    recorder = Recorder()
    stage.live.collector = recorder
    ana, bo = stage.phone("Ana"), stage.phone("Bo")
    stage.tick()
    assert recorder.openings == 0 and recorder.ticks[-1] is False  # lobby
    stage.do("host:start")
    assert recorder.openings == 1
    assert ana.answer(0)["ok"]
    stage.tick()
    assert recorder.openings == 1 and recorder.ticks[-1] is True  # answers do not freeze again
    assert bo.answer(0)["ok"]  # the last answer closes the question: the reveal
    stage.tick()
    assert recorder.ticks[-1] is False
    stage.do("host:next")  # leaderboard
    stage.do("host:next")  # question 2
    assert recorder.openings == 2
