"""YAML text to the procedure model, with every node's file, line and column kept."""

from sopflow.io.document import LoadedDocument, load_bytes, load_file, load_text
from sopflow.io.positions import Positions

__all__ = ["LoadedDocument", "Positions", "load_bytes", "load_file", "load_text"]
