"""Every line the desk says in Traditional Chinese is the source SOP's own words.

The source document (000, the visitor-reception standards) is kept beside the
tests. Placeholders (`{unit}`) stand where the source writes `*`, `**` or a
name, so they match any short run of text; white space is ignored because the
source breaks some sentences across lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sopflow

SOURCE = re.sub(r"\s+", "", (Path(__file__).parent / "data" / "sop_000_reception_standards.txt").read_text("utf-8"))
LIBRARY = sopflow.load_library()
LINES = [
    (pid, state.name, state.say["zh-Hant"])
    for pid in LIBRARY
    for state in LIBRARY[pid].ir.states.values()
    if state.say and "zh-Hant" in state.say and LIBRARY[pid].source and LIBRARY[pid].source.document == "000"
]


def pattern(line: str) -> str:
    parts = re.split(r"(\{[^}]*\})", line)
    return "".join(".{0,12}?" if i % 2 else re.escape(re.sub(r"\s+", "", part)) for i, part in enumerate(parts))


def test_there_are_lines_to_check() -> None:
    """The bundled standards say something at most steps."""
    assert len(LINES) > 50


@pytest.mark.parametrize(("procedure", "state", "line"), LINES, ids=[f"{p}:{s}" for p, s, _ in LINES])
def test_traditional_chinese_lines_are_verbatim(procedure: str, state: str, line: str) -> None:
    """The zh-Hant `say` of each state is found, word for word, in the source document."""
    assert re.search(pattern(line), SOURCE) is not None, f"{procedure}:{state} says {line!r}, not in the source"
