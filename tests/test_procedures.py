"""The bundled procedure library: every file loads cleanly, and it ships inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import sopflow
from sopflow.io import load_file
from sopflow.library import bundled_path, collect
from sopflow.model import Glossary

ROOT = Path(__file__).parent.parent
FILES = collect([ROOT / "procedures"])


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT / "procedures").as_posix() for p in FILES])
def test_every_procedure_file_parses(path: Path) -> None:
    """Each YAML file in procedures/ is a valid document on its own."""
    assert [] == [d.format() for d in load_file(path).diagnostics]


def test_library_checks_without_errors() -> None:
    """The whole library resolves every cross-reference and type-checks."""
    library = sopflow.load_library()
    shared = sum(1 for p in FILES if {"policies", "glossary", "targets"} & set(p.parts))
    assert len(FILES) - shared == len(library)
    assert ["targets.service_department"] == sorted(library.targets)


def test_bundled_path_is_the_procedures_folder_in_a_checkout() -> None:
    """In a source checkout the bundled library is procedures/."""
    assert (ROOT / "procedures").resolve() == bundled_path().resolve()


def test_wheel_ships_every_procedure(tmp_path: Path) -> None:
    """`pip install .` carries the procedures: the wheel holds each one under sopflow/_bundled."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("sopflow-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"sopflow/_bundled/{p.relative_to(ROOT / 'procedures').as_posix()}" for p in FILES}
    assert set() == expected - names


def test_no_role_or_shared_field_is_defined_twice() -> None:
    """Every role comes from the glossary, and no field is defined by more than one document."""
    own_roles: list[str] = []
    defined = Counter[str]()
    shared = sopflow.load_library().checked.glossary
    for path in FILES:
        document = load_file(path).document
        assert document is not None
        if document.glossary is not None:
            defined.update(list(document.glossary.fields))
            continue
        if document.targets is not None:  # KPI targets name procedures, not roles or fields
            continue
        body = document.body
        assert not isinstance(body, Glossary)
        own_roles += [name for name in body.roles if name not in shared.roles]
        defined.update(name for name in body.fields if name not in shared.fields)
    assert ([], []) == (own_roles, [name for name, count in defined.items() if count > 1])
