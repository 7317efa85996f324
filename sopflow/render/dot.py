"""The procedure graph in Graphviz DOT, for SVG and PNG files and for tools that read DOT.

Same graph as the Mermaid rendering (:func:`sopflow.render.graph.extract`), same colours.
"""

from __future__ import annotations

from sopflow.compile import Procedure
from sopflow.render.graph import Edge, Graph, Node, extract
from sopflow.render.mermaid import EDGE_COLOURS, FINAL_COLOURS

_EDGE_STYLE = {
    "initial": "",
    "event": "",
    "timer": "style=dashed",
    "escalation": "style=bold, penwidth=2",
    "policy": "style=bold, penwidth=2",
    "return": "",
}
_NODE_STYLE = {
    "start": 'shape=circle, style=filled, fillcolor="#263238", fontcolor="#ffffff", fontsize=9',
    "any": 'shape=hexagon, style=filled, fillcolor="#f3e5f5", color="#8e24aa"',
    "call": 'shape=box, style="rounded,filled", fillcolor="#e0f7fa", color="#00838f", peripheries=2',
    "state": 'shape=box, style="rounded,filled", fillcolor="#ffffff"',
}


CJK_FONTS = {
    "zh-Hant": "Noto Sans CJK TC,Noto Sans CJK SC,sans-serif",
    "zh-Hans": "Noto Sans CJK SC,Noto Sans CJK TC,sans-serif",
}
"""Fonts of Chinese drawings, the script's own forms first (Debian: fonts-noto-cjk)."""
LATIN_FONTS = "Helvetica,Arial,Noto Sans CJK SC,Noto Sans CJK TC,sans-serif"
"""Fonts of other drawings; the CJK fonts still draw a Chinese name a label may hold."""


def fonts(lang: str) -> str:
    """The ``fontname`` of a drawing in ``lang``.

    Graphviz draws with the font it is told; told only Helvetica, a system
    whose fallback has no Chinese glyphs draws every Chinese character as an
    empty box. Naming a CJK font (Graphviz takes a comma-separated list, the
    first that has a glyph drawing it) makes the picture readable wherever
    one is installed.
    """
    return CJK_FONTS.get(lang, LATIN_FONTS)


def to_dot(procedure: Procedure, lang: str | None = None) -> str:
    """DOT source of ``procedure``, labels in ``lang`` (default: its first language)."""
    return render(extract(procedure, lang))


def render(graph: Graph) -> str:
    """DOT source of an extracted graph."""
    font = _quote(fonts(graph.lang))
    out = [
        f"digraph {_quote(graph.procedure)} {{",
        f"    label={_quote(f'{graph.title} ({graph.procedure})')}; labelloc=t; fontsize=16;",
        f"    rankdir=TB; fontname={font};",
        f"    node [fontname={font}, fontsize=11];",
        f"    edge [fontname={font}, fontsize=9];",
    ]
    grouped = {m for g in graph.groups for m in g.members}
    out += [f"    {_node(n)}" for n in graph.nodes if n.id not in grouped]
    for group in graph.groups:
        out.append(f"    subgraph cluster_{group.id} {{")
        out.append(f'        label={_quote(group.label)}; style="rounded,dashed"; color="#ef6c00";')
        out += [f"        {_node(graph.node(m))}" for m in group.members]
        out.append("    }")
    out += [f"    {_edge(e)}" for e in graph.edges]
    out.append("}")
    return "\n".join(out) + "\n"


def _node(node: Node) -> str:
    label = _quote("\n".join(node.lines))
    if node.kind == "final" and node.outcome:
        fill, stroke = FINAL_COLOURS.get(node.outcome, ("#eeeeee", "#616161"))
        style = f'shape=box, style="rounded,filled,bold", fillcolor="{fill}", color="{stroke}", peripheries=2'
    else:
        style = _NODE_STYLE[node.kind]
    return f"{node.id} [label={label}, {style}];"


def _edge(edge: Edge) -> str:
    attrs = [a for a in (_EDGE_STYLE[edge.kind],) if a]
    colour = EDGE_COLOURS.get(edge.kind)
    if colour:
        attrs.append(f'color="{colour}", fontcolor="{colour}"')
    if edge.label:
        attrs.append(f"label={_quote(edge.label)}")
    return f"{edge.source} -> {edge.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";"


def _quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, newlines as centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
