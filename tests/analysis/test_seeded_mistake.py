"""The worked example of docs/testing.md: a guard shortened in a copy of the bundled library is found and replayed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
PAGE = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
GUARD = '            - if: "arrears_months > 0 or arrears_amount > 0"\n'
SHORTENED = '            - if: "arrears_months > 0"\n'


def sopflow(*args: str, cwd: Path) -> str:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, "-m", "sopflow", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return done.stdout


def shown(after: str) -> list[str]:
    """The lines of the page's text block that follows ``after``, '…' left out."""
    block = PAGE[PAGE.index(after) :].split("```text\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line != "…"]


def test_the_shortened_guard_is_found_and_its_counterexample_replays(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "procedures", tmp_path / "procedures")
    release = tmp_path / "procedures" / "business" / "release_tenant.yaml"
    text = release.read_text(encoding="utf-8")
    assert GUARD in text
    release.write_text(text.replace(GUARD, SHORTENED), encoding="utf-8")
    checked = sopflow("check", "procedures", "--counterexamples", "ce", cwd=tmp_path).splitlines()
    replayed = sopflow(
        "walk",
        "--script",
        "ce/business.release_tenant.invariant-broken.1.yaml",
        "-L",
        "procedures",
        "--lang",
        "en",
        cwd=tmp_path,
    ).splitlines()
    expected_check = shown("**A seeded mistake in a bundled procedure.**")
    expected_replay = shown("`sopflow walk --script ce/business.release_tenant.invariant-broken.1.yaml")
    start = next(i for i, line in enumerate(replayed) if line.startswith(expected_replay[0]))
    assert (expected_check, expected_replay) == (
        [line for line in checked if line in expected_check],
        replayed[start : start + len(expected_replay)],
    )
    assert re.search(
        r"arrears_amount: '0\.01'",
        (tmp_path / "ce" / "business.release_tenant.invariant-broken.1.yaml").read_text(encoding="utf-8"),
    )
