"""The docs are executed: every procedure example loads, every hosting example runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sopflow
from sopflow.analysis import lint_library
from sopflow.analysis.verify import verify

DOCS = Path(__file__).parent.parent / "docs"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(name: str, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall((DOCS / name).read_text(encoding="utf-8")) if lang == language]


def documents(glossary: bool) -> list[str]:
    """The complete documents of language.md: the glossary section's (ids ``desk.*``), or the others."""
    found = [b for b in blocks("language.md", "yaml") if b.startswith("sopflow: 1")]
    return [b for b in found if ("id: desk." in b) == glossary]


def test_language_examples_load_and_check() -> None:
    """Every complete document in language.md loads and passes the checker together."""
    library = sopflow.load_string(*documents(glossary=False), source="docs/language.md")
    assert ["docs.farewell", "docs.inquiry", "docs.release", "docs.start_data"] == list(library)


def test_the_properties_example_holds_and_breaks_when_it_should() -> None:
    """The documented properties hold on every way through; without the arrears guard one breaks."""
    text = next(d for d in documents(glossary=False) if "docs.release" in d)
    sound = verify(sopflow.load_string(text)["docs.release"])
    unsound = verify(
        sopflow.load_string(text.replace('{if: "not arrears", to: released}', "{to: released}"))["docs.release"]
    )
    assert ([], ["property-broken"]) == ([f.code for f in sound.findings], [f.code for f in unsound.findings])


def test_glossary_examples_check_and_lint_clean() -> None:
    """The glossary and the procedure that narrows it check without a finding; lint silences one, with a reason."""
    library = sopflow.load_string(*documents(glossary=True), source="docs/language.md")
    result = lint_library(library)
    silenced = [(d.code, d.path) for d, _ in result.silenced]
    assert (["desk.release"], [], [], [("chinese-script", "procedure.states.print_slip.do.zh-Hant")]) == (
        list(library),
        library.checked.diagnostics,
        result.diagnostics,
        silenced,
    )


def test_glossary_example_narrows_as_documented() -> None:
    """The example's narrowings compile as the table says: fewer values and a default, privacy kept, own words."""
    release = sopflow.load_string(*documents(glossary=True), source="docs/language.md")["desk.release"]
    need, phone, customer = release.fields["need"], release.fields["owner_phone"], release.roles["customer"]
    expected = (["release", "other"], "release", True, "customer (the owner)", {"en": "Copying documents for the file"})
    actual = (need.values, need.default, phone.private, customer.title["en"], {"en": release.tips["A3"].title["en"]})
    assert expected == actual


def test_hosting_examples_run_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    """The hosting guide's Python runs top to bottom against the bundled library."""
    namespace: dict[str, object] = {}
    for code in blocks("hosting.md", "python"):
        exec(compile(code, "docs/hosting.md", "exec"), namespace)  # our own docs, not user input
    assert "RoleNotAllowed" not in capsys.readouterr().err
