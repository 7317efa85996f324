"""Scenario coverage: what runs exercised, read from their journals, against everything each procedure offers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import sopflow
from sopflow.errors import UsageError
from sopflow.testing import (
    ScenarioFailed,
    collect_scenarios,
    load_scenario,
    parse_scenario,
    run_scenario,
    scenario_languages,
)
from sopflow.testing.coverage import (
    KINDS,
    CoverageReport,
    ScenarioCoverage,
    parse_target,
    parse_threshold,
    report_of,
    shortfall,
    text_report,
)
from sopflow.testing.coverage.html import html_report

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parent.parent.parent
PASSING = Path(__file__).parent / "scenarios" / "passing"

CHECKED = """
sopflow: 1
procedure:
  id: t.desk
  version: 1
  title: {en: Desk}
  languages: [en]
  roles: {desk: {title: {en: desk}}, boss: {title: {en: boss}}}
  fields:
    arrears: {type: bool, default: false}
    secret: {type: str, private: true}
  promises:
    reply:
      within: 1 hour
      starts: open
      kept: [answered]
  properties:
    owner_called_first:
      first: {event: call_owner}
      then: {reached: answered}
    no_release_in_arrears:
      never: {event: release}
      while: "arrears"
    complaint_always_possible:
      always_available: complain
  initial: open
  states:
    open:
      role: desk
      checklist:
        logged: {text: {en: "Log the visit."}}
        greeted: {text: {en: "Greet the visitor."}, required: false}
      on:
        note_arrears: {set: {arrears: "true"}}
        call_owner: {data: [secret], to: answered}
        complain: complained
        release: done
    answered:
      role: desk
      on: {release: done, complain: complained}
    complained: {final: refused}
    done: {final: completed}
"""


def run_all(library: sopflow.Library, *texts: str, source: str = "s.yaml") -> ScenarioCoverage:
    coverage = ScenarioCoverage(library)
    for text in texts:
        scenario = parse_scenario(text, source)
        for lang in scenario_languages(scenario, library):
            run_scenario(scenario, library, lang, coverage=coverage)
    return coverage


def missed(report: CoverageReport, procedure: str) -> dict[str, list[tuple[str, ...]]]:
    figures = next(p for p in report.procedures if p.procedure == procedure)
    return {kind: list(f.missed) for kind, f in figures.kinds.items() if f.missed}


@pytest.fixture(scope="module")
def owner_agrees(runner_library: sopflow.Library) -> ScenarioCoverage:
    """The fixture release, fees paid and the owner agreeing, in English and in Chinese."""
    coverage = ScenarioCoverage(runner_library)
    scenario = load_scenario(PASSING / "release_owner_agrees.yaml")
    for lang in ("en", "zh-Hant"):
        run_scenario(scenario, runner_library, lang, coverage=coverage)
    return coverage


def test_a_run_misses_exactly_the_ways_it_did_not_take(owner_agrees: ScenarioCoverage) -> None:
    """Escalation, arrears, the owner declining or silent, the tenant walking off: each arrow of them missed."""
    report = report_of(owner_agrees)
    assert ["test.owner_call", "test.release"] == [p.procedure for p in report.procedures]
    escalate = "customer_dissatisfied"
    assert {
        "states": [("refused_arrears",), ("no_consent",), ("escalated",)],
        "events": [(escalate,)],
        "arrows": [
            ("check_id", escalate, "escalated"),
            ("check_fees", "fees_checked", "refused_arrears"),
            ("check_fees", escalate, "escalated"),
            ("list_items", escalate, "escalated"),
            ("call_owner", escalate, "escalated"),
            ("call_owner", "return:state:call_owner:escalated", "escalated"),
            ("call_owner", "return:state:call_owner:refused", "no_consent"),
            ("sign", escalate, "escalated"),
            ("sign", "timer:walked_off", "no_consent"),
        ],
        "timers": [("walked_off",)],
    } == missed(report, "test.release")
    assert {
        "states": [("declined",), ("escalated",)],
        "events": [(escalate,)],
        "arrows": [
            ("ask", "owner_answers", "declined"),
            ("ask", escalate, "escalated"),
            ("ask", "timer:no_answer", "declined"),
        ],
        "timers": [("no_answer",)],
    } == missed(report, "test.owner_call")


def test_each_unit_names_the_scenarios_that_covered_it(owner_agrees: ScenarioCoverage) -> None:
    """The call's return arrow is covered (the caller counts it), by the one file, in two runs."""
    release = next(p for p in report_of(owner_agrees).procedures if p.procedure == "test.release")
    arrows = dict(release.kinds["arrows"].units)
    source = str(PASSING / "release_owner_agrees.yaml")
    assert ((source,), (source,), 2) == (
        arrows[("call_owner", "return:state:call_owner:completed", "sign")],
        release.scenarios,
        release.runs,
    )


def test_timers_and_a_second_scenario_add_up(runner_library: sopflow.Library) -> None:
    """The owner never answers: the timer runs out; covered on top of what the first scenario covered."""
    coverage = ScenarioCoverage(runner_library)
    for name in ("release_owner_agrees.yaml", "release_owner_silent.yaml"):
        scenario = load_scenario(PASSING / name)
        for lang in scenario_languages(scenario, runner_library):
            run_scenario(scenario, runner_library, lang, coverage=coverage)
    left = missed(report_of(coverage), "test.owner_call")
    arrows = [("ask", "owner_answers", "declined"), ("ask", "customer_dissatisfied", "escalated")]
    assert ([("escalated",)], arrows) == (left["states"], left["arrows"])
    assert "timers" not in left


def test_a_failing_run_counts_what_it_did_before_it_stopped(runner_library: sopflow.Library) -> None:
    """Coverage reads the journal however the run ended: the steps before the failure were exercised."""
    coverage = ScenarioCoverage(runner_library)
    scenario = load_scenario(Path(__file__).parent / "scenarios" / "failing" / "state.yaml")
    with pytest.raises(ScenarioFailed):
        run_scenario(scenario, runner_library, "en", coverage=coverage)
    release = next(p for p in report_of(coverage).procedures if p.procedure == "test.release")
    assert ["check_id", "check_fees"] == [u[0] for u, by in release.kinds["states"].units if by]


def test_checklist_promises_and_properties() -> None:
    """Items ticked, a promise made and kept (never missed), properties passed through or not."""
    library = sopflow.load_string(CHECKED)
    kept = """
scenario: called, answered, released
procedure: t.desk
start: {role: desk}
steps:
  - check: logged
    as: desk
  - fire: call_owner
    as: desk
    data: {secret: "S-123"}
  - fire: release
    as: desk
"""
    report = report_of(run_all(library, kept))
    assert {
        "states": [("complained",)],
        "events": [("note_arrears",), ("complain",)],
        "arrows": [
            ("open", "note_arrears", "open"),
            ("open", "complain", "complained"),
            ("open", "release", "done"),
            ("answered", "complain", "complained"),
        ],
        "checklist": [("open", "greeted")],
        "promises": [("reply", "missed")],
        "properties": [("no_release_in_arrears",), ("complaint_always_possible",)],
    } == missed(report, "t.desk")


def test_a_missed_promise_and_a_refused_release_cover_what_they_show() -> None:
    """A promise lapses; a `never` property is exercised by the attempt it forbids, while its condition holds."""
    library = sopflow.load_string(CHECKED)
    late = """
scenario: arrears noted, release tried, nobody answers, the visitor complains
procedure: t.desk
start: {role: desk}
steps:
  - fire: note_arrears
    as: desk
  - fire: release
    as: desk
    refused: ChecklistIncomplete
  - wait: 2 hours
  - check: logged
    as: desk
  - fire: complain
    as: desk
"""
    left = missed(report_of(run_all(library, late)), "t.desk")
    assert ([("reply", "kept")], [("owner_called_first",)]) == (left["promises"], left["properties"])
    without_arrears = late.replace("  - fire: note_arrears\n    as: desk\n", "")
    left = missed(report_of(run_all(library, without_arrears)), "t.desk")
    assert [("owner_called_first",), ("no_release_in_arrears",)] == left["properties"]


def test_the_json_report_lists_every_unit_and_what_was_missed(owner_agrees: ScenarioCoverage) -> None:
    data = json.loads(report_of(owner_agrees).json_text())
    release = data["procedures"]["test.release"]
    arrows = release["kinds"]["arrows"]
    assert (1, list(KINDS), {"covered": 7, "total": 19, "percent": 36.84}) == (
        data["format"],
        data["kinds"],
        {k: data["totals"]["kinds"]["arrows"][k] for k in ("covered", "total", "percent")},
    )
    assert {"state": "sign", "trigger": "timer:walked_off", "target": "no_consent"} in arrows["missed"]
    assert {
        "state": "check_id",
        "trigger": "id_copied",
        "target": "check_id",
        "scenarios": [str(PASSING / "release_owner_agrees.yaml")],
    } in arrows["units"]
    assert (arrows["covered"], arrows["total"], len(arrows["missed"])) == (6, 15, 9)
    assert [{"timer": "walked_off"}] == release["kinds"]["timers"]["missed"]


def test_the_html_report_shows_the_missed_arrows_escaped_and_no_data(
    runner_library: sopflow.Library, tmp_path: Path
) -> None:
    """Names only, each escaped: a scenario file called `<b>.yaml` shows as text; private data never appears."""
    odd = tmp_path / "<b>&.yaml"
    shutil.copy(PASSING / "release_owner_agrees.yaml", odd)
    coverage = ScenarioCoverage(runner_library)
    for lang in ("en", "zh-Hant"):
        run_scenario(load_scenario(odd), runner_library, lang, coverage=coverage)
    page = html_report(report_of(coverage), "Coverage <of> & more")
    assert "<code>sign --timer:walked_off--&gt; no_consent</code>" in page
    assert "<code>check_fees --fees_checked--&gt; refused_arrears</code>" in page
    assert ("&lt;b&gt;&amp;.yaml" in page, "<b>&" in page) == (True, False)
    assert "<title>Coverage &lt;of&gt; &amp; more</title>" in page
    assert [] == [value for value in ("scan-001", "3-1201", "TV", "sofa", "owner-of-3-1201") if value in page]


def test_the_table_keeps_to_80_columns_and_cuts_long_ids_at_a_dot() -> None:
    """Every bundled scenario, every kind a column: long ids go on two lines, the figures on the second."""
    library = sopflow.load_library()
    coverage = ScenarioCoverage(library)
    for path in collect_scenarios(ROOT / "tests" / "scenarios"):
        scenario = load_scenario(path)
        for lang in scenario_languages(scenario, library):
            run_scenario(scenario, library, lang, coverage=coverage)
    lines = text_report(report_of(coverage), show_missed=True)
    assert [] == [line for line in lines if len(line) > 80]
    at = lines.index("front_desk.")
    end = next(i for i in range(at, len(lines)) if lines[i].endswith("%"))
    name = "".join(line.split()[0] for line in lines[at : end + 1])
    assert ("front_desk.greeting_by_visitor_type", "100%") == (name, lines[end].split()[-1])


def test_the_bundled_release_scenarios_miss_only_escalations() -> None:
    """business.release_tenant's own scenarios take every arrow but five escalations, and its owner call's all."""
    library = sopflow.load_library()
    coverage = ScenarioCoverage(library)
    for path in sorted((ROOT / "tests" / "scenarios" / "business.release_tenant").glob("*.yaml")):
        scenario = load_scenario(path)
        for lang in scenario_languages(scenario, library):
            run_scenario(scenario, library, lang, coverage=coverage)
    report = report_of(coverage)
    states = ["ask_id", "check_fees", "announce_owner_call", "tenant_signs", "hand_slip"]
    assert {"arrows": [(s, "escalate", "escalated") for s in states]} == missed(report, "business.release_tenant")
    assert {} == missed(report, "business.release_tenant.owner_call")


def test_threshold_and_report_choices() -> None:
    assert (80.0, 0.0, "json") == (parse_threshold("80"), parse_threshold(0), parse_target("json:c.json").kind)
    for bad in ("101", "-1", "nan", "lots"):
        with pytest.raises(UsageError, match="percentage from 0 to 100"):
            parse_threshold(bad)
    with pytest.raises(UsageError, match=r"needs a path: 'html:PATH'"):
        parse_target("html")
    with pytest.raises(UsageError, match="unknown coverage report 'xml'"):
        parse_target("xml")


def test_shortfall_never_rounds_up_to_the_threshold(owner_agrees: ScenarioCoverage) -> None:
    """25 of 50 units: 50 % reaches 50, not 50.01; the message says how far below."""
    report = report_of(owner_agrees)
    assert (report.covered, report.total) == (21, 42)
    assert (None, "scenario coverage 50.0% is below the required 50.01%") == (
        shortfall(report, 50),
        shortfall(report, 50.01),
    )


# -- the pytest plugin ---------------------------------------------------------------------------

CONFIG = """
[tool.pytest.ini_options]
sopflow_procedures = ["procedures"]
sopflow_scenarios = ["scenarios"]
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A project with the fixture procedures and the owner-agrees scenario, the plugin loaded by `-p`."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyprojecttoml(CONFIG)
    shutil.copytree(ROOT / "tests" / "fixtures", pytester.path / "procedures")
    release = pytester.mkdir("scenarios") / "test.release"
    release.mkdir()
    shutil.copy(PASSING / "release_owner_agrees.yaml", release / "owner_agrees.yaml")
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "sopflow.testing.plugin", "-p", "no:cacheprovider", *args)


def test_plugin_prints_the_table_and_passes_above_the_threshold(project: pytest.Pytester) -> None:
    result = run(project, "--sopflow-cov", "--sopflow-cov-fail-under=45")
    result.stdout.fnmatch_lines(
        [
            "*- sopflow scenario coverage -*",
            "procedure*states*events*arrows*timers*cover",
            "test.owner_call*2/4*1/2*1/4*0/1*36%",
            "test.release*6/9*5/6*6/15*0/1*55%",
            "total*8/13*6/8*7/19*0/2*50%",
            "required scenario coverage of 45% reached",
        ]
    )
    assert pytest.ExitCode.OK == result.ret


def test_plugin_fails_a_passing_run_below_the_threshold(project: pytest.Pytester) -> None:
    result = run(project, "--sopflow-cov-fail-under=60", "--sopflow-cov-report=term-missing")
    result.stdout.fnmatch_lines(
        [
            "test.release missed:",
            "  timers  walked_off",
            "FAIL: scenario coverage 50.0% is below the required 60%",
            "*2 passed*",
        ]
    )
    assert pytest.ExitCode.TESTS_FAILED == result.ret


def test_plugin_threshold_from_the_ini_file(project: pytest.Pytester) -> None:
    """`sopflow_cov_fail_under` applies when coverage is on, and only then."""
    project.makepyprojecttoml(CONFIG + "sopflow_cov_fail_under = '90'\n")
    assert (pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.OK) == (run(project, "--sopflow-cov").ret, run(project).ret)


def test_plugin_writes_json_and_html(project: pytest.Pytester) -> None:
    result = run(project, "--sopflow-cov-report=json:out/cov.json", "--sopflow-cov-report=html:out/html")
    result.stdout.fnmatch_lines(["json report written to out/cov.json", "html report written to out/html/index.html"])
    data = json.loads((project.path / "out" / "cov.json").read_text(encoding="utf-8"))
    page = (project.path / "out" / "html" / "index.html").read_text(encoding="utf-8")
    assert (7, "sign --timer:walked_off--&gt; no_consent" in page) == (
        data["totals"]["kinds"]["arrows"]["covered"],
        True,
    )
    assert [] == [line for line in result.outlines if line.startswith("procedure ")]  # files asked for: no table


def test_plugin_refuses_a_bad_report_before_running(project: pytest.Pytester) -> None:
    result = run(project, "--sopflow-cov-report=xml")
    result.stderr.fnmatch_lines(["*unknown coverage report 'xml'*"])
    assert pytest.ExitCode.USAGE_ERROR == result.ret


def test_plugin_without_coverage_prints_nothing_of_it(project: pytest.Pytester) -> None:
    result = run(project)
    assert ("sopflow scenario coverage" in result.stdout.str(), result.ret) == (False, pytest.ExitCode.OK)


def _table(result: pytest.RunResult) -> list[str]:
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if "sopflow scenario coverage" in line)
    return [line for line in lines[start + 1 :] if line.startswith(("test.", "total", "FAIL"))]


def test_plugin_adds_up_the_workers_of_pytest_xdist(project: pytest.Pytester) -> None:
    """Two workers each run part of the scenarios; the controller reports the whole run, once."""
    args = ("-p", "sopflow.testing.plugin", "-p", "no:cacheprovider", "--sopflow-cov-fail-under=60")
    serial = project.runpytest_subprocess(*args)
    spread = project.runpytest_subprocess(*args, "-p", "xdist.plugin", "-n", "2")
    spread.stdout.fnmatch_lines(["*2 workers*", "*2 passed*"])
    assert ["test.owner_call", "test.release", "total", "FAIL:"] == [line.split()[0] for line in _table(spread)]
    assert (_table(serial), serial.ret) == (_table(spread), spread.ret)
    assert 1 == spread.stdout.str().count("sopflow scenario coverage")


# -- docs/testing.md, "Coverage" -----------------------------------------------------------------

DOC = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
SECTION = DOC[DOC.index("## Coverage") : DOC.index("## What failures look like")]


def block(language: str) -> str:
    return SECTION.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_the_worked_example_is_real(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's run over the bundled tenant release prints the coverage the page shows."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("COLUMNS", "80")
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nsopflow_scenarios = ["tests/scenarios"]\n')
    for folder in (ROOT / "tests" / "scenarios").glob("business.release_tenant*"):
        shutil.copytree(folder, pytester.path / "tests" / "scenarios" / folder.name)
    command, _, shown = block("console").partition("\n…\n")
    args = command.removeprefix("$ pytest ").split()
    lines = run(pytester, *args).outlines
    start = lines.index(shown.splitlines()[0])
    expected = shown.splitlines()[:-1]  # the last line holds the time and the count of the whole suite
    assert expected == lines[start : start + len(expected)]


def shape(value: object) -> object:
    """The keys of a JSON value, all the way down; a list by its first element; "…" placeholders left out."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items() if k != "…"}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def test_the_documented_json_has_the_real_keys() -> None:
    """Every key the page's JSON shows is in the real report, at the same place, with values of the same kind."""
    library = sopflow.load_library()
    coverage = ScenarioCoverage(library)
    for path in sorted((ROOT / "tests" / "scenarios" / "business.release_tenant").glob("*.yaml")):
        run_scenario(load_scenario(path), library, "en", coverage=coverage)
    real = shape(json.loads(report_of(coverage).json_text()))
    documented = shape(json.loads(block("json")))

    def within(doc: object, got: object) -> bool:
        if isinstance(doc, dict):
            return isinstance(got, dict) and all(k in got and within(v, got[k]) for k, v in doc.items())
        if isinstance(doc, list):
            return isinstance(got, list) and all(within(d, got[0]) for d in doc if d != "str")
        return doc == got or got is None

    assert within(documented, real)
