"""The transcript of a run: what happened at each step, as the desk would have seen it.

:class:`Recorder` turns the session's journal into :class:`TranscriptEntry`
records as a scenario runs, redacting private fields on the way in;
:meth:`Transcript.render` makes them readable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, overload

from sopflow.compile import Procedure
from sopflow.model import FieldSpec
from sopflow.render.text import field_text
from sopflow.runtime import Entry, Session
from sopflow.runtime.journal import REDACTED

RecordKind = Literal["start", "fire", "wait", "timer", "check", "promise"]


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One thing that happened while a scenario ran, as the desk would have seen it.

    Data and texts are stored with private fields already shown as ``***``:
    transcripts are printed and pasted into tickets, journals are not.
    """

    step: int
    """Scenario step that caused it: 0 for the start, then 1, 2, …"""
    kind: RecordKind
    at: dt.datetime
    role: str | None
    actor: str | None
    event: str | None
    """The event fired, the timer that ran out, the wait as written, or the procedure started."""
    data: Mapping[str, Any]
    """JSON form of the data it carried, private fields redacted."""
    procedure: str
    """The procedure that handled it (a timer may run out in a called procedure)."""
    state: str
    """The innermost state afterwards."""
    path: tuple[str, ...]
    say: str | None
    """What the desk says now, in the language of the run."""
    do: str | None
    refusal: str | None
    """``ErrorClass: message`` if the session refused the step."""
    outcome: str | None
    notes: tuple[str, ...] = ()
    """What it set off: calls, returns and cancellations of other procedures."""


@dataclass(frozen=True)
class Transcript(Sequence[TranscriptEntry]):
    """What happened in one run of a scenario, in order; :meth:`render` makes it readable."""

    scenario: str
    procedure: str
    lang: str
    entries: tuple[TranscriptEntry, ...]

    @overload
    def __getitem__(self, index: int) -> TranscriptEntry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[TranscriptEntry]: ...

    def __getitem__(self, index: int | slice) -> TranscriptEntry | Sequence[TranscriptEntry]:
        return self.entries[index]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[TranscriptEntry]:
        return iter(self.entries)

    def render(self) -> list[str]:
        """Plain-text lines: one per action, indented lines for what followed from it."""
        width = max([10, *(len(_who(e)) for e in self.entries)])
        indent = " " * 10
        lines: list[str] = []
        outcome: str | None = None
        day = self.entries[0].at.date() if self.entries else None
        for entry in self.entries:
            if entry.at.date() != day:  # a new day gets a line of its own; the columns stay put
                day = entry.at.date()
                lines.append(f"── {entry.at:%a %Y-%m-%d} ──")
            lines.append(f"{entry.at:%H:%M:%S}  {_who(entry).ljust(width)}  {_action(entry, self.procedure)}")
            lines += [f"{indent}↳ {note}" for note in entry.notes]
            if entry.refusal is not None:
                lines.append(f"{indent}✗ refused: {entry.refusal}")
            elif entry.kind != "wait":
                line = f"{indent}→ {' › '.join(entry.path) or entry.state}"
                if entry.say:
                    line += f"  {_quote(entry.say, self.lang)}"
                lines.append(line)
                if entry.do:
                    lines.append(f"{indent}  do: {entry.do}")
            if entry.outcome is not None and entry.outcome != outcome:
                lines.append(f"{indent}■ outcome: {entry.outcome}")
            outcome = entry.outcome
        return lines

    def __str__(self) -> str:
        return "\n".join(self.render())


def _who(entry: TranscriptEntry) -> str:
    if entry.role is None:
        return ""
    if entry.actor and entry.actor != entry.role:
        return f"{entry.actor} ({entry.role})"
    return entry.role


def _action(entry: TranscriptEntry, root: str) -> str:
    data = f" {_flow(dict(entry.data))}" if entry.data else ""
    if entry.kind == "start":
        return f"starts {entry.event}{data}"
    if entry.kind == "wait":
        return f"waits {entry.event}"
    if entry.kind == "timer":
        where = f" in {entry.procedure}" if entry.procedure != root else ""
        return f"timer {entry.event}{where} runs out"
    if entry.kind == "check":
        return f"ticks {entry.event}"
    if entry.kind == "promise":
        return f"promise {entry.event}"
    return f"fires {entry.event}{data}"


def _quote(text: str, lang: str) -> str:
    if lang.split("-")[0] in ("zh", "ja", "ko"):
        return f"「{text}」"
    return f'"{text}"'


def _flow(value: Any) -> str:
    """YAML flow style, as authors write data in scenarios: ``{unit: 3-1201, items: [TV, sofa]}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        plain = value and value == value.strip() and not any(c in value for c in ",:{}[]#\"'\n")
        return value if plain else json.dumps(value, ensure_ascii=False)
    return str(value)


# -- recording ---------------------------------------------------------------------------------


class Recorder:
    """Transcript entries for one run of a scenario, made as the session's journal grows."""

    def __init__(self, scenario: str, procedure: Procedure, lang: str, private: frozenset[str]) -> None:
        self.scenario = scenario
        self.procedure = procedure
        self.lang = lang
        self.private = private
        """Private fields of the procedure and of every procedure it may call."""
        self.entries: list[TranscriptEntry] = []

    def record(self, session: Session, number: int, entries: Sequence[Entry]) -> None:
        """Transcript entries for journal entries: one per start, fire, refusal or timer.

        Calls, returns and cancellations become notes on the entry that set
        them off. The last entry shows the session as it is now; an earlier
        one (two timers due at the same instant) shows the state it moved to.
        """
        groups: list[tuple[Entry, list[str]]] = []
        for entry in entries:
            missed = entry.kind == "promise" and entry.detail == "missed"  # happens on its own, like a timer
            if entry.kind in ("start", "fire", "refused", "timer", "check") or missed or not groups:
                groups.append((entry, []))
            else:
                groups[-1][1].append(self.note(session, entry))
        for index, (entry, notes) in enumerate(groups):
            last = index == len(groups) - 1
            shown = entry.redacted(self.private)
            kind = _KINDS.get(entry.kind, "fire")
            event = self.procedure.id if entry.kind == "start" else entry.event
            if entry.kind == "promise":
                event = f"{entry.event} {entry.detail}"
            refused = entry.kind == "refused" and entry.detail is not None
            refusal = _mask(entry.detail, entry.data, self.private) if refused and entry.detail else None
            record = self.entry(
                session,
                number,
                kind,
                entry.at,
                entry.role,
                entry.actor,
                event,
                shown.get("data", {}),
                entry.procedure,
                refusal,
                tuple(notes),
            )
            if not last and entry.target is not None:
                depth = entry.depth
                record = _replace_state(record, entry.target, (*session.path[:depth], entry.target))
            self.entries.append(record)

    def wait(self, session: Session, number: int, began: dt.datetime, wait: str) -> None:
        """The entry for a wait, before the timers it lets run out."""
        self.entries.append(self.entry(session, number, "wait", began, None, None, wait, {}, self.procedure.id, None))

    def entry(
        self,
        session: Session,
        number: int,
        kind: RecordKind,
        at: dt.datetime,
        role: str | None,
        actor: str | None,
        event: str | None,
        data: Mapping[str, Any],
        procedure: str,
        refusal: str | None,
        notes: tuple[str, ...] = (),
    ) -> TranscriptEntry:
        shown = session.step(self.lang, redact=True)
        return TranscriptEntry(
            step=number,
            kind=kind,
            at=at,
            role=role,
            actor=actor if actor != role else None,
            event=event,
            data=MappingProxyType(dict(data)),
            procedure=procedure,
            state=session.state,
            path=session.path,
            say=shown.say,
            do=shown.do,
            refusal=refusal,
            outcome=session.outcome,
            notes=notes,
        )

    def note(self, session: Session, entry: Entry) -> str:
        if entry.kind == "call":
            shown = entry.redacted(self.private).get("data")
            if not shown:
                return f"calls {entry.procedure}"
            callee = self.procedure.family().get(entry.procedure)
            fields = callee.fields if callee is not None else {}
            written = {k: _written(v, fields.get(k), self.lang) for k, v in shown.items()}
            return f"calls {entry.procedure} {_flow(written)}"
        if entry.kind == "return":
            child = next(
                (
                    e.procedure
                    for e in reversed(session.journal)
                    if e.kind == "call" and e.depth == entry.depth + 1 and e.seq < entry.seq
                ),
                "the called procedure",
            )
            return f"{child} ended: {entry.event}"
        if entry.kind == "cancel":
            return f"cancels {entry.procedure} (it was in '{entry.source}')"
        return entry.describe()

    def transcript(self) -> Transcript:
        return Transcript(self.scenario, self.procedure.id, self.lang, tuple(self.entries))


_KINDS: Mapping[str, RecordKind] = {"start": "start", "timer": "timer", "check": "check", "promise": "promise"}
"""Journal entry kinds with a transcript kind of their own; fires and refusals are "fire"."""


def _written(value: Any, spec: FieldSpec | None, lang: str) -> Any:
    """A call argument as people write it: dates and times by their field's type, the rest as it is."""
    if spec is None or value == REDACTED or spec.type not in ("date", "time", "datetime", "decimal"):
        return value
    return field_text(value, spec, lang)


def _replace_state(entry: TranscriptEntry, state: str, path: tuple[str, ...]) -> TranscriptEntry:
    return dataclasses.replace(entry, state=state, path=path, say=None, do=None, outcome=None)


def _mask(text: str, data: Mapping[str, Any], private: frozenset[str]) -> str:
    """Hide private values a refusal message quotes (the engine names the value it refused)."""
    for name, value in data.items():
        if name in private and value is not None:
            for form in (repr(value), str(value)):
                if len(form) > 1:
                    text = text.replace(form, REDACTED)
    return text
