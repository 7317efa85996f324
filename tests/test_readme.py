"""The README opens with the two commands that work on a fresh machine, and CI runs the second."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_two_commands() -> None:
    """The first code block holds exactly the install-and-run and the install-and-test commands."""
    commands = readme_commands()
    assert 2 == len(commands)
    assert "pip install ." in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    """`.ci/run` runs the README's second command verbatim."""
    assert readme_commands()[1] in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()


def test_the_main_job_uses_a_bundled_procedure() -> None:
    """The first command drives a procedure that ships in procedures/."""
    import sopflow

    source = (ROOT / "examples/desk_console.py").read_text(encoding="utf-8")
    assert "business.release_tenant" in source
    assert "business.release_tenant" in sopflow.load_library()
