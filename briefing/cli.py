"""The ``briefing`` command: parse options, call the library, print.

Every library error arrives as a ``BriefingError`` and leaves as one ``Error: ...``
line and its exit code; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .config import load_settings
from .dates import parse_date
from .errors import EXIT_PARTIAL, BriefingError, UsageError
from .models import KINDS, BuildReport, DocumentSummary, Sentence, Skipped, Source

app = typer.Typer(
    help="Turn a corpus of news articles into one-page PDF policy briefs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
corpus_app = typer.Typer(help="Build, list and inspect the article corpus.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")

CorpusOption = Annotated[
    Optional[Path],
    typer.Option("--corpus", envvar="BRIEFING_CORPUS", help="Corpus folder [default: corpus/].", show_default=False),
]
IndexOption = Annotated[
    Optional[Path],
    typer.Option("--index", envvar="BRIEFING_INDEX", help="Index database [default: out/index.sqlite].", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for other tools.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefing {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    ctx.obj = {"debug": debug}


@contextmanager
def _reported(ctx: typer.Context) -> Iterator[None]:
    try:
        yield
    except BriefingError as exc:
        if (ctx.find_root().obj or {}).get("debug"):
            raise
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def _refresh(corpus: Path | None, index: Path | None, quiet: bool) -> tuple[Path, BuildReport]:
    from .index import Index

    settings = load_settings(corpus, index)
    started = time.perf_counter()
    report = Index.build(settings.corpus, settings.index, settings.max_file_bytes)
    if report.rebuilt_because and not quiet:
        typer.echo(f"Rebuilt the index: {report.rebuilt_because}.", err=True)
    _print_skipped(report.skipped)
    if not quiet:
        typer.echo(
            f"Indexed {settings.corpus} into {settings.index} in {time.perf_counter() - started:.2f} s: "
            f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
        )
    return settings.index, report


def _print_skipped(skipped: tuple[Skipped, ...]) -> None:
    for item in skipped:
        typer.echo(f"Skipped {item.path}: {item.reason}", err=True)


@corpus_app.command("build")
def corpus_build(ctx: typer.Context, corpus: CorpusOption = None, index: IndexOption = None) -> None:
    """Index the corpus: only new or changed files are processed."""
    with _reported(ctx):
        _, report = _refresh(corpus, index, quiet=False)
    if report.skipped:
        raise typer.Exit(EXIT_PARTIAL)


@corpus_app.command("list")
def corpus_list(
    ctx: typer.Context, corpus: CorpusOption = None, index: IndexOption = None, as_json: JsonOption = False
) -> None:
    """List the documents: id, outlet, date, title, sentences."""
    from .index import Index

    with _reported(ctx):
        path, _ = _refresh(corpus, index, quiet=True)
        with Index(path) as opened:
            documents = opened.documents()
    if as_json:
        typer.echo(json.dumps([_document_json(d) for d in documents], ensure_ascii=False, indent=2))
        return
    _print_table(documents)


@corpus_app.command("show")
def corpus_show(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="A document id from `briefing corpus list`.")],
    corpus: CorpusOption = None,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a document's cleaned sentences; ? marks questions, “ quotations."""
    from .index import Index

    with _reported(ctx):
        path, _ = _refresh(corpus, index, quiet=True)
        with Index(path) as opened:
            document, sentences = opened.document(doc_id)
    if as_json:
        data = _document_json(document) | {"sentences": [_sentence_json(s) for s in sentences]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    source = document.source
    typer.echo(f"{document.id}  ({document.path})")
    for name, value in source.as_dict().items():
        typer.echo(f"  {name}: {value}")
    paragraph = None
    for s in sentences:
        if s.paragraph != paragraph:
            typer.echo("")
            paragraph = s.paragraph
        marks = ("?" if s.is_question else " ") + ("“" if s.in_quote else " ")
        speaker = f"{s.speaker}: " if s.speaker else ""
        typer.echo(f"{s.position:>4} {marks} {speaker}{s.text}")


@corpus_app.command("add")
def corpus_add(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="Files to add: .md, .txt, .html.")],
    corpus: CorpusOption = None,
    outlet: Annotated[Optional[str], typer.Option(help="Outlet that published it.")] = None,
    title: Annotated[Optional[str], typer.Option(help="Headline.")] = None,
    author: Annotated[Optional[str], typer.Option(help="Author.")] = None,
    date: Annotated[Optional[str], typer.Option(help="Date: YYYY-MM-DD, YYYY-MM or YYYY.")] = None,
    url: Annotated[Optional[str], typer.Option(help="Link to the original.")] = None,
    kind: Annotated[Optional[str], typer.Option(help=f"One of: {', '.join(KINDS)}.")] = None,
) -> None:
    """Copy files into the corpus as Markdown with front matter (the options override their metadata)."""
    from .corpus import add

    with _reported(ctx):
        if kind is not None and kind not in KINDS:
            raise UsageError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
        overrides = Source(
            outlet=outlet, title=title, author=author, date=parse_date(date) if date else None, url=url, kind=kind
        )
        settings = load_settings(corpus, None)
        report = add(paths, settings.corpus, overrides, settings.max_file_bytes)
    for item in report.added:
        typer.echo(f"Added {item.path} (from {item.origin})")
    _print_skipped(report.skipped)
    if report.skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _document_json(document: DocumentSummary) -> dict:
    source = document.source
    return {
        "id": document.id,
        "path": document.path,
        "outlet": source.outlet,
        "title": source.title,
        "author": source.author,
        "date": None if source.date is None else str(source.date),
        "url": source.url,
        "kind": source.kind,
        "sentences": document.sentences,
    }


def _sentence_json(sentence: Sentence) -> dict:
    return {
        "position": sentence.position,
        "paragraph": sentence.paragraph,
        "text": sentence.text,
        "speaker": sentence.speaker,
        "question": sentence.is_question,
        "quote": sentence.in_quote,
    }


def _print_table(documents: list[DocumentSummary]) -> None:
    """Aligned columns; ids are never cut (they are what users copy), outlet and title shrink to fit."""
    import shutil

    rows = [
        (d.id, d.source.outlet or "", str(d.source.date or ""), d.source.title or "", str(d.sentences))
        for d in documents
    ]
    header = ("id", "outlet", "date", "title", "sentences")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    spare = shutil.get_terminal_size((120, 24)).columns - widths[0] - widths[2] - widths[4] - 8
    widths[1] = min(widths[1], max(8, spare // 3))
    widths[3] = min(widths[3], max(10, spare - widths[1]))
    for row in [header, *rows]:
        cells = [_fit(cell, width) for cell, width in zip(row, widths)]
        typer.echo("  ".join([*(c.ljust(w) for c, w in zip(cells[:4], widths)), cells[4].rjust(widths[4])]).rstrip())


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
