"""What recording scenario coverage costs, as a ratio to running the same scenarios without it.

    .venv/bin/python benchmarks/coverage.py            # about half a minute on 2 cores
    .venv/bin/python benchmarks/coverage.py --quick

Runs every bundled scenario (tests/scenarios/**) in every language, each run once plainly
and once recording coverage — its journal read once when it ends; the figures worked out
at the end as a report would — back to back, which goes first alternating from round to
round, in the same process, because this machine is shared and its speed drifts. The ratio
is the median of the rounds' ratios; the goal is at most 1.10 (recording costs at most a
tenth). pytest does not collect this file.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sopflow
from sopflow.library import Library
from sopflow.runtime import Entry
from sopflow.testing import Scenario, collect_scenarios, load_scenario, run_scenario, scenario_languages
from sopflow.testing.coverage import ScenarioCoverage, report_of

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.10


def runs(library: Library) -> list[tuple[Scenario, str]]:
    """Every (scenario, language) the bundled scenarios run in, loaded once, outside the timing."""
    out = []
    for path in collect_scenarios(ROOT / "tests" / "scenarios"):
        scenario = load_scenario(path)
        out += [(scenario, lang) for lang in scenario_languages(scenario, library)]
    return out


def round_of(library: Library, todo: list[tuple[Scenario, str]], swap: bool) -> tuple[float, float]:
    """Seconds of one round without and with recording, each run timed both ways back to back.

    Pairing every run with its twin means a slow spell of this shared machine hits both
    sides alike; ``swap`` changes which goes first, so neither always runs warm. The
    report at the end is timed with the recording side: a run with coverage pays for it.
    """
    bare = covered = 0.0
    clock = time.perf_counter
    with quiet_gc():
        began = clock()
        coverage = ScenarioCoverage(library)
        covered += clock() - began
        for scenario, lang in todo:
            for recording in (True, False) if swap else (False, True):
                began = clock()
                run_scenario(scenario, library, lang, coverage=coverage if recording else None)
                if recording:
                    covered += clock() - began
                else:
                    bare += clock() - began
        began = clock()
        report_of(coverage)
        covered += clock() - began
    return bare, covered


class Kept:
    """Keeps each run's journal, to time the recording alone on exactly what runs hand it."""

    def __init__(self) -> None:
        self.journals: list[tuple[list[Entry], str]] = []

    def record(self, journal: Sequence[Entry], scenario: str) -> None:
        self.journals.append((list(journal), scenario))


def recording_alone(library: Library, journals: list[tuple[list[Entry], str]]) -> float:
    """Seconds to record every journal of a round and work out the report: the whole extra work."""
    with quiet_gc():
        began = time.perf_counter()
        coverage = ScenarioCoverage(library)
        for journal, scenario in journals:
            coverage.record(journal, scenario)
        report_of(coverage)
        return time.perf_counter() - began


@contextmanager
def quiet_gc() -> Iterator[None]:
    """As timeit does: collect first, then no collector pauses inside the timed region."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="three rounds instead of nine")
    rounds = 3 if parser.parse_args().quick else 9
    library = sopflow.load_library()
    todo = runs(library)
    round_of(library, todo, False)  # warm up: imports, caches, the first compile of each expression
    ratios, bare, with_coverage = [], [], []
    for i in range(rounds):
        base, covered = round_of(library, todo, bool(i % 2))
        bare.append(base)
        with_coverage.append(covered)
        ratios.append(covered / base)
    ratio = statistics.median(ratios)
    kept = Kept()
    for scenario, lang in todo:
        run_scenario(scenario, library, lang, coverage=kept)  # type: ignore[arg-type]  # duck-typed on record()
    alone = statistics.median(recording_alone(library, kept.journals) for _ in range(rounds))
    print(f"scenario runs per round: {len(todo)} ({len({id(s) for s, _ in todo})} files, every language)")
    print(f"without coverage: {statistics.median(bare) * 1000:.0f} ms per round (median of {rounds})")
    print(f"with coverage:    {statistics.median(with_coverage) * 1000:.0f} ms per round")
    print(f"ratio: {ratio:.3f} (goal: at most {GOAL:.2f}) {'ok' if ratio <= GOAL else 'ABOVE THE GOAL'}")
    print(f"rounds: {', '.join(f'{r:.3f}' for r in ratios)}")
    share = alone / statistics.median(bare)
    print(
        f"recording alone: {alone * 1000:.1f} ms per round for {sum(len(j) for j, _ in kept.journals)} entries "
        f"({share:.1%} of a round without coverage)"
    )


if __name__ == "__main__":
    main()
