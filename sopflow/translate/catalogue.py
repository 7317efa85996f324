"""gettext catalogues of a library's texts: export for one language, status, and the import plan.

Translators and reviewers work in the tools they know (Poedit, Weblate,
Lokalise …), which read gettext PO files, written here with Babel. Each entry's
``msgctxt`` names the text (``business.payment v1 states.greet.say``), its
``msgid`` is the text in the source's own script, its ``msgstr`` the text in the
target language as the YAML has it, and its comments say what kind of text it
is, in which procedure and state, from which SOP lines, and where in the YAML.
A catalogue exported earlier tells what went stale: an entry whose source text
changed since is marked fuzzy with the old text beside it, as msgmerge does.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from sopflow.analysis.script import CHINESE, converter
from sopflow.diagnostics import Diagnostic
from sopflow.errors import CommandError
from sopflow.translate.edit import Edit
from sopflow.translate.units import Unit, placeholders

HEADER = """\
# Texts of a sopflow library, for translators and reviewers.
# msgctxt names the text; msgid is the text in its source's script; msgstr is the translation.
# Keep {placeholders} as written. Import with: sopflow translate import FILE PATH...
#"""


def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def _messages(catalogue: Catalog | None) -> dict[str, Message]:
    """A catalogue's entries by context (the header and obsolete entries left out)."""
    if catalogue is None:
        return {}
    return {m.context: m for m in catalogue if m.id and m.context}


def _comments(unit: Unit) -> list[str]:
    text = unit.text
    lines = [f"{text.described} — {text.body} {text.owner}"]
    cited = f", cited from document {text.document}" if text.document else ""
    lines.append(f"source text in {unit.source_lang}{cited}")
    if unit.placeholders:
        lines.append("keep " + ", ".join(f"{{{name}}}" for name in unit.placeholders) + " as written")
    return lines


def _suggestion(unit: Unit) -> str | None:
    """For a missing Chinese text, OpenCC's conversion of the other script's source (to review, not trust)."""
    if unit.lang not in CHINESE or unit.source_lang not in CHINESE:
        return None
    convert = converter(unit.source_lang)
    return convert(unit.source) if convert is not None else None


def export_catalogue(units: Iterable[Unit], lang: str, previous: Catalog | None = None) -> Catalog:
    """The catalogue of ``units`` for ``lang``; entries whose source changed since ``previous`` are fuzzy."""
    catalogue = Catalog(locale=_locale(lang), header_comment=HEADER, project="sopflow library", fuzzy=False)
    if catalogue.locale is None:
        catalogue.mime_headers = [*catalogue.mime_headers, ("Language", lang)]
    before = _messages(previous)
    for unit in units:
        flags = {"python-brace-format"} if unit.placeholders else set()
        string, notes = unit.target or "", []
        suggested = _suggestion(unit) if unit.target is None else None
        if suggested is not None:
            string, notes = suggested, ["OpenCC conversion of the source text: review it"]
            flags.add("fuzzy")
        old = before.get(unit.context)
        previous_id = old.id if old is not None and old.id != unit.source else ()
        if previous_id:
            flags.add("fuzzy")
            notes.append("the source text changed since the last catalogue: check the translation")
        elif old is not None and old.fuzzy and old.string == string:
            flags.add("fuzzy")  # still awaiting review: exporting again does not review it
            notes = [*notes, *(c for c in old.user_comments if c not in notes)]
        catalogue.add(
            unit.source,
            string,
            locations=[(unit.text.doc.source, unit.line or 0)],
            flags=sorted(flags),
            auto_comments=_comments(unit),
            user_comments=notes,
            previous_id=previous_id,
            context=unit.context,
        )
    return catalogue


def po_bytes(catalogue: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalogue, width=0, include_previous=True, include_lineno=True)
    return out.getvalue()


def read_catalogue(path: Path) -> Catalog:
    """A PO file; one that cannot be read is a usage error naming the file."""
    try:
        with path.open("rb") as handle:
            return read_po(handle, abort_invalid=True)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # Babel's PoFileError, and decoding errors of a file that is not PO
        raise CommandError(f"{path} is not a gettext catalogue: {exc}") from None


@dataclass
class Status:
    """How complete one language is, and, against a catalogue, what changed on either side."""

    lang: str
    units: list[Unit]
    missing: list[Unit] = field(default_factory=list)
    stale: list[tuple[Unit, str]] = field(default_factory=list)
    """Units whose source changed since the catalogue: the old source text beside each."""
    pending: list[Unit] = field(default_factory=list)
    """Reviewed translations in the catalogue that the YAML does not have yet (not imported)."""
    review: list[Unit] = field(default_factory=list)
    """Entries of the catalogue marked fuzzy: a suggestion or a changed source, awaiting a reviewer."""


def status(units: list[Unit], lang: str, catalogue: Catalog | None = None) -> Status:
    found = Status(lang, units, missing=[u for u in units if u.target is None])
    before = _messages(catalogue)
    for unit in units:
        old = before.get(unit.context)
        if old is None:
            continue
        if old.id != unit.source:
            found.stale.append((unit, str(old.id)))
        elif old.fuzzy:
            found.review.append(unit)
        elif old.string and old.string != unit.target:
            found.pending.append(unit)
    return found


@dataclass
class Plan:
    """What an import will write, file by file, and the entries it leaves out, each with why."""

    edits: dict[str, list[Edit]] = field(default_factory=dict)
    unchanged: int = 0
    unreviewed: int = 0
    """Entries empty or fuzzy: not yet translated or reviewed, so not imported."""
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(e) for e in self.edits.values())


def _refusal(unit: Unit | None, message: Message) -> tuple[str, str] | None:
    """Why a reviewed entry cannot be imported (code, reason), or ``None``."""
    string = message.string if isinstance(message.string, str) else ""
    if unit is None:
        return "translation-unknown", "no such text in the library (removed or renamed?); left out"
    if not string or message.fuzzy:
        return None
    if message.id != unit.source:
        return "translation-stale", "the source text changed since this catalogue was exported; export again"
    if sorted(placeholders(string)) != sorted(unit.placeholders):
        wanted = ", ".join(f"{{{p}}}" for p in unit.placeholders) or "none"
        return "translation-placeholders", f"the placeholders differ from the source's ({wanted}); left out"
    return None


def plan_import(units: list[Unit], catalogue: Catalog, source: str) -> Plan:
    """Match a reviewed catalogue (read from ``source``) with the library's texts."""
    plan = Plan()
    by_context: Mapping[str, Unit] = {u.context: u for u in units}
    for context, message in _messages(catalogue).items():
        unit = by_context.get(context)
        reason = _refusal(unit, message)
        string = message.string if isinstance(message.string, str) else ""
        if reason is not None:
            code, text = reason
            plan.problems.append(Diagnostic("warning", code, text, source, message.lineno, 1, context))
        elif unit is None or not string or message.fuzzy:
            plan.unreviewed += 1
        elif string == unit.target:
            plan.unchanged += 1
        else:
            edit = Edit((unit.text.body, *unit.text.path), unit.lang, string, unit.text.languages)
            plan.edits.setdefault(unit.text.doc.source, []).append(edit)
    return plan
