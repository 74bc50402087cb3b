"""Group commit: callers share transactions, and each returns only once its rows are written."""

from __future__ import annotations

import threading

import pytest

from quizroom.group_commit import GroupCommit, NotWritten


class Recorder:
    """A write function that records its batches and can be held or made to fail."""

    def __init__(self):
        self.batches: list[list] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.fail_on: set = set()

    def __call__(self, items):
        self.entered.set()
        self.release.wait(10)
        if self.fail_on & set(items):
            raise RuntimeError(f"cannot write {sorted(self.fail_on & set(items))}")
        self.batches.append(list(items))


def run_in_threads(commit: GroupCommit, items) -> tuple[list[threading.Thread], dict]:
    errors: dict = {}

    def one(item):
        try:
            commit.submit(item)
        except Exception as error:  # noqa: BLE001 - recorded for the assertions
            errors[item] = error

    threads = [threading.Thread(target=one, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    return threads, errors


def wait_for(condition, what: str) -> None:
    """Waits for another thread's state (not for time): bounded, fails loudly."""
    done = threading.Event()
    for _ in range(10_000):
        if condition():
            return
        done.wait(0.001)
    pytest.fail(f"timed out waiting for {what}")


def test_one_item_is_written_before_submit_returns():
    write = Recorder()
    commit = GroupCommit(write, window=0)
    commit.submit("a")
    assert write.batches == [["a"]]
    assert (commit.batches, commit.items) == (1, 1)


def test_items_queued_while_a_write_runs_share_the_next_transaction():
    write = Recorder()
    write.release.clear()
    commit = GroupCommit(write, window=0)
    first, _ = run_in_threads(commit, ["first"])
    assert write.entered.wait(5)
    later, errors = run_in_threads(commit, ["b", "c", "d", "e"])
    wait_for(lambda: len(commit._queue) == 4, "four queued items")
    assert write.batches == []  # nothing acknowledged yet: the first write is still running
    write.release.set()
    for thread in first + later:
        thread.join(5)
    assert errors == {}
    assert write.batches[0] == ["first"]
    assert sorted(write.batches[1]) == ["b", "c", "d", "e"]
    assert (commit.batches, commit.items) == (2, 5)


def test_the_window_gathers_items_that_arrive_while_the_leader_waits():
    write = Recorder()
    gate = threading.Event()
    commit = GroupCommit(write, window=1, sleep=lambda _seconds: gate.wait(5))
    leader, _ = run_in_threads(commit, ["lead"])
    wait_for(lambda: commit._leading, "a leader")
    followers, errors = run_in_threads(commit, ["x", "y"])
    wait_for(lambda: len(commit._queue) == 3, "two followers queued")
    gate.set()
    for thread in leader + followers:
        thread.join(5)
    assert errors == {}
    assert [sorted(batch) for batch in write.batches] == [["lead", "x", "y"]]


def test_a_bad_item_fails_alone_and_the_others_are_written():
    write = Recorder()
    write.release.clear()
    write.fail_on = {"bad"}
    commit = GroupCommit(write, window=0)
    first, _ = run_in_threads(commit, ["first"])
    assert write.entered.wait(5)
    later, errors = run_in_threads(commit, ["ok1", "bad", "ok2"])
    wait_for(lambda: len(commit._queue) == 3, "three queued items")
    write.release.set()
    for thread in first + later:
        thread.join(5)
    assert set(errors) == {"bad"}
    assert "cannot write ['bad']" in str(errors["bad"])
    written = sorted(item for batch in write.batches for item in batch)
    assert written == ["first", "ok1", "ok2"]


def test_a_failed_write_raises_to_its_caller():
    write = Recorder()
    write.fail_on = {"a"}
    commit = GroupCommit(write, window=0)
    with pytest.raises(RuntimeError, match="cannot write"):
        commit.submit("a")
    commit.submit("b")  # the lead was handed back: the next caller writes
    assert write.batches == [["b"]]


def test_a_leader_stopped_mid_write_acknowledges_nobody():
    class Stop(BaseException):
        pass

    gate = threading.Event()
    calls = []

    def write(items):
        calls.append(list(items))
        if len(calls) == 1:
            gate.wait(5)
            raise Stop

    commit = GroupCommit(write, window=1, sleep=lambda _s: gate.wait(5))
    outcome: dict = {}

    def lead():
        try:
            commit.submit("lead")
        except Stop:
            outcome["lead"] = "stopped"

    leader = threading.Thread(target=lead)
    leader.start()
    wait_for(lambda: commit._leading, "a leader")
    followers, errors = run_in_threads(commit, ["f"])
    wait_for(lambda: len(commit._queue) == 2, "a follower queued")
    gate.set()
    for thread in [leader, *followers]:
        thread.join(5)
    assert outcome == {"lead": "stopped"}
    assert isinstance(errors["f"], NotWritten)
    assert commit.items == 0
