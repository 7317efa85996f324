"""pytest plugin: scenario files as tests, and the ``sopflow_library`` fixture.

Installed sopflow registers this module through the ``pytest11`` entry point,
so it is imported by *every* pytest run in that environment, including runs
of projects that never use sopflow. It therefore collects nothing until a
project names its scenario folders (``sopflow_scenarios``), and imports the
engine only when a scenario or the fixture needs it: a broken procedures
folder fails the tests that use it, never pytest.

Each scenario file becomes one item per language it runs in, e.g.
``tests/scenarios/business.release_tenant/owner_agrees.yaml::zh-Hant``; a
failing item reports what the scenario runner says (``file:line:col``, the
step, expected and found, the transcript), not a Python traceback.

With ``--sopflow-cov``, every scenario item hands its run's journal to one
:class:`~sopflow.testing.coverage.ScenarioCoverage`; at the end of the session
the reports asked for are written and, below ``--sopflow-cov-fail-under``, the
run fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr, TracebackStyle
    from _pytest.terminal import TerminalReporter

    from sopflow.errors import SopflowError
    from sopflow.library import Library
    from sopflow.testing.coverage import ReportTarget, ScenarioCoverage

SCENARIOS = "sopflow_scenarios"
PROCEDURES = "sopflow_procedures"
FAIL_UNDER = "sopflow_cov_fail_under"
SUFFIXES = (".yaml", ".yml")
UNKNOWN = "?"
"""Name of the one item of a file whose languages cannot be known (the file or the library does not load)."""
_HEAD = re.compile(r"^scenario[ \t]*:", re.M)
"""A top-level ``scenario:`` key: what tells a scenario from other YAML in the same folders."""


@cache
def bundled_library() -> Library:
    """The bundled procedures, loaded, checked and compiled once per process.

    Shared by the fixture and by scenario items, so a test run pays for the
    load once. A load that fails is not cached and raises again.
    """
    from sopflow.library import load_library

    return load_library()


@dataclass
class Settings:
    """Where a run's scenarios and procedures are, and the library once loaded (or why it did not load)."""

    scenarios: tuple[Path, ...]
    procedures: tuple[Path, ...]
    _library: Library | None = field(default=None, repr=False)
    failure: SopflowError | None = field(default=None, repr=False)
    """The error the procedures raised when loaded; every item reports it instead of loading again."""
    measure: Coverage | None = None
    """What to record and report, when coverage was asked for."""

    def covers(self, path: Path) -> bool:
        """Whether ``path`` is below one of the scenario folders (or is one of the files named)."""
        real = path.resolve()
        return any(real == root or real.is_relative_to(root) for root in self.scenarios)

    def root_of(self, path: Path) -> Path:
        """The scenario folder ``path`` was found in: the nearest one, or its own folder if it was named."""
        real = path.resolve()
        folders = [r for r in self.scenarios if real != r and real.is_relative_to(r)]
        return max(folders, key=lambda r: len(r.parts), default=real.parent)

    def library(self) -> Library:
        """The procedures named in ``sopflow_procedures``, or the bundled ones; loaded once per run."""
        from sopflow.errors import SopflowError
        from sopflow.library import load_library

        if self.failure is not None:
            raise self.failure
        if self._library is None:
            try:
                self._library = load_library(*map(shown, self.procedures)) if self.procedures else bundled_library()
            except SopflowError as exc:
                self.failure = exc
                raise
        return self._library

    def recording(self) -> ScenarioCoverage | None:
        """Where runs record what they exercise; ``None`` when coverage was not asked for."""
        if self.measure is None:
            return None
        if self.measure.recorded is None:
            from sopflow.testing.coverage import ScenarioCoverage

            self.measure.recorded = ScenarioCoverage(self.library())
        return self.measure.recorded

    def describe(self) -> str:
        """The procedures, as a failure names them."""
        if not self.procedures:
            return "the bundled procedures"
        return "the procedures in " + ", ".join(str(shown(p)) for p in self.procedures)


@dataclass
class Coverage:
    """The coverage options of a run, and what it recorded."""

    targets: tuple[ReportTarget, ...]
    threshold: float | None
    recorded: ScenarioCoverage | None = None
    lines: list[str] = field(default_factory=list)
    """What the terminal summary prints, worked out when the session finishes."""
    short: str | None = None
    """The message of a total below the threshold."""


_SETTINGS = pytest.StashKey[Settings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sopflow", "sopflow scenarios")
    group.addoption(
        "--sopflow-scenarios",
        action="append",
        metavar="PATH",
        help=f"collect scenario files below PATH (repeatable; replaces the '{SCENARIOS}' ini option)",
    )
    group.addoption(
        "--sopflow-procedures",
        action="append",
        metavar="PATH",
        help=f"run scenarios against the procedures below PATH (repeatable; replaces '{PROCEDURES}')",
    )
    group.addoption(
        "--sopflow-cov",
        action="store_true",
        help="record which states, events, arrows, timers, items, promises and properties the scenarios exercise",
    )
    group.addoption(
        "--sopflow-cov-report",
        action="append",
        metavar="TYPE",
        help="term, term-missing, json:PATH or html:PATH (repeatable; default: term; implies --sopflow-cov)",
    )
    group.addoption(
        "--sopflow-cov-fail-under",
        metavar="PCT",
        help=f"fail the run if total scenario coverage is below PCT (implies --sopflow-cov; replaces '{FAIL_UNDER}')",
    )
    parser.addini(
        FAIL_UNDER,
        default="",
        help="with --sopflow-cov: fail the run if total scenario coverage is below this percentage",
    )
    parser.addini(
        SCENARIOS,
        type="paths",
        default=[],
        help="folders (or files) of scenario YAML files to collect as tests; none: collect nothing",
    )
    parser.addini(
        PROCEDURES,
        type="paths",
        default=[],
        help="folders (or files) of procedures the scenarios run against; none: the bundled library",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SETTINGS] = Settings(
        scenarios=_paths(config, "sopflow_scenarios", SCENARIOS),
        procedures=_paths(config, "sopflow_procedures", PROCEDURES),
        measure=_coverage(config),
    )


def _coverage(config: pytest.Config) -> Coverage | None:
    """The coverage options, checked before anything runs; ``None`` when coverage is off."""
    reports: list[str] | None = config.getoption("sopflow_cov_report")
    given: str | None = config.getoption("sopflow_cov_fail_under")
    if not (config.getoption("sopflow_cov") or reports or given is not None):
        return None
    from sopflow.errors import UsageError
    from sopflow.testing.coverage import parse_target, parse_threshold

    ini = str(config.getini(FAIL_UNDER)).strip()
    try:
        targets = tuple(parse_target(r) for r in reports or ["term"])
        threshold = parse_threshold(given) if given is not None else parse_threshold(ini) if ini else None
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    return Coverage(targets, threshold)


WORKER_KEY = "sopflow_cov"
"""Where a pytest-xdist worker puts what it recorded, for the controller to add up."""


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the coverage reports; below the threshold, a run that passed fails.

    Under pytest-xdist each worker records the scenarios it ran and hands that to the
    controller (:func:`pytest_testnodedown`), which reports the whole run once.
    """
    from sopflow.errors import UsageError
    from sopflow.testing.coverage import report_of, shortfall, text_report, write_file

    settings = session.config.stash.get(_SETTINGS, None)
    measure = settings.measure if settings is not None else None
    if measure is None:
        return
    output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if output is not None:  # a pytest-xdist worker: the controller reports
        if measure.recorded is not None:
            output[WORKER_KEY] = measure.recorded.dump()
        return
    if measure.recorded is None:
        measure.lines = ["no scenario ran: nothing to report"]
        return
    report = report_of(measure.recorded)
    lines = []
    for target in measure.targets:
        if target.path is None:
            lines += text_report(report, show_missed=target.kind == "term-missing")
            continue
        try:
            written = write_file(report, target, "Scenario coverage")
        except UsageError as exc:
            lines.append(f"error: {exc}")
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
            continue
        lines.append(f"{target.kind} report written to {shown(written)}")
    measure.lines = lines
    if measure.threshold is not None:
        measure.short = shortfall(report, measure.threshold)
        if measure.short is not None and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist's controller: add a finished worker's coverage to the run's."""
    settings = node.config.stash.get(_SETTINGS, None)
    dumped = getattr(node, "workeroutput", {}).get(WORKER_KEY)
    if settings is None or settings.measure is None or dumped is None:
        return
    recording = settings.recording()
    if recording is not None:
        recording.merge(dumped)


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    settings = terminalreporter.config.stash.get(_SETTINGS, None)
    measure = settings.measure if settings is not None else None
    if measure is None:
        return
    terminalreporter.write_sep("-", "sopflow scenario coverage")
    for line in measure.lines:
        terminalreporter.write_line(line)
    if measure.short is not None:
        terminalreporter.write_line(f"FAIL: {measure.short}", red=True, bold=True)
    elif measure.threshold is not None:
        terminalreporter.write_line(f"required scenario coverage of {measure.threshold:g}% reached")


def _paths(config: pytest.Config, option: str, ini: str) -> tuple[Path, ...]:
    """Command-line paths (from where pytest was started), else the ini file's (from the ini file)."""
    given: list[str] | None = config.getoption(option)
    if given:
        return tuple((config.invocation_params.dir / p).resolve() for p in given)
    return tuple(Path(p).resolve() for p in config.getini(ini))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ScenarioFile | None:
    settings = parent.config.stash[_SETTINGS]
    if file_path.suffix not in SUFFIXES or not settings.covers(file_path) or not _is_scenario(file_path):
        return None
    return ScenarioFile.from_parent(parent, path=file_path)


def _is_scenario(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return _HEAD.search(text) is not None


@pytest.fixture(scope="session")
def sopflow_library(pytestconfig: pytest.Config) -> Library:
    """The library scenarios run against: ``sopflow_procedures``, or the bundled one, shared by the session."""
    return pytestconfig.stash[_SETTINGS].library()


def shown(path: Path) -> Path:
    """The path as typed from the current folder, when it is below it: shorter, and what editors open."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


class ScenarioFile(pytest.File):
    """One scenario file: an item per language, or one item that fails if the languages cannot be known.

    Collection never fails: a file or a library that does not load would
    otherwise interrupt the whole run, hiding every other test.
    """

    def collect(self) -> Iterator[ScenarioItem]:
        for lang in self._languages():
            yield ScenarioItem.from_parent(self, name=lang, lang=lang)

    def _languages(self) -> tuple[str, ...]:
        from sopflow.errors import SopflowError
        from sopflow.testing.scenario import load_scenario, scenario_languages

        try:
            library = self.config.stash[_SETTINGS].library()
            scenario = load_scenario(self.path)
        except SopflowError:
            return (UNKNOWN,)  # the item reports the error
        if scenario.procedure not in library:
            return (UNKNOWN,)
        return scenario_languages(scenario, library)


class ScenarioItem(pytest.Item):
    """One scenario file run in one language."""

    def __init__(self, *, lang: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang = lang

    def runtest(self) -> None:
        from sopflow.diagnostics import Diagnostic
        from sopflow.testing.scenario import ScenarioError, load_scenario, run_scenario

        settings = self.config.stash[_SETTINGS]
        library = settings.library()
        scenario = load_scenario(shown(self.path))
        folder = self.path.resolve().parent
        root = settings.root_of(self.path)
        if folder != root and folder.name != scenario.procedure:
            line, column = scenario.locate(("procedure",))
            message = (
                f"the scenario is for '{scenario.procedure}' but sits in the folder of '{folder.name}'; "
                f"move it to {shown(root).as_posix()}/{scenario.procedure}/"
            )
            raise ScenarioError([Diagnostic("error", "scenario", message, scenario.source, line, column, "procedure")])
        run_scenario(scenario, library, self.lang, coverage=settings.recording())

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        """What the scenario runner says, which locates the problem; a traceback only for a bug."""
        from sopflow.errors import SopflowError

        error = excinfo.value
        settings = self.config.stash[_SETTINGS]
        if settings.failure is not None and error is settings.failure:
            return f"{settings.describe()} do not load, so no scenario can run:\n{error}"
        if isinstance(error, SopflowError):
            return str(error)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        relative = self.path.resolve().relative_to(self.config.stash[_SETTINGS].root_of(self.path))
        return self.path, None, f"{relative.with_suffix('').as_posix()} [{self.lang}]"
