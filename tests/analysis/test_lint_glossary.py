"""Lint with a glossary: missing translations are reported once, where the text is written."""

from __future__ import annotations

from sopflow.analysis import lint_library
from sopflow.io import load_text
from sopflow.library import Library

GLOSSARY = """\
sopflow: 1
glossary:
  id: glossary.demo
  title: {en: Glossary, fr: Glossaire}
  languages: [en, fr]
  roles:
    desk: {title: {en: front desk}}
"""

PROCEDURE = """\
sopflow: 1
procedure:
  id: demo.visit
  version: 1
  title: {en: Visit, fr: Visite, de: Besuch}
  languages: [en, fr, de]
  roles: {desk}
  initial: greet
  states:
    greet:
      role: desk
      source: {document: "000", section: demo}
      say: {en: Hello, fr: Bonjour, de: Hallo}
      on: {done: finished}
    finished: {final: completed}
"""


def test_missing_translations_of_glossary_entries() -> None:
    """The glossary's own gap is reported at the glossary; a language only the procedure needs, at its reference."""
    library = Library.from_documents([load_text(GLOSSARY, "g.yaml"), load_text(PROCEDURE, "p.yaml")])
    found = [d.format() for d in lint_library(library).diagnostics if d.code == "missing-translation"]
    assert [
        "g.yaml:7:19: glossary.roles.desk.title: title of role 'desk' has no fr text (languages: en, fr)",
        "p.yaml:7:11: procedure.roles.desk: glossary role 'desk' has no de text (languages: en, fr, de)",
    ] == found
