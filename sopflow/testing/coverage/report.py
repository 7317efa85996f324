"""Coverage figures, and the reports made of them: a text table, JSON, the choice of reports, the threshold.

The figures are computed once (:class:`CoverageReport`) and every report is a view of
them, so the table a developer reads, the JSON a CI job keeps and the HTML a reviewer
opens can never disagree. The terminal table is plain text here, for pytest, whose
``[testing]`` extra brings no terminal library; ``sopflow coverage`` draws the same
rows with rich.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sopflow.__about__ import __version__
from sopflow.errors import UsageError
from sopflow.testing.coverage.record import FIELDS, KINDS, Kind, ScenarioCoverage, Unit

if TYPE_CHECKING:
    from sopflow.testing.coverage.record import ScenarioCoverage

FORMAT = 1
"""Version of the JSON report's layout; it changes only when a key changes meaning or goes away."""

ReportKind = Literal["term", "term-missing", "json", "html"]


def percent(covered: int, total: int) -> float | None:
    """The share covered, in percent; ``None`` when there is nothing to cover."""
    return covered * 100 / total if total else None


def shown_percent(covered: int, total: int) -> str:
    """A percentage for people: never 100 % while something is missed, never 0 % once something is covered."""
    if not total:
        return "—"
    value = round(covered * 100 / total)
    if covered < total:
        value = min(value, 99)
    if covered:
        value = max(value, 1)
    return f"{value}%"


def unit_text(kind: Kind, unit: Unit) -> str:
    """A unit as the reports write it: ``check_fees --fees_checked--> refused_arrears``, ``reply kept``."""
    if kind == "arrows":
        state, trigger, target = unit
        return f"{state} --{trigger}--> {target}"
    if kind == "checklist":
        state, item = unit
        return f"{item} in {state}"
    return " ".join(unit)


@dataclass(frozen=True)
class Figures:
    """One kind of unit of one procedure: each unit with the scenarios that covered it."""

    kind: Kind
    units: tuple[tuple[Unit, tuple[str, ...]], ...]
    """Every unit in the IR's order, with the scenarios whose runs covered it (none: missed)."""

    @property
    def total(self) -> int:
        return len(self.units)

    @property
    def covered(self) -> int:
        return sum(1 for _, scenarios in self.units if scenarios)

    @property
    def missed(self) -> tuple[Unit, ...]:
        return tuple(unit for unit, scenarios in self.units if not scenarios)

    @property
    def percent(self) -> float | None:
        return percent(self.covered, self.total)


@dataclass(frozen=True)
class ProcedureFigures:
    """What the scenarios covered of one procedure, kind by kind."""

    procedure: str
    version: int
    scenarios: tuple[str, ...]
    """Scenarios whose runs exercised it: its own, and those of procedures that call it."""
    runs: int
    kinds: Mapping[Kind, Figures]

    @property
    def covered(self) -> int:
        return sum(f.covered for f in self.kinds.values())

    @property
    def total(self) -> int:
        return sum(f.total for f in self.kinds.values())

    @property
    def percent(self) -> float | None:
        return percent(self.covered, self.total)


@dataclass(frozen=True)
class CoverageReport:
    """The figures of a set of procedures: every report is drawn from one of these."""

    procedures: tuple[ProcedureFigures, ...]
    """In the order of their ids."""

    @classmethod
    def of(cls, coverage: ScenarioCoverage, procedures: Iterable[str]) -> CoverageReport:
        out = []
        for pid in sorted(set(procedures)):
            universe = coverage.universe(pid)
            hits = coverage.hits
            kinds = {
                kind: Figures(
                    kind, tuple((u, tuple(sorted(hits.get((pid, kind, u), ())))) for u in universe.units[kind])
                )
                for kind in KINDS
            }
            scenarios = tuple(sorted(coverage.scenarios.get(pid, ())))
            out.append(ProcedureFigures(pid, universe.version, scenarios, coverage.runs.get(pid, 0), kinds))
        return cls(tuple(out))

    def kind_totals(self, kind: Kind) -> tuple[int, int]:
        """(covered, total) of one kind over every procedure of the report."""
        figures = [p.kinds[kind] for p in self.procedures]
        return sum(f.covered for f in figures), sum(f.total for f in figures)

    @property
    def covered(self) -> int:
        return sum(p.covered for p in self.procedures)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.procedures)

    @property
    def percent(self) -> float | None:
        return percent(self.covered, self.total)

    @property
    def scenarios(self) -> tuple[str, ...]:
        """Every scenario that ran, once."""
        return tuple(sorted({s for p in self.procedures for s in p.scenarios}))

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """The kinds some procedure of the report has units of: the table's columns."""
        return tuple(k for k in KINDS if self.kind_totals(k)[1])

    def below(self, threshold: float) -> bool:
        """Whether the total falls short of ``threshold`` percent (nothing to cover is never short)."""
        return self.total > 0 and self.covered * 100 < threshold * self.total

    def as_json(self) -> dict[str, Any]:
        """The JSON report (docs/testing.md, "The JSON report"): stable keys, units as objects."""
        return {
            "format": FORMAT,
            "sopflow": __version__,
            "kinds": list(KINDS),
            "totals": {
                **_counts(self.covered, self.total),
                "scenarios": len(self.scenarios),
                "kinds": {k: _counts(*self.kind_totals(k)) for k in KINDS},
            },
            "procedures": {
                p.procedure: {
                    "version": p.version,
                    "runs": p.runs,
                    "scenarios": list(p.scenarios),
                    **_counts(p.covered, p.total),
                    "kinds": {
                        kind: {
                            **_counts(f.covered, f.total),
                            "missed": [dict(zip(FIELDS[kind], unit, strict=True)) for unit in f.missed],
                            "units": [
                                {**dict(zip(FIELDS[kind], unit, strict=True)), "scenarios": list(scenarios)}
                                for unit, scenarios in f.units
                            ],
                        }
                        for kind, f in p.kinds.items()
                    },
                }
                for p in self.procedures
            },
        }

    def json_text(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2) + "\n"


def _counts(covered: int, total: int) -> dict[str, Any]:
    share = percent(covered, total)
    return {"covered": covered, "total": total, "percent": None if share is None else round(share, 2)}


def shortfall(report: CoverageReport, threshold: float) -> str | None:
    """The message for a total below ``threshold``, or ``None`` when it reaches it."""
    if not report.below(threshold):
        return None
    share = math.floor((report.percent or 0.0) * 10) / 10  # 79.96 % must not read as 80.0 %
    return f"scenario coverage {share:.1f}% is below the required {threshold:g}%"


# -- the table, as rows of text ------------------------------------------------------------------

LABELS: Mapping[Kind, str] = {
    "states": "states",
    "events": "events",
    "arrows": "arrows",
    "timers": "timers",
    "checklist": "items",
    "promises": "promises",
    "properties": "props",
}
"""Column headings: short, so the table keeps to 80 columns."""

WIDTH = 80
NBSP = "\xa0"


def count_cell(covered: int, total: int) -> str:
    return f"{covered}/{total}" if total else "—"


def table(report: CoverageReport) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Header, one row per procedure, and the two total rows (counts, then each kind's percentage).

    A cell is ``covered/total`` of one kind; the last column is the procedure's share of
    everything, so a row reads left to right as "what, then how much in all".
    """
    kinds = report.kinds
    header = ["procedure", *(LABELS[k] for k in kinds), "cover"]
    rows = [
        [
            p.procedure,
            *(count_cell(p.kinds[k].covered, p.kinds[k].total) for k in kinds),
            shown_percent(p.covered, p.total),
        ]
        for p in report.procedures
    ]
    totals = [report.kind_totals(k) for k in kinds]
    counts = ["total", *(count_cell(*t) for t in totals), shown_percent(report.covered, report.total)]
    shares = ["", *(shown_percent(*t) for t in totals), ""]
    return header, rows, [counts, shares]


def split_name(name: str, width: int) -> list[str]:
    """A procedure id in lines of at most ``width``: cut after a dot, and inside a long part after
    an underscore; ids are long, columns are not. Lines after the first are indented by two."""
    if len(name) <= width:
        return [name]
    parts = re.findall(r"[^.]+\.?", name)
    lines: list[str] = []
    for part in parts:
        lead = "  " if lines else ""
        if len(lead + part) <= width or "_" not in part:
            lines.append(lead + part)
            continue
        line = lead
        for piece in re.findall(r"[^_]+_?", part):
            if len(line) + len(piece) > width and line.strip():
                lines.append(line)
                line = "  "
            line += piece
        lines.append(line)
    return lines


def missed(report: CoverageReport) -> list[tuple[str, list[tuple[Kind, list[str]]]]]:
    """Per procedure, each kind with what the scenarios missed (procedures that missed nothing left out)."""
    out = []
    for p in report.procedures:
        kinds = [(kind, [unit_text(kind, u) for u in f.missed]) for kind, f in p.kinds.items() if f.missed]
        if kinds:
            out.append((p.procedure, kinds))
    return out


def text_report(report: CoverageReport, *, show_missed: bool, width: int = WIDTH) -> list[str]:
    """The terminal report as plain lines (for pytest, which brings no terminal library)."""
    header, rows, totals = table(report)
    numbers = [max(len(r[i]) for r in (header, *rows, *totals)) for i in range(1, len(header))]
    room = max(width - sum(n + 1 for n in numbers), 20)
    names = {r[0]: split_name(r[0], room) for r in rows}
    first = max(len(line) for r in (header, *rows, *totals) for line in names.get(r[0], [r[0]]))

    def line(name: str, cells: Sequence[str]) -> str:
        return " ".join([name.ljust(first), *(c.rjust(n) for c, n in zip(cells, numbers, strict=True))]).rstrip()

    out = [line(header[0], header[1:])]
    rule = "-" * len(out[0])
    out.append(rule)
    for row in rows:
        *before, last = names[row[0]]
        out += before
        out.append(line(last, row[1:]))
    out.append(rule)
    out += [line(r[0], r[1:]) for r in totals]
    return out + missed_lines(report, width) if show_missed else out


def missed_lines(report: CoverageReport, width: int = WIDTH) -> list[str]:
    """What each procedure missed, kind by kind, wrapped to ``width`` without cutting a unit in two."""
    out = []
    for procedure, kinds in missed(report):
        out += ["", f"{procedure} missed:"]
        label = max(len(k) for k, _ in kinds)
        for kind, units in kinds:
            head = f"  {kind.ljust(label)}  "
            # No break inside a unit: "tenant_signs --escalate--> escalated" stays on one line.
            wrapped = textwrap.wrap(
                ", ".join(u.replace(" ", NBSP) for u in units),
                max(width, len(head) + 20),
                initial_indent=head,
                subsequent_indent=" " * len(head),
                break_on_hyphens=False,
                break_long_words=False,
            )
            out += [w.replace(NBSP, " ") for w in wrapped]
    return out


# -- which reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportTarget:
    """One report asked for: the terminal table (with what was missed), or a file."""

    kind: ReportKind
    path: Path | None = None

    def __str__(self) -> str:
        return self.kind if self.path is None else f"{self.kind}:{self.path}"


def parse_target(text: str) -> ReportTarget:
    """``term``, ``term-missing``, ``json:PATH`` or ``html:PATH``; a bad one is a :class:`UsageError`."""
    kind, sep, path = text.partition(":")
    if kind == "term" and not sep:
        return ReportTarget("term")
    if kind == "term-missing" and not sep:
        return ReportTarget("term-missing")
    if kind in ("json", "html"):
        if not path:
            raise UsageError(f"the {kind} report needs a path: '{kind}:PATH', e.g. '{kind}:{EXAMPLES[kind]}'")
        return ReportTarget("json" if kind == "json" else "html", Path(path))
    raise UsageError(f"unknown coverage report '{text}'; expected term, term-missing, json:PATH or html:PATH")


EXAMPLES = {"json": "coverage.json", "html": "htmlcov"}


def parse_threshold(text: str | float) -> float:
    """A percentage from 0 to 100; anything else is a :class:`UsageError`."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"a coverage threshold is a percentage from 0 to 100, found '{text}'") from None
    if math.isnan(value) or not 0 <= value <= 100:
        raise UsageError(f"a coverage threshold is a percentage from 0 to 100, found '{text}'")
    return value


def report_of(coverage: ScenarioCoverage, procedures: Iterable[str] | None = None) -> CoverageReport:
    """The figures of ``procedures`` (default: every procedure some run exercised), with what was missed."""
    return CoverageReport.of(coverage, coverage.runs if procedures is None else procedures)
