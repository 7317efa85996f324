"""What there is to translate into one language: each text of a library with its source line and context.

A unit is one localised text and one target language: the text in the
source's own script (the cited document's, as the glossary declares it) is
what the translator reads, the text in the target language is what they
write. A procedure's narrowing of a glossary title only holds the languages
it changes; the others come from the glossary, so they are not missing.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from sopflow.analysis.texts import WrittenText, written_texts
from sopflow.check.glossary import SharedEntries
from sopflow.io import LoadedDocument


@dataclass(frozen=True)
class Unit:
    """One text to translate into one language."""

    text: WrittenText
    lang: str
    source_lang: str
    source: str
    """The text in its source language (for a narrowing, the glossary's where it does not say)."""
    target: str | None
    """The text in ``lang`` as the file writes it; ``None`` when missing."""

    @property
    def context(self) -> str:
        """``business.payment v1 states.greet.say``: stable across edits that move lines."""
        return context_of(self.text)

    @property
    def line(self) -> int | None:
        """The line of the target text, else of the source text, else of the text's key."""
        doc, path = self.text.origin
        for sub in (self.lang, self.source_lang):
            found = doc.positions.values.get((*path, sub))
            if found is not None:
                return found[0]
        located = doc.positions.locate(path, key=True)
        return located[0] if located else None

    @property
    def placeholders(self) -> list[str]:
        return placeholders(self.source)


def context_of(text: WrittenText) -> str:
    path = ".".join(map(str, text.path))
    return f"{text.owner} {path}" if text.version is None else f"{text.owner} v{text.version} {path}"


def placeholders(line: str) -> list[str]:
    """The ``{field}`` names of a line, in order, once each; a malformed line has none."""
    try:
        found = [name for _, name, _, _ in string.Formatter().parse(line) if name]
    except ValueError:
        return []
    return list(dict.fromkeys(found))


def _inherited(text: WrittenText, shared: SharedEntries) -> Mapping[str, str]:
    """The glossary's text that a procedure's narrowing of a role or field title stands on."""
    path = text.path
    if text.body == "glossary" or len(path) != 3 or path[0] not in ("roles", "fields"):
        return {}
    entry = shared.entries("role" if path[0] == "roles" else "field").get(str(path[1]))
    found = getattr(entry, str(path[2]), None) if entry is not None else None
    return found or {}


def units(docs: Iterable[LoadedDocument], lang: str, shared: SharedEntries) -> list[Unit]:
    """Every text of ``docs`` to translate into ``lang``; texts whose source is ``lang`` are not among them."""
    found: list[Unit] = []
    for doc in docs:
        for text in written_texts(doc):
            base = _inherited(text, shared)
            whole = replace(text, text={**base, **text.text})
            source_lang = whole.source_language(shared.documents)
            if source_lang is None or source_lang == lang or lang not in whole.languages:
                continue
            if base and lang not in text.text:
                continue  # the glossary's own text, translated there
            found.append(Unit(text, lang, source_lang, whole.text[source_lang], text.text.get(lang)))
    return found
