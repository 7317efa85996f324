"""The README opens with the two commands that work on a fresh machine, and CI runs the second."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_two_commands() -> None:
    """The first code block holds exactly the install-and-run and the install-and-test commands."""
    commands = readme_commands()
    assert 2 == len(commands)
    assert 'pip install ".[cli]"' in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    """`.ci/run` runs the README's second command verbatim."""
    assert readme_commands()[1] in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()


def test_the_main_job_plays_a_real_scenario_of_a_bundled_procedure() -> None:
    """The first command plays a scenario file that exists, against a procedure in procedures/."""
    import sopflow

    words = readme_commands()[0].split()
    procedure_id, scenario = words[words.index("walk") + 1], words[words.index("--script") + 1]
    assert (True, True) == (procedure_id in sopflow.load_library(), (ROOT / scenario).is_file())


def test_the_example_host_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/desk_console.py plays its visit to the end."""
    monkeypatch.setattr(sys, "argv", ["desk_console.py", "--lang", "zh-Hant"])
    runpy.run_path(str(ROOT / "examples/desk_console.py"), run_name="__main__")
    assert "outcome: completed" in capsys.readouterr().out


def test_the_readme_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The Python block of the README starts the tenant release and fires its first event."""
    code = (ROOT / "README.md").read_text(encoding="utf-8").split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})  # our own README, not user input
    assert "您請坐,請您出示身份證,我們要復印留底。" in capsys.readouterr().out
