"""Snapshots are versioned and untrusted: old formats upgrade, anything the engine could not make is refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import sopflow
from sopflow.errors import ReplayMismatch, SnapshotError
from sopflow.runtime.snapshot import FORMAT, UPGRADES
from tests.conftest import drive_to_owner_call

FORMAT_1 = json.loads((Path(__file__).parent / "data" / "format1_in_owner_call.json").read_text(encoding="utf-8"))


def test_every_older_format_has_an_upgrade() -> None:
    """The registry reaches the current format from format 1, one step at a time."""
    assert list(range(1, FORMAT)) == sorted(UPGRADES)


def test_a_format_1_snapshot_restores_and_goes_on(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """A snapshot written before format 2, inside the owner call, restores there and can finish."""
    session = library.restore(FORMAT_1, clock)
    assert (("call_owner", "ask"), 7, 7) == (session.path, session.seq, len(session.journal))
    session.fire("owner_answers", role="front_desk", data={"consent": True})
    assert ("sign",) == session.path


def test_a_format_1_journal_replays(library: sopflow.Library) -> None:
    """Its journal, upgraded, replays to the same place."""
    assert ("call_owner", "ask") == library.replay(FORMAT_1["journal"]).path


def live(library: sopflow.Library, clock: sopflow.ManualClock) -> dict[str, Any]:
    session = library.start("test.release", clock=clock, role="front_desk", data={"unit": "3-1201"}, lang="en")
    drive_to_owner_call(session)
    return session.snapshot()


def tampered(snapshot: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(snapshot)
    *parents, last = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is DELETE:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


DELETE = object()
TAMPERING = [
    ("format", 1.9, "format: unknown snapshot format"),
    ("format", 4, "format: unknown snapshot format"),
    ("strict", "false", "strict: Input should be a valid boolean"),
    ("frames.0.data", [], "frames.0.data: Input should be a valid dictionary"),
    ("frames.0.deadlines", None, "frames.0.deadlines: Input should be a valid dictionary"),
    ("frames.1.deadlines", {"timer:nope": "2026-03-02T09:00:00+08:00"}, "state 'ask' has no timer 'timer:nope'"),
    ("frames.0.state", "nowhere", "frames.0.state: 'test.release' v1 has no such state"),
    ("frames.1.outcome", "completed", "frames.1.outcome: state 'ask' is not final"),
    ("frames.1.call", "state:elsewhere", "frames.1.call: state 'call_owner' makes no such call"),
    ("frames.1", DELETE, "frames.0: state 'call_owner' is calling a procedure that is missing"),
    ("frames.0.data.unit", 12, "frames.0.data.unit: not a str"),
    ("journal.3.kind", "teleport", "journal.3.kind: Input should be"),
    ("seq", 99, "seq: the journal ends at entry"),
    ("frames.0.version", True, "frames.0.version: Input should be a valid integer"),
    # a journal holds what the session's door lets in, and nothing a later snapshot or store could not write
    ("journal.1.data.extra", json.loads("[" * 9 + "]" * 9), "journal.1.data.extra: lists nest more than 8 deep"),
    ("journal.1.changes.extra", "a\0b", "journal.1.changes.extra: the text holds a NUL character"),
    ("journal.1.data.extra", float("nan"), "journal.1.data.extra: a number must be finite"),
    ("journal.1.data.extra", {"a": 1}, "journal.1.data.extra: expected a JSON value (text, number, true/false, list)"),
]


@pytest.mark.parametrize(("path", "value", "message"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_a_tampered_snapshot_is_refused_at_its_path(
    library: sopflow.Library, clock: sopflow.ManualClock, path: str, value: Any, message: str
) -> None:
    """Each change the engine could not have made is a SnapshotError that says where."""
    with pytest.raises(SnapshotError) as caught:
        library.restore(tampered(live(library, clock), path, value), clock)
    assert message in caught.value.message


def test_a_journal_value_nested_past_any_stack_is_refused_not_a_crash(
    library: sopflow.Library, clock: sopflow.ManualClock
) -> None:
    """Restored, it would have broken every later snapshot and store write with a RecursionError."""
    snapshot = live(library, clock)
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    snapshot["journal"][1]["data"] = {"extra": deep}
    with pytest.raises(SnapshotError, match=r"journal\.1\.data\.extra: lists nest more than 8 deep"):
        library.restore(snapshot, clock)


@pytest.mark.parametrize("raw", [[], None, "snapshot", 3])
def test_a_snapshot_that_is_not_an_object_is_refused(
    library: sopflow.Library, clock: sopflow.ManualClock, raw: Any
) -> None:
    """Not even a JSON object: a SnapshotError, not an AttributeError."""
    with pytest.raises(SnapshotError, match="snapshot: expected a JSON object"):
        library.restore(raw, clock)


def test_a_private_value_never_appears_in_a_snapshot_error(clock: sopflow.ManualClock) -> None:
    """A private field of the wrong type is named, its value is not quoted."""
    library = sopflow.load_library()
    session = library.start(
        "business.release_tenant", clock=clock, role="front_desk", data={"estate_name": "Harbour View"}
    )
    snapshot = session.snapshot()
    snapshot["frames"][0]["data"]["owner_phone_on_record"] = ["+852 9876 5432"]
    with pytest.raises(SnapshotError) as caught:
        library.restore(snapshot, clock)
    assert ("owner_phone_on_record" in str(caught.value), "9876" in str(caught.value)) == (True, False)


def test_a_journal_that_does_not_replay_is_a_mismatch(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """An entry changed after the fact is found by replay, at its position."""
    journal = live(library, clock)["journal"]
    journal[2]["target"] = "check_fees_elsewhere"
    with pytest.raises(ReplayMismatch, match=r"journal\.2: the recorded 'fire' entry differs .* in target"):
        library.replay(journal)


@pytest.mark.parametrize(
    ("journal", "message"),
    [
        (None, "journal: expected a list of entries, found NoneType"),
        ("journal", "journal: expected a list of entries, found str"),
        ([3], "journal.0: Input should be a valid dictionary"),
        ([{"kind": "start"}], "journal.0.seq: Field required (and 3 more problems)"),
        ([{"seq": 1, "at": "soon", "kind": "start", "procedure": "p", "depth": 0}], "journal.0.at: not an ISO date"),
        (
            [
                {
                    "seq": 1,
                    "at": "2026-03-02T09:00:00+08:00",
                    "kind": "start",
                    "procedure": "nowhere",
                    "version": 1,
                    "depth": 0,
                    "meta": {"session": "s", "lang": "en", "strict": False},
                }
            ],
            "journal.0.procedure: no procedure 'nowhere' in the library",
        ),
    ],
)
def test_a_journal_that_is_no_journal_is_refused_at_its_entry(
    library: sopflow.Library, journal: Any, message: str
) -> None:
    """Replay takes a host's stored rows: what is not an entry is a SnapshotError there, not a KeyError."""
    with pytest.raises(SnapshotError) as caught:
        library.replay(journal)
    assert caught.value.message.startswith(message)
