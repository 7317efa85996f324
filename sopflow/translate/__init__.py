"""The translation workflow: a library's texts out to gettext catalogues, and reviewed catalogues back in.

Translators and reviewers never edit YAML. ``sopflow translate export`` writes a
PO catalogue of one language, ``status`` says what is missing or went stale,
and ``import`` writes reviewed entries back, each into exactly its own scalar
(:mod:`sopflow.translate.edit`). Babel writes and reads the catalogues; it
comes with the ``[authoring]`` extra, as OpenCC does, and only this package and
the Chinese-script lint rule import them.
"""
