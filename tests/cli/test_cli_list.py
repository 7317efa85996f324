"""``sopflow list``: the ids a library holds, with version, number of states and title."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import Invoke, Run

from sopflow.library import load_library


def test_list_shows_every_bundled_procedure(sopflow: Run) -> None:
    """Without --library, list prints each bundled procedure once, then the count."""
    done = sopflow("list")
    ids = [line.split()[0] for line in done.stdout.splitlines()[1:-1] if line[:1].strip()]
    bundled = list(load_library())
    assert (0, bundled, f"{len(bundled)} procedures") == (done.returncode, ids, done.stdout.splitlines()[-1])


def test_list_of_a_library_in_a_chosen_language(cli: Invoke, fixtures: Path) -> None:
    """--library and --lang: the fixtures' titles in Traditional Chinese, falling back to English."""
    result = cli("list", "-L", fixtures, "--lang", "zh-Hant")
    expected = [
        "id               version  states  title",
        "test.inquiry           1       3  Inquiry",
        "test.owner_call        1       4  致電業主",
        "test.release           1       9  租戶放行",
        "3 procedures",
    ]
    assert (0, expected) == (result.exit_code, result.stdout.splitlines())


def test_list_as_json(cli: Invoke, fixtures: Path) -> None:
    """--format json gives tools each id with its version, title, languages and number of states."""
    body = json.loads(cli("list", "-L", fixtures, "-f", "json", "--lang", "en").stdout)
    expected = {
        "id": "test.release",
        "version": 1,
        "title": "Tenant release",
        "languages": ["en", "zh-Hant"],
        "states": 9,
    }
    assert (3, expected) == (len(body["procedures"]), body["procedures"][2])


def test_list_counts_a_ladder_as_one_state(cli: Invoke, fixtures: Path) -> None:
    """States are counted as show numbers them: the three levels of the inquiry ladder are one."""
    body = json.loads(cli("list", "-L", fixtures, "-f", "json").stdout)
    assert 3 == body["procedures"][0]["states"]


def test_list_refuses_an_unknown_language(cli: Invoke) -> None:
    """A language neither the desk nor any procedure uses is a usage error."""
    result = cli("list", "--lang", "fr")
    assert (2, "error: unknown language 'fr'; choose one of: zh-Hant, zh-Hans, en\n") == (
        result.exit_code,
        result.stderr,
    )
