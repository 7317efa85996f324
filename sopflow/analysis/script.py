"""Lint rule ``chinese-script``: the Traditional and Simplified Chinese texts of a line say the same thing.

Each procedure is written from an SOP in one script (document 000 in Traditional
characters, 001 in Simplified, as the glossary's ``documents`` declare); that
line is the authority and the other script its conversion. OpenCC converts the
source line (``t2s`` or ``s2t``), and a derived line that differs is reported
with the conversion as the suggested text. Regional terms that differ on purpose
are silenced with a reason, like any lint finding.

OpenCC is an authoring tool (the ``[authoring]`` extra): without it the rule is
skipped and lint says so, and nothing else changes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from functools import cache

from sopflow.analysis.rules import Finding, LintResult, apply_ignores
from sopflow.analysis.texts import WrittenText, written_texts
from sopflow.io import LoadedDocument
from sopflow.model import SourceDocument

CHINESE = ("zh-Hant", "zh-Hans")
CONFIGS = {"zh-Hant": "t2s", "zh-Hans": "s2t"}
"""The OpenCC conversion from each source script to the other."""
SKIPPED = 'chinese-script not run: OpenCC is not installed (pip install "sopflow[authoring]")'


@cache
def converter(source: str) -> Callable[[str], str] | None:
    """OpenCC's conversion from ``source`` (zh-Hant or zh-Hans) to the other script; ``None`` without OpenCC."""
    try:
        import opencc
    except ModuleNotFoundError:
        return None
    convert: Callable[[str], str] = opencc.OpenCC(CONFIGS[source]).convert
    return convert


def source_script(text: WrittenText, documents: Mapping[str, SourceDocument]) -> str:
    """Which of the two Chinese texts is the original: the cited document's script, else the first declared."""
    cited = documents.get(text.document or "")
    if cited is not None and cited.script in CHINESE:
        return cited.script
    return next((lang for lang in text.languages if lang in CHINESE), "zh-Hant")


def script_findings(texts: Iterable[WrittenText], documents: Mapping[str, SourceDocument]) -> list[Finding] | None:
    """A finding for each text whose derived Chinese line is not the conversion of its source line."""
    found: list[Finding] = []
    for text in texts:
        if not all(lang in text.text for lang in CHINESE):
            continue
        source = source_script(text, documents)
        derived = CHINESE[1 - CHINESE.index(source)]
        convert = converter(source)
        if convert is None:
            return None
        expected = convert(text.text[source])
        if expected == text.text[derived]:
            continue
        cited = f"document {text.document} is written in {source}" if text.document in documents else "no citation"
        message = (
            f"{text.described} ({derived}) is not the OpenCC conversion of its {source} text ({cited}): "
            f'{_changes(text.text[derived], expected)}; suggested: "{expected}"'
        )
        found.append(Finding("chinese-script", message, text.origin, (derived,), text.scopes))
    return found


def _changes(written: str, expected: str, most: int = 3) -> str:
    """``'边' where the conversion has '遍'``: the spans that differ, a few at most."""
    spans = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, written, expected, autojunk=False).get_opcodes():
        if tag != "equal":
            spans.append(f"'{written[i1:i2]}' where the conversion has '{expected[j1:j2]}'")
    more = f" and {len(spans) - most} more" if len(spans) > most else ""
    return ", ".join(spans[:most]) + more


def missing_languages(texts: Iterable[WrittenText]) -> list[Finding]:
    """Glossary texts lacking one of the glossary's languages (procedures have their own rule)."""
    found = []
    for text in texts:
        missing = [lang for lang in text.languages if lang not in text.text]
        if missing:
            message = f"{text.described} has no {', '.join(missing)} text (languages: {', '.join(text.languages)})"
            found.append(Finding("missing-translation", message, text.origin, (), text.scopes))
    return found


def document_findings(doc: LoadedDocument, documents: Mapping[str, SourceDocument]) -> LintResult:
    """The text rules of a policy, glossary or targets document, silenced by its own ``lint.ignore``."""
    document = doc.checkable
    assert document is not None
    body = document.policy or document.glossary or document.targets
    assert body is not None, "procedures are linted with their compiled form"
    kind = next(k for k in ("policy", "glossary", "targets") if getattr(document, k) is not None)
    texts = list(written_texts(doc))
    script = script_findings(texts, documents)
    found = [*(script or ()), *(missing_languages(texts) if kind != "policy" else ())]
    not_run = ("chinese-script",) if script is None else ()
    result = apply_ignores(found, body.lint.ignore, (doc, (kind, "lint", "ignore")), not_run)
    if script is None:
        result.skipped.append(SKIPPED)
    return result
