"""Lint rule chinese-script: the derived Chinese line is the OpenCC conversion of the source's own script."""

from __future__ import annotations

import pytest

import sopflow
from sopflow.analysis import lint_library, script
from sopflow.io import load_text
from sopflow.library import Library

GLOSSARY = """\
sopflow: 1
glossary:
  id: glossary.demo
  title: {zh-Hant: 詞彙表, zh-Hans: 词汇表, en: Glossary}
  languages: [zh-Hant, zh-Hans, en]
  documents:
    "000": {script: zh-Hant}
    "001": {script: zh-Hans}
  roles:
    front_desk: {title: {zh-Hant: 服務人員, zh-Hans: 服务人员, en: front desk}}
"""

PROCEDURE = """\
sopflow: 1
procedure:
  id: demo.visit
  version: 1
  title: {zh-Hant: 來訪, zh-Hans: 来访, en: Visit}
  languages: [zh-Hant, zh-Hans, en]
  source: {document: "DOC", section: demo}
  roles: {front_desk}
  initial: greet
  states:
    greet:
      role: front_desk
      say: {zh-Hant: SAY_HANT, zh-Hans: SAY_HANS, en: Hello}
      on: {done: finished}
    finished: {final: completed}
"""


def findings(*texts: str) -> list[str]:
    """The chinese-script findings of lint over the documents, as ``line:col: path: message``."""
    library = Library.from_documents([load_text(t, f"doc{i}.yaml") for i, t in enumerate(texts)])
    found = lint_library(library).diagnostics
    return [f"{d.source}:{d.line}:{d.column}: {d.path}: {d.message}" for d in found if d.code == "chinese-script"]


def visit(document: str, hant: str, hans: str) -> str:
    return PROCEDURE.replace("DOC", document).replace("SAY_HANT", hant).replace("SAY_HANS", hans)


def test_the_bundled_library_agrees_with_opencc() -> None:
    """Every zh-Hant/zh-Hans pair of the bundled library converts; the one reasoned exception is silenced."""
    result = lint_library(sopflow.load_library())
    silenced = [(d.path, reason.split(",")[0]) for d, reason in result.silenced if d.code == "chinese-script"]
    expected = [
        ("procedure.states.offer_introduction.say.zh-Hans", "the source writes 周遍"),
    ]
    assert ([], [], expected) == (
        [d.format() for d in result.diagnostics if d.code == "chinese-script"],
        result.skipped,
        silenced,
    )


def test_a_traditional_source_suggests_its_simplified_conversion() -> None:
    """Document 000 is Traditional: a zh-Hans line that is not its conversion is reported with the conversion."""
    assert [] == findings(GLOSSARY, visit("000", "請您稍等", "请您稍等"))
    assert [
        "doc1.yaml:13:40: procedure.states.greet.say.zh-Hans: what is said in state 'greet' (zh-Hans) is not the "
        "OpenCC conversion of its zh-Hant text (document 000 is written in zh-Hant): '边' where the conversion "
        "has '遍'; suggested: \"小区的周遍环境\""
    ] == findings(GLOSSARY, visit("000", "小區的周遍環境", "小区的周边环境"))


def test_a_simplified_source_suggests_its_traditional_conversion() -> None:
    """Document 001 is Simplified: the zh-Hant line is the derived one, and the suggestion is OpenCC's s2t."""
    assert [
        "doc1.yaml:13:22: procedure.states.greet.say.zh-Hant: what is said in state 'greet' (zh-Hant) is not the "
        "OpenCC conversion of its zh-Hans text (document 001 is written in zh-Hans): '后' where the conversion "
        "has '後'; suggested: \"然後\""
    ] == findings(GLOSSARY, visit("001", "然后", "然后"))


def test_without_a_citation_the_first_declared_chinese_is_the_source() -> None:
    """An uncited text takes the first of zh-Hant and zh-Hans its languages list as the source."""
    text = visit("000", "小區", "小区").replace('  source: {document: "000", section: demo}\n', "")
    wrong = text.replace("SAY", "").replace("zh-Hans: 小区", "zh-Hans: 小區")
    assert ["zh-Hant text (no citation)"] == [f[f.index("zh-Hant text") :][:26] for f in findings(GLOSSARY, wrong)]


def test_a_glossary_text_is_checked_where_the_glossary_writes_it() -> None:
    """A glossary role's title is checked once, at the glossary."""
    glossary = GLOSSARY.replace("zh-Hans: 服务人员", "zh-Hans: 服務人员")
    assert [
        "doc0.yaml:10:50: glossary.roles.front_desk.title.zh-Hans: title of role 'front_desk' (zh-Hans) is not the "
        "OpenCC conversion of its zh-Hant text (no citation): '務' where the conversion has '务'; "
        'suggested: "服务人员"'
    ] == findings(glossary, visit("000", "您好", "您好"))


def test_an_ignore_with_a_reason_silences_the_finding() -> None:
    """A regional term kept on purpose is silenced in the procedure's lint.ignore, like any rule."""
    text = visit("000", "小區的周遍環境", "小区的周边环境") + (
        "  lint:\n    ignore:\n      - {rule: chinese-script, where: greet, reason: the source's slip}\n"
    )
    assert [] == findings(GLOSSARY, text)


def test_without_opencc_the_rule_is_skipped_and_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lint runs without the [authoring] extra; the rule it could not run is named with the install hint."""
    monkeypatch.setattr(script, "converter", lambda source: None)
    library = Library.from_documents([load_text(GLOSSARY, "g.yaml"), load_text(visit("000", "一", "二"), "p.yaml")])
    assert [script.SKIPPED] == lint_library(library).skipped
