"""One graph of a procedure, extracted once from the IR and drawn by every diagram format.

Mermaid and DOT only differ in syntax; what is a node, which edges exist and
how each is classified (event, timer, escalation, policy, call return) is
decided here, so the two formats can never disagree about the procedure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from sopflow.compile import Procedure, StateIR, WayIR
from sopflow.model import LEVEL_SEPARATOR
from sopflow.render.text import pick, role_title, when

NodeKind = Literal["start", "any", "state", "call", "final"]
EdgeKind = Literal["initial", "event", "policy", "timer", "escalation", "return"]

START = "start_node"
ANY = "any_node"


@dataclass(frozen=True, slots=True)
class Node:
    """A box in the diagram; ``id`` is safe in every diagram language."""

    id: str
    state: str
    kind: NodeKind
    lines: tuple[str, ...]
    """Label lines, first the state's name; formats join them their own way."""
    outcome: str | None = None
    group: str | None = None
    """The ladder state this node is a level of, if any."""


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    label: str


@dataclass(frozen=True, slots=True)
class Group:
    """A ladder: its levels are drawn together in one frame."""

    id: str
    label: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Graph:
    procedure: str
    title: str
    lang: str = "en"
    """The language of the labels; a drawing picks its fonts by it."""
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


def node_id(state: str) -> str:
    """``explain@cs_supervisor`` → ``s_explain__cs_supervisor``.

    The ``s_`` prefix keeps state names such as ``end`` or ``graph`` from
    colliding with Mermaid and DOT keywords.
    """
    return "s_" + re.sub(r"[^A-Za-z0-9_]", "__", state)


def extract(procedure: Procedure, lang: str | None = None) -> Graph:
    """The diagram graph of a compiled procedure, with labels in ``lang``."""
    lang = lang or procedure.languages[0]
    langs = procedure.languages
    ir = procedure.ir
    graph = Graph(procedure.id, pick(procedure.title, lang, langs) or procedure.id, lang)
    graph.nodes.append(Node(START, "", "start", ("start",)))
    graph.edges.append(Edge(START, node_id(ir.initial), "initial", ""))
    ladders: dict[str, list[str]] = {}
    for state in ir.states.values():
        graph.nodes.append(_node(procedure, state, lang))
        if state.name != state.base:
            ladders.setdefault(state.base, []).append(node_id(state.name))
        for way in state.events.values():
            if way.kind == "event":
                graph.edges.extend(_way_edges(node_id(state.name), way, "event"))
        for way in state.timers:
            kind: EdgeKind = "escalation" if _is_ladder_timer(procedure, state, way) else "timer"
            graph.edges.extend(_way_edges(node_id(state.name), way, kind))
        for way in state.returns.values():
            for branch in way.branches:
                if not branch.internal:
                    label = f"{_callee(state, way).rsplit('.', 1)[-1]}: {way.name}"
                    graph.edges.append(Edge(node_id(state.name), node_id(branch.target), "return", label))
    policy = _policy_ways(procedure)
    if policy:
        graph.nodes.append(Node(ANY, "", "any", ("any step",)))
        for way in policy:
            graph.edges.extend(_way_edges(ANY, way, "policy"))
    for base, members in ladders.items():
        ladder = procedure.resolved.states[base].ladder or ""
        graph.groups.append(Group(f"ladder_{node_id(base)}", f"{base} · ladder {ladder}", tuple(members)))
    return graph


def _node(procedure: Procedure, state: StateIR, lang: str) -> Node:
    langs = procedure.languages
    group = state.base if state.name != state.base else None
    if state.final is not None:
        ends = (state.name,) if state.name == state.final else (state.name, state.final)
        return Node(node_id(state.name), state.name, "final", ends, state.final, group)
    lines = [state.name]
    if group is not None:
        levels = [s for s in procedure.ir.states if s.split(LEVEL_SEPARATOR)[0] == group]
        lines = [f"{group} · level {levels.index(state.name) + 1}"]
    title = pick(state.title, lang, langs)
    if title:
        lines.append(title)
    lines.append(role_title(procedure.roles, state.role, lang, langs))
    if state.call is not None:
        lines.append(f"calls {state.call.procedure}")
        return Node(node_id(state.name), state.name, "call", tuple(lines), group=group)
    return Node(node_id(state.name), state.name, "state", tuple(lines), group=group)


def _way_edges(source: str, way: WayIR, kind: EdgeKind) -> list[Edge]:
    """One edge per branch; guards go in the label, the fallback of guarded branches says ``else``."""
    if kind in ("timer", "escalation"):
        name = when(way.delay, way.wait) + (f": {way.name}" if kind == "timer" else "")
    else:
        name = way.name
    if way.call is not None:
        name += f" (calls {way.call.procedure})"
    # One edge per target: branches that differ only in what they set draw as one arrow.
    by_target: dict[str, list[str | None]] = {}
    for branch in way.branches:
        target = source if branch.internal else node_id(branch.target)
        by_target.setdefault(target, []).append(branch.guard_text)
    edges = []
    for target, guards in by_target.items():
        label = name
        if len(by_target) > 1:
            label += f" [{' or '.join(g or 'else' for g in guards)}]"
        edges.append(Edge(source, target, kind, label))
    return edges


def _callee(state: StateIR, way: WayIR) -> str:
    """The procedure whose outcome a return trigger (``return:state:call_owner:completed``) reports."""
    key = ":".join(way.trigger.split(":")[1:3])
    calls = [state.call, *(w.call for w in state.events.values())]
    return next((c.procedure for c in calls if c is not None and c.key == key), key)


def _is_ladder_timer(procedure: Procedure, state: StateIR, way: WayIR) -> bool:
    """A ladder's own timer moves to the next level; a state's timers are ordinary timers."""
    spec = procedure.resolved.states[state.base]
    return spec.ladder is not None and way.name == spec.ladder and way.name not in spec.timers


def _policy_ways(procedure: Procedure) -> list[WayIR]:
    """Policy events once per procedure (they apply in every step), not once per state."""
    seen: dict[str, WayIR] = {}
    for state in procedure.ir.states.values():
        for name, way in state.events.items():
            if way.kind == "policy" and name not in seen:
                seen[name] = way
    return list(seen.values())
