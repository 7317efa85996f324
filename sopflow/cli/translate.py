"""``sopflow translate export|status|import``: translators and reviewers work on gettext catalogues, not YAML.

The commands need Babel (the ``[authoring]`` extra); without it they say which
extra to install. They read the same files as ``validate`` and refuse a library
with errors: a catalogue of a library that does not load would name texts that
are not there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sopflow.check import CheckedLibrary, check_documents
from sopflow.cli.checks import PathsArg
from sopflow.cli.common import EXIT_OK, EXIT_PROBLEMS, print_diagnostics, stdout
from sopflow.cli.files import select
from sopflow.errors import CommandError, CommandFailed

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

AUTHORING = 'the translation commands need Babel; install them with: pip install "sopflow[authoring]"'

app = typer.Typer(
    name="translate",
    help="Export a library's texts to gettext catalogues, report what is missing or stale, import reviewed ones.",
    no_args_is_help=True,
    add_completion=False,
)

LangArg = Annotated[str, typer.Argument(metavar="LANG", help="The language to translate into, e.g. en or zh-Hans.")]
CatalogueArg = Annotated[Path, typer.Argument(metavar="CATALOGUE", help="A reviewed .po file.", show_default=False)]
PathsRequired = Annotated[
    list[Path], typer.Argument(metavar="PATH...", help="Procedure files, or folders to search for *.yaml.")
]


def _needs_babel() -> None:
    try:
        import babel  # noqa: F401
    except ModuleNotFoundError:
        raise CommandError(AUTHORING) from None


def _library(paths: list[Path] | None) -> CheckedLibrary:
    checked = check_documents(select(paths, []).docs)
    if not checked.ok:
        print_diagnostics(stdout(), [d for d in checked.diagnostics if d.severity == "error"])
        raise CommandFailed("the library has errors; fix them first ('sopflow validate' lists them)")
    return checked


def _languages(checked: CheckedLibrary) -> list[str]:
    found: dict[str, None] = {}
    for doc in checked.documents:
        document = doc.checkable
        if document is not None:
            found.update(dict.fromkeys(document.body.languages))
    return list(found)


def _known(lang: str, checked: CheckedLibrary) -> str:
    known = _languages(checked)
    if lang not in known:
        raise CommandError(f"no text of the library is in '{lang}'; its languages: {', '.join(known)}")
    return lang


def _catalogue_language(catalogue: Catalog, path: Path) -> str:
    if catalogue.locale is not None:
        return str(catalogue.locale).replace("_", "-")
    declared = dict(catalogue.mime_headers).get("Language")
    if not declared:
        raise CommandError(f"{path} names no language; give --lang")
    return declared


@app.command("export")
def export(
    lang: LangArg,
    paths: PathsRequired,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the catalogue here; an existing one is updated, not lost."),
    ] = None,
) -> None:
    """Write a catalogue of every text for LANG: source text, current translation, context and location."""
    _needs_babel()
    from sopflow.translate.catalogue import export_catalogue, po_bytes, read_catalogue
    from sopflow.translate.units import units

    checked = _library(paths)
    found = units(checked.documents, _known(lang, checked), checked.glossary)
    previous = read_catalogue(output) if output is not None and output.exists() else None
    data = po_bytes(export_catalogue(found, lang, previous))
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
    missing = sum(u.target is None for u in found)
    stdout().print(f"wrote {escape(str(output))}: {len(found)} texts, {missing} missing")


@app.command("status")
def status(
    paths: PathsArg = None,
    lang: Annotated[
        list[str] | None, typer.Option("--lang", "-l", help="Only this language (repeatable); default: all.")
    ] = None,
    catalogue: Annotated[
        Path | None, typer.Option("--catalogue", "-c", help="Also compare with this catalogue: stale, not imported.")
    ] = None,
) -> None:
    """How complete each language is: texts missing, and (against a catalogue) stale, to review or not imported.

    Exits 1 when any text is missing or stale.
    """
    _needs_babel()
    from sopflow.translate.catalogue import read_catalogue
    from sopflow.translate.catalogue import status as measure
    from sopflow.translate.units import units

    checked = _library(paths)
    read = read_catalogue(catalogue) if catalogue is not None else None
    wanted = lang or ([_catalogue_language(read, catalogue)] if read is not None and catalogue else None)
    languages = [_known(x, checked) for x in wanted] if wanted else _languages(checked)
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    for column in ("language", "texts", "translated", "missing", "stale", "to review", "not imported"):
        table.add_column(column, justify="left" if column == "language" else "right", no_wrap=True)
    details: list[str] = []
    failing = False
    for language in languages:
        found = measure(units(checked.documents, language, checked.glossary), language, read)
        counts = (len(found.units), len(found.units) - len(found.missing), len(found.missing), len(found.stale))
        table.add_row(language, *map(str, counts), str(len(found.review)), str(len(found.pending)))
        details += [f"{u.text.doc.source}:{u.line}: {u.context}: no {language} text" for u in found.missing]
        details += [f"{u.text.doc.source}:{u.line}: {u.context}: the source changed" for u, _ in found.stale]
        failing = failing or bool(found.missing or found.stale)
    console = stdout()
    console.print(table)
    for line in details:
        console.print(escape(line), overflow="ignore", crop=False)
    raise typer.Exit(EXIT_PROBLEMS if failing else EXIT_OK)


@app.command("import")
def import_(
    catalogue: CatalogueArg,
    paths: PathsRequired,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="Default: the catalogue's Language.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Say what would change; write nothing.")] = False,
) -> None:
    """Write a reviewed catalogue's translations into the YAML, each into exactly its own line.

    Entries that are empty or fuzzy are not yet reviewed and are left out; so are entries
    whose source text changed since the export (export again). Exits 1 when any entry was
    left out for a reason other than review.
    """
    _needs_babel()
    from sopflow.translate.catalogue import plan_import, read_catalogue
    from sopflow.translate.edit import apply_edits
    from sopflow.translate.units import units

    read = read_catalogue(catalogue)
    checked = _library(paths)
    language = _known(lang or _catalogue_language(read, catalogue), checked)
    plan = plan_import(units(checked.documents, language, checked.glossary), read, str(catalogue))
    console = stdout()
    print_diagnostics(console, plan.problems)
    written: dict[str, str] = {}
    for source, edits in plan.edits.items():
        text = Path(source).read_text(encoding="utf-8")
        written[source] = apply_edits(text, edits, source)
    for source, text in written.items():
        if not dry_run:
            Path(source).write_text(text, encoding="utf-8")
        for edit in plan.edits[source]:
            console.print(
                f"{escape(source)}: {'.'.join(map(str, edit.path))}.{edit.lang}", overflow="ignore", crop=False
            )
    verb = "would write" if dry_run else "wrote"
    console.print(
        f"{verb} {plan.count} text{'s' if plan.count != 1 else ''} in {len(written)} "
        f"file{'s' if len(written) != 1 else ''}; {plan.unchanged} unchanged, {plan.unreviewed} not reviewed, "
        f"{len(plan.problems)} left out"
    )
    raise typer.Exit(EXIT_PROBLEMS if plan.problems else EXIT_OK)
