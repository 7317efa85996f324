"""What sopflow learns about procedures by reading their compiled form: lint, and the graph it walks.

Exploration and log conformance will live here too; everything in this
package reads compiled procedures and sessions, and nothing below imports it.
"""

from sopflow.analysis.lint import lint, lint_library, lint_procedure
from sopflow.analysis.rules import RULES, LintResult

__all__ = ["RULES", "LintResult", "lint", "lint_library", "lint_procedure"]
