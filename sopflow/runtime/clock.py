"""Time comes from the host: a system clock in production, a manual one in tests and training.

Sessions never read the wall clock themselves, so the same inputs always give
the same journal, and a training walk-through can jump three minutes ahead.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

from sopflow.errors import ClockError
from sopflow.model import parse_duration


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()`` returning a timezone-aware datetime."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that only moves when told to, and never backwards."""

    def __init__(self, start: dt.datetime | str | None = None) -> None:
        if start is None:
            start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
        if isinstance(start, str):
            try:
                start = dt.datetime.fromisoformat(start)
            except ValueError:
                raise ClockError(
                    f"expected an ISO date and time such as 2026-03-02T09:00:00+08:00, found {start!r}"
                ) from None
        self._now = aware(start)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, by: float | str | dt.timedelta) -> dt.datetime:
        """Move forward by seconds, a duration such as ``"3 minutes"``, or a timedelta."""
        if isinstance(by, dt.timedelta):
            delta = by
        else:
            try:
                delta = dt.timedelta(seconds=parse_duration(by))
            except ValueError as exc:
                raise ClockError(str(exc)) from None
        if delta < dt.timedelta(0):
            raise ClockError(f"a clock cannot go backwards (asked to move by {delta})")
        try:
            self._now = aware(self._now + delta)
        except OverflowError:
            raise ClockError(f"moving by {delta} passes the last date a clock can show") from None
        return self._now

    def set(self, when: dt.datetime) -> dt.datetime:
        """Jump to ``when``; refused if it is earlier than now."""
        when = aware(when)
        if when < self._now:
            raise ClockError(f"a clock cannot go backwards (from {self._now.isoformat()} to {when.isoformat()})")
        self._now = when
        return self._now


def aware(when: dt.datetime) -> dt.datetime:
    """Refuse naive datetimes: a deadline without a time zone is ambiguous at a desk."""
    if not isinstance(when, dt.datetime):
        raise ClockError(f"expected a date and time, found {type(when).__name__}")
    if when.tzinfo is None:
        raise ClockError(f"expected a timezone-aware time, found {when.isoformat()} (add +08:00 or Z)")
    if when.year > LAST_YEAR:
        raise ClockError(f"a time after the year {LAST_YEAR} leaves no room for a hundred-year wait, found {when.year}")
    return when


LAST_YEAR = 9800
"""The latest year a clock may show: a wait of up to a hundred years (and working days counted
on from there) must still fit in a Python date, which ends with the year 9999."""
