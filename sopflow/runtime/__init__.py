"""Sessions: the step kernel, the host-driven session around it, its clock, journal, snapshots and replay."""

from sopflow.runtime.clock import Clock, ManualClock, SystemClock
from sopflow.runtime.config import Check, Configuration, Fire, Frame, Move, Tick
from sopflow.runtime.journal import Entry
from sopflow.runtime.rehearsal import pass_time
from sopflow.runtime.replay import replay
from sopflow.runtime.session import Listener, Session
from sopflow.runtime.step import ChecklistView, EventOption, PromiseInfo, RuleView, Step, TimerInfo

__all__ = [
    "Check",
    "ChecklistView",
    "Clock",
    "Configuration",
    "Entry",
    "EventOption",
    "Fire",
    "Frame",
    "Listener",
    "ManualClock",
    "Move",
    "PromiseInfo",
    "RuleView",
    "Session",
    "Step",
    "SystemClock",
    "Tick",
    "TimerInfo",
    "pass_time",
    "replay",
]
