"""How large a document, a value or an expression may be: past these, input is refused, not processed.

Procedures are written by people, so none of these is near what a real SOP needs;
they exist so that a mistaken or hostile file is refused in milliseconds with a located
error, instead of taking seconds, gigabytes or the interpreter's stack.
"""

MAX_DOCUMENT_CHARS = 2_000_000
"""A procedure file, in characters (the largest bundled procedure is about 30,000)."""

MAX_VALUES = 1_000_000
"""Values in one document once aliases are expanded (the "billion laughs" guard)."""

MAX_NESTING = 64
"""Mappings and lists inside each other."""

MAX_TEXT_CHARS = 20_000
"""One localised line, one note or one name."""

MAX_EXPRESSION_CHARS = 1_000
"""One guard, assignment or invariant."""

MAX_EXPRESSION_DEPTH = 40
"""Operators inside each other in one expression."""

MAX_WAIT_DAYS = 36_500
"""A duration or elapsed wait, in days: a hundred years (a date past year 9999 cannot be held)."""

MAX_WORKING_DAYS = 1_000
"""A wait counted in working days (about four years): each one is found on the calendar in turn."""

MAX_WORKING_HOURS = 2_000
"""A wait counted in working hours (about a year of office hours)."""

MAX_NAME_CHARS = 200
"""A name a host passes with a step: an event, a role, an actor, a checklist item, a field, a session id.
Past it the step is refused (and journaled with the name cut), before any lookup quotes it."""

MAX_VALUE_CHARS = 100_000
"""One text a host gives as data (about fifty pages): every entry, snapshot and store row keeps it."""

MAX_LIST_ITEMS = 10_000
"""Items in one list a host gives as data."""

INT_RANGE = range(-(2**63), 2**63)
"""Whole numbers a session takes: 64 bits, as every store and most hosts' languages keep them
(and far short of the 4,300 digits past which Python will not even write one as text)."""
