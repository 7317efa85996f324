"""Diagnostics about procedures: schema, names, guard types, and graph lint."""

from sopflow.check.library import CheckedLibrary, check_documents
from sopflow.check.resolve import Resolved

__all__ = ["CheckedLibrary", "Resolved", "check_documents"]
