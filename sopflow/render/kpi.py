"""The KPI report for tools (JSON) and for managers (one HTML page with its charts drawn in SVG).

The page is a single file with no script and nothing fetched from elsewhere: it is mailed,
archived and opened offline. Its charts are a few bars and a target line per KPI, which
inline SVG draws exactly and prints sharply; a plotting library would add a large
dependency (and a browser runtime or image files) for what fifty lines of SVG do. Only
figures and session ids appear, never a field's value; every text is escaped, since titles
come from files anyone may edit.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from sopflow.__about__ import __version__
from sopflow.analysis.kpi import Figure
from sopflow.analysis.kpi_report import KpiReport, KpiResult
from sopflow.model.base import Text
from sopflow.render.text import pick

CASES_SHOWN = 50
"""Sessions listed per KPI on the page (the JSON has them all)."""

STYLE = """
body { font: 14px/1.45 system-ui, "Noto Sans CJK SC", sans-serif; margin: 2em auto; max-width: 64em; padding: 0 1em;
       color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: .25em .7em; text-align: right; border-bottom: 1px solid #ddd; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
.met { color: #186a3b; } .missed { color: #b42318; } .none { color: #777; }
section { margin: 2em 0; page-break-inside: avoid; }
svg text { font: 11px system-ui, sans-serif; fill: #444; }
details { margin: .4em 0; } summary { cursor: pointer; } code { font-size: 95%; }
"""


def words(text: Text | None, lang: str) -> str:
    """A localised text in ``lang`` (or another it has), empty when there is none."""
    return pick(text, lang) or ""


def target_text(result: KpiResult) -> str:
    return str(result.kpi.target) if result.kpi.target is not None else "—"


def figure_text(figure: Figure | None) -> str:
    """``47/50 = 94.0%``; ``0/0`` when nothing was there to count."""
    if figure is None:
        return "—"
    count, of = _number(figure.count), _number(figure.of)
    return f"{count}/{of} = {figure.percent}%" if figure.percent is not None else f"{count}/{of}"


def verdict(figure: Figure | None) -> str:
    if figure is None or figure.met is None:
        return "—"
    return "met" if figure.met else "missed"


def report_json(report: KpiReport, lang: str) -> dict[str, Any]:
    """Every KPI with its figure, trend, cases and reading, for dashboards and archives."""
    return {
        "targets": report.targets.id,
        "title": words(report.targets.title, lang),
        "since": report.since.isoformat() if report.since else None,
        "until": report.until.isoformat() if report.until else None,
        "by": report.by,
        "sessions": report.sessions,
        "kpis": [_kpi_json(r, lang) for r in report.results],
    }


def _kpi_json(result: KpiResult, lang: str) -> dict[str, Any]:
    kpi = result.kpi
    out: dict[str, Any] = {
        "name": result.name,
        "title": words(kpi.title, lang),
        "target": kpi.target.model_dump(mode="json", exclude_none=True) if kpi.target else None,
        "period": kpi.period,
        "confidence": kpi.confidence,
    }
    if result.total is None:
        out["unmeasured"] = words(kpi.unmeasured, lang)
        return out
    out["total"] = _figure_json(result.total)
    out["trend"] = [_figure_json(f) for f in result.trend]
    out["cases"] = {"counted": result.counted, "of": result.against}
    return out


def _figure_json(figure: Figure) -> dict[str, Any]:
    return {
        "period": figure.period,
        "count": _number(figure.count),
        "of": _number(figure.of),
        "percent": float(figure.percent) if figure.percent is not None else None,
        "met": figure.met,
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def report_html(report: KpiReport, lang: str) -> str:
    """The whole page: the summary table, then one section per KPI with its chart and cases."""
    title = words(report.targets.title, lang)
    stretch = report.results[0].total.period if report.results and report.results[0].total else ""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{report.sessions} sessions read · {escape(stretch)} · sopflow {escape(__version__)}</p>",
        _summary(report, lang),
    ]
    parts += [_section(r, lang) for r in report.results]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _summary(report: KpiReport, lang: str) -> str:
    rows = ["<tr><th>KPI</th><th>target</th><th>value</th><th></th><th>confidence</th></tr>"]
    for r in report.results:
        shown = verdict(r.total)
        link = f'<a href="#{escape(r.name)}">{escape(words(r.kpi.title, lang))}</a>'
        value = escape(figure_text(r.total)) if r.total is not None else "not measured"
        rows.append(
            f"<tr><td>{link}</td><td>{escape(target_text(r))}</td><td>{value}</td>"
            f'<td class="{_css(shown)}">{shown}</td><td>{escape(r.kpi.confidence)}</td></tr>'
        )
    return "<table>" + "\n".join(rows) + "</table>"


def _css(shown: str) -> str:
    return {"met": "met", "missed": "missed"}.get(shown, "none")


def _section(result: KpiResult, lang: str) -> str:
    head = f'<section id="{escape(result.name)}"><h2>{escape(words(result.kpi.title, lang))}</h2>'
    source = result.kpi.source
    cited = (
        f"<p>Source: {escape(source.document)} {escape(source.section or '')} L{escape(source.lines or '')}</p>"
        if source is not None
        else ""
    )
    if result.total is None:
        why = escape(words(result.kpi.unmeasured, lang))
        return f"{head}{cited}<p>Not measured: {why}</p></section>"
    rows = ["<tr><th>period</th><th>value</th><th></th></tr>"]
    for f in result.trend:
        shown = verdict(f)
        cells = f"<td>{escape(f.period)}</td><td>{escape(figure_text(f))}</td>"
        rows.append(f'<tr>{cells}<td class="{_css(shown)}">{shown}</td></tr>')
    cases = "".join(
        f"<details><summary>{label} ({len(ids)} sessions)</summary><p>"
        + ", ".join(f"<code>{escape(i)}</code>" for i in ids[:CASES_SHOWN])
        + (f" … and {len(ids) - CASES_SHOWN} more" if len(ids) > CASES_SHOWN else "")
        + "</p></details>"
        for label, ids in (("counted", result.counted), ("out of", result.against))
    )
    return "\n".join([head, cited, chart(result), "<table>", *rows, "</table>", cases, "</section>"])


def chart(result: KpiResult, width: int = 640, height: int = 180) -> str:
    """Bars per period (green met, red missed, grey without a target) under a dashed target line."""
    bars = [f for f in result.trend if f.percent is not None]
    if not bars:
        return "<p>No period had anything to count.</p>"
    left, bottom, top = 36, 24, 10
    plot_h = height - bottom - top
    step = (width - left) / len(bars)

    def y(percent: Decimal | float) -> float:
        return top + plot_h * (1 - float(percent) / 100)

    parts = [
        f'<svg role="img" aria-label="{escape(words(result.kpi.title, "en"))} by period" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for tick in (0, 50, 100):
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}%</text>')
    for i, f in enumerate(bars):
        assert f.percent is not None
        colour = "#9aa0a6" if f.met is None else "#2e7d32" if f.met else "#c62828"
        x = left + i * step + step * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{y(f.percent):.1f}" width="{step * 0.7:.1f}" '
            f'height="{top + plot_h - y(f.percent):.1f}" fill="{colour}"><title>{escape(f.period)}: '
            f"{escape(figure_text(f))}</title></rect>"
        )
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - 8}" text-anchor="middle">{escape(f.period)}</text>')
    target = result.kpi.target
    if target is not None:
        line = target.at_least if target.at_least is not None else target.at_most
        assert line is not None
        parts.append(
            f'<line x1="{left}" x2="{width}" y1="{y(line):.1f}" y2="{y(line):.1f}" stroke="#1a237e" '
            f'stroke-dasharray="6 4"><title>target {escape(str(target))}</title></line>'
        )
    parts.append("</svg>")
    return "".join(parts)
