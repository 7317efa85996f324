"""The HTML coverage report: one self-contained file a reviewer opens from a CI artefact.

No script, no stylesheet or font fetched from elsewhere, so it opens offline and from a
zip. Only names appear — of procedures, states, events, timers, items, promises,
properties and scenario files — never a field value: scenarios may hold private data,
and the figures never carry any. Every name is escaped, since names come from files
anyone may edit.
"""

from __future__ import annotations

from html import escape

from sopflow.__about__ import __version__
from sopflow.testing.coverage.record import KINDS
from sopflow.testing.coverage.report import CoverageReport, Figures, ProcedureFigures, shown_percent, unit_text

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: .2em .7em; text-align: right; border-bottom: 1px solid #ddd; }
th:first-child, td:first-child { text-align: left; }
td.full { color: #186a3b; } td.part { color: #9a6700; } td.none { color: #b42318; }
details { margin: .4em 0; } summary { cursor: pointer; }
ul { margin: .2em 0 .6em; } li.missed { color: #b42318; } code { font-size: 95%; }
"""


def html_report(report: CoverageReport, title: str) -> str:
    """The whole page: the table of every procedure, then what each one missed."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{len(report.scenarios)} scenario files, {report.covered} of {report.total} units covered "
        f"({escape(shown_percent(report.covered, report.total))}). sopflow {escape(__version__)}.</p>",
        _table(report),
    ]
    parts += [_procedure(p) for p in report.procedures]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _cell(covered: int, total: int) -> str:
    if not total:
        return "<td>—</td>"
    style = "full" if covered == total else "none" if not covered else "part"
    return f'<td class="{style}">{covered}/{total} ({escape(shown_percent(covered, total))})</td>'


def _table(report: CoverageReport) -> str:
    kinds = report.kinds
    head = "".join(f"<th>{k}</th>" for k in kinds)
    rows = [f"<tr><th>procedure</th>{head}<th>total</th></tr>"]
    for p in report.procedures:
        cells = "".join(_cell(p.kinds[k].covered, p.kinds[k].total) for k in kinds)
        link = f'<a href="#{escape(_anchor(p.procedure))}">{escape(p.procedure)}</a>'
        rows.append(f"<tr><td>{link}</td>{cells}{_cell(p.covered, p.total)}</tr>")
    cells = "".join(_cell(*report.kind_totals(k)) for k in kinds)
    rows.append(f"<tr><th>total</th>{cells}{_cell(report.covered, report.total)}</tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def _anchor(procedure: str) -> str:
    return f"p-{procedure}"


def _procedure(p: ProcedureFigures) -> str:
    out = [
        f'<h2 id="{escape(_anchor(p.procedure))}">{escape(p.procedure)} v{p.version}</h2>',
        f"<p>{p.covered} of {p.total} units covered ({escape(shown_percent(p.covered, p.total))}) "
        f"by {len(p.scenarios)} scenario files in {p.runs} runs.</p>",
    ]
    missed = [(k, p.kinds[k]) for k in KINDS if p.kinds[k].missed]
    if missed:
        out.append("<h3>Missed</h3>")
        for kind, figures in missed:
            items = "".join(
                f'<li class="missed"><code>{escape(unit_text(kind, u))}</code></li>' for u in figures.missed
            )
            out.append(f"<p>{kind} ({len(figures.missed)})</p><ul>{items}</ul>")
    else:
        out.append("<p>Nothing missed.</p>")
    out.append(_covered(p))
    if p.scenarios:
        items = "".join(f"<li><code>{escape(s)}</code></li>" for s in p.scenarios)
        out.append(f"<details><summary>Scenario files ({len(p.scenarios)})</summary><ul>{items}</ul></details>")
    return "\n".join(out)


def _covered(p: ProcedureFigures) -> str:
    """Each covered unit with the scenario files that covered it, folded away: for "which test shows this?"."""
    items = [_covered_item(kind, f) for kind, f in p.kinds.items() if f.covered]
    if not items:
        return ""
    return f"<details><summary>Covered ({p.covered})</summary><ul>{''.join(items)}</ul></details>"


def _covered_item(kind: str, figures: Figures) -> str:
    rows = []
    for unit, scenarios in figures.units:
        if scenarios:
            by = ", ".join(escape(s) for s in scenarios)
            rows.append(f"<li><code>{escape(unit_text(figures.kind, unit))}</code> — {by}</li>")
    return f"<li>{kind}<ul>{''.join(rows)}</ul></li>"
