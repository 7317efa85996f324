"""Tampered snapshots: a SnapshotError naming a path, or a session the engine could have produced."""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sopflow
from sopflow.analysis.conformance import LogError, check_journals
from sopflow.errors import RuntimeRefusal, SnapshotError
from tests.conftest import FIXTURES, drive_to_owner_call
from tests.fuzz.junk import paths

LIBRARY = sopflow.load_library(FIXTURES)
PATH = re.compile(r"^(snapshot|format|id|lang|strict|seq|frames|journal)(\.\S+?)*: ")
CLOCK = sopflow.ManualClock("2026-03-02T09:00:00+08:00")


def snapshots() -> list[dict[str, Any]]:
    """Real snapshots at several points: at the start, inside the owner call, finished, with timers."""
    out = []
    session = LIBRARY.start("test.release", clock=CLOCK, role="front_desk", data={"unit": "3-1201"}, lang="en")
    out.append(session.snapshot())
    drive_to_owner_call(session)
    out.append(session.snapshot())
    session.fire("owner_answers", role="front_desk", data={"consent": True})
    out.append(session.snapshot())
    inquiry = LIBRARY.start("test.inquiry", clock=CLOCK, role=sorted(LIBRARY["test.inquiry"].roles)[0])
    out.append(inquiry.snapshot())
    return out


SNAPSHOTS = snapshots()
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 10**9), st.floats(), st.text(max_size=10), st.just("ask")),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)


def _tamper(draw: st.DrawFn, root: Any) -> Any:
    """``root`` with one to three parts replaced, dropped or renamed (or replaced whole)."""
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths(root)))
        if not path:
            return draw(JSONISH)
        parent: Any = root
        for part in path[:-1]:
            parent = parent[part]
        how = draw(st.sampled_from(["replace", "drop", "rename"]))
        if how == "replace":
            parent[path[-1]] = draw(JSONISH)
        elif how == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = parent.pop(path[-1])
    return root


@st.composite
def tampered(draw: st.DrawFn) -> Any:
    return _tamper(draw, copy.deepcopy(draw(st.sampled_from(SNAPSHOTS))))


@settings(max_examples=500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=tampered())
def test_a_tampered_snapshot_is_refused_or_sound(raw: Any) -> None:
    """Restored or refused with a SnapshotError; a restored session snapshots, restores and moves on."""
    refused: str | None = None
    try:
        session = LIBRARY.restore(raw, CLOCK)
    except SnapshotError as exc:
        refused = exc.message
    if refused is not None:
        assert PATH.match(refused), refused  # it says where in the snapshot
        return
    again = LIBRARY.restore(session.snapshot(), CLOCK)
    assert session.snapshot() == again.snapshot()
    for event in session.allowed():
        try:
            again.fire(event, role="front_desk")
        except RuntimeRefusal:
            continue
    again.advance(CLOCK.now().replace(year=2027))


@st.composite
def tampered_journal(draw: st.DrawFn) -> Any:
    """A real journal in its JSON form, tampered with."""
    return _tamper(draw, copy.deepcopy(draw(st.sampled_from(SNAPSHOTS)))["journal"])


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=tampered_journal())
def test_a_journal_handed_back_is_replayed_or_refused_at_its_entry(raw: Any) -> None:
    """Replay and log conformance take a host's stored journal rows: a SopflowError at the entry, never a crash."""
    said: list[str] = []
    try:
        LIBRARY.replay(raw)
    except SnapshotError as exc:
        said.append(exc.message)
    except RuntimeRefusal:
        pass  # a journal whose steps the procedure refuses: a refusal, said as one
    rows: list[int | None] = []
    try:
        check_journals(LIBRARY, raw if isinstance(raw, list) else [raw], "test.release")
    except LogError as exc:
        rows.append(exc.row)
    assert [m for m in said if not re.match(r"^journal(\.\d+)?[.:]", m)] == []  # it says which entry
    assert None not in rows
