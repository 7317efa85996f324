"""The procedure graph as a Mermaid flowchart, for Markdown docs that GitHub renders inline.

Only syntax lives here; what the nodes and edges are comes from
:func:`sopflow.render.graph.extract`.
"""

from __future__ import annotations

from sopflow.compile import Procedure
from sopflow.render.graph import Edge, Graph, Node, extract

FINAL_COLOURS = {
    "completed": ("#d4edda", "#2e7d32"),
    "refused": ("#f8d7da", "#c62828"),
    "escalated": ("#ffe0b2", "#ef6c00"),
    "handed_over": ("#d0e4ff", "#1565c0"),
    "pending_follow_up": ("#fff3cd", "#b58900"),
    "referred": ("#eadcf5", "#6a1b9a"),
}
"""Fill and stroke of final states by outcome class; shared with the DOT renderer."""

EDGE_COLOURS = {
    "timer": "#546e7a",
    "escalation": "#ef6c00",
    "policy": "#8e24aa",
    "return": "#00838f",
}
"""Stroke of each edge kind that is not an ordinary event (those keep the theme's colour)."""

_CLASSES = {
    "start": "fill:#263238,stroke:#263238,color:#ffffff",
    "any": "fill:#f3e5f5,stroke:#8e24aa,color:#4a148c",
    "call": "fill:#e0f7fa,stroke:#00838f",
}
_ARROW = {"timer": "-.->", "escalation": "==>", "policy": "==>"}
_SHAPE = {"start": '(("{}"))', "any": '{{{{"{}"}}}}', "call": '[["{}"]]', "final": '(["{}"])'}


def to_mermaid(procedure: Procedure, lang: str | None = None) -> str:
    """Mermaid source of ``procedure``, labels in ``lang`` (default: its first language)."""
    return render(extract(procedure, lang))


LEGEND = """\
Rounded boxes are steps (with who acts); double boxes call another procedure;
stadiums are outcomes, coloured by class: green completed, red refused, orange
escalated, blue handed over, yellow pending follow-up, purple referred. Solid
arrows are events, dotted arrows timers, thick orange arrows the levels of an
escalation ladder, thick purple arrows policy events that apply at any step,
teal arrows the outcomes of a called procedure."""
"""How to read every diagram; the docs and the Markdown pages repeat it."""


def markdown_page(procedure: Procedure, lang: str | None = None) -> str:
    """A Markdown page with the diagram in a ``mermaid`` fence, which GitHub draws inline."""
    graph = extract(procedure, lang)
    return (
        f"# {graph.title} (`{procedure.id}` v{procedure.version})\n\n"
        f"{LEGEND}\n\n"
        f"```mermaid\n{render(graph)}```\n\n"
        f"Regenerate with `sopflow graph {procedure.id} --lang {lang or procedure.languages[0]} "
        f"--output docs/diagrams/{procedure.id}.md`.\n"
    )


def render(graph: Graph) -> str:
    """Mermaid source of an extracted graph."""
    out = ["---", f"title: {_escape(graph.title)} ({graph.procedure})", "---", "flowchart TD"]
    grouped = {m for g in graph.groups for m in g.members}
    out += [f"    {_node(n)}" for n in graph.nodes if n.id not in grouped]
    for group in graph.groups:
        out.append(f'    subgraph {group.id}["{_escape(group.label)}"]')
        out += [f"        {_node(graph.node(m))}" for m in group.members]
        out.append("    end")
    out += [f"    {_edge(e)}" for e in graph.edges]
    classes: dict[str, list[str]] = {}
    for node in graph.nodes:
        cls = node.outcome or (node.kind if node.kind in _CLASSES else None)
        if cls:
            classes.setdefault(cls, []).append(node.id)
    for cls, members in classes.items():
        # Prefixed: `call`, `class` and `end` are Mermaid keywords, and outcome names could clash.
        out.append(f"    classDef sf_{cls} {_CLASSES.get(cls) or _final_class(cls)}")
        out.append(f"    class {','.join(members)} sf_{cls}")
    for i, edge in enumerate(graph.edges):
        colour = EDGE_COLOURS.get(edge.kind)
        if colour:
            width = "2px" if edge.kind in ("escalation", "policy") else "1.5px"
            out.append(f"    linkStyle {i} stroke:{colour},stroke-width:{width}")
    return "\n".join(out) + "\n"


def _final_class(outcome: str) -> str:
    fill, stroke = FINAL_COLOURS.get(outcome, ("#eeeeee", "#616161"))
    return f"fill:{fill},stroke:{stroke},stroke-width:2px"


def _node(node: Node) -> str:
    label = "<br/>".join(_escape(line) for line in node.lines)
    return node.id + _SHAPE.get(node.kind, '("{}")').format(label)


def _edge(edge: Edge) -> str:
    arrow = _ARROW.get(edge.kind, "-->")
    label = f'|"{_escape(edge.label)}"|' if edge.label else ""
    return f"{edge.source} {arrow}{label} {edge.target}"


def _escape(text: str) -> str:
    """Mermaid entity codes for the characters that would end a label or open HTML."""
    for char, code in (("&", "#38;"), ('"', "#quot;"), ("<", "#60;"), (">", "#62;"), ("|", "#124;")):
        text = text.replace(char, code)
    return text.replace("\n", " ")
