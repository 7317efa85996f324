"""KPI targets against the procedures they count: every name resolves, every sum adds up numbers.

A KPI that names an outcome no procedure has would report 0 % for ever without anyone
noticing; so targets are checked with the library, at load time, like everything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sopflow.check.locate import Origin, finding, hint, locate
from sopflow.check.resolve import Resolved
from sopflow.check.semantic import final_outcomes, happenings
from sopflow.diagnostics import Diagnostic
from sopflow.errors import ExpressionError
from sopflow.expr import check, field_type, parse
from sopflow.model import Selector, Targets

NUMBERS = frozenset({"int", "decimal"})


def check_targets(targets: Targets, origin: Origin, newest: Mapping[str, Resolved]) -> list[Diagnostic]:
    """Every selector of every KPI, held against the newest version of the procedure it names."""
    problems: list[Diagnostic] = []
    for name, kpi in targets.kpis.items():
        if kpi.measure is None:
            continue
        at: Origin = (origin[0], (*origin[1], "kpis", name, "measure"))
        counted = {part: getattr(kpi.measure, part) for part in ("count", "of")}
        for part, selector in counted.items():
            problems += _selector(selector, (at[0], (*at[1], part)), newest)
        kinds = {part: _unit(s) for part, s in counted.items()}
        if kinds["count"] != kinds["of"]:
            message = f"'count' counts {kinds['count']} and 'of' counts {kinds['of']}: a rate compares like with like"
            problems.append(finding("error", "kpi-units", message, at))
    return problems


def _unit(selector: Selector) -> str:
    if selector.sum is not None:
        return "a sum of values"
    return "promises" if selector.promise is not None else "sessions"


def _selector(selector: Selector, at: Origin, newest: Mapping[str, Resolved]) -> Iterator[Diagnostic]:
    r = newest.get(selector.procedure)
    if r is None:
        yield finding(
            "error",
            "unknown-procedure",
            f"unknown procedure '{selector.procedure}'{hint(selector.procedure, newest)}",
            at,
            "procedure",
        )
        return
    pid = r.id
    states, events = happenings(r)
    known = {
        "outcome": final_outcomes(r),
        "reached": states,
        "event": events,
    }
    for key, names in (("outcome", selector.outcome), ("reached", selector.reached), ("event", selector.event)):
        for i, name in enumerate(names):
            if name not in known[key]:
                kind = {"reached": "state", "event": "event or timer"}.get(key, key)
                yield finding(
                    "error", f"unknown-{key}", f"'{pid}' has no {kind} '{name}'{hint(name, known[key])}", at, key, i
                )
    if selector.promise is not None and selector.promise not in r.spec.promises:
        message = f"'{pid}' makes no promise '{selector.promise}'{hint(selector.promise, r.spec.promises)}"
        yield finding("error", "unknown-promise", message, at, "promise")
    if selector.sum is not None:
        spec = r.fields.get(selector.sum)
        if spec is None:
            yield finding(
                "error",
                "unknown-field",
                f"'{pid}' has no field '{selector.sum}'{hint(selector.sum, r.fields)}",
                at,
                "sum",
            )
        elif spec.type not in NUMBERS:
            message = f"'{selector.sum}' of '{pid}' is {spec.type}; only int and decimal fields add up"
            yield finding("error", "kpi-sum", message, at, "sum")
    if selector.where is not None:
        env = {n: field_type(f.type, f.values) for n, f in r.fields.items()}
        try:
            found = check(parse(selector.where), env)
            if found.kind not in {"bool", "null"}:
                raise ExpressionError(f"a condition must be true or false, found {found}", column=1)
        except ExpressionError as exc:
            source, line, col, path = locate(at, "where")
            yield Diagnostic("error", "expression", f"in '{selector.where}': {exc.message}", source, line, col, path)
