"""Scenario testing: visits written in YAML, replayed against procedures in every language.

Compliance staff write ``tests/scenarios/<procedure id>/*.yaml``; the test
suite runs each one in each language of its procedure (see
``docs/testing.md``), and so can any project's, through the pytest plugin::

    from sopflow.testing import load_scenario, run_scenario
    scenario = load_scenario("tests/scenarios/business.release_tenant/owner_agrees.yaml")
    print(run_scenario(scenario, sopflow.load_library(), "en"))

The pytest plugin in :mod:`sopflow.testing.plugin` collects the scenario
files a project names (``sopflow_scenarios`` in its pytest settings) as
tests, and offers the library they run against as the ``sopflow_library``
fixture.
"""

from sopflow.testing.scenario import (
    DEFAULT_START,
    Mismatch,
    Scenario,
    ScenarioError,
    ScenarioFailed,
    Transcript,
    TranscriptEntry,
    check_scenario,
    collect_scenarios,
    load_scenario,
    parse_scenario,
    run_scenario,
    scenario_languages,
)

__all__ = [
    "DEFAULT_START",
    "Mismatch",
    "Scenario",
    "ScenarioError",
    "ScenarioFailed",
    "Transcript",
    "TranscriptEntry",
    "check_scenario",
    "collect_scenarios",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "scenario_languages",
]
