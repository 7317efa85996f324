"""The deployment's calendar: its time zone, its region's public holidays, its own closures, its hours.

Procedures count working time ("reply within 3 working days") and name moments ("the
next working day at 09:00"); what a working day is belongs to where the desk is, not to
the procedure. Public holidays come from the ``holidays`` package, which knows mainland
China's adjusted working weekends (Sunday 4 January 2026 is a working day) and Hong
Kong's holidays; the estate adds its own closures and names its opening hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sopflow.calendar.hours import Hours
from sopflow.errors import UsageError
from sopflow.model import TimeOfDay, Wait

if TYPE_CHECKING:
    import holidays

DEFAULT_HOURS: Mapping[str, str] = {
    "letters_and_visits": "Mon-Fri 08:00-16:00 except holidays",
    "service_desk": "every day 08:00-17:30",
    "repair_reception": "24h",
    "office": "Mon-Fri 08:30-17:30 except holidays",
}
"""The hours the source documents name, for a deployment that gives none of its own."""

KNOWN_REGIONS = frozenset({"CN", "HK"})
"""The regions the source documents work in; a test holds them to the holidays package's registry."""


def _known_region(region: str) -> bool:
    """Whether the holidays package knows ``region``, asking it only for a region not in the sources:
    importing it takes tens of milliseconds, paid at the first working-day question instead."""
    if region in KNOWN_REGIONS:
        return True
    from holidays.registry import EntityLoader

    return region in EntityLoader.get_country_codes()


_SEARCH_DAYS = 3660
"""Ten years: a calendar with no working day in that long is a mistake, not a long holiday."""


def _text(name: str, value: object, *, optional: bool = True) -> None:
    if not isinstance(value, str) and not (optional and value is None):
        allowed = "text or None" if optional else "text"
        raise UsageError(f"{name}: expected {allowed}, found {type(value).__name__}")


def _day(day: object) -> None:
    if not isinstance(day, dt.date):
        raise UsageError(f"expected a date (datetime.date), found {type(day).__name__}")


def _instant(at: object) -> None:
    """A moment the calendar counts from: a date and time with its zone (a naive one would be the machine's)."""
    if not isinstance(at, dt.datetime):
        raise UsageError(f"expected a date and time (datetime.datetime), found {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise UsageError(f"{at.isoformat()} has no time zone; the calendar counts moments with their zone")


def _closures(closures: Iterable[dt.date]) -> frozenset[dt.date]:
    """The estate's own closed days; a date and time counts as its day."""
    if isinstance(closures, (str, bytes, Mapping)) or not isinstance(closures, Iterable):
        raise UsageError(f"closures: expected dates, found {type(closures).__name__}")
    days = set()
    for day in closures:
        if not isinstance(day, dt.date):
            raise UsageError(f"closures: expected dates (datetime.date), found {type(day).__name__}")
        days.add(day.date() if isinstance(day, dt.datetime) else day)
    return frozenset(days)


class Calendar:
    """Working days and opening hours where the desk is; immutable once built."""

    def __init__(
        self,
        *,
        zone: str = "Asia/Shanghai",
        region: str | None = "CN",
        subdivision: str | None = None,
        closures: Iterable[dt.date] = (),
        hours: Mapping[str, str | Hours] | None = None,
    ) -> None:
        _text("zone", zone, optional=False)
        _text("region", region)
        _text("subdivision", subdivision)
        try:
            self.zone = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"unknown time zone '{zone}'; use an IANA name such as 'Asia/Hong_Kong'") from None
        self.region = region
        self.subdivision = subdivision
        if region is not None:
            # The registry names every region without importing one; building a region's
            # holidays imports the whole country table (tens of milliseconds), so that waits
            # for the first working-day question, unless a subdivision needs checking now.
            if not _known_region(region):
                raise UsageError(f"the holidays package knows no region '{region}' (try 'CN' or 'HK')")
            if subdivision is not None:
                import holidays

                try:
                    holidays.country_holidays(region, subdiv=subdivision)
                except NotImplementedError as exc:
                    raise UsageError(f"region '{region}': {exc}") from None
        self.closures = _closures(closures)
        given = DEFAULT_HOURS if hours is None else hours
        if not isinstance(given, Mapping):
            raise UsageError(f"hours: expected a mapping of name -> hours, found {type(given).__name__}")
        self.hours: dict[str, Hours] = {}
        for name, spec in given.items():
            if not isinstance(name, str) or not isinstance(spec, (str, Hours)):
                found = type(spec if isinstance(name, str) else name).__name__
                raise UsageError(f"hours: expected names and hours as text ('Mon-Fri 08:30-17:30'), found {found}")
            try:
                self.hours[name] = spec if isinstance(spec, Hours) else Hours.parse(name, spec)
            except ValueError as exc:
                raise UsageError(str(exc)) from None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Calendar:
        """A calendar from deployment data (a YAML or JSON document's mapping)."""
        if not isinstance(raw, Mapping):
            raise UsageError(f"a calendar is a mapping of zone, region, closures and hours, found {type(raw).__name__}")
        known = {"zone", "region", "subdivision", "closures", "hours"}
        unknown = sorted(map(str, set(raw) - known))
        if unknown:
            raise UsageError(f"a calendar has no key {', '.join(map(repr, unknown))}; keys: {', '.join(sorted(known))}")
        closures = raw.get("closures") or ()
        if isinstance(closures, (str, bytes, Mapping)) or not isinstance(closures, Iterable):
            raise UsageError(f"closures: expected a list of dates, found {type(closures).__name__}")
        days = []
        for day in closures:
            try:
                days.append(day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)))
            except ValueError:
                raise UsageError(f"closures: '{str(day)[:40]}' is not a date such as 2026-10-01") from None
        hours = raw.get("hours") or DEFAULT_HOURS
        if not isinstance(hours, Mapping):
            raise UsageError(f"hours: expected a mapping of name -> hours, found {type(hours).__name__}")
        return cls(
            zone=str(raw.get("zone", "Asia/Shanghai")),
            region=raw.get("region", "CN"),
            subdivision=raw.get("subdivision"),
            closures=days,
            hours={str(k): str(v) for k, v in hours.items()},
        )

    @cached_property
    def _holidays(self) -> holidays.HolidayBase | None:
        if self.region is None:
            return None
        import holidays

        return holidays.country_holidays(self.region, subdiv=self.subdivision)

    def __repr__(self) -> str:
        return f"<Calendar {self.zone.key} {self.region or 'no holidays'} hours: {', '.join(self.hours)}>"

    # -- days ------------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date, hours: str) -> bool:
        """Whether the named hours are open at all on ``day``.

        The estate's closures close what public holidays close: hours written "except
        holidays". A desk open every day of the year (001: 365 days) or a 24-hour repair line
        stays open through both, as the sources say it does.
        """
        _day(day)
        h = self._hours(hours)
        if not h.holidays:
            return day.weekday() in h.days
        if day in self.closures:
            return False
        region = self._holidays
        if region is None:
            return day.weekday() in h.days
        if day in region:
            return False
        if day.weekday() >= 5 and h.weekdays and region.is_working_day(day):
            return True  # an adjusted working weekend (CN: Sunday 4 January 2026)
        return day.weekday() in h.days

    def next_working_day(self, day: dt.date, hours: str) -> dt.date:
        """The first working day after ``day``."""
        _day(day)
        for offset in range(1, _SEARCH_DAYS):
            candidate = day + dt.timedelta(days=offset)
            if self.is_working_day(candidate, hours):
                return candidate
        raise UsageError(f"hours '{hours}' are never open in the ten years after {day}")

    # -- arithmetic ------------------------------------------------------------------------------

    def add(self, at: dt.datetime, wait: Wait, hours: str | None) -> dt.datetime:
        """The moment ``wait`` after ``at``: elapsed time, or working time counted in ``hours``."""
        _instant(at)
        if not isinstance(wait, Wait):
            raise UsageError(f"expected a Wait (parse_wait('3 working days')), found {type(wait).__name__}")
        if wait.unit == "seconds":
            return at + dt.timedelta(seconds=wait.amount)
        if hours is None:
            raise UsageError(f"'{wait}' needs opening hours to count in")
        local = at.astimezone(self.zone)
        if wait.unit == "working_days":
            # The end of the Nth working day after the day it starts: "within 3 working days".
            day = local.date()
            for _ in range(int(wait.amount)):
                day = self.next_working_day(day, hours)
            return self._closing(day, hours)
        return self._add_open_time(local, dt.timedelta(hours=wait.amount), hours)

    def moment(self, at: dt.datetime, when: TimeOfDay, hours: str | None) -> dt.datetime:
        """The next moment named by ``when`` that is not before ``at``."""
        _instant(at)
        if not isinstance(when, TimeOfDay):
            raise UsageError(
                f"expected a TimeOfDay (parse_moment('next working day 09:00')), found {type(when).__name__}"
            )
        local = at.astimezone(self.zone)
        day = local.date()
        if when.day == "today_or_next":
            assert when.time is not None
            candidate = self._on(day, when.time)
            return candidate if candidate >= local else self._on(day + dt.timedelta(days=1), when.time)
        if when.day == "next_day":
            assert when.time is not None
            return self._on(day + dt.timedelta(days=1), when.time)
        if hours is None:
            raise UsageError(f"'{when}' needs opening hours to know the working days")
        if when.day == "working_day":
            assert when.time is not None
            if self.is_working_day(day, hours) and self._on(day, when.time) >= local:
                return self._on(day, when.time)
            return self._on(self.next_working_day(day, hours), when.time)
        target = self.next_working_day(day, hours)
        return self._on(target, when.time or self._hours(hours).open)

    def until(self, at: dt.datetime, when: Wait | TimeOfDay, hours: str | None) -> dt.datetime:
        """Where "time passes" ends: ``when`` is a wait after ``at`` or the next such moment."""
        return self.add(at, when, hours) if isinstance(when, Wait) else self.moment(at, when, hours)

    def _on(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.zone)

    def _closing(self, day: dt.date, hours: str) -> dt.datetime:
        close = self._hours(hours).close
        if close is None:
            return self._on(day + dt.timedelta(days=1), dt.time(0, 0))
        return self._on(day, close)

    def _add_open_time(self, start: dt.datetime, needed: dt.timedelta, hours: str) -> dt.datetime:
        h = self._hours(hours)
        day, clock = start.date(), start
        for _ in range(_SEARCH_DAYS):
            if self.is_working_day(day, hours):
                opens = self._on(day, h.open)
                closes = self._closing(day, hours)
                begin = max(opens, clock)
                if begin < closes:
                    if begin + needed <= closes:
                        return begin + needed
                    needed -= closes - begin
            day += dt.timedelta(days=1)
            clock = self._on(day, dt.time(0, 0))
        raise UsageError(f"hours '{hours}' are not open long enough in the ten years after {start:%Y-%m-%d}")

    def _hours(self, name: str) -> Hours:
        try:
            return self.hours[name]
        except KeyError:
            raise UsageError(f"the calendar has no hours '{name}'; it has: {', '.join(self.hours) or 'none'}") from None
