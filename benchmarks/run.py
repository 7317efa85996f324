"""The sopflow benchmark suite: the tenant release three ways, side by side, in one run.

    .venv/bin/python benchmarks/run.py            # everything, < 2 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # fewer repeats and smaller batches, < 20 s

(a) sopflow (release_bench.yaml), (b) a bare ``transitions`` Machine written by hand
(baseline_transitions.py), (c) a dict transition table (floor_dict.py, the CPython floor).
Every figure is a median over several repeats; ratios are taken against the transitions
baseline measured in the same run, because this machine is shared and noisy.
See docs/performance.md.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline_transitions as bt
import floor_dict as fd
import sopflow_side as sf
from common import (
    FRONT,
    HAPPY,
    HAPPY_STATES,
    PROCEDURE,
    START_DATA,
    interleaved,
    now_ns,
    paired,
    quiet_gc,
    random_walks,
)

import sopflow

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Sizes:
    repeat: int
    fire_visits: int  # visits walked along the happy path per repeat
    step_loops: int  # passes over the 12 happy-path steps per repeat
    walks: int  # random visits per repeat
    memory: int  # idle sessions held at once (sopflow and dict)
    memory_transitions: int  # transitions models held at once (add_model is O(models))
    cycles: int  # restore+fire+snapshot cycles per repeat
    spawns: int  # fresh interpreters per subprocess figure
    live: int  # sessions alive at once for the garbage-collector pause


FULL = Sizes(
    repeat=7,
    fire_visits=300,
    step_loops=20_000,
    walks=2000,
    memory=10_000,
    memory_transitions=2000,
    cycles=1200,
    spawns=9,
    live=100_000,
)
QUICK = Sizes(
    repeat=3,
    fire_visits=60,
    step_loops=4000,
    walks=300,
    memory=2000,
    memory_transitions=500,
    cycles=240,
    spawns=3,
    live=20_000,
)


# -- correctness first: the three sides must describe the same graph ---------------------------


def check_equivalent(library: sopflow.Library, machine: Any, walks: Any) -> None:
    procedure = library[PROCEDURE]
    for walk, final in zip(walks.walks, walks.finals, strict=True):
        session = sf.start(library, sopflow.ManualClock())
        visit = bt.new_visit(machine, **START_DATA)
        floor = fd.Visit(**START_DATA)
        for action in walk:
            sf.fire(session, action)
            bt.fire(visit, bt.name(action[0]), action[2])
            floor.fire(action[0], action[2])
        machine.remove_model(visit)
        assert session.state == visit.state == floor.state == final, (session.state, visit.state, floor.state, final)
        assert session.outcome == procedure.ir.states[final].final
    # the IR step agrees with the floor on every happy-path step
    data = {**procedure.defaults, **START_DATA}
    for (trigger, _, values), state in zip(HAPPY, HAPPY_STATES, strict=True):
        data.update(values)
        assert procedure.ir.step(state, trigger, data) == fd.step(state, trigger, data)


# -- 1 and 2. firing one event on a live visit; one step on the table --------------------------


def hot_runs(library: sopflow.Library, machine: Any, sizes: Sizes) -> dict[str, Any]:
    """The happy path (12 events), fired on ``n`` fresh visits per round; and the same 12
    (state, trigger, data) steps on the IR table and on the dict table."""
    n, procedure, clock = sizes.fire_visits, library[PROCEDURE], sopflow.ManualClock()

    def fire_sopflow() -> tuple[int, int]:
        sessions = [sf.start(library, clock) for _ in range(n)]
        t0 = now_ns()
        for s in sessions:
            fire = s.fire
            for trigger, role, data in HAPPY:
                fire(trigger, role=role, data=data)
        return now_ns() - t0, n * len(HAPPY)

    named = [(bt.name(t), d) for t, _, d in HAPPY]

    def fire_transitions() -> tuple[int, int]:
        visits = [bt.new_visit(machine, **START_DATA) for _ in range(n)]
        t0 = now_ns()
        for v in visits:
            for trigger, data in named:
                getattr(v, trigger)(**data)
        elapsed = now_ns() - t0
        machine.remove_model(visits)
        return elapsed, n * len(named)

    plain = [(t, d) for t, _, d in HAPPY]

    def fire_dict() -> tuple[int, int]:
        visits = [fd.Visit(**START_DATA) for _ in range(n * 10)]
        t0 = now_ns()
        for v in visits:
            fire = v.fire
            for trigger, data in plain:
                fire(trigger, data)
        return now_ns() - t0, len(visits) * len(plain)

    data = {**procedure.defaults, **START_DATA}
    triples = []
    for (trigger, _, values), state in zip(HAPPY, HAPPY_STATES, strict=True):
        data = {**data, **values}
        triples.append((state, trigger, data))
    triples *= 10  # 120 steps per pass: the loop around them costs the same on both sides
    rounds = range(max(1, sizes.step_loops // 10))

    def stepping(step: Any) -> Any:
        def run() -> tuple[int, int]:
            t0 = now_ns()
            for _ in rounds:
                for state, trigger, ctx in triples:
                    step(state, trigger, ctx)
            return now_ns() - t0, len(rounds) * len(triples)

        return run

    return interleaved(
        {
            "fire_sopflow": fire_sopflow,
            "fire_transitions": fire_transitions,
            "fire_dict": fire_dict,
            "step_ir": stepping(procedure.ir.step),
            "step_dict": stepping(fd.step),
        },
        sizes.repeat,
    )


# -- random walks ---------------------------------------------------------------------------------


def walk_runs(library: sopflow.Library, machine: Any, walks: Any, repeat: int) -> dict[str, list[float]]:
    """ns per event, a new visit per walk included (start / add_model / a dict)."""

    def run_sopflow() -> tuple[int, int]:
        t0 = now_ns()
        for walk in walks.walks:
            session = sf.start(library, sopflow.ManualClock())
            for action in walk:
                sf.fire(session, action)
        return now_ns() - t0, walks.events

    named = [[(bt.name(t), d) for t, _, d in w] for w in walks.walks]

    def run_transitions() -> tuple[int, int]:
        elapsed = 0
        for walk in named:
            t0 = now_ns()
            visit = bt.new_visit(machine, **START_DATA)
            for trigger, data in walk:
                getattr(visit, trigger)(**data)
            elapsed += now_ns() - t0
            machine.remove_model(visit)  # not timed; keeps machine.models short, as a host would
        return elapsed, walks.events

    plain = [[(t, d) for t, _, d in w] for w in walks.walks]

    def run_dict() -> tuple[int, int]:
        t0 = now_ns()
        for walk in plain:
            visit = fd.Visit(**START_DATA)
            for trigger, data in walk:
                visit.fire(trigger, data)
        return now_ns() - t0, walks.events

    return interleaved({"sopflow": run_sopflow, "transitions": run_transitions, "dict": run_dict}, repeat)


# -- 3. memory of an idle visit -----------------------------------------------------------------


def traced_per_object(make: Any, n: int, detach: Any = None) -> tuple[float, float, list[Any]]:
    """(bytes per object, bytes per object after ``detach``) for ``n`` objects held at once."""
    for _ in range(3):
        make()  # warm caches (adapters, interned names) outside the trace
    holder: list[Any] = [None] * n
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        holder[i] = make()
    gc.collect()
    full = tracemalloc.get_traced_memory()[0] - base
    rest = full
    if detach is not None:
        for obj in holder:
            detach(obj)
        gc.collect()
        rest = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return full / n, rest / n, holder


def bench_memory(library: sopflow.Library, machine: Any, sizes: Sizes) -> dict[str, Any]:
    clock = sopflow.ManualClock()

    def bare() -> sopflow.Session:
        return library.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA, keep_journal=False)

    with_journal, _, _ = traced_per_object(lambda: sf.start(library, clock), sizes.memory)
    idle, _, _ = traced_per_object(bare, sizes.memory)
    trans, _, _ = traced_per_object(lambda: bt.new_visit(machine, **START_DATA), sizes.memory_transitions)
    machine.remove_model(list(machine.models))  # every model attached here is ours
    floor, _, _ = traced_per_object(lambda: fd.Visit(**START_DATA), sizes.memory)
    return {"sopflow": idle, "sopflow_journal": with_journal - idle, "transitions": trans, "dict": floor}


def bench_gc_pause(library: sopflow.Library, sizes: Sizes) -> dict[str, float]:
    """Seconds a full collection takes with ``sizes.live`` visits alive: sopflow sessions vs dict visits.

    Each session is started and has fired the first two happy-path events. ``sopflow``
    keeps its three journal entries in memory; ``sopflow_stored`` keeps none (its host
    stores them through a listener), like the dict floor, which has no journal at all.
    """
    clock = sopflow.ManualClock()

    def sessions(keep_journal: bool) -> Any:
        def make() -> list[Any]:
            held = []
            for _ in range(sizes.live):
                session = library.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA, keep_journal=keep_journal)
                for trigger, role, data in HAPPY[:2]:
                    session.fire(trigger, role=role, data=data)
                held.append(session)
            return held

        return make

    def floor() -> list[Any]:
        held = []
        for _ in range(sizes.live):
            visit = fd.Visit(**START_DATA)
            for trigger, _, data in HAPPY[:2]:
                visit.fire(trigger, data)
            held.append(visit)
        return held

    out: dict[str, float] = {}
    for label, make in (("sopflow", sessions(True)), ("sopflow_stored", sessions(False)), ("dict", floor)):
        held = make()
        pauses = []
        for _ in range(5):
            t0 = time.perf_counter()
            gc.collect()
            pauses.append(time.perf_counter() - t0)
        out[label] = statistics.median(pauses)
        del held
        gc.collect()
    return out


# -- 4. a stateless host's request: restore, fire one event, snapshot -----------------------------


def restore_runs(library: sopflow.Library, machine: Any, sizes: Sizes) -> dict[str, list[float]]:
    clock = sopflow.ManualClock()
    # a stored visit before each happy-path event, and the event that request brings
    snapshots, blobs = [], []
    session = sf.start(library, clock)
    visit = bt.new_visit(machine, **START_DATA)
    for trigger, role, data in HAPPY:
        snapshots.append((session.snapshot(journal=False), trigger, role, data))
        blobs.append(pickle.dumps(visit))
        session.fire(trigger, role=role, data=data)
        bt.fire(visit, bt.name(trigger), data)
    machine.remove_model(visit)
    cycles = sizes.cycles
    work = (snapshots * (cycles // len(snapshots) + 1))[:cycles]
    stored = (blobs * (cycles // len(blobs) + 1))[:cycles]
    texts = [(json.dumps(snap), trigger, role, data) for snap, trigger, role, data in work]

    def cycle_sopflow() -> tuple[int, int]:
        restore = library.restore
        t0 = now_ns()
        for snap, trigger, role, data in work:
            s = restore(snap, clock)
            s.fire(trigger, role=role, data=data)
            s.snapshot(journal=False)
        return now_ns() - t0, len(work)

    def cycle_sopflow_json() -> tuple[int, int]:
        restore = library.restore
        t0 = now_ns()
        for text, trigger, role, data in texts:
            s = restore(json.loads(text), clock)
            s.fire(trigger, role=role, data=data)
            json.dumps(s.snapshot(journal=False))
        return now_ns() - t0, len(texts)

    def restore_sopflow() -> tuple[int, int]:
        restore = library.restore
        t0 = now_ns()
        for snap, _, _, _ in work:
            restore(snap, clock)
        return now_ns() - t0, len(work)

    def restore_transitions() -> tuple[int, int]:
        elapsed = 0
        for blob in stored:
            t0 = now_ns()
            v = bt.restore(machine, blob)
            elapsed += now_ns() - t0
            machine.remove_model(v)  # not timed; keeps machine.models at one model
        return elapsed, len(stored)

    def start_sopflow() -> tuple[int, int]:
        t0 = now_ns()
        for _ in range(cycles):
            sf.start(library, clock)
        return now_ns() - t0, cycles

    def start_transitions() -> tuple[int, int]:
        elapsed = 0
        for _ in range(cycles):
            t0 = now_ns()
            v = bt.new_visit(machine, **START_DATA)
            elapsed += now_ns() - t0
            machine.remove_model(v)
        return elapsed, cycles

    def start_dict() -> tuple[int, int]:
        t0 = now_ns()
        for _ in range(cycles):
            fd.Visit(**START_DATA)
        return now_ns() - t0, cycles

    return interleaved(
        {
            "cycle_sopflow": cycle_sopflow,
            "cycle_sopflow_json": cycle_sopflow_json,
            "restore_sopflow": restore_sopflow,
            "restore_transitions": restore_transitions,
            "start_sopflow": start_sopflow,
            "start_transitions": start_transitions,
            "start_dict": start_dict,
        },
        sizes.repeat,
    )


# -- 5 and 6. fresh interpreters ------------------------------------------------------------------

LOAD = """
import sys, time
t0 = time.perf_counter()
import sopflow
load_library = sopflow.load_library  # the engine, should `import sopflow` ever defer it
t1 = time.perf_counter()
try:
    library = load_library(*sys.argv[1:])
except sopflow.SopflowError as exc:
    print("INVALID", type(exc).__name__)
else:
    print(time.perf_counter() - t1, t1 - t0, len(library))
"""
IMPORT = "import time; t = time.perf_counter(); import sopflow; print(time.perf_counter() - t)"
COLD = "import time; t = time.perf_counter(); import sopflow; sopflow.load_library(); print(time.perf_counter() - t)"
# What any host of these dependencies pays anyway: importing them, and pydantic's first model.
COLD_FLOOR = (
    "import time; t = time.perf_counter(); import pydantic, transitions, yaml, holidays\n"
    "class M(pydantic.BaseModel):\n    a: int\n    b: str\n"
    "M(a=1, b='x'); print(time.perf_counter() - t)"
)
# the engine itself, even if `import sopflow` were to defer it
ENGINE = (
    "import time; t = time.perf_counter(); from sopflow import Session, load_library; print(time.perf_counter() - t)"
)
HEAVY = (
    "import sys, sopflow; sopflow.Library, sopflow.Session; "
    "print(' '.join(m for m in ('rich', 'typer', 'hypothesis') if m in sys.modules))"
)


def python(*args: str, cached: bool = True) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter; ``cached=False`` loads every library afresh (no compiled-library cache)."""
    env = os.environ | ({} if cached else {"SOPFLOW_NO_CACHE": "1"})
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, check=False, env=env)


def warm_bytecode() -> None:
    """Compile sopflow's modules once, as installing a wheel does.

    The dependencies were byte-compiled when pip installed them; an editable checkout is
    not, and with ``PYTHONDONTWRITEBYTECODE`` set (as on some CI images) a fresh interpreter
    would compile every sopflow module from source on each spawn, which no installed host pays.
    """
    compileall.compile_dir(str(ROOT / "sopflow"), quiet=1)


def bench_load(spawns: int) -> dict[str, Any]:
    """``load_library()`` (load, check, compile) in a fresh interpreter: (seconds, import seconds, count)."""
    warm_bytecode()
    out: dict[str, Any] = {}
    for label, paths in (("procedures/", []), ("tests/fixtures", ["tests/fixtures"]), ("benchmarks/", ["benchmarks"])):
        runs = []
        for _ in range(spawns):
            words = python("-c", LOAD, *paths, cached=False).stdout.split()
            if not words or words[0] == "INVALID":
                break
            runs.append((float(words[0]), float(words[1]), int(words[2])))
        out[label] = (
            None
            if not runs
            else (
                statistics.median(r[0] for r in runs),
                statistics.median(r[0] + r[1] for r in runs),
                runs[0][2],
            )
        )
    return out


def bench_cold(spawns: int) -> dict[str, Any]:
    """``import sopflow`` + ``load_library()`` against its dependencies' import + one pydantic model, in turns.

    The goal is a host's start: the library was compiled by an earlier process and is taken
    from the compiled-library cache (the first run below puts it there, as any first start
    does). The first start of all, compiling, is timed too, and reported beside it.
    """
    warm_bytecode()
    python("-c", COLD)
    ours, floor, first = [], [], []
    for _ in range(spawns):
        ours.append(float(python("-c", COLD).stdout))
        floor.append(float(python("-c", COLD_FLOOR).stdout))
        first.append(float(python("-c", COLD, cached=False).stdout))
    return {
        "sopflow": statistics.median(ours),
        "floor": statistics.median(floor),
        "first": statistics.median(first),
        "ratio": statistics.median(a / b for a, b in zip(ours, floor, strict=True)),
        "first_ratio": statistics.median(a / b for a, b in zip(first, floor, strict=True)),
    }


def bench_import(spawns: int) -> dict[str, Any]:
    """``import sopflow`` timed inside fresh interpreters, and their wall time over ``python -c pass``."""
    warm_bytecode()
    python("-c", "import sopflow")
    inside, engine, bare, full = [], [], [], []
    for _ in range(spawns):
        t0 = time.perf_counter()
        python("-c", "pass")
        t1 = time.perf_counter()
        inside.append(float(python("-c", IMPORT).stdout))
        t2 = time.perf_counter()
        bare.append(t1 - t0)
        full.append(t2 - t1)
        engine.append(float(python("-c", ENGINE).stdout))
    timing = python("-X", "importtime", "-c", "import sopflow").stderr.splitlines()
    families = {"pydantic": 0, "yaml": 0, "transitions": 0, "importlib": 0}
    total, above = 0, [""] * 64  # reversed, a parent comes before its children
    for line in reversed(timing):  # "import time: self [us] | cumulative | imported package"
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        family = name.strip().split(".")[0].replace("pydantic_core", "pydantic")
        above[depth] = family
        if name.strip() == "sopflow":
            total = int(parts[1])
        elif family in families and family not in above[:depth]:
            families[family] += int(parts[1])
    families["sopflow itself"] = total - sum(families.values())
    return {
        "inside": statistics.median(inside),
        "inside_min": min(inside),
        "engine": statistics.median(engine),
        "wall": statistics.median(full) - statistics.median(bare),
        "bare": statistics.median(bare),
        "heavy": python("-c", HEAVY).stdout.split(),
        "top": sorted(((v, k) for k, v in families.items()), reverse=True),
        "importtime_total": total,
    }


# -- report -----------------------------------------------------------------------------------------


def us(ns: float) -> str:
    return f"{ns / 1000:.2f} µs"


def x(value: float) -> str:
    return f"{value:.2f}×"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller batches (< 20 s)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    began = time.perf_counter()

    library = sf.load()
    procedure = library[PROCEDURE]
    machine = bt.build()
    walks = random_walks(sf.triggers_of(procedure), fd.step, sizes.walks)
    with quiet_gc():
        check_equivalent(library, machine, random_walks(sf.triggers_of(procedure), fd.step, 200, seed=7))

    print(
        f"sopflow {sopflow.__version__} benchmark, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{'quick' if args.quick else 'full'} run"
    )
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"transitions {__import__('transitions').__version__}; medians of {sizes.repeat} interleaved rounds"
    )
    print(
        f"{PROCEDURE}: {len(procedure.ir.states)} states, "
        f"{sum(len(r) for r in procedure.ir.fast.values())} (state, trigger) pairs; random walks: "
        f"{len(walks.walks)} visits, {walks.events} events (mean {walks.events / len(walks.walks):.1f}/visit)"
    )
    print("the three sides agree on 200 random visits and on the happy path\n")

    hot = hot_runs(library, machine, sizes)
    walk = walk_runs(library, machine, walks, sizes.repeat)
    rest = restore_runs(library, machine, sizes)
    memory = bench_memory(library, machine, sizes)
    pause = bench_gc_pause(library, sizes)
    load = bench_load(sizes.spawns)
    imp = bench_import(sizes.spawns * 2 - 1)
    cold = bench_cold(sizes.spawns * 2 - 1)
    m = {k: statistics.median(v) for k, v in (hot | rest).items()}
    w = {k: statistics.median(v) for k, v in walk.items()}

    rows = [
        (
            "fire one event, happy path (per event)",
            us(m["fire_sopflow"]),
            us(m["fire_transitions"]),
            us(m["fire_dict"]),
            x(paired(hot, "fire_sopflow", "fire_transitions")),
        ),
        (
            "one step on the table: IR.step / dict step",
            us(m["step_ir"]),
            "",
            us(m["step_dict"]),
            x(paired(hot, "step_ir", "fire_transitions")),
        ),
        (
            "random walk, events/s (new visit per walk)",
            f"{1e9 / w['sopflow']:,.0f}/s",
            f"{1e9 / w['transitions']:,.0f}/s",
            f"{1e9 / w['dict']:,.0f}/s",
            x(paired(walk, "sopflow", "transitions")),
        ),
        (
            "start a visit (start / add_model / dict)",
            us(m["start_sopflow"]),
            us(m["start_transitions"]),
            us(m["start_dict"]),
            x(paired(rest, "start_sopflow", "start_transitions")),
        ),
        (
            "restore+fire+snapshot / pickle.loads+add_model",
            us(m["cycle_sopflow"]),
            us(m["restore_transitions"]),
            "",
            x(paired(rest, "cycle_sopflow", "restore_transitions")),
        ),
        (
            "  the same cycle with json.loads/json.dumps",
            us(m["cycle_sopflow_json"]),
            "",
            "",
            x(paired(rest, "cycle_sopflow_json", "restore_transitions")),
        ),
        (
            "  restore alone",
            us(m["restore_sopflow"]),
            "",
            "",
            x(paired(rest, "restore_sopflow", "restore_transitions")),
        ),
        (
            "idle visit memory, journal aside",
            f"{memory['sopflow']:,.0f} B",
            f"{memory['transitions']:,.0f} B",
            f"{memory['dict']:,.0f} B",
            x(memory["sopflow"] / memory["transitions"]),
        ),
        ("  its journal (the start entry)", f"{memory['sopflow_journal']:,.0f} B", "", "", ""),
        (
            f"full gc pause, {sizes.live:,} live visits",
            f"{pause['sopflow_stored'] * 1000:.1f} ms",
            "",
            f"{pause['dict'] * 1000:.1f} ms",
            x(pause["sopflow_stored"] / pause["dict"]),
        ),
        (
            "  the same, journals kept in memory",
            f"{pause['sopflow'] * 1000:.1f} ms",
            "",
            "",
            x(pause["sopflow"] / pause["dict"]),
        ),
    ]
    print(f"{'measure':<50}{'sopflow':>13}{'transitions':>13}{'dict floor':>13}{'vs trans.':>11}")
    print("-" * 100)
    for name, a, b, c, r in rows:
        print(f"{name:<50}{a:>13}{b:>13}{c:>13}{r:>11}")
    print("(vs trans.: median over rounds of sopflow / transitions, same run; < 1 is faster or smaller)\n")

    for label, value in load.items():
        shown = (
            "does not load (checker errors)"
            if value is None
            else f"{value[0] * 1000:.1f} ms ({value[2]} procedures; {value[1] * 1000:.0f} ms with import sopflow)"
        )
        print(f"load_library({label}) in a fresh process: {shown}")
    print(
        f"import sopflow in a fresh process: {imp['inside'] * 1000:.1f} ms timed inside "
        f"(best {imp['inside_min'] * 1000:.1f} ms); {imp['wall'] * 1000:.1f} ms of wall time over a bare "
        f"interpreter ({imp['bare'] * 1000:.1f} ms); from sopflow import Session, load_library: "
        f"{imp['engine'] * 1000:.1f} ms"
    )
    print(
        f"  -X importtime: {imp['importtime_total'] / 1000:.0f} ms, of which "
        + ", ".join(f"{name} {t / 1000:.0f} ms" for t, name in imp["top"])
    )
    print(
        f"cold start, import sopflow + load_library(): {cold['sopflow'] * 1000:.0f} ms; its dependencies' "
        f"import + one pydantic model: {cold['floor'] * 1000:.0f} ms; the very first start, compiling the "
        f"library: {cold['first'] * 1000:.0f} ms ({cold['first_ratio']:.2f}x)"
    )
    print()

    speedup = paired(hot, "fire_transitions", "step_ir")
    floor = paired(hot, "step_ir", "step_dict")
    loaded = load["procedures/"] or load["tests/fixtures"]
    where = "procedures/" if load["procedures/"] else "tests/fixtures; procedures/ does not load yet"
    goals = [
        (
            f"1. Session.fire <= 1.3x the transitions trigger: {paired(hot, 'fire_sopflow', 'fire_transitions'):.2f}x",
            paired(hot, "fire_sopflow", "fire_transitions") <= 1.3,
        ),
        (f"2. IR.step >= 25x faster than the transitions trigger: {speedup:.1f}x", speedup >= 25),
        (f"2. IR.step within 3x of the dict floor: {floor:.2f}x", floor <= 3),
        (f"3. idle session <= 1 KiB, journal aside: {memory['sopflow']:.0f} B", memory["sopflow"] <= 1024),
        (
            f"4. restore+fire+snapshot <= 1/2 of transitions' restore: "
            f"{paired(rest, 'cycle_sopflow', 'restore_transitions'):.2f}x",
            paired(rest, "cycle_sopflow", "restore_transitions") <= 0.5,
        ),
        (
            f"5. load_library() < 250 ms ({where}): " + (f"{loaded[0] * 1000:.1f} ms" if loaded else "nothing loads"),
            loaded is not None and loaded[0] < 0.25,
        ),
        (
            f"6. import sopflow + load_library() (compiled library cached) <= 1.5x its dependencies' import "
            f"+ one model: {cold['ratio']:.2f}x",
            cold["ratio"] <= 1.5,
        ),
        (
            "6. rich, typer, hypothesis not imported by sopflow's engine: "
            + (", ".join(imp["heavy"]) or "none imported"),
            not imp["heavy"],
        ),
        (
            f"7. full gc pause with {sizes.live:,} live sessions (journals stored) <= 3x the dict floor's: "
            f"{pause['sopflow_stored'] / pause['dict']:.2f}x",
            pause["sopflow_stored"] / pause["dict"] <= 3,
        ),
    ]
    for text, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    print(f"\n{sum(ok for _, ok in goals)}/{len(goals)} goals met; the run took {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
