"""``sopflow graph``: one extracted graph drawn as Mermaid or DOT, and through Graphviz as SVG or PNG."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import Invoke, Run, plain_env

from sopflow.library import load_library
from sopflow.render.graph import extract


def test_mermaid_distinguishes_events_timers_policies_and_outcomes(cli: Invoke, fixtures: Path) -> None:
    """Events are solid, timers dotted, policy events thick, and final states carry an outcome class."""
    out = cli("graph", "test.release", "-L", fixtures).stdout
    wanted = [
        "flowchart TD",
        '    s_check_fees -->|"fees_checked [arrears_months #62; 0]"| s_refused_arrears',
        '    s_sign -.->|"after 10m: walked_off"| s_no_consent',
        '    any_node ==>|"customer_dissatisfied"| s_escalated',
        '    s_call_owner -->|"owner_call: completed"| s_sign',
        "    class s_refused_arrears,s_no_consent sf_refused",
    ]
    assert [True] * len(wanted) == [w in out.splitlines() for w in wanted]


def test_ladder_levels_are_grouped_and_escalate(cli: Invoke, fixtures: Path) -> None:
    """A ladder's levels sit in one subgraph, joined by thick escalation edges."""
    out = cli("graph", "test.inquiry", "-L", fixtures).stdout.splitlines()
    wanted = [
        '    subgraph ladder_s_explain["explain · ladder inquiry_ladder"]',
        '    s_explain__colleague ==>|"after 3m"| s_explain__cs_supervisor',
    ]
    assert [True, True] == [w in out for w in wanted]


def test_dot_has_the_same_edges_as_mermaid(cli: Invoke, fixtures: Path) -> None:
    """Both formats come from one extraction: every extracted edge appears in the DOT text."""
    out = cli("graph", "test.release", "-f", "dot", "-L", fixtures).stdout
    edges = extract(load_library(fixtures)["test.release"]).edges
    assert [True] * len(edges) == [f"{e.source} -> {e.target}" in out for e in edges]


def test_output_file_is_written(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    """--output writes the diagram to a file and says so."""
    target = tmp_path / "release.mmd"
    result = cli("graph", "test.release", "-L", fixtures, "-o", target)
    assert (0, f"wrote {target}\n", True) == (
        result.exit_code,
        result.stdout,
        target.read_text(encoding="utf-8").startswith("---\ntitle: Tenant release (test.release)"),
    )


def test_svg_is_drawn_by_graphviz(sopflow: Run, fixtures: Path, data: Path) -> None:
    """--format svg pipes the DOT text through Graphviz's dot -Tsvg."""
    env = plain_env(PATH=f"{data / 'bin'}{os.pathsep}{os.environ['PATH']}")
    done = sopflow("graph", "test.inquiry", "-f", "svg", "-L", fixtures, env=env)
    assert (0, "<drawn by fake dot as svg from") == (done.returncode, done.stdout[:30])


def test_without_graphviz_svg_asks_to_install_it(sopflow: Run, fixtures: Path, tmp_path: Path) -> None:
    """With no dot on PATH the error says to install Graphviz or use a text format."""
    done = sopflow(
        "graph",
        "test.inquiry",
        "-f",
        "png",
        "-o",
        tmp_path / "x.png",
        "-L",
        fixtures,
        env=plain_env(PATH=str(tmp_path)),
    )
    assert (1, True, True) == (
        done.returncode,
        done.stderr.startswith("error: drawing png needs Graphviz's 'dot' program, which is not installed"),
        "--format mermaid" in done.stderr,
    )


def test_unknown_format_is_a_usage_error(cli: Invoke, fixtures: Path) -> None:
    """Only mermaid, dot, svg and png are offered."""
    assert 2 == cli("graph", "test.release", "-f", "jpeg", "-L", fixtures).exit_code


@pytest.mark.parametrize(
    ("lang", "fonts"),
    [
        ("zh-Hant", "Noto Sans CJK TC,Noto Sans CJK SC,sans-serif"),
        ("zh-Hans", "Noto Sans CJK SC,Noto Sans CJK TC,sans-serif"),
        ("en", "Helvetica,Arial,Noto Sans CJK SC,Noto Sans CJK TC,sans-serif"),
    ],
)
def test_dot_names_a_font_with_chinese_glyphs(cli: Invoke, lang: str, fonts: str) -> None:
    """Graph, nodes and edges name a CJK font, so Graphviz draws Chinese labels instead of empty boxes."""
    out = cli("graph", "reception.farewell", "-f", "dot", "--lang", lang).stdout.splitlines()
    expected = [
        f'    rankdir=TB; fontname="{fonts}";',
        f'    node [fontname="{fonts}", fontsize=11];',
        f'    edge [fontname="{fonts}", fontsize=9];',
    ]
    assert expected == out[2:5]
