"""The CLI docs show real output: every ``console`` block of docs/cli.md, and every diagram, is current."""

from __future__ import annotations

import re

import pytest
from cli_helpers import ROOT, Invoke

import sopflow
from sopflow.render.mermaid import markdown_page, to_mermaid

DOCS = ROOT / "docs"
CONSOLE = re.compile(r"^```console\n\$ (sopflow[^\n]*)\n(.*?)^```", re.S | re.M)
BLOCKS = CONSOLE.findall((DOCS / "cli.md").read_text(encoding="utf-8"))
BUNDLED = sopflow.load_library()


@pytest.mark.parametrize(("command", "shown"), BLOCKS, ids=[c for c, _ in BLOCKS])
def test_console_block_is_the_real_output(cli: Invoke, command: str, shown: str) -> None:
    """Running the block's command prints what docs/cli.md shows (``| head -n N`` keeps N lines)."""
    line, _, head = command.partition(" | head -n ")
    lines = cli(*line.split()[1:]).output.splitlines()
    output = "\n".join(x.rstrip() for x in (lines[: int(head)] if head else lines)).strip("\n")
    assert shown.rstrip("\n") == output


@pytest.mark.parametrize("procedure_id", list(BUNDLED))
def test_diagram_page_is_current(procedure_id: str) -> None:
    """docs/diagrams/<id>.md is what ``sopflow graph ID --lang en --output`` writes today."""
    page = (DOCS / "diagrams" / f"{procedure_id}.md").read_text(encoding="utf-8")
    assert markdown_page(BUNDLED[procedure_id], "en") == page


def test_diagrams_overview_shows_every_diagram() -> None:
    """docs/diagrams.md embeds the current diagram of every bundled procedure."""
    overview = (DOCS / "diagrams.md").read_text(encoding="utf-8")
    assert [] == [pid for pid in BUNDLED if to_mermaid(BUNDLED[pid], "en") not in overview]
