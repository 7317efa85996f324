"""``sopflow cache``: the folder compiled libraries are kept in, what it holds, and clearing it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import Invoke


def test_cache_shows_what_the_last_commands_kept_and_clears_it(
    cli: Invoke, fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPFLOW_CACHE_DIR", str(tmp_path / "kept"))
    empty = cli("cache")
    assert (0, [f"compiled libraries: {tmp_path / 'kept'}", "0 entries, 0.0 kB (the newest 32 are kept)"]) == (
        empty.exit_code,
        empty.stdout.splitlines(),
    )
    assert cli("list", "-L", fixtures).exit_code == 0
    assert cli("list", "-L", fixtures).exit_code == 0  # the same files: the same entry
    (tmp_path / "kept" / "half-written.tmp").write_bytes(b"x")
    one = cli("cache").stdout.splitlines()[1]
    assert re.fullmatch(r"1 entry, \d+\.\d (kB|MB) \(the newest 32 are kept\)", one), one
    cleared = cli("cache", "--clear")
    assert (0, True) == (cleared.exit_code, cleared.stdout.startswith("removed 1 entry ("))
    assert list((tmp_path / "kept").iterdir()) == []


def test_cache_says_when_it_is_off(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPFLOW_NO_CACHE", "1")
    done = cli("cache", "--clear")
    assert (0, "the compiled-library cache is off (SOPFLOW_NO_CACHE is set)\n") == (done.exit_code, done.stdout)


def test_cache_says_when_its_folder_is_not_private(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("SOPFLOW_CACHE_DIR", str(shared))
    done = cli("cache")
    assert (0, f"not used: {shared} must belong to you and be writable by no one else (entries are pickles)\n") == (
        done.exit_code,
        done.stdout,
    )
