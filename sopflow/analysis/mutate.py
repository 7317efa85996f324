"""Mutants of a library: small mistakes an author could make, to learn whether the checks notice.

A clean ``sopflow check`` says only that nothing the procedures declare is broken. How much
that is worth depends on what they declare: a procedure with no invariant or property passes
whatever its branches do. Mutation answers "would a plausible slip be caught?" — drop a
guard, send a branch to its sibling's state, forget a ``requires``, let every role fire an
event, forget an escalation policy, cut a ladder short — and runs the same pipeline as
``sopflow check`` on each mutant. The fraction caught measures the declared invariants and
properties; each survivor names a rule the procedures do not yet state.

Mutants are made on the YAML data of one document at a time, so what is checked is what an
author would have written; the rest of the library is loaded once and shared.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from sopflow.analysis.explore import BUDGET
from sopflow.analysis.lint import lint_library
from sopflow.analysis.verify import verify
from sopflow.errors import SopflowError
from sopflow.io import LoadedDocument, load_file, load_text
from sopflow.io.yaml_source import parse_yaml
from sopflow.library import Library

Operator = Literal["drop-guard", "swap-target", "drop-requires", "widen-roles", "drop-uses", "shorten-ladder"]
OPERATORS: tuple[Operator, ...] = (
    "drop-guard",
    "swap-target",
    "drop-requires",
    "widen-roles",
    "drop-uses",
    "shorten-ladder",
)
Verdict = Literal["refused", "caught", "survived", "equivalent"]
"""Refused at load, caught by lint or the explorer, not caught — or no change to any step:
dropping a policy of standing rules only changes what the desk is told, never what a session does."""


@dataclass(frozen=True)
class Mutant:
    """One changed document: what was changed, where, and the changed YAML."""

    operator: Operator
    document: str
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.operator} {self.document}: {self.where}"


@dataclass(frozen=True)
class Result:
    """A mutant and what the check made of it, with the first finding that caught it."""

    mutant: Mutant
    verdict: Verdict
    reason: str = ""


def mutants(text: str, source: str = "<string>") -> Iterator[Mutant]:
    """Every mutant of one procedure or policy document, in file order within each operator."""
    data, _, problems = parse_yaml(text, source)
    body_kind = next((k for k in ("procedure", "policy") if isinstance(data, dict) and k in data), None)
    if problems or body_kind is None:
        return
    body = data[body_kind]
    for operator, make in _MAKERS.items():
        for where, change in make(body):
            changed = copy.deepcopy(data)
            change(changed[body_kind])
            text = yaml.safe_dump(changed, allow_unicode=True, sort_keys=False)
            yield Mutant(operator, str(body.get("id")), where, text)


def check_mutant(
    mutant: Mutant, docs: Sequence[LoadedDocument], index: int, *, limit: int = 100_000, budget: int = BUDGET
) -> Result:
    """Run the ``sopflow check`` pipeline with ``docs[index]`` replaced by the mutant (errors only),
    each exploration bounded as ``verify``'s by ``limit`` configurations and ``budget`` steps."""
    if mutant.operator == "drop-uses" and mutant.where.split()[-1] in _rules_only(docs):
        return Result(mutant, "equivalent", "the policy has standing rules only: no step changes")
    changed = [*docs[:index], load_text(mutant.text, docs[index].source), *docs[index + 1 :]]
    try:
        library = Library.from_documents(changed)
    except SopflowError as exc:
        return Result(mutant, "refused", str(exc).splitlines()[0])
    affected = [pid for pid in library if _affected(library, pid, mutant.document)]
    errors = [d for d in lint_library(library, affected).diagnostics if d.severity == "error"]
    if errors:
        return Result(mutant, "caught", f"{errors[0].code}: {errors[0].message}")
    for pid in affected:
        for finding in verify(library[pid], limit=limit, budget=budget).findings:
            if finding.severity == "error":
                return Result(mutant, "caught", f"{pid} {finding.code}: {finding.message}")
    return Result(mutant, "survived")


def run(files: Sequence[Path], *, limit: int = 100_000, budget: int = BUDGET) -> list[Result]:
    """Every mutant of every procedure and policy in ``files``, checked against what it touches.

    Each mutant is loaded with the documents it can affect — the procedures that run it and
    the ones they call — and every glossary and policy, not the whole library: the answer
    is the same and a library of hundreds of mutants checks in seconds.
    """
    docs = [load_file(f) for f in files]
    original = Library.from_documents(docs)
    results = []
    for index, path in enumerate(files):
        for mutant in mutants(path.read_text(encoding="utf-8"), str(path)):
            around = _around(original, docs, mutant.document)
            mine = next(i for i, doc in enumerate(around) if doc is docs[index])
            results.append(check_mutant(mutant, around, mine, limit=limit, budget=budget))
    return results


def score(results: Sequence[Result]) -> float:
    """The fraction of mutants caught (refused at load or found by the check), equivalents left out."""
    counted = [r for r in results if r.verdict != "equivalent"]
    return sum(r.verdict in ("refused", "caught") for r in counted) / len(counted) if counted else 1.0


def _around(library: Library, docs: Sequence[LoadedDocument], mutated: str) -> list[LoadedDocument]:
    """The documents a mutant of ``mutated`` needs: its runners and their callees, glossaries, policies."""
    running = [pid for pid in library if _affected(library, pid, mutated)]
    needed = {p.id for pid in running for p in library[pid].family().values()} | {mutated}
    kept = []
    for doc in docs:
        document = doc.checkable
        if document is None or document.targets is not None:
            continue
        if document.procedure is None or document.procedure.id in needed:
            kept.append(doc)
    return kept


def _rules_only(docs: Sequence[LoadedDocument]) -> frozenset[str]:
    """Policies that add no event, state, ladder or field: words for the desk, nothing a step checks."""
    found = set()
    for doc in docs:
        document = doc.checkable
        policy = document.policy if document is not None else None
        if policy is not None and not (policy.events or policy.states or policy.ladders or policy.fields):
            found.add(policy.id)
    return frozenset(found)


def _affected(library: Library, pid: str, mutated: str) -> bool:
    """Whether the procedure runs the mutated document: itself, one it calls, or a policy it uses."""
    family = library[pid].family().values()
    return any(p.id == mutated or mutated in p.resolved.spec.uses for p in family)


Change = Callable[[dict[str, Any]], None]
Site = tuple[str, Change]


def _states(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in (body.get("states") or {}).items():
        if isinstance(state, dict):
            yield str(name), state


def _events(body: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for sname, state in _states(body):
        for ename, event in (state.get("on") or {}).items():
            if isinstance(event, dict):
                yield sname, str(ename), event


def _drop_guard(body: dict[str, Any]) -> Iterator[Site]:
    """A branch taken whatever its condition says (the slip: a guard left out)."""
    for sname, ename, event in _events(body):
        for i, branch in enumerate(event.get("branches") or ()):
            if isinstance(branch, dict) and "if" in branch:

                def change(b: dict[str, Any], s: str = sname, e: str = ename, k: int = i) -> None:
                    del b["states"][s]["on"][e]["branches"][k]["if"]

                yield f"states.{sname}.on.{ename}.branches[{i}]", change


def _swap_target(body: dict[str, Any]) -> Iterator[Site]:
    """Two branches of one event lead to each other's state."""
    for sname, ename, event in _events(body):
        branches = [b for b in event.get("branches") or () if isinstance(b, dict)]
        for i in range(len(branches) - 1):
            if branches[i].get("to") != branches[i + 1].get("to"):

                def change(b: dict[str, Any], s: str = sname, e: str = ename, k: int = i) -> None:
                    pair = b["states"][s]["on"][e]["branches"]
                    first, second = pair[k].get("to"), pair[k + 1].get("to")
                    for branch, target in ((pair[k], second), (pair[k + 1], first)):
                        if target is None:
                            branch.pop("to", None)
                        else:
                            branch["to"] = target

                yield f"states.{sname}.on.{ename}.branches[{i}:{i + 2}]", change


def _drop_requires(body: dict[str, Any]) -> Iterator[Site]:
    """A state left before the data it must gather is in."""
    for sname, state in _states(body):
        if state.get("requires"):

            def change(b: dict[str, Any], s: str = sname) -> None:
                del b["states"][s]["requires"]

            yield f"states.{sname}.requires", change


def _widen_roles(body: dict[str, Any]) -> Iterator[Site]:
    """An event's list of who may fire it, opened to every role of the procedure.

    Only lists an author wrote: an event that leaves its roles to the state's has no list to widen.
    """
    everyone = list(body.get("roles") or ())
    for sname, ename, event in _events(body):
        own = event.get("roles")
        if own and set(everyone) - set(own):

            def change(b: dict[str, Any], s: str = sname, e: str = ename) -> None:
                b["states"][s]["on"][e]["roles"] = list(everyone)

            yield f"states.{sname}.on.{ename}.roles", change


def _drop_uses(body: dict[str, Any]) -> Iterator[Site]:
    """A policy the procedure forgets to apply (the escalation rule, a ladder)."""
    for policy in body.get("uses") or ():

        def change(b: dict[str, Any], p: str = policy) -> None:
            b["uses"] = [u for u in b["uses"] if u != p]
            if not b["uses"]:
                del b["uses"]

        yield f"uses {policy}", change


def _shorten_ladder(body: dict[str, Any]) -> Iterator[Site]:
    """A ladder that stops one rung short of its top."""
    for name, ladder in (body.get("ladders") or {}).items():
        if isinstance(ladder, dict) and len(ladder.get("levels") or ()) > 2:

            def change(b: dict[str, Any], n: str = name) -> None:
                b["ladders"][n]["levels"].pop()

            yield f"ladders.{name}", change


_MAKERS: dict[Operator, Callable[[dict[str, Any]], Iterator[Site]]] = {
    "drop-guard": _drop_guard,
    "swap-target": _swap_target,
    "drop-requires": _drop_requires,
    "widen-roles": _widen_roles,
    "drop-uses": _drop_uses,
    "shorten-ladder": _shorten_ladder,
}
