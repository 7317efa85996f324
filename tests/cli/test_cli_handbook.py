"""``sopflow handbook``: writes the pages, says what it wrote, and says what to install when it cannot draw."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import Invoke, Run, plain_env

from sopflow.cli.handbook import NO_DOT


def test_html_handbook_of_a_library(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    """Three languages of pages for each procedure, an index each, a language page, assets; diagrams drawn."""
    result = cli("handbook", "-o", tmp_path, "-L", fixtures)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    page = (tmp_path / "en" / "test.release.html").read_text(encoding="utf-8")
    assert (0, f"wrote 18 files for 3 procedures; open {tmp_path / 'index.html'}", True) == (
        result.exit_code,
        " ".join(result.stdout.split()),
        "<figure><svg" in page,
    )
    assert ["assets/handbook.css", "assets/search.js", "en/index.html", "en/search-index.js"] == [
        w for w in written if w.startswith(("assets", "en/index", "en/search"))
    ]


def test_markdown_handbook(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    """--format markdown writes the same pages as Markdown, diagrams as mermaid fences."""
    result = cli("handbook", "-o", tmp_path, "-L", fixtures, "--format", "markdown")
    page = (tmp_path / "zh-Hant" / "test.release.md").read_text(encoding="utf-8")
    assert (0, True, True, False) == (
        result.exit_code,
        page.startswith("# 租戶放行\n"),
        "```mermaid\n" in page,
        (tmp_path / "en" / "test.release.html").exists(),
    )


def test_without_graphviz_it_says_what_to_install(sopflow: Run, fixtures: Path, tmp_path: Path) -> None:
    """With no dot on PATH the command stops before writing and names Graphviz and --no-diagrams."""
    done = sopflow("handbook", "-o", tmp_path / "out", "-L", fixtures, env=plain_env(PATH=str(tmp_path)))
    assert (1, f"error: {NO_DOT}\n", False) == (done.returncode, done.stderr, (tmp_path / "out").exists())


def test_no_diagrams_leaves_a_visible_note(sopflow: Run, fixtures: Path, tmp_path: Path) -> None:
    """--no-diagrams needs no Graphviz; each page says its diagram was left out."""
    done = sopflow(
        "handbook", "-o", tmp_path / "out", "-L", fixtures, "--no-diagrams", env=plain_env(PATH=str(tmp_path))
    )
    page = (tmp_path / "out" / "en" / "test.release.html").read_text(encoding="utf-8")
    assert (0, True) == (done.returncode, "Diagram left out: this handbook was built without Graphviz." in page)


def test_an_output_that_is_a_file_is_a_usage_error(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("", encoding="utf-8")
    result = cli("handbook", "-o", target, "-L", fixtures, "--no-diagrams")
    assert (2, True) == (result.exit_code, result.stderr.startswith(f"error: cannot write {target}"))
