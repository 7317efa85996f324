"""``sopflow walk --script FILE``: play a scenario file and print its transcript.

Uses the test suite's own runner (:mod:`sopflow.testing`), so what a trainer
shows is exactly what ``pytest`` checks. Without ``--lang`` the scenario runs
in every language it is written for, and the transcript is shown in the first.
"""

from __future__ import annotations

from pathlib import Path

import typer

from sopflow.cli.common import library, print_diagnostics, stderr, stdout
from sopflow.cli.scenario_view import failure_view, transcript_view
from sopflow.compile import Procedure
from sopflow.errors import CommandError, CommandFailed
from sopflow.render.text import pick
from sopflow.testing import (
    DEFAULT_START,
    ScenarioError,
    ScenarioFailed,
    load_scenario,
    run_scenario,
    scenario_languages,
)


def _titles(procedure: Procedure, lang: str) -> dict[str, str]:
    """Role titles of a procedure and of every procedure it calls, in ``lang``."""
    titles: dict[str, str] = {}
    for p in (*procedure.callees.values(), procedure):
        titles |= {r: pick(spec.title, lang, p.languages) or r for r, spec in p.roles.items()}
    return titles


def _failure(exc: ScenarioFailed) -> tuple[str, str]:
    where = f"{exc.source}:{exc.line}:{exc.column or 1}" if exc.line else str(exc.source)
    step = {None: "at the end", 0: "at the start"}.get(exc.step, f"at step {exc.step}")
    count = len(exc.mismatches)
    return where, f"{count} expectation{'s' if count != 1 else ''} failed {step} [{exc.lang}]"


def play(script: Path, procedure_id: str | None, lang: str | None, paths: list[Path] | None) -> None:
    """Play ``script``; exit 1 (after the transcript so far) if the procedure does not do what it says."""
    if not script.exists():
        raise CommandError(f"no such scenario file: {script}")
    console = stdout()
    try:
        scenario = load_scenario(script)
        if procedure_id is not None and procedure_id != scenario.procedure:
            raise CommandError(f"{script} plays '{scenario.procedure}', not '{procedure_id}'")
        lib = library(paths)
        procedure = lib[scenario.procedure]
        languages = [lang] if lang else list(scenario_languages(scenario, lib))
        titles = _titles(procedure, languages[0])
        heading = [
            f"{pick(procedure.title, languages[0], procedure.languages)} · {procedure.id} v{procedure.version}",
            f"in {languages[0]}, starting {(scenario.start.at or DEFAULT_START):%a %Y-%m-%d %H:%M %z}",
            str(script),
        ]

        failed: ScenarioFailed | None = None
        try:
            transcript = run_scenario(scenario, lib, languages[0])
        except ScenarioFailed as exc:
            failed, transcript = exc, exc.transcript
        for other in languages[1:]:
            if failed is None:
                try:
                    run_scenario(scenario, lib, other)
                except ScenarioFailed as exc:
                    failed = exc
        steps = len(scenario.steps)
        checked = languages if failed is None else []
        finished = failed is None or failed.lang != languages[0]
        view = transcript_view(
            transcript,
            heading,
            lambda r: titles.get(r, r),
            steps,
            checked,
            finished=finished,
            fields_of=lambda pid: lib[pid].fields if pid in lib else {},
        )
        console.print(view)
        if failed is not None:
            console.print(failure_view(*_failure(failed), failed.mismatches), soft_wrap=True)
            raise typer.Exit(1)
    except ScenarioError as exc:
        print_diagnostics(stderr(), exc.diagnostics)
        count = len(exc.diagnostics)
        raise CommandFailed(f"{script} cannot be played: {count} problem{'s' if count != 1 else ''} above") from None
