"""Scenario coverage: which states, events, arrows, timers, checklist items, promises and properties
the scenarios exercised, out of everything each procedure offers.

Recording reads the journal every scenario run keeps already, once, when the run ends
(:mod:`.record`); the figures and the terminal table and JSON made of them are in
:mod:`.report`, the HTML page in :mod:`.html`. The pytest plugin (``--sopflow-cov``) and
``sopflow coverage`` both use them::

    coverage = ScenarioCoverage(library)
    run_scenario(scenario, library, "en", coverage=coverage)
    print("\\n".join(text_report(report_of(coverage), show_missed=True)))
"""

from sopflow.testing.coverage.files import write_file
from sopflow.testing.coverage.record import KINDS, Kind, ScenarioCoverage, Unit, Universe
from sopflow.testing.coverage.report import (
    CoverageReport,
    ReportTarget,
    parse_target,
    parse_threshold,
    report_of,
    shortfall,
    text_report,
)

__all__ = [
    "KINDS",
    "CoverageReport",
    "Kind",
    "ReportTarget",
    "ScenarioCoverage",
    "Unit",
    "Universe",
    "parse_target",
    "parse_threshold",
    "report_of",
    "shortfall",
    "text_report",
    "write_file",
]
