"""Where a file stops being UTF-8: every reader of people's files says the line and column."""

from __future__ import annotations

from pathlib import Path


def not_utf8(raw: bytes, exc: UnicodeDecodeError) -> tuple[int, int, str]:
    """The line and column (from 1) of the first byte that is not UTF-8, and what to tell the author."""
    line = raw.count(b"\n", 0, exc.start) + 1
    column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
    return line, column, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot start a character; save it as UTF-8"


def not_utf8_in(path: Path) -> tuple[int, int, str] | None:
    """:func:`not_utf8` for a file a reader streamed as text and stopped in: read again, on that
    error path only, to say where. None if it now decodes (it changed meanwhile)."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return not_utf8(raw, exc)
    return None
