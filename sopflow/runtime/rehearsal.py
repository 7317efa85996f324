"""Time passing on a training clock, one deadline at a time.

Rehearsals (the walk-through, scenario playback) jump the clock forward by hours or days;
if they jumped straight to the end, every timer would fire at once, stamped with the same
moment. Stopping at each deadline in turn gives the journal the times a real desk would
have seen, and each timer's entry the state its own firing led to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sopflow.errors import TimersRunaway
from sopflow.runtime import kernel
from sopflow.runtime.clock import ManualClock
from sopflow.runtime.config import Tick
from sopflow.runtime.journal import Entry
from sopflow.runtime.session import Session


def pass_time(session: Session, clock: ManualClock, until: dt.datetime) -> Iterator[tuple[Entry, ...]]:
    """Move ``clock`` to ``until``, yielding what each deadline on the way added to the journal.

    The last batch is what happened at ``until`` itself (often nothing). Raises
    :class:`~sopflow.errors.TimersRunaway` before anything happens when more timers fall due
    by ``until`` than one step fires (timers that go round with no one acting): stepping
    through them one deadline at a time would take as long as there are. The session, its
    journal and the clock are left as they were: a rehearsal asked to wait less.
    """
    probe = kernel.step(session.config, Tick(until), strict=session.strict)  # pure: nothing is committed
    if isinstance(probe.refusal, TimersRunaway):
        raise probe.refusal
    while True:
        due = [t.due for t in session.step().timers if t.due <= until]
        if not due:
            break
        clock.set(max(min(due), clock.now()))
        mark = len(session.journal)
        session.advance()
        if len(session.journal) == mark:
            break
        yield tuple(session.journal[mark:])
    clock.set(until)
    mark = len(session.journal)
    session.advance()
    yield tuple(session.journal[mark:])
