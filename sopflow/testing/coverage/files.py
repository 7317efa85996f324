"""Coverage reports written to files: the JSON for tools, the HTML page for reviewers.

Kept apart from :mod:`.report` (the figures) and :mod:`.html` (the page), which both need the
figures: writing is the one step that needs them all.
"""

from __future__ import annotations

from pathlib import Path

from sopflow.errors import UsageError
from sopflow.testing.coverage.html import html_report
from sopflow.testing.coverage.report import CoverageReport, ReportTarget


def html_path(path: Path) -> Path:
    """Where the HTML report goes: the file named, or ``index.html`` in the folder named."""
    return path if path.suffix.lower() in (".html", ".htm") else path / "index.html"


def write_file(report: CoverageReport, target: ReportTarget, title: str) -> Path:
    """Write one JSON or HTML report; the path of the file written."""
    assert target.path is not None  # only file reports are written
    path = target.path if target.kind == "json" else html_path(target.path)
    text = report.json_text() if target.kind == "json" else html_report(report, title)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the {target.kind} coverage report to {path}: {exc.strerror or exc}") from None
    return path
