"""A library holds several versions of a procedure: new sessions take the newest, old ones keep theirs."""

from __future__ import annotations

import pytest

import sopflow
from sopflow.errors import ProcedureInvalid, SnapshotError, UnknownProcedure

V1 = """
sopflow: 1
procedure:
  id: t.desk
  version: 1
  title: {en: Desk}
  languages: [en]
  roles: {desk: {title: {en: desk}}}
  initial: greet
  states:
    greet:
      role: desk
      on: {done: finished}
    finished: {final: completed}
"""
V2 = (
    V1.replace("version: 1", "version: 2")
    .replace("on: {done: finished}", "on: {done: check}")
    .replace("    finished:", "    check:\n      role: desk\n      on: {ok: finished}\n    finished:")
)


@pytest.fixture
def library() -> sopflow.Library:
    return sopflow.load_string(V1, V2)


def test_start_takes_the_newest_version_unless_one_is_named(library: sopflow.Library) -> None:
    """Without 'version', a new session runs version 2; with it, version 1."""
    clock = sopflow.ManualClock()
    newest = library.start("t.desk", clock=clock, role="desk")
    older = library.start("t.desk", clock=clock, role="desk", version=1)
    assert ((1, 2), 2, 1) == (library.versions("t.desk"), newest.procedure.version, older.procedure.version)


def test_a_snapshot_restores_on_exactly_its_own_version(library: sopflow.Library) -> None:
    """A version-1 session keeps running version 1 after version 2 is loaded beside it."""
    clock = sopflow.ManualClock()
    old = sopflow.load_string(V1).start("t.desk", clock=clock, role="desk")
    restored = library.restore(old.snapshot(), clock)
    restored.fire("done", role="desk")
    assert (1, "completed") == (restored.procedure.version, restored.outcome)


def test_a_snapshot_of_a_version_the_library_lacks_is_refused() -> None:
    """Restoring needs the exact version; the error names what the library holds."""
    clock = sopflow.ManualClock()
    snapshot = sopflow.load_string(V2).start("t.desk", clock=clock, role="desk").snapshot()
    with pytest.raises(SnapshotError, match=r"frames\.0: 't\.desk' has no version 2; the library holds version 1"):
        sopflow.load_string(V1).restore(snapshot, clock)


def test_the_same_id_and_version_twice_is_refused() -> None:
    """Two documents with one id and one version cannot both be loaded."""
    with pytest.raises(ProcedureInvalid, match=r"'t\.desk' version 1 is already defined by"):
        sopflow.load_string(V1, V1)


def test_an_unknown_version_is_a_clear_error(library: sopflow.Library) -> None:
    """Asking for a version that is not loaded says which ones are."""
    with pytest.raises(UnknownProcedure, match=r"'t\.desk' has no version 3; the library holds version 1, 2"):
        library.get("t.desk", 3)


def test_replay_runs_on_the_version_the_journal_names(library: sopflow.Library) -> None:
    """A version-1 journal replays on version 1 even though version 2 is the newest."""
    clock = sopflow.ManualClock()
    session = library.start("t.desk", clock=clock, role="desk", version=1)
    session.fire("done", role="desk")
    assert session.snapshot() == library.replay(session.journal).snapshot()
