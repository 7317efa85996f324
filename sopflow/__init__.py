"""sopflow: standard operating procedures as checked, executable, journaled state machines.

Load a library of YAML procedures, start a session per customer visit, and
drive it step by step::

    import sopflow
    library = sopflow.load_library()            # the bundled procedures
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    session = library.start("business.release_tenant", clock=clock, role="front_desk")
    print(session.step("en").say)
"""

from sopflow.__about__ import __version__
from sopflow.compile import Procedure
from sopflow.errors import DefinitionError, RuntimeRefusal, SopflowError
from sopflow.library import Library, load_library, load_string
from sopflow.runtime import Clock, Entry, ManualClock, Session, Step, SystemClock

__all__ = [
    "Clock",
    "DefinitionError",
    "Entry",
    "Library",
    "ManualClock",
    "Procedure",
    "RuntimeRefusal",
    "Session",
    "SopflowError",
    "Step",
    "SystemClock",
    "__version__",
    "load_library",
    "load_string",
]
