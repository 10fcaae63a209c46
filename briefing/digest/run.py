"""A digest run from start to end, the one path `briefing digest`, `digest resend` and the scheduler take.

Everything that can be checked is checked before anything is made (``plan``): a typo in an
address or a missing shared folder fails in a second, not after rendering. The whole run holds
the digests' lock, so a run by hand and a scheduled one never overlap. Each step's outcome goes
into the record as it happens (made, delivered, mailed, failed); the ``--since-last`` record
moves on only once the digest was handed off, so nothing is ever missed or sent twice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import BriefingError, FileError, UsageError
from ..files import read_limited
from ..ingest.loaders import MAX_FILE_BYTES
from ..models import BuildReport, Digest, Placed, Skipped, Source, Topic, TopicBrief, Window
from . import record
from .handoff import check_mail, check_shared, deliver, mail, subject, text
from .unattended import environment, journal, tail
from .windows import between, iso_week, last_days, since_last, span

if TYPE_CHECKING:
    from ..feeds import FetchReport

Progress = Callable[[str, str], None]


@dataclass(frozen=True)
class Request:
    """What a run is asked for, as the user gave it; ``plan`` checks it."""

    week: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    as_of: dt.date | None = None
    since_last: bool = False
    fetch: bool = False
    topics: Path = Path("topics.toml")
    digests: Path | None = None  # default: the settings' digest.out
    deliver: Path | None = None  # default: the settings' digest.deliver
    mail_to: tuple[str, ...] = ()  # default: the settings' mail.to
    mail_empty: bool = False  # mail a digest with no articles too (by default it is made, not mailed)
    secrets: Path | None = None  # a 0600 file of NAME=value lines, for the SMTP password
    wait: float | None = None  # seconds to wait for another digest [default: the settings' lock_wait]


@dataclass(frozen=True)
class Plan:
    """A checked request: everything a run needs, decided before it takes the lock."""

    request: Request
    settings: Settings
    digests: Path
    topics: Mapping[str, Topic]
    day: dt.date
    shared: Path | None
    recipients: tuple[str, ...]
    environ: Mapping[str, str] = field(repr=False)  # secrets included: never printed


@dataclass(frozen=True)
class Hooks:
    """How a run tells its caller what happens while it happens; the CLI prints, a library user may not."""

    say: Callable[[str], None] = lambda message: None
    fetched: Callable[[FetchReport], None] = lambda report: None
    indexed: Callable[[BuildReport], None] = lambda report: None
    progress: Callable[[Window, int], AbstractContextManager[Progress]] = lambda window, total: nullcontext(
        lambda name, outcome: None
    )
    between_steps: Callable[[], None] = lambda: None  # where a stop request may end the run cleanly


@dataclass(frozen=True)
class Outcome:
    """What a run did, for the caller to report."""

    digest: Digest
    skipped: tuple[Skipped, ...] = ()  # feeds or entries --fetch could not use
    delivered: Path | None = None
    mailed: tuple[str, ...] = ()
    not_mailed: str | None = None  # why the digest was made but not mailed


def plan(request: Request, settings: Settings, environ: Mapping[str, str] = os.environ) -> Plan:
    """Check a request whole, before anything is fetched, made or locked."""
    from ..topics import load_topics

    if sum((request.week is not None, request.since is not None or request.until is not None, request.since_last)) > 1:
        raise UsageError("give one window: --week, --since/--until, or --since-last")
    if request.until is not None and request.since is None:
        raise UsageError("--until needs --since")
    if request.as_of is not None and (request.week is not None or request.until is not None):
        raise UsageError("--as-of sets the end of the default window: not with --week or --until")
    day = request.as_of or dt.date.today()
    if request.since is not None and request.until is None and request.since > day:
        raise UsageError(f"--since {request.since} is after --as-of {day} (today unless given): give --until")
    if request.week is not None:
        iso_week(request.week)
    elif request.since is not None:
        between(request.since, request.until or day)
    variables = environment(request.secrets, environ)
    shared = request.deliver or settings.deliver
    if shared is not None:
        check_shared(shared)
    return Plan(
        request=request,
        settings=settings,
        digests=request.digests or settings.digests,
        topics=load_topics(request.topics),
        day=day,
        shared=shared,
        recipients=recipients(request.mail_to, settings, variables),
        environ=variables,
    )


def recipients(mail_to: tuple[str, ...], settings: Settings, environ: Mapping[str, str]) -> tuple[str, ...]:
    """Who gets the digest by mail: ``--mail-to``, else ``mail.to``; checked before anything is made."""
    if not mail_to and (settings.mail is None or not settings.mail.to):
        return ()
    if settings.mail is None:
        raise UsageError("--mail-to needs a [mail] table in briefing.toml (host, sender)")
    return check_mail(mail_to, settings.mail, environ)


def run(checked: Plan, hooks: Hooks = Hooks()) -> Outcome:
    """Fetch, index, make, hand off and record, holding the digests' lock throughout."""
    from ..index import Index
    from .make import make_digest

    settings, request, digests = checked.settings, checked.request, checked.digests
    wait = settings.lock_wait if request.wait is None else request.wait
    with record.held(digests, wait, hooks.say):
        skipped = _fetch(settings, hooks) if request.fetch else ()
        hooks.indexed(
            Index.build(settings.corpus, settings.index, settings.max_file_bytes, settings.lock_wait, hooks.say, thorough=False)
        )
        kept = record.load(digests, settings.index)
        if request.since_last and kept.taken_from:
            hooks.say(f"Warning: there is no digest record at {record.path(digests)}; took it from {kept.taken_from}.")
        window = _window(request, checked.day, kept)
        with Index(settings.index, settings.lock_wait) as opened, hooks.progress(window, len(checked.topics)) as step:

            def progress(name: str, outcome: str) -> None:
                step(name, outcome)
                hooks.between_steps()

            digested = kept.digested if request.since_last else None
            made = make_digest(opened, checked.topics, window, digests, settings.subject, digested, progress=progress)
        record.made(digests, settings.index, made)
        hooks.between_steps()  # stopped at the very end: the digest is whole, but it is not handed off
        outcome = hand_off(made, checked, hooks)
        if request.since_last and made.placed:
            record.covered(digests, settings.index, made)
    return Outcome(made, skipped, outcome.delivered, outcome.mailed, outcome.not_mailed)


def hand_off(made: Digest, checked: Plan, hooks: Hooks = Hooks()) -> Outcome:
    """Deliver and mail a made digest as planned, each outcome recorded; an empty one is not mailed
    unless asked. A failure is recorded, then raised."""
    digests, index = checked.digests, checked.settings.index
    delivered = None
    if checked.shared is not None:
        try:
            delivered = deliver(made.folder, checked.shared)
        except BriefingError as exc:
            record.failed(digests, index, made.window.name, "deliver", str(exc))
            raise
        record.handed_off(digests, index, made.window.name, "delivered", (str(delivered),))
        hooks.say(f"Delivered to {delivered}")
    mailed: tuple[str, ...] = ()
    not_mailed = None
    if checked.recipients and not made.placed and not checked.request.mail_empty:
        not_mailed = f"Not mailed: no articles in {made.window.label} (--mail-empty mails an empty digest too)."
    elif checked.recipients:
        try:
            mailed = mail(made.files, checked.recipients, checked.settings.mail, subject(made), text(made), checked.environ)
        except BriefingError as exc:
            record.failed(digests, index, made.window.name, "mail", str(exc))
            raise
        record.handed_off(digests, index, made.window.name, "mailed", mailed)
    return Outcome(made, (), delivered, mailed, not_mailed)


def resend(name: str, checked: Plan, hooks: Hooks = Hooks()) -> Outcome:
    """Hand off a digest made earlier again, as it is in its folder: after a refused mail, or to a new
    reader. A ``--since-last`` digest sent this way counts as handed off."""
    settings, digests = checked.settings, checked.digests
    wait = settings.lock_wait if checked.request.wait is None else checked.request.wait
    if not checked.shared and not checked.recipients:
        raise UsageError("nowhere to resend to: give --mail-to or --deliver (or set mail.to or digest.deliver)")
    with record.held(digests, wait, hooks.say):
        made = read_digest(digests, name)
        outcome = hand_off(made, checked, hooks)
        if not made.window.by_date and made.placed and (outcome.delivered or outcome.mailed):
            record.covered(digests, settings.index, made)
    return outcome


@dataclass(frozen=True)
class Listed:
    """A digest as `digest list` shows it."""

    entry: record.Entry
    folder: bool  # its folder is still there, so it can be resent


def listing(digests: Path, index: Path | None = None) -> tuple[Listed, ...]:
    """Every digest of the record in the order made, then folders made before there was a record."""
    kept = record.load(digests, index)
    entries = dict(kept.digests)
    for folder in sorted(digests.glob("*/" + record.INDEX_JSON)):
        name = folder.parent.name
        if name not in entries and not name.startswith("."):
            entries[name] = record.Entry(name, _label(folder))
    return tuple(Listed(e, (digests / e.window / record.INDEX_JSON).is_file()) for e in entries.values())


def read_digest(digests: Path, name: str) -> Digest:
    """A digest made earlier, from its folder's index.json: what a resend needs to mail it again."""
    folder = digests / name
    if "/" in name or name.startswith(".") or not (folder / record.INDEX_JSON).is_file():
        raise UsageError(f"no digest {name!r} in {digests} (`briefing digest list` shows them)")
    try:
        data = json.loads(read_limited(folder / record.INDEX_JSON, MAX_FILE_BYTES))
        w = data["window"]
        start = dt.date.fromisoformat(w["start"]) if w["start"] else None
        end = dt.date.fromisoformat(w["end"])
        dates = w.get("dates") or (span(start, end) if start else f"added by {span(end, end)}")
        window = Window(w["name"], w["label"], dates, start, end)
        briefs = tuple(
            TopicBrief(b["name"], b["title"], b["file"], b["points"], b["sources"], (), b["fingerprint"], b["sha256"], False)
            for b in data["briefs"]
        )
        quiet = tuple(Topic(t["name"], t["title"], ()) for t in data["nothing_new"])
        placed = tuple(Placed(a["id"], Source(outlet=a.get("outlet")), a["counted_by"]) for a in data["articles"])
        made = Digest(window, folder, data["subject"], briefs, quiet, placed, ())
    except (FileError, ValueError, KeyError, TypeError) as exc:
        raise BriefingError(f"{folder / record.INDEX_JSON} cannot be read back ({exc}): make the digest again") from exc
    missing = [p.name for p in made.files if not p.is_file() or p.parent != folder]
    if window.name != name or missing:
        raise BriefingError(f"{folder} is not a whole digest (missing {', '.join(missing) or 'its own name'}): make it again")
    return made


def _window(request: Request, day: dt.date, kept: record.Record) -> Window:
    if request.week is not None:
        return iso_week(request.week)
    if request.since is not None:
        return between(request.since, request.until or day)
    if request.since_last:
        handed = {*kept.digested.values(), *([kept.last] if kept.last else [])}
        return since_last(day, kept.last, handed)
    return last_days(day)


def _fetch(settings: Settings, hooks: Hooks) -> tuple[Skipped, ...]:
    """``--fetch``: the feeds of briefing.toml first; a feed that fails is reported, the digest goes on."""
    from ..feeds import fetch

    if not settings.feeds:
        hooks.say("No feeds in briefing.toml ([feeds] urls): nothing fetched.")
        return ()
    report = fetch(settings.feeds, settings.corpus, limit=settings.max_file_bytes, timeout=settings.feed_timeout)
    hooks.fetched(report)
    return report.skipped


def _label(index_json: Path) -> str:
    try:
        return str(json.loads(read_limited(index_json, MAX_FILE_BYTES))["window"]["label"])
    except (FileError, ValueError, KeyError, TypeError):
        return index_json.parent.name



def alert(to: tuple[str, ...], settings: Settings, environ: Mapping[str, str], what: str, details: str) -> tuple[str, ...]:
    """Mail ``to`` that an unattended run failed, with what it said: a log nobody reads is no alert."""
    if settings.mail is None:
        raise UsageError("--alert-to needs a [mail] table in briefing.toml (host, sender)")
    return mail((), to, settings.mail, f"briefing digest failed: {what}", details, environ)


def failed_run_alert(
    to: tuple[str, ...], settings: Settings, environ: Mapping[str, str], code: int, log: Path | None, error: str
) -> tuple[str, ...]:
    """The alert for a run (under cron) that ended with ``code``: the end of its log, else its error."""
    where = Path.cwd()
    details = f"briefing digest in {where} ended with exit status {code}.\n\n{tail(log) or error}"
    return alert(to, settings, environ, f"{where}, exit status {code}", details)


def failed_unit_alert(to: tuple[str, ...], settings: Settings, environ: Mapping[str, str], unit: str) -> tuple[str, ...]:
    """The alert systemd's OnFailure= unit sends: which unit failed, and the end of its journal."""
    where = Path.cwd()
    details = f"The scheduled digest {unit} in {where} failed.\n\n{journal(unit)}"
    return alert(to, settings, environ, f"{unit} in {where}", details)
