"""Sessions are freed by reference counting alone: a host with many sessions never waits on the cycle collector."""

from __future__ import annotations

import gc

import sopflow
from tests.conftest import drive_to_owner_call


def test_dropped_sessions_leave_nothing_for_the_collector(library: sopflow.Library) -> None:
    """Started, driven through a call and a timer, snapshotted, restored and dropped: no cycles remain."""
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            session = library.start("test.release", clock=clock, role="front_desk", data={"unit": "3-1201"})
            drive_to_owner_call(session)
            clock.advance("6 minutes")
            session.advance()
            session.step("zh-Hant")
            again = library.restore(session.snapshot(), clock)
            del session, again
        found = gc.collect()
    finally:
        gc.enable()
    assert 0 == found
