"""How loading and checking grow with the size of a library and of one procedure.

    .venv/bin/python benchmarks/scale.py            # about two minutes on 2 cores
    .venv/bin/python benchmarks/scale.py --quick    # fewer rounds, about a minute

A desk's library grows by procedures, and a procedure by states; a checker whose cost
grows faster than its input turns "sopflow validate" into a coffee break. The libraries
are generated into a temporary folder (nothing here reads the bundled procedures): each
procedure has 15 states (12 waiting, 2 final, 1 from its policy) with three events, three
guarded branches, a timer, an assignment, an invariant and a placeholder.

Loads here always check and compile (``SOPFLOW_NO_CACHE``); one line at the end times the
same 1,000 procedures taken from the compiled-library cache instead.

The sizes take turns within each round and every ratio is the median of the per-round
ratios, because this machine is shared and its speed drifts. The collector stays on, as
in a host. pytest does not collect this file.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sopflow
from sopflow.analysis.lint import lint_library
from sopflow.check import check_documents
from sopflow.io import LoadedDocument, load_file, load_text
from sopflow.library import Library, collect

POLICY = """\
sopflow: 1
policy:
  id: scale.escalate
  version: 1
  title: {en: Escalate}
  languages: [en]
  roles:
    front_desk: {title: {en: Front desk}}
  fields:
    escalate_to: {type: enum, values: [relevant_person, cs_supervisor]}
  events:
    customer_dissatisfied:
      roles: [front_desk]
      data: [escalate_to]
      to: escalated
  states:
    escalated:
      final: escalated
      say: {en: "Passing you to {escalate_to}."}
"""

HEAD = """\
sopflow: 1
procedure:
  id: scale.p{n}
  version: 1
  title: {{en: "Procedure {n}"}}
  languages: [en]
  uses: [scale.escalate]
  roles:
    front_desk: {{title: {{en: Front desk}}}}
    tenant: {{title: {{en: Tenant}}}}
  fields:
    unit: {{type: str}}
    amount: {{type: int, default: 0}}
    consent: {{type: bool}}
    items: {{type: "list[str]", default: []}}
    done_flag: {{type: bool, default: false}}
  invariants:
    flag_needs_consent: "not done_flag or consent"
  initial: s0
  states:
"""

STEP = """\
    s{i}:
      role: front_desk
      say: {{en: "Step {i} for unit {{unit}}."}}
      "on":
        next:
          data: [amount]
          branches:
            - {{if: "amount > {i}", to: refused}}
            - {{if: "consent and amount >= 0", set: {{done_flag: "true"}}, to: {next}}}
            - {{to: {next}}}
        answered: {{data: [consent], to: {next}}}
        skip: {next}
      timers:
        waited: {{after: 5 minutes, to: {next}}}
"""

TAIL = """\
    done:
      final: completed
      say: {en: "Finished for {unit}."}
    refused:
      final: refused
"""

LIBRARY_SIZES = (10, 100, 1000)
STATE_COUNTS = (1000, 3000)


def procedure(n: int, states: int) -> str:
    """One procedure of ``states`` waiting states and two final ones (the policy adds a third)."""
    steps = [STEP.format(i=i, next=f"s{i + 1}" if i + 1 < states else "done") for i in range(states)]
    return HEAD.format(n=n) + "".join(steps) + TAIL


def write_library(folder: Path, count: int) -> Path:
    """``count`` procedures of 15 states and the policy they use."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "policy.yaml").write_text(POLICY, encoding="utf-8")
    for n in range(count):
        (folder / f"p{n:04d}.yaml").write_text(procedure(n, 12), encoding="utf-8")
    return folder


def timed(run: Callable[[], object]) -> float:
    """Seconds for one call; what it built is dropped before the next call starts."""
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def load_paused(folder: Path) -> Library:
    """load_library with the collector paused for the whole load, as proposed for sopflow/library.py.

    Written out here rather than imported, so the script also measures older checkouts
    (``PYTHONPATH=/path/to/checkout``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return sopflow.load_library(folder)
    finally:
        if was_enabled:
            gc.enable()


def stages(folder: Path) -> dict[str, float]:
    """Seconds spent reading files, checking, and compiling (with its second check) for one library."""
    files = collect([folder])
    docs: list[LoadedDocument] = []
    times = {"read": timed(lambda: docs.extend(load_file(f) for f in files))}
    times["check"] = timed(lambda: check_documents(docs))
    times["check + compile"] = timed(lambda: Library.from_documents(docs))
    return times


def ratio(samples: dict[int, list[float]], big: int, small: int) -> float:
    return statistics.median(b / s for b, s in zip(samples[big], samples[small], strict=True))


def libraries(root: Path, rounds: int) -> list[tuple[str, bool]]:
    folders = {count: write_library(root / f"lib{count}", count) for count in LIBRARY_SIZES}
    runs: dict[str, Callable[[Path], object]] = {"load_library": sopflow.load_library, "paused": load_paused}
    samples: dict[str, dict[int, list[float]]] = {name: {c: [] for c in LIBRARY_SIZES} for name in runs}
    for _ in range(rounds):
        for count, folder in folders.items():
            for name, run in runs.items():
                samples[name][count].append(timed(lambda r=run, f=folder: r(f)))  # type: ignore[misc]
    for count in LIBRARY_SIZES:
        plain, paused = (statistics.median(samples[name][count]) * 1000 for name in runs)
        print(f"load_library, {count:>5} procedures: {plain:9.1f} ms   (collector paused: {paused:8.1f} ms)")
    plain_ratio, paused_ratio = ratio(samples["load_library"], 1000, 100), ratio(samples["paused"], 1000, 100)
    print(f"load_library, 1000 / 100 procedures: {plain_ratio:5.2f}  (goal <= 12; paused: {paused_ratio:.2f})")
    split = stages(folders[1000])
    print("  1000 procedures by stage: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in split.items()))
    os.environ.update(SOPFLOW_NO_CACHE="0", SOPFLOW_CACHE_DIR=str(root / "cache"))
    sopflow.load_library(folders[1000])  # compiled once, and kept
    kept = statistics.median(timed(lambda: sopflow.load_library(folders[1000])) for _ in range(rounds))
    os.environ["SOPFLOW_NO_CACHE"] = "1"
    print(f"  1000 procedures from the compiled-library cache: {kept * 1000:.0f} ms")
    return [("library load is linear in procedures (1000 / 100 <= 12)", plain_ratio <= 12)]


def one_procedure(rounds: int) -> list[tuple[str, bool]]:
    policy = load_text(POLICY, "policy.yaml")
    texts = {states: procedure(0, states) for states in STATE_COUNTS}
    docs = {states: [policy, load_text(text, "big.yaml")] for states, text in texts.items()}
    assert all(d[1].document is not None for d in docs.values())
    checks: dict[int, list[float]] = {states: [] for states in STATE_COUNTS}
    loads: dict[int, list[float]] = {states: [] for states in STATE_COUNTS}
    lints: dict[int, list[float]] = {states: [] for states in STATE_COUNTS}
    libraries = {states: sopflow.load_string(POLICY, text) for states, text in texts.items()}
    for _ in range(rounds):
        for states in STATE_COUNTS:
            checks[states].append(timed(lambda d=docs[states]: check_documents(d)))  # type: ignore[misc]
            loads[states].append(timed(lambda t=texts[states]: sopflow.load_string(POLICY, t)))  # type: ignore[misc]
            lints[states].append(timed(lambda lib=libraries[states]: lint_library(lib)))  # type: ignore[misc]
    for states in STATE_COUNTS:
        check, load = statistics.median(checks[states]) * 1000, statistics.median(loads[states]) * 1000
        lint = statistics.median(lints[states]) * 1000
        print(
            f"check one procedure, {states:>5} states: {check:9.1f} ms   (load_string, all stages: {load:.1f} ms; "
            f"lint: {lint:.1f} ms)"
        )
    check_ratio, load_ratio, lint_ratio = ratio(checks, 3000, 1000), ratio(loads, 3000, 1000), ratio(lints, 3000, 1000)
    print(f"check, 3000 / 1000 states: {check_ratio:5.2f}  (goal <= 3.6; load_string: {load_ratio:.2f})")
    print(f"lint, 3000 / 1000 states: {lint_ratio:5.2f}  (goal <= 3.6)")
    return [
        ("one procedure's check is near-linear in its states (3000 / 1000 <= 3.6)", check_ratio <= 3.6),
        ("one procedure's lint is near-linear in its states (3000 / 1000 <= 3.6)", lint_ratio <= 3.6),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds = 3 if args.quick else 5
    os.environ["SOPFLOW_NO_CACHE"] = "1"  # what is measured is loading, checking and compiling
    print(f"Python {sys.version.split()[0]}, {rounds} rounds, medians")
    with tempfile.TemporaryDirectory(prefix="sopflow-scale-") as tmp:
        goals = libraries(Path(tmp), rounds) + one_procedure(rounds)
    for goal, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}  {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
