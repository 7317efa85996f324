"""Scenarios: a customer visit written down in YAML, replayed against a procedure and checked.

Compliance staff describe a visit the way the written SOP tells it: who did
what, how long everyone waited, and what the desk had to say and do at each
step. :func:`load_scenario` reads such a file with sopflow's own YAML loader,
so every mistake in it is reported at ``file:line:col``; :func:`run_scenario`
drives a real session on a :class:`~sopflow.runtime.ManualClock`, checks every
expectation, and returns a :class:`Transcript` a person can read.

Two errors, both located in the scenario file:

* :class:`ScenarioError` — the file is malformed, or does not fit the
  procedure (an unknown procedure, event, role, state or field): fix the
  scenario before anything runs.
* :class:`ScenarioFailed` — the scenario ran and the procedure did not do
  what it says: the message names the file, the step, the language, what
  was expected and what was found, and carries the transcript so far.

The package is split by job, each module building on the ones before it:
:mod:`.model` (the format), :mod:`.load` (reading files),
:mod:`.fit` (does the scenario fit the procedure), :mod:`.transcript`
(what happened, readable) and :mod:`.run` (running and checking); the
transcript is used by the run, never the other way round.
"""

from sopflow.testing.scenario.fit import check_scenario, scenario_languages
from sopflow.testing.scenario.load import ScenarioError, collect_scenarios, load_scenario, parse_scenario
from sopflow.testing.scenario.model import DEFAULT_START, REFUSALS, End, Expect, FireStep, Scenario, Start, WaitStep
from sopflow.testing.scenario.run import Mismatch, ScenarioFailed, run_scenario
from sopflow.testing.scenario.transcript import Transcript, TranscriptEntry

__all__ = [
    "DEFAULT_START",
    "REFUSALS",
    "End",
    "Expect",
    "FireStep",
    "Mismatch",
    "Scenario",
    "ScenarioError",
    "ScenarioFailed",
    "Start",
    "Transcript",
    "TranscriptEntry",
    "WaitStep",
    "check_scenario",
    "collect_scenarios",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "scenario_languages",
]
