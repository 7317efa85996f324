"""Check a set of loaded documents as one library: ids, the glossary, cross-references, names, types."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sopflow.check.calls import call_cycles
from sopflow.check.glossary import SharedEntries, check_citations, gather, narrow, tips_cited, unused
from sopflow.check.hours import check_hours
from sopflow.check.migration import check_migrations
from sopflow.check.resolve import Resolved, finding, resolve
from sopflow.check.semantic import Callees, check_semantics, final_outcomes, happenings
from sopflow.check.targets import check_targets
from sopflow.diagnostics import Diagnostic
from sopflow.expr import Type, field_type
from sopflow.io import LoadedDocument
from sopflow.model import Glossary, Policy, Targets


@dataclass
class CheckedLibrary:
    """What the checker learnt: the resolved procedures and every finding, in file order."""

    procedures: dict[tuple[str, int], Resolved] = field(default_factory=dict)
    """Every procedure version, by (id, version)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    glossary: SharedEntries = field(default_factory=SharedEntries)
    """The library's glossaries merged, with what uses each entry."""
    documents: list[LoadedDocument] = field(default_factory=list)
    """Every document that could be checked (procedures, policies, glossaries, targets), in the order given."""
    targets: dict[str, Targets] = field(default_factory=dict)
    """KPI targets by id; only those whose every measure names what the procedures have."""

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def check_documents(docs: list[LoadedDocument], hours: Collection[str] | None = None) -> CheckedLibrary:
    """Resolve and check every procedure; never raises for bad input.

    ``hours`` are the opening hours the deployment's calendar names; given, every hours a
    procedure counts working time in must be among them.
    """
    result = CheckedLibrary()
    result.glossary, problems = gather(docs)
    result.diagnostics += problems
    glossaries: dict[str, LoadedDocument] = {}
    seen: dict[tuple[str, int], LoadedDocument] = {}
    policies: dict[str, tuple[Policy, LoadedDocument]] = {}
    procedures: list[LoadedDocument] = []
    targets: dict[str, tuple[Targets, LoadedDocument]] = {}
    unloaded: set[str] = set()
    for doc in docs:
        result.diagnostics += doc.diagnostics
        document = doc.checkable
        if document is None:
            if doc.partial is not None and doc.partial.written_id is not None:
                unloaded.add(doc.partial.written_id)
            continue
        result.documents.append(doc)
        result.diagnostics += check_citations(doc, result.glossary)
        body = document.body
        if isinstance(body, Glossary):
            if body.id in glossaries:
                message = f"glossary '{body.id}' is already defined by {glossaries[body.id].source}"
                result.diagnostics.append(finding("error", "duplicate-id", message, (doc, ("glossary",)), "id"))
            glossaries.setdefault(body.id, doc)
            continue
        if isinstance(body, Targets):
            if body.id in targets:
                message = f"targets '{body.id}' are already defined by {targets[body.id][1].source}"
                result.diagnostics.append(finding("error", "duplicate-id", message, (doc, ("targets",)), "id"))
            targets.setdefault(body.id, (body, doc))
            continue
        kind = "procedure" if document.procedure is not None else "policy"
        key = (body.id, body.version)
        if key in seen:
            result.diagnostics.append(
                finding(
                    "error",
                    "duplicate-id",
                    f"'{body.id}' version {body.version} is already defined by {seen[key].source}",
                    (doc, (kind,)),
                    "id",
                )
            )
            continue
        seen[key] = doc
        if isinstance(body, Policy):
            result.diagnostics += _policy_entries(body, doc, result.glossary)
            if body.id not in policies or policies[body.id][0].version < body.version:
                policies[body.id] = (body, doc)
        else:
            procedures.append(doc)
    resolved: dict[tuple[str, int], Resolved] = {}
    for doc in procedures:
        r, problems = resolve(doc, policies, result.glossary)
        resolved[(r.id, r.spec.version)] = r
        result.diagnostics += problems
    newest = newest_versions(resolved)
    outcomes_of = {pid: final_outcomes(r) for pid, r in newest.items()}
    fields_of: dict[str, dict[str, Type]] = {
        pid: {n: field_type(f.type, f.values) for n, f in r.fields.items()} for pid, r in newest.items()
    }
    callees = Callees(
        outcomes_of,
        fields_of,
        {pid: r.broken for pid, r in newest.items()},
        frozenset(unloaded),
        {pid: happenings(r) for pid, r in newest.items()},
    )
    for r in resolved.values():
        result.diagnostics += check_semantics(r, callees)
    result.diagnostics += call_cycles(newest)
    result.diagnostics += check_migrations(resolved)
    if hours is not None:
        result.diagnostics += check_hours(resolved, hours)
    for tid, (body, doc) in targets.items():
        problems = check_targets(body, (doc, ("targets",)), newest)
        result.diagnostics += problems
        if not problems:
            result.targets[tid] = body
    result.diagnostics += unused(result.glossary)
    result.procedures = {key: r for key, r in resolved.items() if r.complete}
    result.diagnostics.sort(key=lambda d: (d.source or "", d.line or 0, d.column or 0))
    return result


def _policy_entries(policy: Policy, doc: LoadedDocument, glossary: SharedEntries) -> list[Diagnostic]:
    """A policy's roles, fields and tips against the glossary, reported once (not per procedure using it)."""
    problems: list[Diagnostic] = []
    for kind, key in (("role", "roles"), ("field", "fields")):
        problems += narrow(kind, getattr(policy, key), (doc, ("policy", key)), glossary).problems
    problems += tips_cited(policy.states, (doc, ("policy", "states")), glossary)[1]
    return problems


def newest_versions(procedures: dict[tuple[str, int], Resolved]) -> dict[str, Resolved]:
    """The newest version of each id: what a call to that id runs."""
    newest: dict[str, Resolved] = {}
    for (pid, _), r in sorted(procedures.items(), key=lambda item: item[0]):
        newest[pid] = r
    return newest
