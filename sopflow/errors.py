"""Every error sopflow raises, in one tree.

Hosts catch :class:`SopflowError` to handle anything sopflow refuses; the two
branches below it separate a broken procedure (fix the YAML) from a refused
step at run time (tell the person at the desk)::

    SopflowError
    ├── DefinitionError            the procedure text is wrong
    │   ├── ProcedureSyntaxError   YAML that does not parse
    │   ├── ProcedureInvalid       parsed, but the checker found errors
    │   ├── ExpressionError        a guard or assignment that does not parse or type
    │   └── UnknownProcedure       a library has no procedure with that id
    ├── RuntimeRefusal             a session refused what the host asked; it is exactly as it was
    │   ├── EventNotAllowed        no such event in the current state
    │   ├── RoleNotAllowed         the actor's role may not fire the event
    │   ├── InvalidEventData       data missing, unknown, of the wrong type, or not JSON
    │   ├── RequiredDataMissing    the state needs data before it can be left
    │   ├── ChecklistIncomplete    the state's required checklist items are not all ticked
    │   ├── NoBranchMatched        every guarded branch was false
    │   ├── EvaluationFailed       a guard could not be evaluated on this data
    │   ├── InvariantViolated      strict mode: the step would break an invariant
    │   ├── SessionFinished        the session has already reached an outcome
    │   └── TimersRunaway          more timers fall due at once than one step fires (a timer cycle left long)
    ├── UsageError                 the host called sopflow wrongly (a wrong type, an unknown option)
    │   ├── ClockError             a time without a zone, or a clock asked to go backwards
    │   ├── SessionBusy            a session driven from two places at once
    │   └── CommandError           the sopflow command was called wrongly (exit status 2)
    ├── SnapshotError              a snapshot or journal is malformed or does not fit the library
    │   └── ReplayMismatch         replaying a journal does not give the recorded entries
    ├── CommandFailed              the sopflow command understood its input, and the input is wrong (exit 1)
    ├── StoreError                 a store cannot do what was asked (its database refused, or the schema is newer)
    │   ├── StaleSession           another writer committed the session since it was loaded; nothing was written
    │   ├── SessionNotFound        no session with that id in the store
    │   └── MigrationRefused       a session cannot move to the new version (it stays pinned)
    ├── ListenerError              a listener failed; the step it was told about is committed
    └── EngineDisagreement         strict mode: the IR and the transitions machine differ (a bug)

Definition errors carry where the problem is (``source``, ``line``,
``column``, ``path``); refusals carry what the session was doing
(``session_id``, ``state``, ``event``, ``allowed``) so a console can say what
*is* possible instead. Context is given when an error is built, never
patched onto it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from sopflow.diagnostics import Diagnostic, located


class SopflowError(Exception):
    """Base of every error sopflow raises, so a host needs one ``except``."""


class DefinitionError(SopflowError):
    """A procedure or policy text is wrong; raised before any session starts."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.path = path
        super().__init__(self._located())

    def _located(self) -> str:
        return located(self.message, self.source, self.line, self.column, self.path)


class ProcedureSyntaxError(DefinitionError):
    """The YAML itself does not parse."""


class ExpressionError(DefinitionError):
    """A guard, assignment or invariant does not parse or does not type-check."""


class UnknownProcedure(DefinitionError):
    """A library was asked for an id it does not hold."""


class ProcedureInvalid(DefinitionError):
    """The checker found errors; all of them are in :attr:`diagnostics`."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        first = self.diagnostics[0]
        count = len(self.diagnostics)
        body = "\n".join(d.format() for d in self.diagnostics)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} found:\n{body}",
            source=first.source,
            line=first.line,
            column=first.column,
            path=first.path,
        )

    def _located(self) -> str:
        return self.message


class RuntimeRefusal(SopflowError):
    """A session refused a request; the session is exactly as it was before."""

    def __init__(
        self,
        message: str,
        *,
        session_id: str | None = None,
        state: str | None = None,
        event: str | None = None,
        allowed: Sequence[str] = (),
    ) -> None:
        self.message = message
        self.session_id = session_id
        self.state = state
        self.event = event
        self.allowed = tuple(allowed)
        super().__init__(message)


class EventNotAllowed(RuntimeRefusal):
    """The event does not exist in the current state."""


class RoleNotAllowed(RuntimeRefusal):
    """The actor's role is not among the roles that may fire the event."""


class InvalidEventData(RuntimeRefusal):
    """The event's data is missing, unknown, or of the wrong type."""


class RequiredDataMissing(RuntimeRefusal):
    """The current state must capture data before it can be left."""


class ChecklistIncomplete(RuntimeRefusal):
    """The current state's required checklist items must be ticked before it can be left."""


class NoBranchMatched(RuntimeRefusal):
    """Every guarded branch evaluated false and there is no fallback."""


class EvaluationFailed(RuntimeRefusal):
    """A guard or assignment failed on this data (for example, a field not yet set)."""


class InvariantViolated(RuntimeRefusal):
    """In strict mode, the step would break a declared invariant."""


class SessionFinished(RuntimeRefusal):
    """The session has reached its outcome; nothing more can be fired."""


class TimersRunaway(RuntimeRefusal):
    """More timers fall due before the step's time than one step fires: timers that go round
    with no one acting (lint: ``timer-cycle``), left for long. Advance in smaller steps."""


class UsageError(SopflowError):
    """The host called sopflow in a way it cannot mean: a wrong type, an unknown option, a bad duration.

    Nothing was journaled: no session has seen the request.
    """

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class MissingExtra(UsageError, ImportError):
    """A part of sopflow that needs an optional dependency was imported without it.

    Also an ``ImportError``, so the usual ``except ImportError`` around optional imports
    keeps working; the message names the extra that installs what is missing.
    """


class ClockError(UsageError):
    """A time without a time zone, a malformed duration, or a clock asked to go backwards."""


class SessionBusy(UsageError):
    """The session is already taking a step: a second thread, or a listener driving the session it listens to."""


class CommandError(UsageError):
    """The ``sopflow`` command was called wrongly: a missing file, an unknown id or option (exit status 2)."""


class CommandFailed(SopflowError):
    """The ``sopflow`` command understood its input, and the input is wrong: the message says what to fix."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class SnapshotError(SopflowError):
    """A snapshot or journal is malformed, or does not fit the procedures it names; ``message`` names the path."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ReplayMismatch(SnapshotError):
    """Replaying a journal through the step kernel does not give the entries it records."""


class StoreError(SopflowError):
    """A store cannot do what was asked: its database refused, or its schema is newer than this sopflow."""

    def __init__(self, message: str, *, session_id: str | None = None) -> None:
        self.message = message
        self.session_id = session_id
        super().__init__(message)


class StaleSession(StoreError):
    """Another writer committed this session after it was loaded; nothing was written.

    Load it again (``store.load``) and repeat the step on the fresh session.
    """


class SessionNotFound(StoreError):
    """The store holds no session with that id."""


class MigrationRefused(StoreError):
    """A session cannot move to the procedure's new version; it stays pinned to its own and keeps working."""


class ListenerError(SopflowError):
    """One or more listeners raised; the step they were told about is committed all the same.

    ``failures`` holds (listener, entry, exception) triples; ``refusal`` is the
    refusal the step ended in, if it was refused (the host sees this error
    instead, so it is kept here).
    """

    def __init__(
        self,
        failures: Sequence[tuple[object, object, BaseException]],
        *,
        refusal: RuntimeRefusal | None = None,
        session_id: str | None = None,
    ) -> None:
        self.failures = tuple(failures)
        self.refusal = refusal
        self.session_id = session_id
        count = len(self.failures)
        first = self.failures[0][2]
        what = "was refused" if refusal is not None else "is committed"
        self.message = (
            f"{count} listener call{'s' if count != 1 else ''} failed (first: {type(first).__name__}); "
            f"the step {what} all the same"
        )
        super().__init__(self.message)


class EngineDisagreement(SopflowError):
    """A strict session found the IR table and the transitions machine taking different steps.

    It means a bug in sopflow's compiler, never in the procedure or the host's request.
    """
