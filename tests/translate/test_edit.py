"""Writing one text into a YAML file edits that scalar and nothing else, in any style the author used."""

from __future__ import annotations

import pytest

from sopflow.errors import CommandFailed
from sopflow.translate.edit import Edit, apply_edits

TEXT = """\
# comment
states:
  greet:
    say:   # what is said
      zh-Hant: 您好
      en: 'Hello'
    do: {zh-Hant: 起身, en: Stand up}
    title:
      en: |
        Greeting
    on: {done: finished}
"""


def test_a_plain_value_becomes_a_quoted_one_in_place() -> None:
    """Quotes, backslashes and new lines are escaped the YAML way; the rest of the line stays."""
    edited = apply_edits(TEXT, [Edit(("states", "greet", "say"), "en", 'Say "hi" \\ wave\nthen')])
    assert TEXT.replace("en: 'Hello'", 'en: "Say \\"hi\\" \\\\ wave\\nthen"') == edited


def test_a_block_scalar_keeps_the_line_after_it() -> None:
    """Replacing a literal block writes one quoted line and keeps the next key on its own line."""
    edited = apply_edits(TEXT, [Edit(("states", "greet", "title"), "en", "Greeting")])
    assert TEXT.replace("en: |\n        Greeting\n", 'en: "Greeting"\n') == edited


@pytest.mark.parametrize(
    ("path", "order", "expected"),
    [
        (("states", "greet", "say"), ("zh-Hant", "zh-Hans", "en"), '      zh-Hant: 您好\n      zh-Hans: "您好"\n'),
        (("states", "greet", "do"), ("zh-Hant", "zh-Hans", "en"), '{zh-Hant: 起身, zh-Hans: "您好", en: Stand up}'),
        (("states", "greet", "say"), ("zh-Hans", "zh-Hant", "en"), '# what is said\n      zh-Hans: "您好"\n'),
    ],
)
def test_a_missing_language_goes_where_the_declared_order_puts_it(
    path: tuple[str, ...], order: tuple[str, ...], expected: str
) -> None:
    """A new language is inserted after the languages declared before it, in block and flow style."""
    edited = apply_edits(TEXT, [Edit(path, "zh-Hans", "您好", order)])
    assert (True, 1) == (expected in edited, len(edited.splitlines()) - len(TEXT.splitlines()) + (path[-1] == "do"))


def test_a_path_that_is_not_a_text_is_refused() -> None:
    """An edit aimed at a missing text is refused, and nothing is written."""
    with pytest.raises(CommandFailed, match=r"no text at states\.greet\.notes"):
        apply_edits(TEXT, [Edit(("states", "greet", "notes"), "en", "x")], "f.yaml")
