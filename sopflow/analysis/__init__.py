"""What sopflow learns about procedures by reading their compiled form and what sessions did.

Lint and the graph it walks, exhaustive exploration with declared properties
(``explore``, ``verify``), generated scenarios (``generate``), log conformance
(``conformance``) and KPI reports (``kpi_report``). Everything in this package
reads compiled procedures, sessions and logs; nothing below it imports it.
"""

from sopflow.analysis.lint import lint, lint_library, lint_procedure
from sopflow.analysis.rules import RULES, LintResult

__all__ = ["RULES", "LintResult", "lint", "lint_library", "lint_procedure"]
