"""``sopflow generate``: scenario files a project commits, rewritten on the next run."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import Invoke

from sopflow.testing import load_scenario


def test_writes_passing_scenarios_and_replaces_only_its_own(cli: Invoke, tmp_path: Path) -> None:
    """Old generated files go, a hand-written one stays, and each new file is a scenario of the procedure."""
    folder = tmp_path / "business.release_tenant"
    folder.mkdir()
    (folder / "generated_99.yaml").write_text("stale", encoding="utf-8")
    (folder / "owner_agrees.yaml").write_text("mine", encoding="utf-8")
    result = cli("generate", "business.release_tenant", "-o", tmp_path)
    files = sorted(p.name for p in folder.iterdir())
    written = [name for name in files if name.startswith("generated_")]
    lines = result.stdout.splitlines()
    assert (
        0,
        "business.release_tenant",
        f"wrote {len(written)} scenarios into {tmp_path}; each passes in every language",
        True,
        False,
        {"business.release_tenant"},
    ) == (
        result.exit_code,
        lines[1].split()[0],
        lines[-1],
        "owner_agrees.yaml" in files,
        "generated_99.yaml" in files,
        {load_scenario(folder / name).procedure for name in written},
    )


def test_the_table_counts_what_is_covered(cli: Invoke, tmp_path: Path) -> None:
    result = cli("generate", "business.payment", "-o", tmp_path)
    header, row = result.stdout.splitlines()[:2]
    assert (["procedure", "files", "arrows", "bounds", "missed", "refusals"], "business.payment") == (
        header.split(),
        row.split()[0],
    )
    files, *counts = row.split()[1:]
    assert (int(files), [c.split("/")[0] == c.split("/")[1] for c in counts]) == (
        len(list((tmp_path / "business.payment").glob("generated_*.yaml"))),
        [True] * 4,
    )


def test_an_unknown_procedure_is_a_clear_error(cli: Invoke, tmp_path: Path) -> None:
    result = cli("generate", "business.nope", "-o", tmp_path)
    assert (2, "error: no procedure 'business.nope' in the library") == (result.exit_code, result.stderr.strip())
