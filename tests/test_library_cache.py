"""The compiled-library cache: the same library as a fresh load, never a stale or a foreign one."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sopflow
from sopflow import library_cache
from sopflow.analysis.explore import explore
from sopflow.calendar import Calendar
from sopflow.library import Library
from tests.conftest import FIXTURES, drive_to_owner_call

CLOCK_AT = "2026-03-02T09:00:00+08:00"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, and the fixture procedures copied where the test may edit them."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(library_cache.DIR_VARIABLE, str(cache))
    shutil.copytree(FIXTURES, tmp_path / "procedures")
    return cache


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.library"))


def no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a load that checks and compiles fails the test."""

    def refuse(*args: object, **kwargs: object) -> Library:
        raise AssertionError("compiled again instead of taken from the cache")

    monkeypatch.setattr(Library, "from_documents", refuse)


def journey(library: sopflow.Library) -> list[dict[str, object]]:
    clock = sopflow.ManualClock(CLOCK_AT)
    session = library.start(
        "test.release", clock=clock, role="front_desk", data={"unit": "3-1201"}, lang="en", session_id="s-1"
    )
    drive_to_owner_call(session)
    clock.advance("20 minutes")  # the owner does not answer: the call's timer fires
    session.advance()
    return [library.redact(e) for e in session.journal] + [session.snapshot(), {"say": session.step().say}]


def test_a_second_load_is_the_first_one_taken_from_the_cache(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No check, no compile; the same procedures, findings, positions, sessions and state space."""
    procedures = folder.parent / "procedures"
    fresh = sopflow.load_library(procedures)
    no_compiling(monkeypatch)
    kept = sopflow.load_library(procedures)
    assert len(entries(folder)) == 1
    assert (list(kept), [kept.versions(p) for p in kept]) == (list(fresh), [fresh.versions(p) for p in fresh])
    assert kept.warnings == fresh.warnings
    located = [(d.source, d.positions.locate(["procedure", "states"])) for d in kept.checked.documents]
    assert located == [(d.source, d.positions.locate(["procedure", "states"])) for d in fresh.checked.documents]
    assert None not in [where for _, where in located]
    assert journey(kept) == journey(fresh)
    spaces = [(explore(kept[p]), explore(fresh[p])) for p in kept]
    assert [(len(a.nodes), a.steps, a.arrows) for a, _ in spaces] == [
        (len(b.nodes), b.steps, b.arrows) for _, b in spaces
    ]
    assert kept["test.release"].callees["test.owner_call"] is kept["test.owner_call"]


def test_strict_sessions_build_their_machine_on_a_cached_library(folder: Path) -> None:
    procedures = folder.parent / "procedures"
    sopflow.load_library(procedures)
    kept = sopflow.load_library(procedures)
    session = kept.start("test.release", clock=sopflow.ManualClock(CLOCK_AT), role="front_desk", strict=True)
    assert "check_id" == session.fire("id_copied", role="front_desk", data={"id_copy": "x"}).state


def test_an_edited_file_is_loaded_afresh(folder: Path) -> None:
    procedures = folder.parent / "procedures"
    sopflow.load_library(procedures)
    release = procedures / "release.yaml"
    release.write_text(release.read_text(encoding="utf-8").replace("Tenant release", "Tenant move-out"), "utf-8")
    edited = sopflow.load_library(procedures)
    assert edited["test.release"].title["en"] == "Tenant move-out"
    assert len(entries(folder)) == 2


def test_the_library_given_back_counts_on_the_calendar_passed_in(folder: Path) -> None:
    """The calendar is not stored: each load binds the one it is given; other hours, another entry."""
    procedures = folder.parent / "procedures"
    first, second = Calendar(zone="Asia/Hong_Kong", region="HK"), Calendar(zone="Asia/Hong_Kong", region="HK")
    sopflow.load_library(procedures, calendar=first)
    kept = sopflow.load_library(procedures, calendar=second)
    assert (kept.calendar is second, len(entries(folder))) == (True, 1)
    sopflow.load_library(procedures, calendar=Calendar(hours={"office": "Mon-Sat 09:00-18:00", "x": "24h"}))
    assert len(entries(folder)) == 2


@pytest.mark.parametrize("damage", ["cut", "flip", "grow", "format"])
def test_a_damaged_entry_is_loaded_afresh_and_replaced(folder: Path, damage: str) -> None:
    """Cut short, a bit flipped inside (still a pickle: a state renamed), grown, or of another format."""
    procedures = folder.parent / "procedures"
    sopflow.load_library(procedures)
    (entry,) = entries(folder)
    whole = entry.read_bytes()
    spot = whole.index(b"check_id")  # a state's name, inside the pickle
    damaged = {
        "cut": whole[: len(whole) // 2],
        "flip": whole[:spot] + b"d" + whole[spot + 1 :],
        "grow": whole + b"\0",
        "format": whole.replace(b"library 2", b"library 9", 1),
    }[damage]
    entry.write_bytes(damaged)
    assert "check_id" in sopflow.load_library(procedures)["test.release"].ir.states
    assert entry.read_bytes() == whole


class _Planted:
    """What a stranger's entry might hold: a pickle that runs a command when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.marker}",)


def test_an_entry_naming_anything_but_a_compiled_library_is_refused_unrun(folder: Path, tmp_path: Path) -> None:
    procedures = folder.parent / "procedures"
    sopflow.load_library(procedures)
    (entry,) = entries(folder)
    marker = tmp_path / "ran"
    entry.write_bytes(library_cache.sealed(pickle.dumps(_Planted(marker))))
    assert isinstance(sopflow.load_library(procedures), Library)
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")
def test_a_folder_others_may_write_to_is_neither_read_nor_written(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    procedures = folder.parent / "procedures"
    sopflow.load_library(procedures)
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)
    for entry in entries(folder):
        entry.unlink()
    sopflow.load_library(procedures)
    assert entries(folder) == []
    folder.chmod(0o700)
    sopflow.load_library(procedures)
    (entry,) = entries(folder)
    entry.chmod(0o666)
    no_compiling(monkeypatch)
    with pytest.raises(AssertionError, match="compiled again"):
        sopflow.load_library(procedures)


def test_switched_off_nothing_is_written(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    procedures = folder.parent / "procedures"
    sopflow.load_library(procedures, cache=False)
    monkeypatch.setenv(library_cache.OFF_VARIABLE, "1")
    sopflow.load_library(procedures)
    assert not folder.exists()
    monkeypatch.setenv(library_cache.OFF_VARIABLE, "0")
    sopflow.load_library(procedures)
    assert len(entries(folder)) == 1
    with pytest.raises(sopflow.SopflowError, match="cache: expected True or False, found str"):
        sopflow.load_library(procedures, cache="no")  # type: ignore[arg-type]


def test_a_library_with_errors_is_never_kept(folder: Path) -> None:
    procedures = folder.parent / "procedures"
    (procedures / "broken.yaml").write_text("sopflow: 1\nprocedure: {id: x}\n", "utf-8")
    for _ in range(2):
        with pytest.raises(sopflow.DefinitionError):
            sopflow.load_library(procedures)
    assert not folder.exists()


def test_the_folder_keeps_the_newest_entries(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_cache, "MAX_ENTRIES", 2)
    procedures = folder.parent / "procedures"
    release = procedures / "release.yaml"
    text = release.read_text(encoding="utf-8")
    for n in range(4):
        release.write_text(text + f"\n# edit {n}\n", "utf-8")
        sopflow.load_library(procedures)
    assert len(entries(folder)) == 2
    no_compiling(monkeypatch)
    assert len(sopflow.load_library(procedures)) == 3  # the newest is among them


def test_the_folder_keeps_what_fits_in_its_bytes_and_always_the_newest(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    procedures = folder.parent / "procedures"
    release = procedures / "release.yaml"
    text = release.read_text(encoding="utf-8")
    release.write_text(text + "\n# first\n", "utf-8")
    sopflow.load_library(procedures)
    (first,) = entries(folder)
    monkeypatch.setattr(library_cache, "MAX_BYTES", first.stat().st_size + 10)
    release.write_text(text + "\n# second\n", "utf-8")
    sopflow.load_library(procedures)
    (second,) = entries(folder)  # the older went, the newer stays
    assert second != first
    monkeypatch.setattr(library_cache, "MAX_BYTES", 1)
    release.write_text(text + "\n# third\n", "utf-8")
    sopflow.load_library(procedures)
    assert len(entries(folder)) == 1  # larger than the bound, the newest still stays


def test_the_default_folder_is_platformdirs_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On Linux the folder is worked out without importing platformdirs; it must be the same folder."""
    import platformdirs

    monkeypatch.delenv(library_cache.DIR_VARIABLE)
    for xdg in (None, str(tmp_path), "relative/ignored"):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert library_cache.cache_dir() == Path(platformdirs.user_cache_dir("sopflow", appauthor=False))


def test_a_fresh_process_takes_the_library_from_the_cache(folder: Path) -> None:
    """What the cache is for: the next process skips load, check and compile."""
    procedures = folder.parent / "procedures"
    code = (
        "import sopflow\n"
        "from sopflow.library import Library\n"
        "compiled = []\n"
        "build = Library.from_documents.__func__\n"
        "Library.from_documents = classmethod(lambda cls, *a, **k: compiled.append(1) or build(cls, *a, **k))\n"
        f"print(len(sopflow.load_library({str(procedures)!r})), len(compiled))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False) for _ in "ab"]
    assert [(r.stderr, r.stdout) for r in runs] == [("", "3 1\n"), ("", "3 0\n")]


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("builtins", "getattr"),
        ("builtins", "eval"),
        ("os", "system"),
        ("sopflow.store.sqlite", "SqliteStore"),  # a class of sopflow's, but not one loading builds
        ("sopflow.model.base", "Citation.__init__"),  # a dotted name walks past the class
        ("sopflow.compile.build", "build_ir"),  # a function of a loading stage, not a kept partial
    ],
)
def test_the_unpickler_builds_only_what_a_compiled_library_is_made_of(module: str, name: str) -> None:
    unpickler = library_cache._Unpickler(io.BytesIO(b""), Calendar())
    with pytest.raises(pickle.UnpicklingError, match="is not among what a compiled library holds"):
        unpickler.find_class(module, name)


def test_the_bundled_library_comes_back_from_the_cache(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the cold start counts on: every bundled procedure and policy survives the cache."""
    fresh = sopflow.load_library()
    no_compiling(monkeypatch)
    kept = sopflow.load_library()
    assert [(p, kept[p].ir.states.keys()) for p in kept] == [(p, fresh[p].ir.states.keys()) for p in fresh]
    assert (kept.warnings, list(kept.targets)) == (fresh.warnings, list(fresh.targets))


def test_values_a_library_may_hold_come_back() -> None:
    """Times with their zones, money, dates: what field defaults and waits are made of."""
    from datetime import date, datetime, time, timedelta, timezone
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    calendar = Calendar()
    values = [
        datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Hong_Kong")),
        datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=8))),
        date(2026, 3, 2),
        time(8, 30),
        Decimal("12.50"),
        frozenset({"a"}),
        {"b"},
        calendar,
    ]
    buffer = io.BytesIO()
    library_cache._Pickler(buffer, calendar).dump(values)
    back = library_cache._Unpickler(io.BytesIO(buffer.getvalue()), calendar).load()
    assert back == values
    assert back[-1] is calendar


def test_a_write_cut_short_long_ago_is_cleared_by_the_next_one(folder: Path) -> None:
    procedures = folder.parent / "procedures"
    folder.mkdir(mode=0o700)
    old, recent = folder / "old.tmp", folder / "recent.tmp"
    old.write_bytes(b"half")
    recent.write_bytes(b"half")
    os.utime(old, (0, 0))
    sopflow.load_library(procedures)
    assert (old.exists(), recent.exists()) == (False, True)  # another process may be writing the recent one
