"""Listeners hear every entry once, after the step is committed; their failures undo nothing."""

from __future__ import annotations

import threading

import pytest

import sopflow
from sopflow.errors import EventNotAllowed, ListenerError, SessionBusy


def start(library: sopflow.Library, clock: sopflow.ManualClock, *listeners: sopflow.Listener) -> sopflow.Session:
    return library.start("test.release", clock=clock, role="front_desk", lang="en", listeners=listeners)


def test_listeners_hear_each_entry_once_in_journal_order(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """Every entry, the start entry included, reaches every listener once, in sequence order."""
    heard: list[tuple[str, int]] = []
    session = start(library, clock, lambda s, e: heard.append(("a", e.seq)), lambda s, e: heard.append(("b", e.seq)))
    session.fire("id_copied", role="front_desk", data={"id_copy": "scan-1"})
    with pytest.raises(EventNotAllowed):
        session.fire("signed", role="front_desk")
    expected = [(name, seq) for seq in range(1, session.seq + 1) for name in "ab"]
    assert expected == heard


def test_a_listener_sees_the_committed_session(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """While a listener runs, the session already is in the new state with the new entry counted."""
    seen: list[tuple[int, str, int]] = []
    session = start(library, clock, lambda s, e: seen.append((e.seq, s.state, s.seq)))
    session.fire("id_copied", role="front_desk", data={"id_copy": "scan-1"})
    session.fire("checked", role="front_desk")
    assert (3, "check_fees", 3) == seen[-1]


def test_a_failing_listener_leaves_the_step_committed(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """The step stands, later listeners still hear it, and the host gets one ListenerError."""
    heard: list[int] = []

    def broken(session: sopflow.Session, entry: sopflow.Entry) -> None:
        if entry.kind == "fire":
            raise OSError("disk full")

    session = start(library, clock, broken, lambda s, e: heard.append(e.seq))
    with pytest.raises(ListenerError) as caught:
        session.fire("id_copied", role="front_desk", data={"id_copy": "scan-1"})
    error = caught.value
    assert ([1, 2], 2, 1, None, OSError) == (
        heard,
        session.seq,
        len(error.failures),
        error.refusal,
        type(error.__cause__),
    )


def test_a_listener_failing_on_a_refusal_keeps_the_refusal(
    library: sopflow.Library, clock: sopflow.ManualClock
) -> None:
    """When the step was refused too, the ListenerError carries the refusal."""

    def broken(session: sopflow.Session, entry: sopflow.Entry) -> None:
        if entry.kind == "refused":
            raise RuntimeError("push failed")

    session = start(library, clock, broken)
    with pytest.raises(ListenerError) as caught:
        session.fire("signed", role="front_desk")
    assert (EventNotAllowed, "refused") == (type(caught.value.refusal), session.journal[-1].kind)


def test_a_listener_may_not_drive_its_session(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """Firing from inside a listener is refused as SessionBusy, reported through ListenerError."""

    def meddling(session: sopflow.Session, entry: sopflow.Entry) -> None:
        if entry.kind == "fire":
            session.fire("checked", role="front_desk")

    session = start(library, clock, meddling)
    with pytest.raises(ListenerError) as caught:
        session.fire("id_copied", role="front_desk", data={"id_copy": "scan-1"})
    assert (SessionBusy, "check_id") == (type(caught.value.failures[0][2]), session.state)


def test_two_threads_on_one_session_are_refused(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """While one thread is inside a step, a second one gets SessionBusy instead of a lost update."""
    inside, release = threading.Event(), threading.Event()

    def slow(session: sopflow.Session, entry: sopflow.Entry) -> None:
        if entry.kind == "fire":
            inside.set()
            release.wait(5)

    session = start(library, clock, slow)
    fire = {"role": "front_desk", "data": {"id_copy": "scan-1"}}
    worker = threading.Thread(target=session.fire, args=("id_copied",), kwargs=fire)
    worker.start()
    assert inside.wait(5)
    with pytest.raises(SessionBusy):
        session.fire("checked", role="front_desk")
    release.set()
    worker.join(5)
    assert (2, "check_id") == (session.seq, session.state)


def test_without_a_kept_journal_entries_only_reach_listeners(
    library: sopflow.Library, clock: sopflow.ManualClock
) -> None:
    """keep_journal=False keeps no entries in memory, yet numbering and listeners go on."""
    heard: list[int] = []
    session = library.start(
        "test.release", clock=clock, role="front_desk", keep_journal=False, listeners=[lambda s, e: heard.append(e.seq)]
    )
    session.fire("id_copied", role="front_desk", data={"id_copy": "scan-1"})
    assert ((), [1, 2], 2) == (tuple(session.journal), heard, session.snapshot(journal=False)["seq"])
