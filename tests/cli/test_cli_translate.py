"""``sopflow translate``: export a catalogue, report what is missing or stale, import a reviewed one."""

from __future__ import annotations

import builtins
import shutil
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from cli_helpers import ROOT, Invoke

from sopflow.library import collect

FAREWELL = """\
# A comment that stays.
sopflow: 1
procedure:
  id: docs.farewell
  version: 1
  title: {zh-Hant: 送走顧客, en: Seeing the customer off}   # so does this one
  languages: [zh-Hant, zh-Hans, en]
  source: {document: "000", section: "標準6 送走顧客", lines: "169-171"}
  roles:
    front_desk: {title: {zh-Hant: 服務人員, zh-Hans: 服务人员, en: Front-desk staff}}
  fields:
    unit: {type: str}
  initial: see_off
  states:
    see_off:
      role: front_desk
      do:
        zh-Hant: 起身站立,面帶微笑,點頭示意
        en: Stand up, smile and nod.
      say: {zh-Hant: "請您慢走, {unit}", zh-Hans: "请您慢走, {unit}", en: "Take care, {unit}."}
      on:
        customer_left: done
    done: {final: completed}
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the bundled library to write into."""
    return Path(shutil.copytree(ROOT / "procedures", tmp_path / "procedures"))


@pytest.fixture
def farewell(tmp_path: Path) -> Path:
    folder = tmp_path / "farewell"
    folder.mkdir()
    (folder / "farewell.yaml").write_text(FAREWELL, encoding="utf-8")
    return folder


def catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def save(found: Catalog, path: Path) -> None:
    with path.open("wb") as handle:
        write_po(handle, found, include_previous=True)


def entry(found: Catalog, context: str) -> Any:
    return next(m for m in found if m.context == context)


def snapshot(folder: Path) -> dict[str, list[str]]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8").split("\n") for p in collect([folder])}


def changed_lines(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[tuple[str, int, str]]:
    """Every line that differs, as (file, line number, new line); files must keep their line count."""
    found = []
    for name, lines in before.items():
        assert len(lines) == len(after[name]), name
        found += [(name, i + 1, new) for i, (old, new) in enumerate(zip(lines, after[name], strict=True)) if old != new]
    return found


def test_round_trip_changes_exactly_the_edited_line(cli: Invoke, library: Path, tmp_path: Path) -> None:
    """Export the bundled library in English, correct one line, import: that line, and nothing else, changes."""
    po = tmp_path / "en.po"
    assert 0 == cli("translate", "export", "en", library, "-o", po).exit_code
    found = catalogue(po)
    message = entry(found, "business.release_tenant v1 states.list_items.say")
    message.string = "Which items are you moving out today?"
    save(found, po)
    before = snapshot(library)
    result = cli("translate", "import", po, library)
    line = next(i for i, x in enumerate(before["business/release_tenant.yaml"], 1) if "Which items are you" in x)
    assert (0, [("business/release_tenant.yaml", line, '        en: "Which items are you moving out today?"')]) == (
        result.exit_code,
        changed_lines(before, snapshot(library)),
    )


def test_an_unchanged_catalogue_changes_nothing(cli: Invoke, library: Path, tmp_path: Path) -> None:
    """Importing the catalogue just exported writes no file."""
    po = tmp_path / "zh-Hans.po"
    cli("translate", "export", "zh-Hans", library, "-o", po)
    texts = sum(1 for message in catalogue(po) if message.id)
    before = snapshot(library)
    result = cli("translate", "import", po, library)
    assert (0, f"wrote 0 texts in 0 files; {texts} unchanged, 0 not reviewed, 0 left out\n", []) == (
        result.exit_code,
        result.stdout,
        changed_lines(before, snapshot(library)),
    )


def test_entries_carry_context_source_and_location(cli: Invoke, library: Path) -> None:
    """Each entry names the text, its source script and citation, its placeholders and its line in the YAML."""
    out = cli("translate", "export", "en", library).stdout
    block = out[out.index("#. what is said in state 'arrears_refused'") :].split("\n\n")[0]
    assert [
        "#. what is said in state 'arrears_refused' — procedure business.release_tenant",
        "#. source text in zh-Hant, cited from document 000",
        "#. keep {arrears_months}, {arrears_amount} as written",
        "#: " + str(library / "business" / "release_tenant.yaml") + ":",
        "#, python-brace-format",
        'msgctxt "business.release_tenant v1 states.arrears_refused.say"',
    ] == [line.rsplit(":", 1)[0] + ":" if line.startswith("#:") else line for line in block.split("\n")[:6]]


def test_missing_texts_are_inserted_where_they_belong(cli: Invoke, farewell: Path, tmp_path: Path) -> None:
    """A missing zh-Hans comes as OpenCC's conversion, fuzzy; once reviewed it is inserted in block and flow style."""
    po = tmp_path / "zh.po"
    cli("translate", "export", "zh-Hans", farewell, "-o", po)
    found = catalogue(po)
    suggested = [(m.context, m.string, m.fuzzy) for m in found if m.id and m.fuzzy]
    for message in found:
        message.flags.discard("fuzzy")
    save(found, po)
    result = cli("translate", "import", po, farewell)
    text = (farewell / "farewell.yaml").read_text(encoding="utf-8")
    assert (
        [
            ("docs.farewell v1 title", "送走顾客", True),
            ("docs.farewell v1 states.see_off.do", "起身站立,面带微笑,点头示意", True),
        ],
        0,
        FAREWELL.replace("送走顧客, en:", '送走顧客, zh-Hans: "送走顾客", en:').replace(
            "示意\n", '示意\n        zh-Hans: "起身站立,面带微笑,点头示意"\n'
        ),
    ) == (suggested, result.exit_code, text)


def test_status_reports_missing_texts(cli: Invoke, farewell: Path) -> None:
    """Status counts each language and lists what is missing, with its line; missing texts exit 1."""
    result = cli("translate", "status", farewell, "--lang", "zh-Hans")
    where = farewell / "farewell.yaml"
    assert (
        1,
        [
            f"{where}:6: docs.farewell v1 title: no zh-Hans text",
            f"{where}:18: docs.farewell v1 states.see_off.do: no zh-Hans text",
        ],
    ) == (
        result.exit_code,
        result.stdout.splitlines()[2:],
    )


def test_a_changed_source_makes_the_translation_stale(cli: Invoke, farewell: Path, tmp_path: Path) -> None:
    """After the source line changes, the old catalogue's entry is stale: status says so, import leaves it out."""
    po = tmp_path / "en.po"
    cli("translate", "export", "en", farewell, "-o", po)
    found = catalogue(po)
    entry(found, "docs.farewell v1 states.see_off.say").string = "Goodbye, {unit}."
    save(found, po)
    path = farewell / "farewell.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("請您慢走, {unit}", "請您走好, {unit}"), encoding="utf-8")
    status = cli("translate", "status", farewell, "--catalogue", po)
    imported = cli("translate", "import", po, farewell)
    assert (
        1,
        f"{path}:20: docs.farewell v1 states.see_off.say: the source changed",
        1,
        "the source text changed since this catalogue was exported; export again",
    ) == (
        status.exit_code,
        status.stdout.splitlines()[-1],
        imported.exit_code,
        imported.stdout.split(": ")[-1].split(" [")[0],
    )


def test_export_over_an_old_catalogue_marks_changed_sources_fuzzy(cli: Invoke, farewell: Path, tmp_path: Path) -> None:
    """Exporting onto an existing catalogue keeps the old source beside the new, fuzzy, as msgmerge does."""
    po = tmp_path / "en.po"
    cli("translate", "export", "en", farewell, "-o", po)
    path = farewell / "farewell.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("請您慢走, {unit}", "請您走好, {unit}"), encoding="utf-8")
    cli("translate", "export", "en", farewell, "-o", po)
    message = entry(catalogue(po), "docs.farewell v1 states.see_off.say")
    block = po.read_text(encoding="utf-8").split('msgctxt "docs.farewell v1 states.see_off.say"')[0].split("\n\n")[-1]
    assert ("請您走好, {unit}", True, '#| msgid "請您慢走, {unit}"') == (
        message.id,
        message.fuzzy,
        block.split("\n")[-2],
    )


def test_placeholders_must_match_the_source(cli: Invoke, farewell: Path, tmp_path: Path) -> None:
    """A translation that drops or renames a {placeholder} is left out, located in the catalogue."""
    po = tmp_path / "en.po"
    cli("translate", "export", "en", farewell, "-o", po)
    found = catalogue(po)
    entry(found, "docs.farewell v1 states.see_off.say").string = "Take care, {flat}."
    save(found, po)
    result = cli("translate", "import", po, farewell)
    assert (1, "the placeholders differ from the source's ({unit}); left out [warning translation-placeholders]") == (
        result.exit_code,
        result.stdout.splitlines()[0].split(": ", 2)[2],
    )


def test_a_library_with_errors_is_refused(cli: Invoke, farewell: Path, tmp_path: Path) -> None:
    """A catalogue of a library that does not load would name texts that are not there."""
    path = farewell / "farewell.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("to: done", "to: dnoe")
        .replace("customer_left: done", "customer_left: dnoe"),
        encoding="utf-8",
    )
    result = cli("translate", "export", "en", farewell)
    assert (1, "error: the library has errors; fix them first ('sopflow validate' lists them)\n") == (
        result.exit_code,
        result.stderr,
    )


def test_without_babel_the_commands_name_the_extra(
    cli: Invoke, farewell: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the [authoring] extra the commands say what to install, as a usage error."""
    real = builtins.__import__

    def no_babel(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "babel" or name.startswith("babel."):
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_babel)
    result = cli("translate", "status", farewell)
    assert (2, 'error: the translation commands need Babel; install them with: pip install "sopflow[authoring]"\n') == (
        result.exit_code,
        result.stderr,
    )
