"""Whatever a host passes wrongly through the public API, it gets a SopflowError that says what was meant."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import sopflow
from sopflow.errors import ClockError, InvalidEventData, RuntimeRefusal, SnapshotError, UsageError


def test_a_string_where_a_clock_is_expected(library: sopflow.Library) -> None:
    """start() checks its clock before asking it the time."""
    with pytest.raises(UsageError, match="'clock' must have a now\\(\\) method"):
        library.start("test.release", clock="2026-03-02T09:00", role="front_desk")  # type: ignore[arg-type]


def test_a_misspelt_start_option(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """An unknown keyword is a UsageError with a did-you-mean, not a TypeError."""
    options: dict[str, Any] = {"lnag": "en"}
    with pytest.raises(UsageError, match="start\\(\\) has no option 'lnag'; did you mean 'lang'\\?"):
        library.start("test.release", clock=clock, role="front_desk", **options)


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("lang", ["en"], "'lang' must be text, found list"),
        ("session_id", 42, "'session_id' must be text, found int"),
        ("actor", {"name": "Li"}, "'actor' must be text, found dict"),
        ("strict", "yes", "'strict' must be true or false, found str"),
    ],
)
def test_a_start_option_of_the_wrong_kind(
    library: sopflow.Library, clock: sopflow.ManualClock, option: str, value: Any, words: str
) -> None:
    """Refused before anything starts: a store would otherwise fail to write the session afterwards."""
    options: dict[str, Any] = {option: value}
    with pytest.raises(UsageError, match=words):
        library.start("test.release", clock=clock, role="front_desk", **options)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda lib, s: lib.restore(s.snapshot(), s.clock, listeners=print), "'listeners' must be a list of callables"),
        (lambda lib, s: lib.restore(s.snapshot(), s.clock, listeners=[None]), "a listener must be callable"),
        (lambda lib, s: s.migrate("test.release"), "migrate\\(\\) takes a compiled procedure"),
        (lambda lib, s: lib.redact(s.snapshot()), "redact\\(\\) takes a journal entry, found dict"),
    ],
)
def test_listeners_procedures_and_entries_of_the_wrong_kind(
    library: sopflow.Library, release: sopflow.Session, call: Any, words: str
) -> None:
    with pytest.raises(UsageError, match=words):
        call(library, release)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: sopflow.load_library(123), "expected the path of a file or folder \\(text or a Path\\), found int"),
        (lambda: sopflow.load_library(None), "found NoneType"),
        (lambda: sopflow.load_library(b"procedures"), "found bytes"),
        (lambda: sopflow.load_library(calendar="Asia/Hong_Kong"), "calendar: expected a sopflow.calendar.Calendar"),
        (lambda: sopflow.load_string(b"sopflow: 1"), "load_string\\(\\) takes YAML text, found bytes"),
        (lambda: sopflow.load_string("sopflow: 1", source=3), "source: expected the text"),
        (lambda: sopflow.load_string("sopflow: 1", calendar={}), "calendar: expected"),
    ],
)
def test_loading_with_arguments_of_the_wrong_kind(call: Any, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        call()


def test_a_step_asked_in_a_language_that_is_not_text(release: sopflow.Session) -> None:
    with pytest.raises(UsageError, match="lang: expected a language code such as 'zh-Hant', found list"):
        release.step(["en"])  # type: ignore[arg-type]


@pytest.mark.parametrize("by", ["-3 minutes", "soon", -5, True])
def test_a_bad_duration_for_the_manual_clock(by: Any) -> None:
    """Negative, malformed or boolean durations are ClockErrors."""
    with pytest.raises(ClockError):
        sopflow.ManualClock().advance(by)


@pytest.mark.parametrize("now", ["2026-03-02T09:00:00+08:00", dt.datetime(2026, 3, 2, 9), 17])
def test_a_bad_time_for_advance(release: sopflow.Session, now: Any) -> None:
    """advance() takes an aware datetime; text, naive times and numbers are ClockErrors."""
    with pytest.raises(ClockError):
        release.advance(now)


def test_an_event_name_that_is_not_text(release: sopflow.Session) -> None:
    """A non-text event name is the host's mistake, not a refusal: nothing is journaled."""
    before = release.seq
    with pytest.raises(UsageError, match="'event' must be text, found int"):
        release.fire(7, role="front_desk")  # type: ignore[arg-type]
    assert before == release.seq


@pytest.mark.parametrize("data", ["abc", [("id_copy", "x")], {"id_copy": b"scan"}, {"id_copy": object()}])
def test_data_of_the_wrong_shape_is_a_journaled_refusal(release: sopflow.Session, data: Any) -> None:
    """Data that is not a mapping of JSON values is refused at the door, and the refusal is journaled."""
    with pytest.raises(InvalidEventData):
        release.fire("id_copied", role="front_desk", data=data)
    assert ("refused", "check_id") == (release.journal[-1].kind, release.state)


def test_usage_errors_are_not_refusals() -> None:
    """Refusals promise the session is unchanged; usage, clock and snapshot errors are their own branches."""
    assert (False, False, True) == (
        issubclass(ClockError, RuntimeRefusal),
        issubclass(SnapshotError, RuntimeRefusal),
        issubclass(ClockError, UsageError),
    )
