"""Pure renderings of procedures and sessions: rich renderables, Mermaid and DOT text.

Nothing here reads files or the terminal; the command line (:mod:`sopflow.cli`)
decides where output goes, so the same renderings serve docs, tests and tools.
"""
