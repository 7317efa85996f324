"""What a host installs: plain sopflow brings neither the terminal nor the test stack, and says which extra to add.

One fresh virtual environment gets the wheel built from this checkout, then
the ``[testing]`` extra, then the ``[cli]`` extra, then ``[handbook]``; each stage runs its checks
before the next install, and the tests read what they printed. pip installs
the dependencies as a user's would, from its cache or index.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import sopflow
from sopflow.analysis.script import SKIPPED
from sopflow.cli import HINT
from sopflow.cli.handbook import JINJA
from sopflow.cli.translate import AUTHORING
from sopflow.testing import load_scenario, scenario_languages

ROOT = Path(__file__).parent.parent
STACKS = ("rich", "typer", "hypothesis", "pytest", "babel", "opencc", "jinja2")
PROBE = f"""
import importlib.util, sopflow
print(" ".join(m for m in {STACKS!r} if importlib.util.find_spec(m)) or "none")
print(len(sopflow.load_library()))
"""
"""Which stacks are installed, and that the bundled library loads without them."""
SCENARIO = ROOT / "tests" / "scenarios" / "business.release_tenant" / "owner_agrees.yaml"
HOSTS = """
import sopflow
from hypothesis import given, settings
from sopflow.testing.host import HostMachine
from sopflow.testing.strategies import apply, event_sequences

library = sopflow.load_library()

@settings(max_examples=5, deadline=None, database=None)
@given(event_sequences(library["business.release_tenant"], max_steps=5))
def replays(visit):
    session = library.start(visit.procedure, clock=sopflow.ManualClock(visit.at), role=visit.role, data=visit.data)
    for action in visit.actions:
        apply(session, action)

replays()
print(HostMachine.__name__)
"""
"""A host's property test: the strategies and the state machine import and run on the installed extra."""
NO_TESTING = """
import sopflow.errors
for module in ("sopflow.testing.strategies", "sopflow.testing.host"):
    try:
        __import__(module)
    except ImportError as exc:
        print(type(exc).__name__, isinstance(exc, sopflow.errors.SopflowError), str(exc).split(" (")[0])
"""
"""The hypothesis tools imported without the ``[testing]`` extra: one error that says what to install."""


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str | Path, cwd: Path = ROOT) -> Ran:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)
    return Ran(done.returncode, done.stdout, done.stderr)


def readme_walk() -> list[str]:
    """The arguments the README's first command gives `sopflow`."""
    block = (ROOT / "README.md").read_text(encoding="utf-8").split("```bash\n", 1)[1]
    return block.splitlines()[0].split("/sopflow ", 1)[1].split()


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    """What each check printed in the fresh environment, at the install stage it belongs to."""
    tmp = tmp_path_factory.mktemp("install")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp, ROOT)
    assert 0 == built.returncode, built.stderr
    wheel = next(tmp.glob("sopflow-*.whl"))
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python, script = venv / "bin" / "python", venv / "bin" / "sopflow"

    def install(requirement: str) -> None:
        done = run(
            sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-input", "--no-compile", requirement
        )
        assert 0 == done.returncode, done.stderr

    project = tmp / "project"
    (project / "scenarios").mkdir(parents=True)
    (project / "scenarios" / SCENARIO.name).write_text(SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    (project / "pytest.ini").write_text("[pytest]\nsopflow_scenarios = scenarios\n", encoding="utf-8")

    out: dict[str, Ran] = {}
    install(str(wheel))
    out["plain"] = run(python, "-c", PROBE)
    out["script"] = run(script, *readme_walk())
    out["module"] = run(python, "-m", "sopflow", *readme_walk())
    out["no_testing"] = run(python, "-c", NO_TESTING)
    install(f"{wheel}[testing]")
    out["testing"] = run(python, "-c", PROBE)
    out["scenarios"] = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    out["hosts"] = run(python, "-c", HOSTS)
    install(f"{wheel}[cli]")
    out["walk"] = run(script, *readme_walk())
    out["translate"] = run(script, "translate", "status", ROOT / "procedures")
    out["lint"] = run(script, "lint", ROOT / "procedures")
    out["no_handbook"] = run(script, "handbook", "--no-diagrams", "-o", tmp / "none")
    install(f"{wheel}[handbook]")
    out["handbook"] = run(script, "handbook", "--no-diagrams", "-o", tmp / "handbook")
    out["handbook_files"] = Ran(0, "\n".join(sorted(str(p.relative_to(tmp)) for p in tmp.glob("handbook/*/*"))), "")
    return out


@pytest.mark.parametrize("how", ["script", "module"])
def test_command_without_the_cli_extra_says_what_to_install(ran: dict[str, Ran], how: str) -> None:
    """`sopflow` and `python -m sopflow` print the one-line hint and exit 2, no traceback."""
    assert Ran(2, "", HINT + "\n") == ran[how]


def test_hypothesis_tools_without_the_testing_extra_say_what_to_install(ran: dict[str, Ran]) -> None:
    """Both modules raise MissingExtra, a SopflowError that ``except ImportError`` still catches."""
    hint = 'needs hypothesis: pip install "sopflow[testing]"'
    expected = f"MissingExtra True sopflow.testing.strategies {hint}\nMissingExtra True sopflow.testing.host {hint}\n"
    assert Ran(0, expected, "") == ran["no_testing"]


def test_plain_install_loads_the_bundled_library_without_any_stack(ran: dict[str, Ran]) -> None:
    """`import sopflow` and the bundled procedures need neither rich, typer, hypothesis nor pytest."""
    assert Ran(0, f"none\n{len(sopflow.load_library())}\n", "") == ran["plain"]


def test_testing_extra_runs_scenarios_without_the_terminal_stack(ran: dict[str, Ran]) -> None:
    """With `[testing]`, a project's scenarios run through the installed plugin; rich and typer stay out."""
    scenarios = ran["scenarios"]
    languages = scenario_languages(load_scenario(SCENARIO), sopflow.load_library())
    assert ("hypothesis pytest", 0, f"{len(languages)} passed") == (
        ran["testing"].stdout.splitlines()[0],
        scenarios.returncode,
        scenarios.stdout.splitlines()[-1].split(" in ")[0],
    )


def test_testing_extra_runs_the_hypothesis_tools_for_hosts(ran: dict[str, Ran]) -> None:
    """With `[testing]`, `sopflow.testing.strategies` and `sopflow.testing.host` import and draw visits."""
    assert Ran(0, "HostMachine\n", "") == ran["hosts"]


def test_cli_extra_plays_the_readme_walk(ran: dict[str, Ran]) -> None:
    """With `[cli]`, the README's `sopflow walk` plays the scenario to its outcome."""
    walk = ran["walk"]
    assert (0, True) == (walk.returncode, "Outcome completed" in walk.stdout)


def test_cli_without_the_authoring_extra(ran: dict[str, Ran]) -> None:
    """Without `[authoring]`, translate names the extra (exit 2) and lint runs every rule but chinese-script."""
    translate, lint = ran["translate"], ran["lint"]
    assert (2, "error: " + AUTHORING + "\n", 0, f"{SKIPPED})") == (
        translate.returncode,
        translate.stderr,
        lint.returncode,
        lint.stdout.strip().split("; ")[-1],
    )


def test_engine_imports_neither_stack() -> None:
    """Even where they are installed, `import sopflow` (and its scenario runner) import no stack."""
    code = f"import sys, sopflow, sopflow.testing; print([m for m in {STACKS!r} if m in sys.modules])"
    assert Ran(0, "[]\n", "") == run(sys.executable, "-c", code)


def test_handbook_needs_its_extra_and_ships_its_templates(ran: dict[str, Ran]) -> None:
    """Without `[handbook]`, the command names the extra (exit 2); with it, the installed wheel writes every page."""
    missing, made = ran["no_handbook"], ran["handbook"]
    pages = ran["handbook_files"].stdout.splitlines()
    expected = 2 + 3 * (len(sopflow.load_library()) + 2)  # two assets; per language, the pages, index, search
    assert (2, f"error: {JINJA}\n", 0, expected, True) == (
        missing.returncode,
        missing.stderr,
        made.returncode,
        len(pages),
        "handbook/en/business.release_tenant.html" in pages,
    )
