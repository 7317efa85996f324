"""Sessions: the host-driven runtime, its clock, journal, snapshots and replay."""

from sopflow.runtime.clock import Clock, ManualClock, SystemClock
from sopflow.runtime.journal import Entry
from sopflow.runtime.replay import replay
from sopflow.runtime.session import Session
from sopflow.runtime.step import EventOption, Step, TimerInfo

__all__ = [
    "Clock",
    "Entry",
    "EventOption",
    "ManualClock",
    "Session",
    "Step",
    "SystemClock",
    "TimerInfo",
    "replay",
]
