"""How fast conformance checking is, and how it compares with pm4py on the same log.

    .venv/bin/python benchmarks/conformance.py                      # 10k and 100k cases
    .venv/bin/python benchmarks/conformance.py --cases 2000 --quick  # a quick look
    .venv/bin/python benchmarks/conformance.py --pm4py /tmp/pm4py-venv/bin/python

A seeded log of ``business.release_tenant`` (a fifth of its cases with one planted
deviation: events swapped or dropped, a wrong role, fee data that sends the release
elsewhere) is written as CSV, then checked by ``sopflow conformance``'s own code in a
fresh interpreter, which reports cases per second and its peak memory (RSS): checking
streams, so the peak should not grow with the log. Given a Python with pm4py installed
(never a dependency of sopflow), the same CSV is checked by pm4py's token-based replay
and, on a sample, its alignments, against a Petri net built from the procedure's
transitions: one place per waiting state of the procedure and of the one it calls, one
transition per event and branch, one end place. The net has no data
and no roles, so it cannot see those deviations; the script prints how many deviating
cases each side finds. pytest does not collect this file.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROCEDURE = "business.release_tenant"

PM4PY_SIDE = r"""
import json, sys, time, resource
import pandas as pd
import pm4py
from pm4py.objects.petri_net.obj import PetriNet, Marking
from pm4py.objects.petri_net.utils import petri_utils

log_path, net_path, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = json.load(open(net_path, encoding="utf-8"))
net = PetriNet("release_tenant")
places = {p: PetriNet.Place(p) for p in spec["places"]}
for p in places.values():
    net.places.add(p)
for i, (label, source, target) in enumerate(spec["transitions"]):
    t = PetriNet.Transition(f"t{i}", label)
    net.transitions.add(t)
    petri_utils.add_arc_from_to(places[source], t, net)
    petri_utils.add_arc_from_to(t, places[target], net)
im, fm = Marking(), Marking()
im[places[spec["initial"]]] = 1
fm[places[spec["final"]]] = 1
t0 = time.perf_counter()
df = pd.read_csv(log_path, usecols=["case", "activity", "timestamp"], dtype=str)
df = df[df["activity"] != "start"]
df = pm4py.format_dataframe(df, case_id="case", activity_key="activity", timestamp_key="timestamp")
t1 = time.perf_counter()
replayed = pm4py.conformance_diagnostics_token_based_replay(df, net, im, fm)
t2 = time.perf_counter()
cases = len(replayed)
deviating = sum(1 for r in replayed if not r["trace_is_fit"])
ids = df["case:concept:name"].drop_duplicates().head(sample)
part = df[df["case:concept:name"].isin(set(ids))]
t3 = time.perf_counter()
aligned = pm4py.conformance_diagnostics_alignments(part, net, im, fm)
t4 = time.perf_counter()
print(json.dumps({
    "cases": cases, "read": t1 - t0, "token_replay": t2 - t1, "token_deviating": deviating,
    "alignment_cases": len(aligned), "alignments": t4 - t3,
    "alignment_deviating": sum(1 for a in aligned if a["cost"] >= 10000),
    # pm4py's standard cost: 10000 per log or model move, 1 per silent move (this net has none)
    "alignment_cost": sum(int(a["cost"]) // 10000 for a in aligned),
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def write_log(path: Path, cases: int, deviating: float, seed: int) -> dict[str, int]:
    """The synthetic log as CSV, written as it is generated; returns what was planted, by kind."""
    import sopflow
    from sopflow.analysis.conformance.synthetic import Generator

    generator = Generator(sopflow.load_library()[PROCEDURE], seed=seed)
    columns = ["case", "activity", "timestamp", "role", *generator.mapping.data]
    planted: dict[str, int] = {}
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for rows, truth in generator.log(cases, deviating):
            if truth is not None:
                planted[truth.kind] = planted.get(truth.kind, 0) + 1
            for row in rows:
                writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()})
    return planted


def write_net(path: Path) -> None:
    """The procedure's transitions as a Petri net: a place per waiting state, a transition per event and branch.

    A state that calls the owner is the called procedure's first state; an outcome of the call
    is the state its return leads to; every final state is the one end place. So the net needs
    no silent transitions, which token replay handles only by guessing.
    """
    import sopflow

    procedure = sopflow.load_library()[PROCEDURE]
    family = procedure.family()
    arcs: list[tuple[str, str, str]] = []

    def place(pid: str, prefix: str, state: str, exits: dict[str, str] | None) -> str:
        here = family[pid].ir.states[state]
        if here.final is not None:
            return (exits.get(here.final) or exits.get("*") or "end") if exits else "end"
        if here.call is not None:
            child = family[here.call.procedure]
            outcomes = {}
            for trigger, way in here.returns.items():
                outcomes[trigger.rsplit(":", 1)[-1]] = place(pid, prefix, way.branches[0].target, exits)
            return place(child.id, f"{prefix}{state}/", child.ir.initial, outcomes)
        return f"{prefix}{state}"

    def add(pid: str, prefix: str, exits: dict[str, str] | None) -> None:
        p = family[pid]
        for name, state in p.ir.states.items():
            if state.final is not None:
                continue
            if state.call is not None:
                child = family[state.call.procedure]
                outcomes = {
                    trigger.rsplit(":", 1)[-1]: place(pid, prefix, way.branches[0].target, exits)
                    for trigger, way in state.returns.items()
                }
                add(child.id, f"{prefix}{name}/", outcomes)
                continue
            for event, way in state.events.items():
                for branch in way.branches:
                    arcs.append((event, f"{prefix}{name}", place(pid, prefix, branch.target, exits)))

    add(procedure.id, "", None)
    places = sorted({a for _, a, _ in arcs} | {b for _, _, b in arcs})
    spec = {"places": places, "transitions": arcs, "initial": procedure.ir.initial, "final": "end"}
    path.write_text(json.dumps(spec), encoding="utf-8")


def sopflow_side(log: Path, sample: int) -> dict[str, Any]:
    """Run in a fresh interpreter: check the log as ``sopflow conformance`` does; time and peak memory.

    Then, untimed, the first ``sample`` cases alone: the cases pm4py's alignments are run on,
    so the two alignment costs can be set side by side.
    """
    import itertools

    import sopflow
    from sopflow.analysis.conformance import cases, check_file, check_log, read_rows
    from sopflow.analysis.conformance.synthetic import mapping_for

    library = sopflow.load_library()
    mapping = mapping_for(library[PROCEDURE])
    started = time.perf_counter()
    report = check_file(library, log, mapping, keep=100)
    elapsed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = report.procedures[PROCEDURE]
    zone = mapping.zone(library.calendar.zone)
    first = check_log(library, itertools.islice(cases(read_rows(log), mapping, zone), sample), mapping, keep=0)
    return {
        "cases": figures.cases,
        "seconds": elapsed,
        "deviating": figures.deviating,
        "cost": figures.cost,
        "by_kind": dict(figures.by_kind),
        "rss_mb": rss,
        "sample_deviating": first.procedures[PROCEDURE].deviating,
        "sample_cost": first.procedures[PROCEDURE].cost,
    }


def child(*args: str, python: str = sys.executable) -> dict[str, Any]:
    out = subprocess.run([python, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--deviating", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pm4py", default=None, help="A Python with pm4py installed, to compare against.")
    parser.add_argument("--sample", type=int, default=1000, help="Cases pm4py's alignments are run on.")
    parser.add_argument("--quick", action="store_true", help="Only the first size.")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(sopflow_side(Path(args.child), args.sample)))
        return
    sizes = args.cases[:1] if args.quick else args.cases
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            log = Path(folder) / f"release_{size}.csv"
            planted = write_log(log, size, args.deviating, args.seed)
            mine = child(str(Path(__file__)), "--child", str(log), "--sample", str(args.sample))
            rate = mine["cases"] / mine["seconds"]
            print(f"{size} cases ({sum(planted.values())} with a planted deviation: {planted})")
            print(
                f"  sopflow: {mine['seconds']:.2f} s, {rate:,.0f} cases/s, {mine['deviating']} deviating "
                f"{mine['by_kind']}, alignment cost {mine['cost']}, peak RSS {mine['rss_mb']:.0f} MB"
            )
            print(
                f"  sopflow, first {args.sample} cases: {mine['sample_deviating']} deviating, "
                f"alignment cost {mine['sample_cost']}"
            )
            if args.pm4py:
                net = Path(folder) / "net.json"
                write_net(net)
                theirs = child("-c", PM4PY_SIDE, str(log), str(net), str(args.sample), python=args.pm4py)
                replay = theirs["read"] + theirs["token_replay"]
                print(
                    f"  pm4py token replay: {replay:.2f} s ({theirs['read']:.2f} s reading), "
                    f"{theirs['cases'] / replay:,.0f} cases/s, {theirs['token_deviating']} deviating, "
                    f"peak RSS {theirs['rss_mb']:.0f} MB"
                )
                per_case = theirs["alignments"] / max(theirs["alignment_cases"], 1)
                print(
                    f"  pm4py alignments: {theirs['alignment_cases']} cases in {theirs['alignments']:.2f} s "
                    f"({1 / per_case:,.0f} cases/s), {theirs['alignment_deviating']} deviating, "
                    f"alignment cost {theirs['alignment_cost']}"
                )
                print(
                    f"  ratio: sopflow is {replay / mine['seconds']:.1f}x token replay, "
                    f"{rate * per_case:.1f}x alignments (cases per second)"
                )


if __name__ == "__main__":
    main()
