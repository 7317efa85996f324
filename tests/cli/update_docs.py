"""Write the real output into every ``console`` block of docs/cli.md, every diagram page and docs/diagrams.md.

    .venv/bin/python -m tests.cli.update_docs

Run it after a change that alters what a documented command prints; read the diff, then
commit. ``tests/cli/test_cli_docs.py`` fails until the docs match again.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_helpers import plain_env  # noqa: E402 - the helpers sit beside this file
from test_cli_docs import CONSOLE  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import sopflow  # noqa: E402
from sopflow.cli import app  # noqa: E402
from sopflow.render.mermaid import extract, markdown_page, to_mermaid  # noqa: E402


def run(command: str) -> str:
    line, _, head = command.partition(" | head -n ")
    result = CliRunner().invoke(app, line.split()[1:], prog_name="sopflow")
    lines = result.output.splitlines()
    return "\n".join(x.rstrip() for x in (lines[: int(head)] if head else lines)).strip("\n") + "\n"


def main() -> None:
    os.environ.update(plain_env())
    os.chdir(ROOT)
    page = ROOT / "docs" / "cli.md"
    text = page.read_text(encoding="utf-8")
    text = CONSOLE.sub(lambda m: f"```console\n$ {m.group(1)}\n{run(m.group(1))}```", text)
    page.write_text(text, encoding="utf-8")
    library = sopflow.load_library()
    for pid in library:
        (ROOT / "docs" / "diagrams" / f"{pid}.md").write_text(markdown_page(library[pid], "en"), encoding="utf-8")
    overview(library)


def overview(library: sopflow.Library) -> None:
    """docs/diagrams.md: its introduction kept, then a table and a section per procedure, by id."""
    page = ROOT / "docs" / "diagrams.md"
    text = page.read_text(encoding="utf-8")
    head = text[: text.index("| procedure | title | page |")]
    tail = text[text.index("## Regenerating") :]
    rows = ["| procedure | title | page |", "| --- | --- | --- |"]
    sections = []
    for pid in sorted(library):
        procedure = library[pid]
        title = extract(procedure, "en").title
        anchor = pid.replace(".", "")
        link = f"[diagrams/{pid}.md](diagrams/{pid}.md)"
        rows.append(f"| [`{pid}`](#{anchor}) | {title} | {link} |")
        sections.append(
            f"## {pid}\n\n{title} — version {procedure.version}; page: {link}.\n\n"
            f"```mermaid\n{to_mermaid(procedure, 'en')}```\n"
        )
    page.write_text(head + "\n".join(rows) + "\n\n" + "\n".join(sections) + "\n" + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
