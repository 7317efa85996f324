"""The session a host drives: one customer visit through one procedure.

A session is a configuration plus what a host needs around it: the clock it
reads once per call, the language it renders in, the journal it keeps (or
not), and the listeners it tells. Every change comes from the step kernel
(:mod:`sopflow.runtime.kernel`) and is committed whole: the configuration
and its entries first, then the listeners, in journal order.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Never

from sopflow.compile import Procedure, StateIR
from sopflow.errors import ClockError, ListenerError, SessionBusy, UsageError
from sopflow.runtime import kernel
from sopflow.runtime import snapshot as snapshots
from sopflow.runtime.clock import Clock, ManualClock, SystemClock, aware
from sopflow.runtime.config import EMPTY, Check, Configuration, Fire, Frame, Move, Tick, tuple_new
from sopflow.runtime.journal import REDACTED, Entry
from sopflow.runtime.migrate import migrate
from sopflow.runtime.step import (
    ChecklistView,
    EventOption,
    PromiseInfo,
    StatePage,
    Step,
    TimerInfo,
    pick,
    state_options,
    state_page,
)

_DRIVEN: dict[int, object] = {}
"""Sessions taking a step now, by id, each with its driver's token: one driver at a time.

``dict.setdefault`` claims a session in one atomic call, so no session carries a lock of its
own (a lock is an object the cycle collector tracks, one more per live session)."""

Listener = Callable[["Session", Entry], None]
"""Called with the session and each entry, once the step that wrote it is committed."""
Resolver = Callable[[str, int], Procedure]


class Session:
    """A running procedure: ask it what to do now, fire events, advance time, snapshot it."""

    __slots__ = ("_journal", "_listeners", "clock", "config", "lang", "strict")

    def __init__(
        self,
        config: Configuration,
        clock: Clock,
        *,
        lang: str,
        strict: bool,
        journal: Iterable[Entry] = (),
        keep_journal: bool = True,
        listeners: Iterable[Listener] = (),
    ) -> None:
        _check_clock(clock)
        self.config = config
        self.clock = clock
        self.lang = lang
        self.strict = strict
        self._journal: list[Entry] | None = list(journal) if keep_journal else None
        self._listeners: tuple[Listener, ...] = _listeners(listeners) if listeners else ()

    # -- starting ------------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        procedure: Procedure,
        *,
        clock: Clock,
        role: str,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        lang: str | None = None,
        session_id: str | None = None,
        strict: bool = False,
        keep_journal: bool = True,
        listeners: Iterable[Listener] = (),
        **unknown: Never,
    ) -> Session:
        """Start a visit; ``data`` fills declared fields (unknown or mistyped ones are refused).

        ``keep_journal=False`` keeps no entries in memory (a host that stores
        them through a listener needs no second copy); ``listeners`` receive
        every entry, the start entry included.
        """
        refuse_unknown(unknown, START_OPTIONS)
        _check_clock(clock)
        _check_text("role", role)
        for what, value in (("lang", lang), ("session_id", session_id), ("actor", actor)):
            if value is not None:
                _check_text(what, value)
        if not isinstance(strict, bool):
            raise UsageError(f"'strict' must be true or false, found {type(strict).__name__}")
        lang = lang or procedure.languages[0]
        sid = session_id or os.urandom(16).hex()  # as random as uuid4, without importing uuid
        move = kernel.start(
            procedure, session=sid, at=_now(clock), role=role, actor=actor, data=data, lang=lang, strict=strict
        )
        session = cls(move.config, clock, lang=lang, strict=strict, keep_journal=keep_journal, listeners=listeners)
        session._commit(move)
        return session

    # -- asking --------------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.config.session

    @property
    def procedure(self) -> Procedure:
        return self.config.frames[0].procedure

    @property
    def frames(self) -> tuple[Frame, ...]:
        """The running procedures, outermost first: the one started, then any it called."""
        return self.config.frames

    @property
    def outcome(self) -> str | None:
        return self.config.frames[0].outcome

    @property
    def state(self) -> str:
        """The innermost current state."""
        return self.config.frames[-1].state

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(f.state for f in self.config.frames)

    @property
    def data(self) -> Mapping[str, Any]:
        """The data of the innermost running procedure (a copy)."""
        return dict(self.config.frames[-1].data)

    @property
    def journal(self) -> Sequence[Entry]:
        """Every entry, in order; empty for a session that keeps none (``keep_journal=False``)."""
        return self._journal if self._journal is not None else ()

    def forget_journal(self) -> tuple[Entry, ...]:
        """Hand over the entries kept in memory and keep none of them; numbering goes on.

        A store calls this once it has written them, so the next commit writes only what is new.
        """
        if not self._journal:
            return ()
        taken = tuple(self._journal)
        self._journal.clear()
        return taken

    @property
    def seq(self) -> int:
        """Entries journaled so far; it grows with every committed step, so it is the session's revision."""
        return self.config.seq

    def step(self, lang: str | None = None, *, redact: bool = False) -> Step:
        """What to say and do now, in ``lang`` (default: the session's language).

        The person at the desk needs the real values (the owner's number to
        dial); ``redact=True`` masks private fields in ``say`` and ``do`` for
        anything shown to others or written down: training screens, logs.
        """
        if not lang:
            lang = self.lang
        elif lang.__class__ is not str:
            raise UsageError(f"lang: expected a language code such as 'zh-Hant', found {type(lang).__name__}")
        frames = self.config.frames
        frame = frames[-1]
        procedure = frame.procedure
        page: StatePage | None = procedure.memo.get(("page", frame.state, lang))
        if page is None:
            page = state_page(procedure, frame.state, lang)
        here = page.here
        data = frame.data
        if redact and procedure.private:
            data = {k: REDACTED if k in procedure.private and v is not None else v for k, v in data.items()}
        texts = page.texts
        say, do = texts.render(lang, data) if texts.say_fills or texts.do_fills else (texts.say, texts.do)
        one = len(frames) == 1
        # Positional, through tuple.__new__: the hot path of every fire, where the named
        # tuple's keyword-taking __new__ would cost a frame and a dictionary per step.
        return tuple_new(
            Step,
            (
                procedure.id,
                frame.state,
                page.path if one else tuple(f.state for f in frames),
                here.role,
                texts.title,
                say,
                do,
                here.tips,
                here.source,
                tuple(f for f in here.requires if frame.data.get(f) is None) if here.requires else (),
                (page.events if frames[0].outcome is None else ()) if one else self._event_options(lang),
                _timers(frames) if not one or frame.deadlines else (),
                frames[0].outcome,
                lang,
                _checklist(frame, here, lang) if here.checklist else (),
                _promises(frames, lang) if (frame.promises if one else any(f.promises for f in frames)) else (),
                page.rules,
            ),
        )

    def allowed(self, role: str | None = None) -> list[str]:
        """Events that may be fired now (by ``role``, if given)."""
        return [o.name for o in self._event_options(self.lang) if role is None or not o.roles or role in o.roles]

    def _event_options(self, lang: str) -> tuple[EventOption, ...]:
        """Innermost frame first: an event of a called procedure hides the same name outside."""
        frames = self.config.frames
        if frames[0].outcome is not None:
            return ()
        if len(frames) == 1:
            frame = frames[0]
            found: tuple[EventOption, ...] | None = frame.procedure.memo.get(("options", frame.state, lang))
            return found if found is not None else state_options(frame.procedure, frame.state, lang)
        seen: dict[str, EventOption] = {}
        for frame in reversed(frames):
            for option in state_options(frame.procedure, frame.state, lang):
                seen.setdefault(option.name, option)
        return tuple(seen.values())

    def redacted_journal(self) -> list[dict[str, Any]]:
        """The journal in JSON form, each entry with its own procedure's private fields masked.

        A call entry carries the called procedure's fields (the owner's phone
        passed to the owner call), so each entry is redacted by the procedure
        that wrote it, never by the session's outermost one.
        """
        family = self.procedure.family()
        out = []
        for entry in self.journal:
            procedure = family.get(entry.procedure)
            if procedure is None:  # not one of this session's procedures: hide every value
                out.append(entry.redacted((), ()))
            else:
                out.append(entry.redacted(procedure.private, procedure.fields))
        return out

    # -- driving -------------------------------------------------------------------------------

    def fire(self, event: str, *, role: str, actor: str | None = None, data: Mapping[str, Any] | None = None) -> Step:
        """Report ``event``; a refused request raises and leaves the session as it was, journaled.

        Timers that fell due before now fire first, and stay fired even if the
        event is refused: time that has passed is not undone.
        """
        if type(event) is not str or type(role) is not str or (actor is not None and type(actor) is not str):
            _check_text("event", event)
            _check_text("role", role)
            _check_text("actor", actor)
        now = self.clock.now()
        if type(now) is not dt.datetime or now.tzinfo is None:
            now = _now(self.clock)
        move = self._drive(tuple_new(Fire, (event, role, now, actor, data if data is not None else EMPTY)))
        if move.refusal is not None:
            raise move.refusal
        return self.step()

    def check(self, item: str, *, role: str, actor: str | None = None) -> Step:
        """Tick ``item`` of the current state's checklist; refused (and journaled) if it is not there."""
        if type(item) is not str or type(role) is not str or (actor is not None and type(actor) is not str):
            _check_text("item", item)
            _check_text("role", role)
            _check_text("actor", actor)
        move = self._drive(Check(item, role, _now(self.clock), actor))
        if move.refusal is not None:
            raise move.refusal
        return self.step()

    def advance(self, now: dt.datetime | None = None) -> list[Entry]:
        """Fire the timers due by ``now`` (default: the clock's time); returns what happened.

        Raises :class:`~sopflow.errors.TimersRunaway`, firing none of them (the refusal is
        journaled), when more fall due than one step fires: timers that go round with no one
        acting, left for long. Advancing in smaller steps takes the session through.
        """
        if now is not None and not isinstance(now, dt.datetime):
            raise ClockError(f"advance() takes a datetime, found {type(now).__name__}")
        move = self._drive(Tick(aware(now) if now is not None else _now(self.clock)))
        if move.refusal is not None:
            raise move.refusal
        return list(move.entries)

    def migrate(self, procedure: Procedure, now: dt.datetime | None = None) -> tuple[Entry, ...]:
        """Move onto ``procedure``, a newer version that says how (its ``migrate`` section).

        Raises :class:`~sopflow.errors.MigrationRefused` and changes nothing when this session
        cannot move (a pinned state, a call the new state would not make); it then keeps
        running on its own version.
        """
        if not isinstance(procedure, Procedure):
            raise UsageError(
                f"migrate() takes a compiled procedure (library.get(id, version)), found {type(procedure).__name__}"
            )
        at = aware(now) if now is not None else _now(self.clock)
        return self._drive(lambda config: migrate(config, procedure, at)).entries

    def _drive(self, trigger: Fire | Tick | Check | Callable[[Configuration], Move]) -> Move:
        key, mine = id(self), object()
        if _DRIVEN.setdefault(key, mine) is not mine:
            raise SessionBusy(
                f"session {self.id} is already taking a step (another thread, or a listener driving it); "
                "give each session one driver at a time"
            )
        try:
            if isinstance(trigger, (Fire, Tick, Check)):
                move = kernel.step(self.config, trigger, strict=self.strict)
            else:
                move = trigger(self.config)
            self._commit(move)
        finally:
            del _DRIVEN[key]
        return move

    def _commit(self, move: Move) -> None:
        """Take the kernel's result whole, then tell the listeners, in journal order."""
        self.config = move.config
        if self._journal is not None:
            self._journal += move.entries
        if not self._listeners:
            return
        failures: list[tuple[Listener, Entry, Exception]] = []
        for entry in move.entries:
            for listener in self._listeners:
                try:
                    listener(self, entry)
                except Exception as exc:  # a listener's failure must not undo a committed step
                    failures.append((listener, entry, exc))
        if failures:
            raise ListenerError(failures, refusal=move.refusal, session_id=self.id) from failures[0][2]

    # -- storing -------------------------------------------------------------------------------

    def snapshot(self, *, journal: bool = True) -> dict[str, Any]:
        """A JSON-compatible record of the whole session (and its journal, unless asked not to)."""
        return snapshots.dump(
            self.config, lang=self.lang, strict=self.strict, journal=self.journal if journal else None
        )

    @classmethod
    def restore(
        cls,
        snapshot: Mapping[str, Any],
        resolve: Resolver,
        clock: Clock,
        *,
        keep_journal: bool = True,
        listeners: Iterable[Listener] = (),
    ) -> Session:
        """Rebuild a session from :meth:`snapshot`, looking procedures up with ``resolve(id, version)``."""
        loaded = snapshots.load(snapshot, resolve)
        return cls(
            loaded.config,
            clock,
            lang=loaded.lang,
            strict=loaded.strict,
            journal=loaded.journal,
            keep_journal=keep_journal,
            listeners=listeners,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Session) and self.snapshot() == other.snapshot()

    # Mutable and compared by value, so unhashable; typeshed types object.__hash__ as a method.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Session {self.id[:8]} {self.procedure.id} at {'/'.join(self.path)} outcome={self.outcome}>"


def _checklist(frame: Frame, here: StateIR, lang: str) -> tuple[ChecklistView, ...]:
    langs = frame.procedure.languages
    return tuple(
        ChecklistView(c.name, pick(c.text, lang, langs) or c.name, c.required, c.name in frame.ticked, c.source)
        for c in here.checklist
    )


def _promises(frames: tuple[Frame, ...], lang: str) -> tuple[PromiseInfo, ...]:
    out = []
    for f in frames:
        titles = {p.name: p.title for p in f.procedure.ir.promises}
        for name, due in f.promises.items():
            out.append(PromiseInfo(name, pick(titles.get(name), lang, f.procedure.languages), due, f.procedure.id))
    return tuple(sorted(out, key=lambda p: p.due))


def _timers(frames: tuple[Frame, ...]) -> tuple[TimerInfo, ...]:
    return tuple(
        TimerInfo(f.procedure.ir.way(f.state, t).name, due, f.procedure.id)
        for f in frames
        if f.deadlines
        for t, due in sorted(f.deadlines.items(), key=lambda x: x[1])
    )


START_OPTIONS = ("actor", "data", "lang", "session_id", "strict", "keep_journal", "listeners", "version")
"""Every keyword ``start`` takes, for the did-you-mean of a misspelt one."""


def refuse_unknown(unknown: Mapping[str, Any], known: Iterable[str]) -> None:
    if unknown:
        name = sorted(unknown)[0]
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; options: {', '.join(known)}"
        raise UsageError(f"start() has no option '{name}'{hint}")


_CLOCKS = frozenset({ManualClock, SystemClock})


def _check_clock(clock: object) -> None:
    # Not isinstance(clock, Clock): a runtime Protocol check costs microseconds on every restore.
    if clock.__class__ not in _CLOCKS and not callable(getattr(clock, "now", None)):
        raise UsageError(f"'clock' must have a now() method (a sopflow clock), found {type(clock).__name__}")


def _listeners(listeners: Iterable[Listener]) -> tuple[Listener, ...]:
    """Listeners checked when the session is made, not when the first entry would reach them."""
    if isinstance(listeners, (str, bytes, Mapping)) or not isinstance(listeners, Iterable):
        raise UsageError(f"'listeners' must be a list of callables, found {type(listeners).__name__}")
    kept = tuple(listeners)
    for listener in kept:
        if not callable(listener):
            raise UsageError(f"a listener must be callable (it receives each entry), found {type(listener).__name__}")
    return kept


def _check_text(what: str, value: object) -> None:
    if not isinstance(value, str):
        raise UsageError(f"'{what}' must be text, found {type(value).__name__}")


def _now(clock: Clock) -> dt.datetime:
    now = clock.now()
    if not isinstance(now, dt.datetime):
        raise ClockError(f"the clock's now() must return a datetime, found {type(now).__name__}")
    return aware(now)
