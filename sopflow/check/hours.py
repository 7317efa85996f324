"""Working time needs opening hours to count in, and the deployment's calendar must have them.

A procedure names its hours ("letters_and_visits"); the calendar a host loads the library
with defines them. Checked when the library loads, so a missing name is a located error
there, not a surprise on the day a letter arrives.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator

from sopflow.check.resolve import Origin, Resolved, finding
from sopflow.diagnostics import Diagnostic
from sopflow.model import Promise, TimeOfDay, Timer


def check_hours(procedures: dict[tuple[str, int], Resolved], known: Collection[str]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for r in procedures.values():
        default = r.spec.hours
        proc = (r.doc, ("procedure",))
        if default is not None and default not in known:
            problems.append(_unknown(default, known, proc, "hours"))
        for origin, sub, thing in _clocked(r):
            named = thing.hours
            if named is not None and named not in known:
                problems.append(_unknown(named, known, origin, *sub, "hours"))
            if named is None and default is None and _needs_hours(thing):
                message = "working time and working days are counted in opening hours: name them with 'hours:'"
                problems.append(finding("error", "hours", message, origin, *sub))
    return problems


def _clocked(r: Resolved) -> Iterator[tuple[Origin, tuple[str | int, ...], Timer | Promise]]:
    for sname, state in r.states.items():
        for tname, timer in state.timers.items():
            yield r.where("state", sname), ("timers", tname), timer
    for pname, promise in r.spec.promises.items():
        yield (r.doc, ("procedure", "promises")), (pname,), promise


def _needs_hours(thing: Timer | Promise) -> bool:
    wait = thing.within if isinstance(thing, Promise) else thing.after
    if wait is not None:
        return wait.working
    moment = thing.by if isinstance(thing, Promise) else thing.at
    return isinstance(moment, TimeOfDay) and moment.day in ("working_day", "next_working_day")


def _unknown(name: str, known: Collection[str], origin: Origin, *sub: str | int) -> Diagnostic:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"it has: {', '.join(sorted(known)) or 'none'}"
    return finding("error", "unknown-hours", f"the calendar has no hours '{name}'; {hint}", origin, *sub)
