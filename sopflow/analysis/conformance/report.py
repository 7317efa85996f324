"""Figures over a whole log, kept in bounded memory, and the report as JSON and static HTML.

A log of a million cases must not become a million results in memory: the report counts
every case and deviation, but keeps in full only the first ``keep`` deviating cases and
the ``worst`` costliest ones. Nothing private is ever shown: deviations carry field values
only after :class:`~sopflow.analysis.conformance.replay.Vocabulary` has hidden the
procedure's private fields.
"""

from __future__ import annotations

import heapq
import html
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sopflow.analysis.conformance.result import KINDS, CaseResult


@dataclass
class ProcedureFigures:
    """What one procedure's cases came to."""

    procedure: str
    cases: int = 0
    fitting: int = 0
    events: int = 0
    cost: int = 0
    unaligned: int = 0
    """Cases whose search hit its bound."""
    by_kind: Counter[str] = field(default_factory=Counter)
    by_clause: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(citation, rule, kind) -> deviations."""
    worst: list[tuple[int, int, CaseResult]] = field(default_factory=list)
    """A min-heap of (cost, order, case) holding the costliest cases."""

    @property
    def deviating(self) -> int:
        return self.cases - self.fitting

    @property
    def fitness(self) -> float:
        """Share of cases that fit, 0..1."""
        return self.fitting / self.cases if self.cases else 1.0

    def worst_cases(self) -> list[CaseResult]:
        return [c for _, _, c in sorted(self.worst, key=lambda t: (-t[0], t[1]))]

    def as_dict(self) -> dict[str, Any]:
        return {
            "procedure": self.procedure,
            "cases": self.cases,
            "fitting": self.fitting,
            "deviating": self.deviating,
            "fitness": round(self.fitness, 4),
            "events": self.events,
            "cost": self.cost,
            "unaligned": self.unaligned,
            "by_kind": {k: self.by_kind.get(k, 0) for k in KINDS},
            "by_clause": [
                {"clause": c, "rule": r, "kind": k, "deviations": n}
                for (c, r, k), n in sorted(self.by_clause.items(), key=lambda t: (-t[1], t[0]))
            ],
            "worst": [{"case": c.case, "cost": c.cost, "deviations": len(c.deviations)} for c in self.worst_cases()],
        }


@dataclass
class ConformanceReport:
    """Every procedure's figures, and the deviating cases kept in full."""

    procedures: dict[str, ProcedureFigures] = field(default_factory=dict)
    cases: list[CaseResult] = field(default_factory=list)
    """Deviating cases in log order, the first ``keep`` of them."""
    keep: int = 1000
    worst: int = 10
    _order: int = 0

    def add(self, result: CaseResult) -> None:
        figures = self.procedures.get(result.procedure)
        if figures is None:
            figures = self.procedures[result.procedure] = ProcedureFigures(result.procedure)
        figures.cases += 1
        figures.events += result.events
        if result.fitting:
            figures.fitting += 1
            return
        figures.cost += result.cost
        figures.unaligned += not result.aligned
        for d in result.deviations:
            figures.by_kind[d.kind] += 1
            figures.by_clause[(d.clause.where, d.clause.rule, d.kind)] += 1
        self._order += 1
        entry = (result.cost, -self._order, result)
        if len(figures.worst) < self.worst:
            heapq.heappush(figures.worst, entry)
        elif entry[:2] > figures.worst[0][:2]:
            heapq.heapreplace(figures.worst, entry)
        if len(self.cases) < self.keep:
            self.cases.append(result)

    @property
    def total(self) -> int:
        return sum(f.cases for f in self.procedures.values())

    @property
    def fitting(self) -> int:
        return sum(f.fitting for f in self.procedures.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.total,
            "fitting": self.fitting,
            "procedures": [f.as_dict() for f in self.procedures.values()],
            "deviating_cases": [c.as_dict() for c in self.cases],
            "kept": len(self.cases),
        }


def to_html(report: ConformanceReport, title: str = "Conformance report") -> str:
    """A static page: figures per procedure, deviations by clause, the deviating cases. Every value escaped."""
    e = html.escape
    out = [
        "<!doctype html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        ".order{color:#a30}.missing{color:#a60}.role{color:#06a}.data{color:#609}.time{color:#070}</style>",
        f"</head><body><h1>{e(title)}</h1>",
        f"<p>{report.total} cases, {report.fitting} fitting.</p>",
    ]
    for figures in report.procedures.values():
        out.append(f"<h2>{e(figures.procedure)}</h2>")
        out.append(
            f"<p>{figures.cases} cases, {figures.fitting} fitting ({figures.fitness:.1%}), "
            f"{figures.deviating} deviating; alignment cost {figures.cost}.</p>"
        )
        out.append("<table><tr><th>kind</th><th>deviations</th></tr>")
        out += [f'<tr><td class="{k}">{k}</td><td>{figures.by_kind.get(k, 0)}</td></tr>' for k in KINDS]
        out.append(
            "</table><h3>By clause</h3><table><tr><th>clause</th><th>rule</th><th>kind</th><th>deviations</th></tr>"
        )
        for (clause, rule, kind), n in sorted(figures.by_clause.items(), key=lambda t: (-t[1], t[0])):
            out.append(
                f'<tr><td>{e(clause)}</td><td>{e(rule)}</td><td class="{e(kind)}">{e(kind)}</td><td>{n}</td></tr>'
            )
        out.append("</table><h3>Worst cases</h3><table><tr><th>case</th><th>cost</th><th>deviations</th></tr>")
        for case in figures.worst_cases():
            out.append(f"<tr><td>{e(case.case)}</td><td>{case.cost}</td><td>{len(case.deviations)}</td></tr>")
        out.append("</table>")
    if report.cases:
        out.append("<h2>Deviating cases</h2>")
        out.append(
            "<table><tr><th>case</th><th>row</th><th>at</th><th>kind</th><th>what happened</th>"
            "<th>allowed there</th><th>clause</th></tr>"
        )
        for case in report.cases:
            for d in case.deviations:
                allowed = "; ".join(f"{ev} ({', '.join(roles)})" for ev, roles in d.allowed) or "nothing"
                out.append(
                    f"<tr><td>{e(d.case)}</td><td>{d.index}</td><td>{e(d.at.isoformat())}</td>"
                    f'<td class="{d.kind}">{d.kind}</td><td>{e(d.message)}</td><td>{e(allowed)}</td>'
                    f"<td>{e(d.clause.where)}<br>{e(d.clause.rule)}</td></tr>"
                )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
