"""A deployment's calendar from junk: a UsageError that says what is wrong, or a calendar that answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopflow.calendar import Calendar
from sopflow.errors import UsageError
from sopflow.model import parse_wait

JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["CN", "HK", "Asia/Shanghai", "Mon-Fri 08:30-17:30", "24h", "2026-10-01"]),
    st.lists(st.one_of(st.text(max_size=10), st.dates()), max_size=3),
    st.dictionaries(st.text(max_size=6), st.one_of(st.text(max_size=16), st.integers()), max_size=2),
)
KEYS = st.sampled_from(["zone", "region", "subdivision", "closures", "hours"])


def _answers(calendar: Calendar) -> None:
    """A calendar that was built answers every question it is asked, for every hours it names."""
    start = dt.datetime(2026, 9, 30, 17, tzinfo=calendar.zone)
    assert start + dt.timedelta(minutes=30) == calendar.add(start, parse_wait("30 minutes"), None)
    refused = []
    for name in calendar.hours:
        calendar.is_working_day(dt.date(2026, 10, 1), name)
        try:
            calendar.next_working_day(dt.date(2026, 10, 1), name)
        except UsageError as exc:
            refused.append(str(exc))
    assert [r for r in refused if "never open" not in r] == []  # only hours open on no day of the week


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=st.dictionaries(KEYS, JUNK, max_size=5))
def test_a_calendar_built_from_anything_is_refused_or_answers(options: dict[str, Any]) -> None:
    try:
        calendar = Calendar(**options)
    except UsageError:
        return
    _answers(calendar)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(JUNK, st.dictionaries(st.one_of(KEYS, st.text(max_size=4)), JUNK, max_size=5)))
def test_a_calendar_from_any_deployment_data_is_refused_or_answers(raw: Any) -> None:
    try:
        calendar = Calendar.from_mapping(raw)
    except UsageError:
        return
    _answers(calendar)
