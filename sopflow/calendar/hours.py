"""Named opening hours, written the way a notice on the door says them.

"Mon-Fri 08:00-16:00 except holidays"   letters-and-visits reception
"every day 08:00-17:30"                  the service desk, 365 days
"24h"                                    repair reception
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = "mon|tue|wed|thu|fri|sat|sun"
_SPEC = re.compile(
    rf"^(?:(?P<every>every day)|(?P<first>{_DAY})\w*(?:\s*-\s*(?P<last>{_DAY})\w*)?)"
    r"\s+(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})(?P<except>\s+except holidays)?$"
)
MIDNIGHT = dt.time(0, 0)


@dataclass(frozen=True)
class Hours:
    """When a service is open: the weekdays, the times, and whether public holidays close it."""

    name: str
    days: frozenset[int]
    """Weekdays open, 0 for Monday."""
    open: dt.time
    close: dt.time | None
    """``None`` for midnight at the end of the day (a 24-hour service)."""
    holidays: bool
    """Closed on public holidays, and open on the weekends a region makes working days."""

    @classmethod
    def parse(cls, name: str, text: str) -> Hours:
        words = " ".join(text.strip().lower().split())
        if words in ("24h", "24 h", "24 hours", "always"):
            return cls(name, frozenset(range(7)), MIDNIGHT, None, holidays=False)
        found = _SPEC.match(words)
        if found is None:
            raise ValueError(
                f"hours '{name}': expected e.g. 'Mon-Fri 08:00-16:00 except holidays', 'every day 08:00-17:30' "
                f"or '24h', found {text!r}"
            )
        if found["every"]:
            days = frozenset(range(7))
        else:
            first = _DAYS.index(found["first"])
            last = _DAYS.index(found["last"]) if found["last"] else first
            days = (
                frozenset(range(first, last + 1)) if first <= last else frozenset([*range(first, 7), *range(last + 1)])
            )
        opens, closes = (dt.time.fromisoformat(found[k].zfill(5)) for k in ("open", "close"))
        if closes <= opens:
            raise ValueError(f"hours '{name}': closing time {closes:%H:%M} is not after opening {opens:%H:%M}")
        return cls(name, days, opens, closes, holidays=bool(found["except"]))

    @property
    def weekdays(self) -> bool:
        """Open Monday to Friday at least: a region's adjusted working weekend opens it too."""
        return set(range(5)) <= self.days

    def __str__(self) -> str:
        if self.close is None:
            return "24h"
        days = (
            "every day" if len(self.days) == 7 else "-".join(_DAYS[d].title() for d in (min(self.days), max(self.days)))
        )
        suffix = " except holidays" if self.holidays else ""
        return f"{days} {self.open:%H:%M}-{self.close:%H:%M}{suffix}"
