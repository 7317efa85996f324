"""The pytest plugin: offers `sopflow_library`, collects nothing, and never breaks a pytest run."""

from __future__ import annotations

import pytest

import sopflow
from sopflow.testing import plugin

pytest_plugins = ["pytester"]

USES_FIXTURE = """
import sopflow

def test_library(sopflow_library):
    assert isinstance(sopflow_library, sopflow.Library)
    assert ["test.inquiry", "test.owner_call", "test.release", "testing.greeting"] == list(sopflow_library)

def test_same_object(sopflow_library):
    import sopflow.testing.plugin as plugin
    assert plugin.bundled_library() is sopflow_library
"""


@pytest.fixture
def isolated(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, runner_library: sopflow.Library
) -> pytest.Pytester:
    """A pytester with the plugin loaded by `-p` only, and the bundled library swapped for the fixtures.

    Entry-point autoloading is switched off so the plugin is registered once
    whether or not sopflow is installed; the swap keeps these tests
    independent of the real procedures, which may not load while being written.
    """
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setattr(plugin, "bundled_library", lambda: runner_library)
    return pytester


def test_fixture_offers_the_bundled_library(isolated: pytest.Pytester) -> None:
    """A test asking for `sopflow_library` gets the library `bundled_library()` loads."""
    isolated.makepyfile(USES_FIXTURE)
    result = isolated.runpytest("-p", "sopflow.testing.plugin")
    assert {"passed": 2} == {k: v for k, v in result.parseoutcomes().items() if k != "seconds"}


def test_plugin_collects_no_yaml(isolated: pytest.Pytester) -> None:
    """Scenario and procedure YAML files are not collected as tests behind the project's back."""
    isolated.makefile(".yaml", scenario="scenario: x\nprocedure: test.release\nstart: {role: front_desk}\n")
    result = isolated.runpytest("-p", "sopflow.testing.plugin")
    assert pytest.ExitCode.NO_TESTS_COLLECTED == result.ret


def test_bundled_library_is_loaded_once() -> None:
    """Collection and the fixture share one load: the cache returns the same object (or the same error)."""
    try:
        first = plugin.bundled_library()
    except sopflow.SopflowError:
        pytest.skip("the bundled procedures do not load right now")
    assert first is plugin.bundled_library()
