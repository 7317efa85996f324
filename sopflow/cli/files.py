"""Which files ``validate`` and ``lint`` check: YAML below the paths given, less what is not a procedure.

A repository keeps scenarios next to its procedures (``tests/scenarios/``),
and the natural first command, ``sopflow validate .``, finds them too. A
scenario is not a broken procedure, so reporting each of its keys as an error
buries the real findings; it is recognised by its top-level keys and skipped,
and the summary says how many were. ``--exclude`` leaves out anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import yaml

from sopflow.cli.common import existing
from sopflow.errors import CommandError
from sopflow.io import LoadedDocument, load_file, load_text
from sopflow.library import collect

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Selection:
    """The documents to check, and the files left out because they are scenarios."""

    files: list[Path] = field(default_factory=list)
    docs: list[LoadedDocument] = field(default_factory=list)
    scenarios: list[Path] = field(default_factory=list)

    def note(self) -> str:
        """``68 scenario files skipped``, for the summary line (empty when none was)."""
        count = len(self.scenarios)
        return f"{count} scenario file{'s' if count != 1 else ''} skipped" if count else ""


def excluded(path: Path, patterns: Sequence[str]) -> bool:
    """Whether a glob matches the file's path as found or any run of its parts.

    So a folder's name (``drafts``), a file's name (``'*_old.yaml'``) and a
    stretch of folders (``scenarios/broken``) each do what they look like;
    ``*`` also matches ``/``.
    """
    parts = path.parts
    runs = {path.as_posix()} | {
        PurePosixPath(*parts[i:j]).as_posix() for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)
    }
    return any(fnmatch(run, p.rstrip("/")) for p in patterns for run in runs)


def is_scenario(text: str) -> bool:
    """A mapping with a top-level ``scenario`` key, no ``sopflow`` or ``policy`` key, and no procedure body.

    Only what is clearly a scenario (a malformed one too: that is for the
    scenario runner to report) is skipped; anything else that is not a
    procedure is still reported, so a typo in ``sopflow:`` is never hidden.
    """
    if "scenario" not in text:
        return False
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return False
    if not isinstance(node, yaml.MappingNode):
        return False
    keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    body = isinstance(keys.get("procedure"), yaml.MappingNode)
    return "scenario" in keys and not body and not {"sopflow", "policy"} & set(keys)


def select(paths: Sequence[Path] | None, exclude: Sequence[str]) -> Selection:
    """Load the procedure and policy files below ``paths``; a path or folder with none is a usage error."""
    if not paths:
        raise CommandError("give at least one procedure file or folder, e.g. 'sopflow validate procedures/'")
    found = [f for f in collect(existing(paths)) if not excluded(f, exclude)]
    where = ", ".join(map(str, paths))
    if not found:
        raise CommandError(f"no .yaml or .yml files in {where}" + (" (after --exclude)" if exclude else ""))
    chosen = Selection()
    for path in found:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = None
        if text is not None and is_scenario(text):
            chosen.scenarios.append(path)
            continue
        chosen.files.append(path)
        # load_file turns a file that cannot be read into a finding located at the file.
        chosen.docs.append(load_file(path) if text is None else load_text(text, str(path)))
    if not chosen.files:
        raise CommandError(
            f"no procedure or policy files in {where}, only scenarios ({chosen.note()}); "
            "play one with 'sopflow walk --script FILE'"
        )
    return chosen
