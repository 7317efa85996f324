"""The lint rules, what one finding is, and how a ``lint.ignore`` list silences findings.

Shared by the rules on compiled procedures (:mod:`sopflow.analysis.lint`) and
those on documents as written (content, Chinese script), so every finding is
silenced, counted and reported the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sopflow.check.resolve import Origin, Resolved, finding
from sopflow.diagnostics import Diagnostic, Severity
from sopflow.model import LEVEL_SEPARATOR, LintIgnore

RULES: dict[str, tuple[Severity, str]] = {
    "unreachable-state": ("warning", "no path from the initial state reaches the state"),
    "cannot-finish": ("error", "from the state no final state can be reached: a session would be stuck"),
    "no-fallback": ("warning", "every branch is guarded: when no guard holds, the step is refused"),
    "event-never-fires": ("warning", "the event is only offered in states no session reaches"),
    "event-without-role": ("warning", "neither the event nor its state names a role, so anyone may fire it"),
    "timer-never-fires": ("warning", "a shorter timer of the same state always leaves the state first"),
    "undeclared-role": ("error", "a role is used but the procedure does not declare it"),
    "unused-role": ("warning", "a role is declared but no state, event or ladder level uses it"),
    "missing-translation": ("warning", "a text lacks one of the procedure's declared languages"),
    "unknown-placeholder": ("error", "a {placeholder} names no field of the procedure"),
    "missing-source": ("warning", "a state cites no section of the written SOPs"),
    "unsatisfiable-requires": (
        "error",
        "a state requires a field that no event, assignment, call, default or declared start data can set",
    ),
    "restarts-timers": (
        "warning",
        "a way back to its own state with 'to' re-enters it and restarts its timers; omit 'to' to keep them",
    ),
    "timer-cycle": (
        "warning",
        "timers alone lead back round a cycle of states: while no one acts, every pass is journaled, for ever",
    ),
    "unknown-rule": ("warning", "a lint.ignore entry names a rule that does not exist"),
    "unused-ignore": ("warning", "a lint.ignore entry silences nothing (fixed, or a wrong 'where')"),
    "chinese-script": (
        "warning",
        "the zh-Hant and zh-Hans texts of a line do not convert into each other (OpenCC), from the source's script",
    ),
}
"""Rule id -> (severity, what it means); ``sopflow lint --rules`` prints this table."""


@dataclass(frozen=True)
class Finding:
    """A rule's finding before it is located; ``scopes`` are the ``where`` values that silence it."""

    rule: str
    message: str
    origin: Origin
    sub: tuple[str | int, ...] = ()
    scopes: frozenset[str] = frozenset()
    key: bool = False

    def diagnostic(self) -> Diagnostic:
        return finding(RULES[self.rule][0], self.rule, self.message, self.origin, *self.sub, key=self.key)


@dataclass
class LintResult:
    """What lint found, and what each procedure's ``lint.ignore`` silenced (with the reason)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    silenced: list[tuple[Diagnostic, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Rules that could not run here, each with the reason (an optional dependency missing)."""


def apply_ignores(
    found: Iterable[Finding], ignores: list[LintIgnore], base: Origin, not_run: Collection[str] = ()
) -> LintResult:
    """Silence what ``ignores`` (written at ``base``) names; report entries that name no rule or silence nothing.

    An entry for a rule in ``not_run`` (one that could not run here) is not said to silence nothing.
    """
    result = LintResult()
    used = [False] * len(ignores)
    for item in found:
        hit = next(
            (i for i, ig in enumerate(ignores) if ig.rule == item.rule and (ig.where in item.scopes or not ig.where)),
            None,
        )
        if hit is None:
            result.diagnostics.append(item.diagnostic())
        else:
            used[hit] = True
            result.silenced.append((item.diagnostic(), ignores[hit].reason))
    for i, ignore in enumerate(ignores):
        if ignore.rule not in RULES:
            close = difflib.get_close_matches(ignore.rule, RULES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "'sopflow lint --rules' lists them"
            message = f"unknown lint rule '{ignore.rule}'; {hint}"
            result.diagnostics.append(Finding("unknown-rule", message, base, (i, "rule")).diagnostic())
        elif not used[i] and ignore.rule not in not_run:
            where = f" at '{ignore.where}'" if ignore.where else ""
            message = f"nothing to silence: '{ignore.rule}' finds nothing{where}; remove this entry"
            result.diagnostics.append(Finding("unused-ignore", message, base, (i,)).diagnostic())
    return result


def state_finding(r: Resolved, rule: str, message: str, state: str, *sub: str | int) -> Finding:
    """A finding about a state (or ladder level), silenced by the state's name or ``state.event``."""
    base = state.split(LEVEL_SEPARATOR)[0]
    scopes = {base, state}
    if len(sub) >= 2 and sub[0] in ("on", "timers"):
        scopes.add(f"{base}.{sub[1]}")
    return Finding(rule, message, r.where("state", base), tuple(sub), frozenset(scopes))
