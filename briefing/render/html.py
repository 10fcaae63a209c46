"""The brief as print HTML, from the Jinja2 templates in ``templates/``.

Corpus text is data: autoescaping is on for every template whatever its name
(``select_autoescape`` would not escape ``.html.j2``), and only http(s) source URLs
become links, so a ``javascript:`` URL in front matter stays text.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..compose import month_year, period, plural
from ..dates import PartialDate
from ..errors import BriefingError
from ..models import Brief

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
_MONTHS = "January February March April May June July August September October November December".split()


class RenderError(BriefingError):
    """The brief could not be rendered: a missing library, font or template."""


def environment(templates: Path = TEMPLATES):
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


def render_html(brief: Brief, measure: bool = False, templates: Path = TEMPLATES) -> str:
    """Print HTML of a brief, its stylesheet inline so the file stands alone; ``measure`` lays
    it out on one very tall page to measure it."""
    import jinja2

    first_citation: dict[int, tuple[str, int]] = {}
    for point in brief.points:
        for n in (*point.notes, *point.also):
            first_citation.setdefault(n, point.key)
    try:
        template = environment(templates).get_template("brief.html.j2")
        css = (templates / "brief.css").read_text(encoding="utf-8")
    except (jinja2.TemplateError, OSError) as exc:
        raise RenderError(f"the templates in {templates} cannot be used: {exc}") from exc
    return template.render(
        brief=brief, notes={n.number: n for n in brief.notes}, first_citation=first_citation, measure=measure, css=css
    )
