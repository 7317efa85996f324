"""``sopflow check``: validate, lint and explore every procedure, for CI, in one command.

Validation says the files are well formed, lint says the graphs look right, and the
explorer proves what holds on every way through: invariants and properties, no session
stuck. Each finding is located at the YAML line of the state it is about, so editors and
code-scanning pages (SARIF) show it where the author will fix it; each reachable problem
comes with a counterexample scenario on request.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from sopflow.__about__ import __version__
from sopflow.analysis import mutate
from sopflow.analysis.counterexample import scenario_text
from sopflow.analysis.explore import BUDGET
from sopflow.analysis.lint import RULES, lint_library
from sopflow.analysis.verify import CODES, Finding, Report, verify
from sopflow.check import check_documents
from sopflow.check.locate import locate
from sopflow.cli.checks import ExcludeOpt, PathsArg
from sopflow.cli.common import EXIT_OK, EXIT_PROBLEMS, print_diagnostics, stdout, summary, write_out
from sopflow.cli.files import select
from sopflow.compile import Procedure
from sopflow.diagnostics import Diagnostic
from sopflow.errors import CommandError, SopflowError
from sopflow.library import Library
from sopflow.model import LEVEL_SEPARATOR
from sopflow.testing import parse_scenario, run_scenario

CheckFormat = Literal["text", "json", "sarif"]
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def check(
    paths: PathsArg = None,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="text for people, json for tools, sarif for code scanning.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of standard output.")
    ] = None,
    counterexamples: Annotated[
        Path | None,
        typer.Option("--counterexamples", metavar="DIR", help="Write each reachable problem's scenario into DIR."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Configurations explored per procedure at most.")
    ] = 100_000,
    steps: Annotated[
        int, typer.Option("--steps", min=1, help="Kernel steps per procedure after which exploring stops.")
    ] = BUDGET,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    mutants: Annotated[
        bool, typer.Option("--mutants", help="Also check small mistakes made on purpose: how many are caught.")
    ] = False,
    exclude: ExcludeOpt = None,
) -> None:
    """Validate, lint and explore every way through each procedure; exit 1 on any error.

    The explorer tries every event, role, boundary value of the guards, checklist tick and
    timer, and reports broken invariants and properties, sessions that get stuck or can
    never end, and (when it saw everything) states, events and branches that never happen.
    """
    chosen = select(paths, exclude or [])
    checked = check_documents(chosen.docs)
    found: list[Diagnostic] = list(checked.diagnostics)
    reports: list[Report] = []
    written: list[tuple[Path, bool]] = []
    if checked.ok:
        library = Library.from_documents(chosen.docs)
        found += lint_library(library).diagnostics
        for pid in library:
            report = verify(library[pid], limit=limit, budget=steps)
            reports.append(report)
            for finding in report.findings:
                found.append(_located(library, finding))
                if counterexamples is not None and finding.path:
                    written.append(_write(counterexamples, library, finding, len(written) + 1))
    found.sort(key=lambda d: (d.source or "", d.line or 0, d.column or 0, d.code))
    mutation = mutate.run(chosen.files, limit=limit, budget=steps) if mutants and checked.ok else None
    failing = {"error", "warning"} if strict else {"error"}
    status = EXIT_PROBLEMS if any(d.severity in failing for d in found) else EXIT_OK
    text = None
    if fmt == "json":
        document = _json(found, reports, written)
        if mutation is not None:
            document["mutation"] = _mutation_json(mutation)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "sarif":
        text = json.dumps(sarif(found), ensure_ascii=False, indent=2) + "\n"
    if text is not None:
        write_out(text, output)
    else:
        _text(found, reports, written, len(chosen.files), checked.ok)
        if mutation is not None:
            _mutation_text(mutation)
    raise typer.Exit(status)


def _mutation_text(results: list[mutate.Result]) -> None:
    """Per operator: mutants refused at load, caught by lint or the explorer, survived; then the survivors."""
    console = stdout()
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("mutation", "mutants", "refused", "caught", "survived", "equivalent"):
        table.add_column(name, justify="left" if name == "mutation" else "right", no_wrap=True)
    for operator in mutate.OPERATORS:
        mine = [r for r in results if r.mutant.operator == operator]
        counts = [sum(r.verdict == v for r in mine) for v in ("refused", "caught", "survived", "equivalent")]
        table.add_row(operator, str(len(mine)), *map(str, counts))
    console.print(table)
    for r in results:
        if r.verdict == "survived":
            console.print(f"survived: {escape(str(r.mutant))}")
    score = mutate.score(results)
    console.print(f"mutants caught: {score:.1%} of those that change a step", soft_wrap=True)


def _mutation_json(results: list[mutate.Result]) -> dict[str, Any]:
    return {
        "score": round(mutate.score(results), 4),
        "mutants": [
            {"operator": r.mutant.operator, "document": r.mutant.document, "where": r.mutant.where}
            | {"verdict": r.verdict, "reason": r.reason}
            for r in results
        ],
    }


def _located(library: Library, finding: Finding) -> Diagnostic:
    """A finding at the YAML line of its state (or of its procedure), for editors and SARIF."""
    procedure = _procedure(library, finding)
    source = line = column = path = None
    if procedure is not None:
        r = procedure.resolved
        state = (finding.state or "").split(" › ")[-1].split(LEVEL_SEPARATOR)[0]
        origin = r.where("state", state) if ("state", state) in r.origin else (r.doc, ("procedure",))
        source, line, column, path = locate(origin, key=True)
    message = finding.message
    if finding.path:
        message += f" (shortest way: {len(finding.path) - 1} steps)"
    return Diagnostic(finding.severity, finding.code, message, source, line, column, path)


def _procedure(library: Library, finding: Finding) -> Procedure | None:
    return library[finding.procedure] if finding.procedure in library else None  # noqa: SIM401 - get() takes a version


def _write(folder: Path, library: Library, finding: Finding, number: int) -> tuple[Path, bool]:
    """Write the counterexample, and say whether it replays on real time as the explorer found it."""
    procedure = _procedure(library, finding)
    if procedure is None:
        raise CommandError(f"no procedure '{finding.procedure}' to write a counterexample for")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{procedure.id}.{finding.code}.{number}.yaml"
        text = scenario_text(procedure, finding)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write counterexamples into {folder}: {exc.strerror or exc}") from None
    return target, replays(library, text)


def replays(library: Library, text: str) -> bool:
    """Whether a counterexample runs on real time as the explorer found it.

    The explorer lets timers of different procedures fall due in any order; on a real clock
    one order may be impossible, and then the scenario says where the two part.
    """
    try:
        scenario = parse_scenario(text)
        run_scenario(scenario, library, library[scenario.procedure].languages[0])
    except SopflowError:
        return False
    return True


def _text(
    found: list[Diagnostic], reports: list[Report], written: list[tuple[Path, bool]], files: int, loaded: bool
) -> None:
    console = stdout()
    print_diagnostics(console, found)
    if reports:
        table = Table(box=None, header_style="bold", pad_edge=False)
        for name in ("procedure", "configurations", "moves", "depth", "complete"):
            table.add_column(name, justify="left" if name == "procedure" else "right", no_wrap=True)
        for r in reports:
            f = r.figures
            figures = (
                str(f["configurations"]),
                str(f["transitions"]),
                str(f["depth"]),
                "yes" if f["complete"] else "no",
            )
            table.add_row(r.procedure.id, *figures)
        console.print(table)
    for path, ok in written:
        note = (
            "" if ok else " (it does not replay on real time: timers of two procedures in an order a clock cannot give)"
        )
        console.print(f"wrote {escape(str(path))}{note}")
    note = "" if loaded else " (fix the errors first: exploring needs procedures that load)"
    console.print(escape(summary(found, files, note)), soft_wrap=True)


def _json(found: list[Diagnostic], reports: list[Report], written: list[tuple[Path, bool]]) -> dict[str, Any]:
    counts = {s: sum(d.severity == s for d in found) for s in ("error", "warning", "info")}
    return {
        "counts": counts,
        "diagnostics": [d.as_dict() for d in found],
        "exploration": {r.procedure.id: r.figures for r in reports},
        "counterexamples": [{"path": str(p), "replays": ok} for p, ok in written],
    }


def sarif(found: list[Diagnostic]) -> dict[str, Any]:
    """SARIF 2.1.0: one run of sopflow, each finding a result at its YAML line."""
    meanings = {code: meaning for code, (_, meaning) in RULES.items()} | {c: m for c, (_, m) in CODES.items()}
    codes = sorted({d.code for d in found})
    rules = [{"id": c, "shortDescription": {"text": meanings.get(c, c)}} for c in codes]
    results = []
    for d in found:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": codes.index(d.code),
            "level": {"error": "error", "warning": "warning"}.get(d.severity, "note"),
            "message": {"text": d.message},
        }
        if d.source:
            region = {"startLine": d.line or 1} | ({"startColumn": d.column} if d.column else {})
            where = {"artifactLocation": {"uri": _uri(d.source)}, "region": region}
            result["locations"] = [{"physicalLocation": where}]
        results.append(result)
    driver = {"name": "sopflow", "version": __version__, "rules": rules}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}


def _uri(source: str) -> str:
    path = Path(source)
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
