"""YAML loading: safe, located, and honest about what was expected."""

from __future__ import annotations

import gc

import pytest

import sopflow
from sopflow.errors import ProcedureInvalid
from sopflow.io import load_text

MINIMAL = """\
sopflow: 1
procedure:
  id: demo.minimal
  version: 1
  title: {en: Minimal}
  languages: [en]
  roles: {front_desk: {title: {en: Front desk}}}
  initial: greet
  states:
    greet:
      role: front_desk
      say: {en: "Hello, how may I help you?"}
      on: {helped: done}
    done: {final: completed}
"""


def messages(text: str, source: str = "demo.yaml") -> list[str]:
    return [d.format() for d in load_text(text, source).diagnostics]


def test_minimal_document_loads() -> None:
    """A well-formed document loads with no diagnostics."""
    loaded = load_text(MINIMAL, "demo.yaml")
    assert ([], "demo.minimal") == (list(loaded.diagnostics), loaded.document.body.id if loaded.document else None)


def test_syntax_error_names_file_line_and_column() -> None:
    """Broken YAML is reported at its line and column, in words rather than parser tokens."""
    found = messages("sopflow: 1\nprocedure: [\n")
    assert ["demo.yaml:3:1: invalid YAML: the file ends where a value should be: a '[' or '{' is not closed"] == found


def test_unknown_key_suggests_the_nearest() -> None:
    """A misspelt key is located and the intended key suggested."""
    found = messages(MINIMAL.replace("      say:", "      sya:"))
    assert ["demo.yaml:12:7: procedure.states.greet.sya: unknown key 'sya'; did you mean 'say'?"] == found


def test_wrong_outcome_lists_the_allowed_ones() -> None:
    """An outcome outside the language says which outcomes exist and what was found."""
    found = messages(MINIMAL.replace("final: completed", "final: complete"))
    assert [
        "demo.yaml:14:19: procedure.states.done.final: expected 'completed', 'refused', 'escalated', "
        "'handed_over', 'pending_follow_up' or 'referred', found 'complete'"
    ] == found


def test_missing_key_is_reported_at_its_parent() -> None:
    """A missing required key is reported where it should have been."""
    found = messages(MINIMAL.replace("  initial: greet\n", ""))
    assert ["demo.yaml:3:3: procedure.initial: missing required key 'initial'"] == found


def test_duplicate_keys_are_errors() -> None:
    """PyYAML silently keeps the last duplicate; sopflow refuses it."""
    found = messages(MINIMAL + "    done: {final: refused}\n")
    assert [
        "demo.yaml:15:5: procedure.states.done: duplicate key 'done' (first at line 14); expected each key once"
    ] == found


def test_on_and_yes_stay_words() -> None:
    """`on:` and `no:` are keys, not YAML 1.1 booleans."""
    text = MINIMAL.replace("on: {helped: done}", "on: {helped: done, no: done}")
    loaded = load_text(text, "demo.yaml")
    assert loaded.document is not None
    assert ["helped", "no"] == list(loaded.document.body.states["greet"].on)  # type: ignore[union-attr]


def test_python_tags_are_refused() -> None:
    """The safe loader refuses tags that would construct Python objects."""
    found = messages("sopflow: 1\nprocedure: !!python/object:os.system {}\n")
    assert [
        "demo.yaml:2:12: invalid YAML: the tag '!!python/object:os.system' is not allowed: "
        "sopflow reads plain YAML values only"
    ] == found


def test_durations_are_read_as_authors_write_them() -> None:
    """`3 minutes`, `20s` and `3 working days` are waits; `3 parsecs` is located and explained."""
    text = MINIMAL.replace(
        "      on: {helped: done}", "      on: {helped: done}\n      timers: {w: {after: 3 parsecs, to: done}}"
    )
    assert [
        "demo.yaml:14:27: procedure.states.greet.timers.w.after: "
        "expected a wait such as '3 minutes', '2 days', '3 working days' or '4 working hours', found '3 parsecs'"
    ] == messages(text)


def test_load_string_raises_one_error_listing_everything() -> None:
    """A library refuses to build from a broken text, listing every problem at once."""
    broken = MINIMAL.replace("      say:", "      sya:").replace("final: completed", "final: complete")
    with pytest.raises(ProcedureInvalid) as caught:
        sopflow.load_string(broken, source="demo.yaml")
    assert 2 == len(caught.value.diagnostics)
    assert isinstance(caught.value, sopflow.SopflowError)


def test_unreadable_file_is_a_diagnostic(tmp_path: object) -> None:
    """A missing file is reported, not raised as an OSError."""
    with pytest.raises(ProcedureInvalid, match="cannot read file"):
        sopflow.load_library("/nonexistent/procedure.yaml")


def test_patterns_are_said_in_words() -> None:
    """A malformed id or an empty list is explained, not shown as a regular expression."""
    text = MINIMAL.replace("id: demo.minimal", "id: Demo-Minimal").replace("languages: [en]", "languages: []")
    assert [
        "demo.yaml:3:7: procedure.id: expected a procedure id such as 'business.release_tenant', found 'Demo-Minimal'",
        "demo.yaml:6:14: procedure.languages: expected at least 1 item(s), found none",
    ] == messages(text)


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_collector_as_it_was(enabled: bool) -> None:
    """The collector is paused only while a document loads; a host's own setting survives."""
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        load_text(MINIMAL, "demo.yaml")
        assert enabled == gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()


def test_an_invalid_document_keeps_what_validated() -> None:
    """The model stays unset, but the valid states are kept aside for the checker, the invalid named."""
    loaded = load_text(MINIMAL.replace("final: completed", "final: complete"), "demo.yaml")
    kept = loaded.checkable.body.states if loaded.checkable else {}
    assert (None, ["greet"], {"state": frozenset({"done"})}) == (loaded.document, list(kept), loaded.broken)


def test_a_document_without_its_version_keeps_nothing() -> None:
    """Without a valid language version nothing is checked further, but the id as written is remembered."""
    loaded = load_text(MINIMAL.replace("sopflow: 1", "sopflow: 2"), "demo.yaml")
    partial = loaded.partial
    assert (None, "demo.minimal") == (loaded.checkable, partial.written_id if partial else None)
