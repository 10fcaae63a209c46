"""Making briefs: the topics asked for, each selected, rendered in its format and written whole.

The one path ``briefing make`` takes, so a script gets what the command gets. The request is
checked before anything is indexed or made; the index is brought up to date once; then each
topic is made as the caller iterates, so the caller can report one while the next is made. A
topic that matches nothing ends a request for one brief, and is only skipped among several.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Settings
from .errors import FileError, UsageError
from .files import slug, sweep, write_atomically
from .models import Brief, BuildReport, Selection, Topic

if TYPE_CHECKING:
    from .render.worker import Renderer


class BriefFormat(str, Enum):
    pdf = "pdf"
    html = "html"
    md = "md"
    json = "json"
    text = "text"  # the selection, for a person to read: the caller prints it, nothing is written


STDOUT = "-"  # an ``out`` that asks for the brief's bytes back instead of a file


@dataclass(frozen=True)
class BriefRequest:
    """What a run is asked for, as the user gave it: one of ``topics``, ``every`` or ``keywords``."""

    topics: tuple[str, ...] = ()  # names in the topics file, any case; each made once
    every: bool = False  # every topic of the topics file
    keywords: str | None = None  # an ad-hoc topic: "water, glaciers" or a question
    title: str | None = None  # one brief's title instead of its topic's
    topics_file: Path = Path("topics.toml")
    format: BriefFormat | None = None  # default: what ``out``'s extension says, else PDF
    out: str | None = None  # a file, a folder (there, or ending in /), or "-"; default: settings.out
    issued: dt.date | None = None  # default: today
    ranker: str = "lexrank"
    sentences: int = 16  # chosen before fitting to the page


@dataclass(frozen=True)
class MadeBrief:
    """One topic's outcome: its brief and where it went, or why it was skipped."""

    topic: Topic
    format: BriefFormat | None = None
    target: Path | None = None  # the file written; None for text and for "-"
    selection: Selection | None = None
    brief: Brief | None = None  # None for text, which is the selection as it is
    document: bytes | str | None = None  # the rendered brief, when it went to "-" rather than a file
    warnings: tuple[str, ...] = ()
    skipped: str | None = None  # why nothing was made (among several topics)


def make_briefs(
    request: BriefRequest,
    settings: Settings,
    say: Callable[[str], None] = lambda message: None,
    indexed: Callable[[BuildReport], None] = lambda report: None,
) -> Iterator[MadeBrief]:
    """Check the request now (``UsageError``), then, as iterated, refresh the index (``indexed``
    gets its report, ``say`` any wait for another process) and make each topic's brief."""
    chosen = _chosen(request)
    if len(chosen) > 1 and request.out is not None and not is_folder(request.out):
        raise UsageError(f"--out {request.out} is one file: give a folder for {len(chosen)} briefs")
    return _made(request, settings, chosen, say, indexed)


def _chosen(request: BriefRequest) -> list[Topic]:
    """The topics named (each once, in the order given), all, or the keywords'; titled as asked."""
    from .topics import find_topic, load_topics, topic_from_keywords

    if sum((bool(request.topics), request.every, request.keywords is not None)) != 1:
        raise UsageError("give --topic NAME (repeat for more), --all, or --keywords TEXT")
    if request.keywords is not None:
        chosen = [topic_from_keywords(request.keywords)]
    else:
        known = load_topics(request.topics_file)
        named = (find_topic(name, known) for name in request.topics)
        chosen = list(known.values()) if request.every else list({t.name: t for t in named}.values())
    if request.title is None:
        return chosen
    if not request.title.strip():
        raise UsageError("--title must not be empty")
    if len(chosen) > 1:
        raise UsageError("--title names one brief: give one topic")
    return [replace(chosen[0], title=" ".join(request.title.split()))]


def _made(
    request: BriefRequest,
    settings: Settings,
    chosen: list[Topic],
    say: Callable[[str], None],
    indexed: Callable[[BuildReport], None],
) -> Iterator[MadeBrief]:
    """Each topic's brief, in order; a page is laid out (on the renderer's worker) while the next
    topic is chosen, and handed over once that one is."""
    from .render.worker import Renderer

    laid_out = output(request.format, request.out, settings.out, chosen[0].name)[0] in (BriefFormat.pdf, BriefFormat.html)
    with Renderer(parallel=laid_out) as renderer:  # first: before the index's lock, and sooner is faster
        from .index import Index
        from .summarise import NothingFound, SummarySettings, summarise

        issued = request.issued or dt.date.today()
        summary = SummarySettings(ranker=request.ranker)
        summary = replace(summary, rank=replace(summary.rank, sentences=request.sentences))
        indexed(Index.build(settings.corpus, settings.index, settings.max_file_bytes, settings.lock_wait, say, thorough=False))
        waiting: Callable[[], MadeBrief] | None = None
        for topic in chosen:
            try:
                with Index(settings.index, settings.lock_wait) as opened:
                    selection = summarise(opened, topic, summary)
            except NothingFound as exc:
                if len(chosen) == 1:
                    raise
                selection, skipped = None, str(exc)
            if waiting is not None:
                yield waiting()
            if selection is None:
                waiting = partial(MadeBrief, topic, skipped=skipped)
            else:
                waiting = _finishing(request, settings, topic, selection, issued, renderer)
        if waiting is not None:
            yield waiting()


def _finishing(
    request: BriefRequest, settings: Settings, topic: Topic, selection: Selection, issued: dt.date, renderer: Renderer
) -> Callable[[], MadeBrief]:
    """Start the topic's brief; the call returned waits for it, writes it and says what became of it."""
    written_as, target = output(request.format, request.out, settings.out, topic.name)
    if written_as is BriefFormat.text:
        return partial(MadeBrief, topic, written_as, selection=selection)
    rendering = render(selection, written_as, issued, settings, renderer)

    def finish() -> MadeBrief:
        brief, document, warnings = rendering()
        if str(target) == STDOUT:
            return MadeBrief(topic, written_as, None, selection, brief, document, warnings)
        write(target, document)
        return MadeBrief(topic, written_as, target, selection, brief, warnings=warnings)

    return finish


def output(given: BriefFormat | None, out: str | None, folder: Path, topic: str) -> tuple[BriefFormat, Path]:
    """The format and file of a brief: ``given``, else ``out``'s extension, else PDF; an ``out``
    that is a folder (or ends in /) gets ``<topic>.<format>`` inside it, as ``folder`` does
    when there is no ``out``."""
    path = None if out is None else Path(out)
    suffix = path.suffix.lower().lstrip(".") if path is not None and out != STDOUT else ""
    by_suffix = {"htm": BriefFormat.html, "markdown": BriefFormat.md}.get(suffix) or next(
        (f for f in BriefFormat if f.value == suffix and f is not BriefFormat.text), None
    )
    into_folder = out is not None and is_folder(out)
    if suffix and by_suffix is None and given is None and not into_folder:
        raise UsageError(f"cannot tell a brief's format from {path}: name it .pdf, .html, .md or .json, or give --format")
    if given is not None and by_suffix is not None and given is not by_suffix and not into_folder:
        raise UsageError(f"--out {path} is a .{suffix} file but --format is {given.value}")
    chosen = given or (None if into_folder else by_suffix) or BriefFormat.pdf
    name = f"{slug(topic, limit=60) or 'brief'}.{chosen.value}"
    if path is None or into_folder:
        return chosen, (path or folder) / name
    return chosen, path


def is_folder(out: str) -> bool:
    """An ``out`` that names a folder: one that is there, or any path ending in a slash."""
    return Path(out).is_dir() or out.endswith(("/", "\\"))


def render(
    selection: Selection, written_as: BriefFormat, issued: dt.date, settings: Settings, renderer: Renderer
) -> Callable[[], tuple[Brief, bytes | str, tuple[str, ...]]]:
    """The brief in a file format, and any warnings, when the call returned is made: PDF and HTML
    are the fitted page, laid out meanwhile by ``renderer``; Markdown and JSON every chosen point."""
    from .compose import compose
    from .render.text import json_document, markdown

    if written_as in (BriefFormat.pdf, BriefFormat.html):
        pending = renderer.submit(selection, issued, settings.subject, stale_after=settings.stale_after_days)

        def page() -> tuple[Brief, bytes | str, tuple[str, ...]]:
            rendered = pending.result()
            return rendered.brief, rendered.pdf if written_as is BriefFormat.pdf else rendered.html, rendered.warnings

        return page
    brief = compose(selection, issued, settings.subject, stale_after=settings.stale_after_days)
    document = markdown(brief) if written_as is BriefFormat.md else json_document(brief, selection)
    return lambda: (brief, document, ())


def write(target: Path, document: bytes | str) -> None:
    """Swap the brief in whole, after clearing what a killed run left beside it; a target that
    cannot be written is the user's to change, so a usage error."""
    sweep(target.parent)
    try:
        write_atomically(target, document)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except FileError as exc:
        raise UsageError(str(exc)) from exc
