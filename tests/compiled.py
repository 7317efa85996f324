"""A canonical JSON form of a compiled procedure, to show that rewriting the YAML changed nothing that runs.

The form holds what a session and a reader see: the IR (states, ways, branches, calls, timers and
the fast table), the roles and fields in their order with types, privacy and titles, the defaults,
the start data, the invariants, and the resolved states, ladders and policy events as written
(which carries the guard and assignment texts). Compiled expressions are closures and cannot be
compared; their texts are.

Run ``python -m tests.compiled`` to write the dumps of the bundled library to
``tests/data/compiled/`` (only when a change to the compiled form is meant).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sopflow
from sopflow.compile import Procedure
from sopflow.compile.ir import BranchIR, CallIR, StateIR, WayIR

DUMPS = Path(__file__).parent / "data" / "compiled"


def _model(value: Any) -> Any:
    return None if value is None else value.model_dump(mode="json", by_alias=True)


def _pairs(mapping: Mapping[str, Any], convert: Any = _model) -> list[list[Any]]:
    """A mapping as ``[name, value]`` pairs, so the order is compared too."""
    return [[name, convert(value)] for name, value in mapping.items()]


def _branch(b: BranchIR) -> dict[str, Any]:
    return {
        "index": b.index,
        "guard": b.guard_text,
        "target": b.target,
        "internal": b.internal,
        "assign": [name for name, _ in b.assign],
    }


def _call(c: CallIR | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "procedure": c.procedure,
        "with": [name for name, _ in c.with_],
        "returns": [list(pair) for pair in c.returns],
        "outcomes": dict(c.outcomes),
        "key": c.key,
    }


def _way(w: WayIR) -> dict[str, Any]:
    return {
        "name": w.name,
        "trigger": w.trigger,
        "kind": w.kind,
        "source": w.source,
        "roles": sorted(w.roles),
        "data": [list(pair) for pair in w.data],
        "assign": [name for name, _ in w.assign],
        "branches": [_branch(b) for b in w.branches],
        "call": _call(w.call),
        "delay": w.delay,
        "title": w.title,
        "checks_requires": w.checks_requires,
        "accepts": sorted(w.accepts),
        "required": list(w.required),
    }


def _state(s: StateIR) -> dict[str, Any]:
    return {
        "base": s.base,
        "role": s.role,
        "say": s.say,
        "do": s.do,
        "title": s.title,
        "tips": list(s.tips),
        "source": _model(s.source),
        "requires": list(s.requires),
        "final": s.final,
        "events": _pairs(s.events, _way),
        "timers": [_way(t) for t in s.timers],
        "returns": _pairs(s.returns, _way),
        "call": _call(s.call),
        "notes": s.notes,
    }


def _value(value: Any) -> Any:
    if value is None:
        return None
    return [type(value).__name__, value if isinstance(value, (bool, int, list)) else str(value)]


def canonical(p: Procedure) -> dict[str, Any]:
    """The compiled procedure as plain JSON data."""
    r = p.resolved
    return {
        "id": p.id,
        "version": p.version,
        "title": p.title,
        "languages": list(p.languages),
        "source": _model(p.source),
        "roles": _pairs(p.roles),
        "fields": _pairs(p.fields),
        "defaults": _pairs(p.defaults, _value),
        "private": sorted(p.private),
        "policy_fields": sorted(p.policy_fields),
        "start_data": [list(pair) for pair in p.start_data],
        "invariants": [[name, text] for name, text, _ in p.invariants],
        "ir": {
            "initial": p.ir.initial,
            "reads_state": p.ir.reads_state,
            "states": _pairs(p.ir.states, _state),
            "fast": {
                state: {t: (w if isinstance(w, str) else "<guarded>") for t, w in row.items()}
                for state, row in p.ir.fast.items()
            },
        },
        "written": {
            "states": _pairs(r.states),
            "ladders": _pairs(r.ladders),
            "policy_events": _pairs(r.policy_events),
        },
    }


def text(p: Procedure) -> str:
    return json.dumps(canonical(p), ensure_ascii=False, indent=1) + "\n"


def write(library: sopflow.Library) -> list[Path]:
    DUMPS.mkdir(parents=True, exist_ok=True)
    written = []
    for pid in library:
        for version in library.versions(pid):
            path = DUMPS / f"{pid}.v{version}.json"
            path.write_text(text(library.get(pid, version)), encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write(sopflow.load_library(*sys.argv[1:])):
        print(path)
