"""The brief as print HTML, from the Jinja2 templates shipped in the package (``templates/``).

Corpus text is data: autoescaping is on for every template whatever its name
(``select_autoescape`` would not escape ``.html.j2``), and only http(s) source URLs
become links, so a ``javascript:`` URL in front matter stays text.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..compose import month_year, period, plural
from ..dates import PartialDate
from ..errors import BriefingError
from ..models import Brief, Digest

# Package data (the top-level templates/, see pyproject.toml): found wherever the package is installed.
# A path, not a Traversable: Jinja2 and WeasyPrint read files, and pip installs a wheel unpacked.
TEMPLATES = Path(files("briefing") / "templates")
_MONTHS = "January February March April May June July August September October November December".split()


class RenderError(BriefingError):
    """The brief could not be rendered: a missing library, font or template."""


@cache
def environment(templates: Path = TEMPLATES):
    """One environment per template folder, so each template is compiled once a run, not once a
    layout (0.1 s each; a digest lays out some forty pages); Jinja2 still reloads a changed file."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.globals.update(
        long_date=long_date,
        source_date=source_date,
        month_year=month_year,
        period=period,
        plural=plural,
        web_url=web_url,
        version=__version__,
    )
    return env


def web_url(url: str | None) -> bool:
    """Only plain http(s) links with a host are links; anything else is shown, never followed."""
    if not url or re.search(r"[\s<>\"'`\\]", url) or any(ord(ch) < 32 for ch in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def long_date(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def source_date(date: PartialDate | None) -> str:
    if date is None:
        return "undated"
    if date.day is None:
        return month_year(date)
    return f"{date.day} {month_year(date)}"


def _template(name: str, templates: Path):
    """A template and the stylesheet every page shares."""
    import jinja2

    try:
        return environment(templates).get_template(name), (templates / "brief.css").read_text(encoding="utf-8")
    except (jinja2.TemplateError, OSError) as exc:
        raise RenderError(f"the templates in {templates} cannot be used: {exc}") from exc


def render_html(
    brief: Brief, measure: bool = False, templates: Path = TEMPLATES, counted: Brief | None = None
) -> str:
    """Print HTML of a brief, its stylesheet inline so the file stands alone; ``measure`` lays
    it out on one very tall page to measure it, with the heading, the points that list other
    sources and the method line of ``counted`` (the brief with those sources counted) below it, to
    measure that variant too. The notes are one footnote, in the order of their first call:
    WeasyPrint lays the footnote area out again with every footnote added."""
    cited = dict.fromkeys(n for point in brief.points for n in (*point.notes, *point.also))
    template, css = _template("brief.html.j2", templates)
    return template.render(
        brief=brief, notes={n.number: n for n in brief.notes}, cited=cited, measure=measure, css=css, counted=counted
    )


def render_digest_html(
    digest: Digest,
    shown: int,
    compact: bool = False,
    limit: int | None = None,
    listed: int = 5,
    templates: Path = TEMPLATES,
) -> str:
    """The digest's index page; the first ``shown`` topics quote a point of their brief, with its
    sources as footnotes numbered by first appearance; ``compact`` lists the topics in one
    paragraph, at most ``limit`` of each kind by name; ``listed`` articles are named per counting note."""
    template, css = _template("digest.html.j2", templates)
    sources: dict[int, object] = {}
    quoted: list[tuple[object, list[int], set[int]]] = []  # point, its note numbers, numbers used before it
    for entry in digest.briefs[:shown]:
        texts = {point.text for point, _, _ in quoted}
        point = next((p for p in entry.top if p.text not in texts), entry.top[0])
        before = set(sources)
        mine = []
        for source in point.sources:
            number = next((n for n, s in sources.items() if s == source), None) or len(sources) + 1
            sources[number] = source
            mine.append(number)
        quoted.append((point, mine, before))
    by_month = [p for p in digest.placed if p.how in ("month", "year")]
    title = f"Digest — {digest.subject}, {digest.window.label}" if digest.subject else f"Digest — {digest.window.label}"
    return template.render(
        digest=digest,
        title=title,
        shown=shown,
        compact=compact,
        limit=len(digest.briefs) + len(digest.nothing_new) if limit is None else limit,
        quoted=quoted,
        sources=sources,
        by_month=by_month,
        listed=listed,
        css=css,
    )
