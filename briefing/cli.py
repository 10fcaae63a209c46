"""The ``briefing`` command: parse options, call the library, print.

Every library error arrives as a ``BriefingError`` and leaves as one ``Error: ...``
line and its exit code; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from . import __version__
from .config import SETTINGS_FILE, Settings, load_settings
from .dates import parse_date
from .errors import EXIT_BUSY, EXIT_PARTIAL, BriefingError, UsageError
from .make import BriefFormat, MadeBrief
from .models import KINDS, BuildReport, DocumentSummary, Pick, Selection, Skipped, Source

if TYPE_CHECKING:
    from .evaluate import Report  # imported when eval runs: it loads rouge-score

HELP = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    help="Turn a corpus of news articles into one-page PDF policy briefs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings=HELP,
)
corpus_app = typer.Typer(help="Build, list and inspect the article corpus.", no_args_is_help=True, context_settings=HELP)
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
        _echo(f"briefing {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", envvar="BRIEFING_CONFIG", help="Settings file [default: briefing.toml here].", show_default=False
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    ctx.obj = {"debug": debug}
    token = SETTINGS_FILE.set(config)  # for this run's every load_settings()
    ctx.call_on_close(lambda: SETTINGS_FILE.reset(token))


@contextmanager
def _reported(ctx: typer.Context) -> Iterator[None]:
    try:
        yield
    except BriefingError as exc:
        if (ctx.find_root().obj or {}).get("debug"):
            raise
        _echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def _refresh(
    settings: Settings, quiet: bool, thorough: bool = False, workers: int | None = None, scheduler: str | None = None
) -> tuple[Path, BuildReport]:
    """Bring the index up to date with the corpus before anything reads it; only `corpus build` is
    ``thorough`` and names every skipped file, the others name those skipped for the first time."""
    from .index import Index

    started = time.perf_counter()
    report = Index.build(
        settings.corpus, settings.index, settings.max_file_bytes, settings.lock_wait, _say, thorough, workers, scheduler
    )
    if report.rebuilt_because:  # said by every command: a rebuild is never silent
        _echo(f"Rebuilt the index: {report.rebuilt_because}.", err=True)
    _print_skipped(report.skipped if thorough else report.newly_skipped)
    if not quiet:
        _echo(
            f"Indexed {settings.corpus} into {settings.index} in {time.perf_counter() - started:.2f} s: "
            f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
        )
    return settings.index, report


def _say(message: str) -> None:
    """A note on the way (waiting for another process), on stderr, for the library to call."""
    _echo(message, err=True)


# What a terminal would obey rather than print: ESC sequences (CSI, OSC and the rest), C0 controls
# but tab and newline, DEL, and C1 controls (U+009B is a CSI to many terminals).
_CONTROLS = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~]?)"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def _echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """Print a line the terminal shows as it is: corpus text, file names and feed links are untrusted,
    and an escape sequence in them would retitle, recolour or rewrite the user's terminal."""
    _write(_CONTROLS.sub("", str(message)), err=err, nl=nl)


def _write(data: str | bytes, err: bool = False, nl: bool = True) -> None:
    """Print; a reader that has stopped reading (``briefing corpus show ID | head``) ends the run
    quietly and successfully, as it ends ``cat``, instead of with a traceback or a bare exit 1."""
    try:
        typer.echo(data, err=err, nl=nl)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), (sys.stderr if err else sys.stdout).fileno())
        raise typer.Exit(0) from None


def _json(data: object) -> str:
    """JSON for other tools; control characters escaped (json leaves C1 and DEL as they are), never removed."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _print_skipped(skipped: tuple[Skipped, ...]) -> None:
    for item in skipped:
        _echo(f"Skipped {item.path}: {item.reason}", err=True)


@corpus_app.command("build")
def corpus_build(
    ctx: typer.Context,
    corpus: CorpusOption = None,
    index: IndexOption = None,
    workers: Annotated[
        Optional[int], typer.Option(min=1, help="Processes to read articles on [default: one per core].")
    ] = None,
    scheduler: Annotated[
        Optional[str],
        typer.Option(help="Read articles on this Dask cluster, tcp://HOST:PORT (needs briefing[cluster]).", metavar="URL"),
    ] = None,
) -> None:
    """Index the corpus: only new or changed files are processed."""
    with _reported(ctx):
        _, report = _refresh(load_settings(corpus, index), quiet=False, thorough=True, workers=workers, scheduler=scheduler)
    if report.skipped:
        raise typer.Exit(EXIT_PARTIAL)


@corpus_app.command("list")
def corpus_list(
    ctx: typer.Context, corpus: CorpusOption = None, index: IndexOption = None, as_json: JsonOption = False
) -> None:
    """List the documents: id, outlet, date, title, sentences."""
    from .index import Index

    with _reported(ctx):
        settings = load_settings(corpus, index)
        path, _ = _refresh(settings, quiet=True)
        with Index(path, settings.lock_wait) as opened:
            documents = opened.documents()
    if as_json:
        _echo(_json([_document_json(d) for d in documents]))
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
    """Show a document's cleaned sentences; ? marks questions, “ quotations, # headings."""
    from .index import Index

    with _reported(ctx):
        settings = load_settings(corpus, index)
        path, _ = _refresh(settings, quiet=True)
        with Index(path, settings.lock_wait) as opened:
            document, sentences = opened.document(doc_id)
    if as_json:
        data = _document_json(document) | {"sentences": [s.as_json() for s in sentences]}
        _echo(_json(data))
        return
    source = document.source
    _echo(f"{document.id}  ({document.path})")
    for name, value in source.as_dict().items():
        _echo(f"  {name}: {value}")
    paragraph = None
    for s in sentences:
        if s.paragraph != paragraph:
            _echo("")
            paragraph = s.paragraph
        marks = "# " if s.heading else ("?" if s.is_question else " ") + ("“" if s.in_quote else " ")
        speaker = f"{s.speaker}: " if s.speaker else ""
        _echo(f"{s.position:>4} {marks} {speaker}{s.text}")


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
        _echo(f"Added {item.path} (from {item.origin})")
    _print_skipped(report.skipped)
    if report.skipped:
        raise typer.Exit(EXIT_PARTIAL)


@corpus_app.command("fetch")
def corpus_fetch(
    ctx: typer.Context,
    feeds: Annotated[
        Optional[list[str]],
        typer.Argument(metavar="FEED...", help="RSS/Atom feeds, URLs or files [default: [feeds] urls in briefing.toml]."),
    ] = None,
    corpus: CorpusOption = None,
    timeout: Annotated[
        Optional[float],
        typer.Option(
            min=0.1, help="Seconds each feed or page may take in all, whatever the server does [default: feeds.timeout, 20]."
        ),
    ] = None,
) -> None:
    """Add new articles from RSS/Atom feeds; entries whose link or text the corpus holds are left alone."""
    from .feeds import fetch

    with _reported(ctx):
        settings = load_settings(corpus, None)
        chosen = tuple(feeds or ()) or settings.feeds
        if not chosen:
            raise UsageError("no feeds: give FEED... or list them under [feeds] urls in briefing.toml")
        report = fetch(chosen, settings.corpus, limit=settings.max_file_bytes, timeout=timeout or settings.feed_timeout)
    _print_fetched(report)
    if report.skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _print_fetched(report) -> None:
    """Each feed's entries, then one line for the feed: what became of them, or why it was skipped."""
    for feed in report.feeds:
        for item in feed.added:
            _echo(f"Added {item.path} (from {item.origin})")
        for item in feed.teasers:
            _echo(f"Warning: {item.path}: {item.reason}", err=True)
        if feed.unread:
            _echo(f"Skipped {feed.feed}: {feed.unread}", err=True)
            continue
        _print_skipped(feed.skipped)
        _echo(f"Feed {feed.feed}: {feed.summary}")


@app.command("init")
def init_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="[DIR]", help="The project folder [default: here].")] = Path("."),
) -> None:
    """Lay out a project folder: corpus/ with sample articles, topics.toml, briefing.toml, out/."""
    from .project import init_project

    with _reported(ctx):
        laid = init_project(folder)
    _echo(
        f"Laid out {laid.folder}: corpus/ ({laid.articles} sample articles), topics.toml, briefing.toml, out/. "
        "Replace the samples with your articles (`briefing corpus add FILE`) and your topics, then run "
        "`briefing make --topic NAME` there."
    )


TopicsOption = Annotated[
    Path, typer.Option("--topics", envvar="BRIEFING_TOPICS", help="Topics file.", show_default=True)
]


@app.command("make")
def make(
    ctx: typer.Context,
    topic: Annotated[
        list[str] | None,
        typer.Option(help="A topic name from the topics file; repeat for more.", autocompletion=_complete_topic),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every topic of the topics file.")] = False,
    keywords: Annotated[
        Optional[str], typer.Option(help='Ad-hoc keywords instead of a topic: "water, glaciers" or a question.')
    ] = None,
    title: Annotated[
        Optional[str], typer.Option(help="The brief's title [default: the topic's, or the first keyword].")
    ] = None,
    topics: TopicsOption = Path("topics.toml"),
    output_format: Annotated[
        Optional[BriefFormat],
        typer.Option("--format", help="pdf (one page), html, md, json, or text [default: --out's extension, or pdf]."),
    ] = None,
    out: Annotated[
        Optional[str],
        typer.Option("--out", help="Output file, or folder for out/<topic>.<format> [default: out/]; - for stdout."),
    ] = None,
    issued: Annotated[Optional[str], typer.Option(help="Date of issue, YYYY-MM-DD [default: today].")] = None,
    ranker: Annotated[str, typer.Option(help="lexrank, textrank or relevance.")] = "lexrank",
    sentences: Annotated[int, typer.Option(min=1, max=100, help="How many sentences to choose before fitting.")] = 16,
    explain: Annotated[bool, typer.Option(help="Show every candidate's scores, why it was taken or not, and what was left out to fit.")] = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
) -> None:
    """Make a brief on a topic (or several, or --all): a one-page PDF by default, written to out/<topic>.pdf."""
    from .make import BriefRequest, make_briefs

    skipped = False
    with _reported(ctx):
        settings = load_settings(corpus, index)
        request = BriefRequest(
            topics=tuple(topic or ()),
            every=every,
            keywords=keywords,
            title=title,
            topics_file=topics,
            format=output_format,
            out=out,
            issued=_day(issued, "--issued") if issued is not None else None,
            ranker=ranker,
            sentences=sentences,
        )
        for made in make_briefs(request, settings, say=_say, indexed=_print_indexed):
            if made.skipped is not None:
                _echo(f"Skipped {made.topic.name}: {made.skipped}", err=True)
                skipped = True
                continue
            _print_made(made, explain)
    if skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _print_made(made: MadeBrief, explain: bool) -> None:
    """A brief sent to stdout, its warnings, where it was written and, with --explain, what was left
    out and why; a text brief is its selection, printed."""
    from .compose import plural

    brief = made.brief
    if brief is None:
        _print_selection(made.selection)
    else:
        if isinstance(made.document, bytes):
            _write(made.document, nl=False)  # a PDF's bytes, for a pipe
        elif made.document is not None:
            _echo(made.document, nl=False)
        for warning in made.warnings:
            _echo(f"Warning: {warning}", err=True)
        if made.target is not None:
            _echo(
                f"Wrote {made.target}: {plural(len(brief.points), 'point')} from {plural(len(brief.notes), 'source')}"
                + (f", {len(brief.left_out)} left out to fit one page" if brief.left_out else "")
                + "."
            )
        if explain and brief.left_out:
            _echo("Left out to fit one page (lowest ranked first out):")
            for point in sorted(brief.left_out, key=lambda p: -p.rank):
                _echo(f"  rank {point.rank}: {_fit(point.text, 100)}")
    if explain:
        _print_explanation(made.selection)


@app.command("eval")
def evaluate_command(
    ctx: typer.Context,
    dataset: Annotated[Path, typer.Argument(help="A folder of topics in DUC layout (topic.txt, docs/, refs/).")],
    ranker: Annotated[str, typer.Option(help="lexrank, textrank or relevance.")] = "lexrank",
    baselines: Annotated[
        str, typer.Option(help="Comma-separated systems to run beside ours: lead, sumy-lexrank, sumy-textrank.")
    ] = "lead",
    summaries: Annotated[
        Optional[Path], typer.Option(help="Keep every summary as DIR/<SYSTEM>/<TOPIC>.txt, one sentence a line.")
    ] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Only the first N topics.")] = None,
    as_json: JsonOption = False,
    save_baseline: Annotated[
        Optional[Path], typer.Option(help="Store our means as the quality gate's baseline in this file.")
    ] = None,
    allow_lower: Annotated[bool, typer.Option(help="Allow --save-baseline to lower the stored ROUGE-2.")] = False,
    cross_validate: Annotated[
        bool,
        typer.Option(
            "--cross-validate",
            help="Fit the ranking model on the topics with odd ids and score the even ones, and the other way round.",
        ),
    ] = False,
) -> None:
    """Score the summariser with ROUGE against human summaries, beside baselines."""
    from rich.console import Console
    from rich.progress import Progress

    from . import evaluate as ev
    from .summarise import SummarySettings

    if cross_validate:
        _cross_validate(ctx, dataset, ranker, limit, as_json, bool(save_baseline))
        return
    with _reported(ctx):
        systems = ["ours", *(s.strip() for s in baselines.split(",") if s.strip())]
        ev.check_systems(systems)
        if save_baseline and limit:
            raise UsageError("--save-baseline stores the means of the whole dataset: drop --limit")
        topics = ev.load_dataset(dataset)[:limit]
        console = Console(stderr=True)
        with Progress(console=console, transient=True, disable=as_json or not sys.stderr.isatty()) as progress:
            task = progress.add_task("Evaluating", total=len(topics))
            report = ev.evaluate(topics, systems, SummarySettings(ranker=ranker), lambda t: progress.advance(task))
        if summaries is not None:
            ev.write_summaries(report, summaries)
        record = ev.save_baseline(report, save_baseline, allow_lower) if save_baseline else None
    _print_skipped(report.skipped)
    if as_json:
        data = {
            "dataset": report.dataset,
            "ranker": ranker,
            "skipped": [{"article": s.path, "reason": s.reason} for s in report.skipped],
            "means": {s: report.means(s) for s in report.systems()},
            "topics": [
                {k: getattr(r, k) for k in ("topic", "system", "rouge_1", "rouge_2", "rouge_su4", "seconds")}
                for r in report.results
            ],
        }
        _echo(json.dumps(data, indent=2))
    else:
        _eval_table(report, len(topics), ranker, save_baseline if record else None)
    if report.skipped:
        count = len(report.skipped)
        _echo(f"{count} article{'s' * (count != 1)} skipped: no text left to read in them.", err=True)
        raise typer.Exit(EXIT_PARTIAL)


def _cross_validate(ctx: typer.Context, dataset: Path, ranker: str, limit: int | None, as_json: bool, saving: bool) -> None:
    """Both halves' scores on topics their model never saw, and the mean of the halves."""
    from . import evaluate as ev
    from .summarise import SummarySettings

    with _reported(ctx):
        if saving:
            raise UsageError("--save-baseline stores the shipped model's scores: drop --cross-validate")
        material, skipped = ev.training(ev.load_dataset(dataset)[:limit], SummarySettings(ranker=ranker))
        folds = ev.cross_validate(material, SummarySettings(ranker=ranker))
    _print_skipped(skipped)
    means = ev.mean_of_folds(folds)
    if as_json:
        halves = {half: {"topics": len(r.results), **r.means("ours")} for half, r in folds}
        _echo(json.dumps({"ranker": ranker, "halves": halves, "mean": means}, indent=2))
    else:
        _echo(f"{'tested on':<18}{'R-1':>8}{'R-2':>8}{'R-SU4':>8}")
        for half, r in folds:
            m = r.means("ours")
            _echo(f"{f'{len(r.results)} {half} topics':<18}{m['rouge_1']:8.4f}{m['rouge_2']:8.4f}{m['rouge_su4']:8.4f}")
        _echo(f"{'mean of halves':<18}" + "".join(f"{means[n]:8.4f}" for n in ev.SCORES))
    if skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _eval_table(report: Report, topics: int, ranker: str, saved: Path | None) -> None:
    _echo(f"{'topic':<9}{'system':<15}{'R-1':>8}{'R-2':>8}{'R-SU4':>8}{'s':>7}")
    for r in report.results:
        _echo(f"{r.topic:<9}{r.system:<15}{r.rouge_1:8.4f}{r.rouge_2:8.4f}{r.rouge_su4:8.4f}{r.seconds:7.2f}")
    _echo(f"\nmeans over {topics} topics (ranker {ranker}):")
    anchor = report.means("sumy-lexrank") if "sumy-lexrank" in report.systems() else None
    for system in report.systems():
        m = report.means(system)
        ratio = f"{m['rouge_2'] / anchor['rouge_2']:.2f}x sumy-lexrank R-2" if anchor else ""
        _echo(
            f"{system:<15}R-1 {m['rouge_1']:.4f}  R-2 {m['rouge_2']:.4f}  R-SU4 {m['rouge_su4']:.4f}  "
            f"{m['seconds']:.2f} s/topic  {ratio}".rstrip()
        )
    if saved:
        _echo(f"Stored the baseline in {saved}: R-2 {report.means('ours')['rouge_2']:.4f}")


digest_app = typer.Typer(context_settings=HELP)  # its help is digest_command's
app.add_typer(digest_app, name="digest")
DigestsOption = Annotated[
    Optional[Path], typer.Option("--out", help="Folder of digests [default: out/digests/].", show_default=False)
]
DeliverOption = Annotated[
    Optional[Path], typer.Option(help="Copy the digest into this shared folder [default: digest.deliver].")
]
MailToOption = Annotated[
    Optional[list[str]],
    typer.Option("--mail-to", help="Mail the PDFs to this address (repeat for more) [default: mail.to]; SMTP from [mail]."),
]
MailEmptyOption = Annotated[
    bool, typer.Option("--mail-empty", help="Mail a digest without articles too (by default it is made, not mailed).")
]
SecretsOption = Annotated[
    Optional[Path],
    typer.Option(help="A file only you can read (chmod 600) of NAME=value lines, such as BRIEFING_SMTP_PASSWORD=…"),
]
WaitOption = Annotated[
    bool,
    typer.Option("--skip-if-busy", help=f"If another digest is running, exit {EXIT_BUSY} at once instead of waiting for it."),
]


@digest_app.callback(invoke_without_command=True)
def digest_command(
    ctx: typer.Context,
    week: Annotated[Optional[str], typer.Option(help="An ISO week: 2025-W16.")] = None,
    since: Annotated[Optional[str], typer.Option(help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Last day, YYYY-MM-DD [default: --as-of].")] = None,
    as_of: Annotated[
        Optional[str], typer.Option("--as-of", help="Last day of the default window (the 7 days up to it) [default: today].")
    ] = None,
    since_last: Annotated[
        bool, typer.Option("--since-last", help="Everything added to the corpus since the last --since-last digest.")
    ] = False,
    fetch: Annotated[bool, typer.Option("--fetch", help="First add new articles from the feeds of briefing.toml.")] = False,
    topics: TopicsOption = Path("topics.toml"),
    out: DigestsOption = None,
    deliver: DeliverOption = None,
    mail_to: MailToOption = None,
    mail_empty: MailEmptyOption = False,
    secrets: SecretsOption = None,
    skip_if_busy: WaitOption = False,
    log: Annotated[
        Optional[Path], typer.Option(help="Append the run to this log, with a header, rotated past 1 MiB (for cron).")
    ] = None,
    alert_to: Annotated[
        Optional[list[str]], typer.Option("--alert-to", help="Mail this address when the run fails (repeat for more).")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Only check the options and settings; make nothing.")] = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
) -> None:
    """Make one brief per topic from the articles of a window, and an index page, into out/digests/<window>/.
    `digest list` shows past digests; `digest resend WINDOW` hands one off again."""
    if ctx.invoked_subcommand is not None:
        return
    from .digest import run

    with _logged(log, ctx), _stopped_cleanly() as check_stop, _alerting(ctx, tuple(alert_to or ()), secrets, log):
        with _reported(ctx):
            request = run.Request(
                week=week,
                since=_day(since, "--since") if since else None,
                until=_day(until, "--until") if until else None,
                as_of=_day(as_of, "--as-of") if as_of else None,
                since_last=since_last,
                fetch=fetch,
                topics=topics,
                digests=out,
                deliver=deliver,
                mail_to=tuple(mail_to or ()),
                mail_empty=mail_empty,
                secrets=secrets,
                wait=0 if skip_if_busy else None,
            )
            settings = load_settings(corpus, index)
            checked = run.plan(request, settings)
            if check:
                if alert_to:
                    run.recipients(tuple(alert_to), settings, checked.environ)
                _echo("The digest options and settings are fine.")
                return
            hooks = run.Hooks(
                say=_say,
                fetched=_print_fetched,
                indexed=_print_indexed,
                progress=lambda window, total: _progress(f"Digest {window.name}", total),
                between_steps=check_stop,
            )
            outcome = run.run(checked, hooks)
        _print_outcome(outcome)
        if outcome.skipped:
            raise typer.Exit(EXIT_PARTIAL)


@digest_app.command("list")
def digest_list(
    ctx: typer.Context,
    out: DigestsOption = None,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the digests made: window, when made, where delivered, to whom mailed, and failures."""
    from .digest import run

    with _reported(ctx):
        settings = load_settings(None, index)
        listed = run.listing(out or settings.digests, settings.index)
    if as_json:
        from .digest.record import entry_json

        _echo(_json([{**entry_json(item.entry), "folder": item.folder} for item in listed]))
        return
    if not listed:
        _echo(f"No digests in {out or settings.digests}.")
    for item in listed:
        e = item.entry
        _echo(f"{e.window}  {e.label}")
        _echo(f"    made {e.made or 'before the record was kept'}: {e.articles} articles, {e.briefs} briefs"
              + ("" if item.folder else " (its folder is gone)"))
        for h in e.delivered:
            _echo(f"    delivered {h.at} to {h.to[0]}")
        for h in e.mailed:
            _echo(f"    mailed {h.at} to {', '.join(h.to)}")
        for f in e.failures:
            _echo(f"    FAILED {f.at} to {f.what}: {f.error}")


@digest_app.command("resend")
def digest_resend(
    ctx: typer.Context,
    window: Annotated[str, typer.Argument(metavar="WINDOW", help="A digest's window, as `briefing digest list` names it.")],
    out: DigestsOption = None,
    deliver: DeliverOption = None,
    mail_to: MailToOption = None,
    mail_empty: MailEmptyOption = False,
    secrets: SecretsOption = None,
    skip_if_busy: WaitOption = False,
    index: IndexOption = None,
) -> None:
    """Deliver or mail a digest made earlier again, as it is in its folder."""
    from .digest import run

    request = run.Request(
        digests=out,
        deliver=deliver,
        mail_to=tuple(mail_to or ()),
        mail_empty=mail_empty,
        secrets=secrets,
        wait=0 if skip_if_busy else None,
    )
    with _reported(ctx):
        checked = run.plan(request, load_settings(None, index))
        outcome = run.resend(window, checked, run.Hooks(say=_say))
    _print_handoff(outcome)


@digest_app.command("alert")
def digest_alert(
    ctx: typer.Context,
    to: Annotated[list[str], typer.Option("--to", help="Who to tell (repeat for more).")],
    unit: Annotated[str, typer.Option(help="The systemd unit that failed; its journal's end goes in the mail.")],
    secrets: SecretsOption = None,
) -> None:
    """Mail that a scheduled digest failed (what systemd's OnFailure= runs)."""
    from .digest import run, unattended

    with _reported(ctx):
        sent = run.failed_unit_alert(tuple(to), load_settings(), unattended.environment(secrets), unit)
    _echo(f"Mailed the alert to {', '.join(sent)}")


@contextmanager
def _logged(log: Path | None, ctx: typer.Context) -> Iterator[None]:
    """With --log, everything the run prints goes to the log, under a header saying which run it is."""
    if log is None:
        yield
        return
    from contextlib import redirect_stderr, redirect_stdout

    from .digest.unattended import run_log

    with _reported(ctx), run_log(log, [Path(sys.argv[0]).name, *sys.argv[1:]]) as stream, redirect_stdout(stream), redirect_stderr(stream):
        yield


@contextmanager
def _alerting(ctx: typer.Context, to: tuple[str, ...], secrets: Path | None, log: Path | None) -> Iterator[None]:
    """With --alert-to, a run that fails (not one skipped for another that runs) is also mailed about:
    under cron its output goes to the log, so cron's own mail never fires."""
    try:
        yield
    except BaseException as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 1))
        if to and code not in (0, EXIT_PARTIAL, EXIT_BUSY):
            _send_alert(ctx, to, secrets, log, exc, code)
        raise


def _send_alert(ctx: typer.Context, to: tuple[str, ...], secrets: Path | None, log: Path | None, exc, code) -> None:
    from .digest import run, unattended

    try:
        with _reported(ctx):
            environ = unattended.environment(secrets)
            sent = run.failed_run_alert(to, load_settings(), environ, code, log, f"{type(exc).__name__}: {exc}")
        _echo(f"Mailed the failure alert to {', '.join(sent)}", err=True)
    except typer.Exit:
        _echo("Error: the failure alert could not be mailed either", err=True)


def _print_indexed(report: BuildReport) -> None:
    """What `make` and `digest` say of the refresh: a rebuild, and files skipped for the first time."""
    if report.rebuilt_because:
        _echo(f"Rebuilt the index: {report.rebuilt_because}.", err=True)
    _print_skipped(report.newly_skipped)


def _print_outcome(outcome) -> None:
    from .compose import plural

    made = outcome.digest
    rendered = sum(b.rendered for b in made.briefs)
    for item in made.unplaced:
        _echo(f"Not placed in the window: {item.document_id} ({item.reason})", err=True)
    if not made.placed:
        _echo(f"No articles in {made.window.label}: wrote an empty digest index to {made.folder / made.index_pdf}")
    else:
        _echo(
            f"Wrote {made.folder}: {plural(len(made.briefs), 'brief')} ({rendered} rendered, "
            f"{len(made.briefs) - rendered} unchanged), {plural(len(made.nothing_new), 'topic')} with nothing new, "
            f"{plural(len(made.placed), 'article')}."
        )
    _print_handoff(outcome)


def _print_handoff(outcome) -> None:
    from .compose import plural

    if outcome.delivered:
        _echo(f"Delivered to {outcome.delivered}")
    if outcome.mailed:
        _echo(f"Mailed {plural(len(outcome.digest.files), 'PDF')} to {', '.join(outcome.mailed)}")
    if outcome.not_mailed:
        _echo(outcome.not_mailed)


@contextmanager
def _stopped_cleanly() -> Iterator[Callable[[], None]]:
    """A scheduler stops a job with SIGTERM: turn it into an exit that runs the clean-up code, so a
    half-made digest is cleared away as after Ctrl-C. An exception raised by a signal handler is
    lost when the signal lands in a ``__del__`` (WeasyPrint has some), so the stop is also kept,
    and the function yielded raises it again: call it between steps."""
    import signal

    stopped: list[int] = []

    def stop(number: int, frame: object) -> None:
        stopped.append(number)
        sys.exit(128 + number)

    def check() -> None:
        if stopped:
            sys.exit(128 + stopped[0])

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield check
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[str, str], None]]:
    """A progress bar on a terminal; plain timestamped lines otherwise (cron logs)."""
    import datetime as dt

    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda name, outcome: bar.advance(task)
        return

    def log(name: str, outcome: str) -> None:
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        _echo(f"{stamp} {label}: {name}: {outcome}", err=True)

    yield log


def _day(text: str, option: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{option} must be a date as YYYY-MM-DD, not {text!r}") from exc


@app.command("schedule")
def schedule_command(
    ctx: typer.Context,
    weekly: Annotated[
        tuple[str, str],
        typer.Option("--weekly", metavar="DAY HH:MM", help="When: a day (mon … sun) and a 24-hour time."),
    ],
    systemd: Annotated[
        bool, typer.Option("--systemd", help="A systemd user timer and service instead of a crontab line.")
    ] = False,
    install: Annotated[
        bool, typer.Option("--install", help="Install it for the current user, replacing this folder's earlier one.")
    ] = False,
    digest_args: Annotated[
        str, typer.Option("--digest-args", metavar="ARGS", help="Options for `briefing digest`, as in a shell.")
    ] = "--fetch --since-last",
    secrets: Annotated[
        Optional[Path],
        typer.Option(help="A file only you can read (chmod 600) with BRIEFING_SMTP_PASSWORD=…, for the scheduled runs."),
    ] = None,
    alert_to: Annotated[
        Optional[list[str]], typer.Option("--alert-to", help="Mail this address when a scheduled run fails (repeat for more).")
    ] = None,
) -> None:
    """Print a weekly job running `briefing digest` here (never two at once; logged, alerting on failure); --install installs it."""
    import shlex

    from .digest import schedule as sch

    with _reported(ctx):
        when = sch.parse_weekly(*weekly)
        try:
            extra = shlex.split(digest_args)
        except ValueError as exc:
            raise UsageError(f"--digest-args: {exc}") from exc
        settings = load_settings()
        alerts = tuple(alert_to or ())
        options = [*(["--secrets", str(secrets)] if secrets else []), *(w for a in alerts for w in ("--alert-to", a))]
        _check_digest_args([*extra, *options])
        config = SETTINGS_FILE.get()  # the scheduled runs read the settings this one read
        named = ("--config", str(config.absolute())) if config is not None else ()
        job = sch.job_for(Path.cwd(), (*named, "digest", *extra), out=settings.out, secrets=secrets, alert_to=alerts)
        if systemd:
            for name, text in sch.systemd_units(when, job).items():
                _echo(f"# {name}\n{text}")
        else:
            _echo(sch.cron_line(when, job))
        if not alerts:
            _echo("Note: no --alert-to, so a failed run is only seen in the log.", err=True)
        if install and systemd:
            written = sch.install_systemd(when, job)
            _echo(
                f"Wrote {', '.join(map(str, written))} and started {written[1].name} (`systemctl --user list-timers` "
                f"shows it); `journalctl --user -u {written[0].name}` shows its runs. Without `loginctl enable-linger` "
                "it runs only while you are logged in.",
                err=True,
            )
        elif install:
            sch.install_cron(when, job)
            _echo(f"Installed in your crontab (`crontab -l` shows it); the log is {job.log}.", err=True)


def _check_digest_args(args: list[str]) -> None:
    """Parse the scheduled digest's options now and check them as the run would (`digest --check`):
    a typo found at schedule time costs a second, one found by the first run costs a week."""
    import io
    from contextlib import redirect_stdout

    command = typer.main.get_command(app)
    try:
        # --debug: the check's errors come here whole; "fine" is for a person asking, not for the schedule
        with command.make_context("briefing", ["--debug", "digest", *args, "--check"]) as check, redirect_stdout(
            io.StringIO()
        ):
            command.invoke(check)
    except BriefingError as exc:
        raise UsageError(f"--digest-args: {exc}") from exc
    except Exception as exc:  # the parser's own errors: an unknown option, a missing value
        message = getattr(exc, "format_message", None)
        if message is None:
            raise
        raise UsageError(f"--digest-args: {message()}") from exc


@app.command("topics")
def list_topics(
    ctx: typer.Context,
    topics: TopicsOption = Path("topics.toml"),
    corpus: CorpusOption = None,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the topics and how many sentences of the corpus each matches."""
    from .index import Index
    from .select import count_matches
    from .topics import load_topics

    with _reported(ctx):
        known = load_topics(topics)
        settings = load_settings(corpus, index)
        path, _ = _refresh(settings, quiet=True)
        with Index(path, settings.lock_wait) as opened:
            counts = {name: count_matches(opened, t) for name, t in known.items()}
    if as_json:
        rows = [{"name": n, "title": t.title, "keywords": list(t.keywords), "matches": counts[n]} for n, t in known.items()]
        _echo(_json(rows))
        return
    width = max(len(n) for n in known)
    for name, t in known.items():
        _echo(f"{name:<{width}}  {counts[name]:>5}  {t.title}")


def _complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    """TAB on --topic: the names in the topics file (--topics, if given before it); none if it cannot be read."""
    from .topics import load_topics

    try:
        known = load_topics(ctx.params.get("topics") or Path("topics.toml"))
    except BriefingError:
        return []
    return [name for name in known if name.casefold().startswith(incomplete.casefold())]


def _cite(pick: Pick) -> str:
    return "; ".join(f"{s.outlet or 'unknown outlet'}, {s.date or 'undated'}" for s in pick.sources)


def _print_selection(selection: Selection) -> None:
    from .compose import plural

    sources = {s for pick in selection.chosen for s in pick.sources}
    _echo(
        f"{selection.topic.title}: {plural(len(selection.chosen), 'point')} from {plural(len(sources), 'source')} "
        f"(ranker {selection.ranker}; keywords: {', '.join(selection.topic.keywords)})"
    )
    for number, pick in enumerate(selection.chosen, 1):
        lead = "".join(f"{s.text} " for s in pick.lead_in)
        speaker = f" — {pick.candidate.sentence.speaker}" if pick.candidate.sentence.speaker else ""
        _echo(f"\n{number:>2}. {lead}{pick.candidate.sentence.text}{speaker}")
        _echo(f"    [{_cite(pick)}]")


def _print_explanation(selection: Selection) -> None:
    _echo("\nrelevance  centrality  redundancy  score  verdict — sentence")
    for pick in (*selection.chosen, *selection.rejected):
        c = pick.candidate
        how = f" (continues {c.follows[0]}#{c.follows[1]})" if c.follows else ""
        _echo(
            f"{c.relevance:9.2f}  {pick.centrality:10.2f}  {pick.redundancy:10.2f}  {pick.score:5.2f}  "
            f"{pick.reason}{how} — {c.sentence.document_id}#{c.sentence.position}: {_fit(c.sentence.text, 90)}"
        )


def _document_json(document: DocumentSummary) -> dict:
    return {"id": document.id, "path": document.path, **document.source.as_json(), "sentences": document.sentences}


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
        _echo("  ".join([*(c.ljust(w) for c, w in zip(cells[:4], widths)), cells[4].rjust(widths[4])]).rstrip())


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
