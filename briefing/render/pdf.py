"""The brief as a one-page, tagged PDF (WeasyPrint).

One page, always: the brief is laid out once on a very tall page, where the boxes of every
point and note can be measured; the lowest-ranked points are left out until the rest fits
an A4 page, shorter ones below them are taken back into the room that leaves, and one A4
render checks it (dropping one more if a line broke differently).
The estimate errs on the safe side, so when points were left out, one last render tries
the best of them back. WeasyPrint fetches whatever URL it meets, so the fetcher serves files of the
template folder and nothing else: corpus text can name ``file:///etc/passwd`` all it likes.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..compose import ALSO_NOTES, STALE_AFTER_DAYS, compose
from ..models import Brief, Digest, Selection
from .html import TEMPLATES, RenderError, render_digest_html, render_html

FONTS = {"Lato": "fonts-lato", "Charis SIL": "fonts-sil-charis"}
PX_PER_MM = 96 / 25.4
A4_HEIGHT = 297 * PX_PER_MM
PAGE_MARGINS = (0 + 15) * PX_PER_MM  # top + bottom, as templates/brief.css sets them
FOOTNOTE_AREA = (6 + 4 + 0.5) * 96 / 72  # margin, padding and rule above the notes, in px
POINT_GAP = 1.6 * PX_PER_MM  # li margin-bottom in brief.css
SECTION_GAP = 3 * PX_PER_MM  # section margin-bottom in brief.css
SAFETY = 2.0  # px


@dataclass(frozen=True)
class Rendered:
    brief: Brief
    html: str
    pdf: bytes
    warnings: tuple[str, ...] = ()


def _weasyprint():
    """WeasyPrint, imported only when a PDF is made (the import alone costs ~0.7 s)."""
    try:
        import weasyprint
    except OSError as exc:
        raise RenderError(
            "WeasyPrint cannot load Pango: install it with `apt-get install libpango-1.0-0 libpangoft2-1.0-0`"
            f" ({exc})"
        ) from exc
    return weasyprint


def fetcher(templates: Path = TEMPLATES):
    """A URL fetcher that serves files under ``templates`` and refuses everything else."""
    from weasyprint.urls import URLFetcher

    root = templates.resolve()

    class TemplatesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
            if path is None or not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"briefing fetches no URL outside its templates: {url}")
            return super().fetch(url, headers)

    return TemplatesOnly(allowed_protocols=("file",), allow_redirects=False)


def _renderer(templates: Path, relative_links: bool = False):
    """HTML to a laid-out WeasyPrint document, fetching nothing but the files of ``templates``. With
    ``relative_links`` there is no base URL, so a link to a file beside the PDF stays relative (the
    PDF reader resolves it beside the PDF) instead of pointing into the templates; it is not fetched."""
    weasyprint = _weasyprint()
    url_fetcher = fetcher(templates)
    base_url = None if relative_links else templates.resolve().as_uri() + "/"
    return lambda html: weasyprint.HTML(string=html, base_url=base_url, url_fetcher=url_fetcher).render()


@cache
def missing_fonts() -> tuple[str, ...]:
    """Fonts the template wants that fontconfig does not know, with the package that brings each;
    asked once a run, not once a brief."""
    if shutil.which("fc-list") is None:
        return ()
    listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return tuple(f"{font} (apt-get install {package})" for font, package in FONTS.items() if font not in families)


def one_page(
    selection: Selection,
    issued: dt.date,
    subject: str | None = None,
    templates: Path = TEMPLATES,
    edition: str | None = None,
    stale_after: int = STALE_AFTER_DAYS,
) -> Rendered:
    """The selection's brief, cut to one A4 page, as HTML and PDF. When points had to be left out,
    a fit that counts the other sources of each fact instead of giving each a note is tried too,
    and kept if it shows more points: notes must not crowd out the points they support."""
    render = _renderer(templates)
    warnings = tuple(f"font missing, using DejaVu instead: {m}" for m in missing_fonts())

    def layout(brief: Brief, measure: bool):
        html = render_html(brief, measure=measure, templates=templates)
        return html, render(html)

    def brief_of(also_notes: int):
        return lambda leave_out: compose(
            selection, issued, subject, frozenset(leave_out), edition, stale_after, also_notes
        )

    brief, html, document = fit(brief_of(ALSO_NOTES), layout)
    if brief.left_out and any(p.also for p in brief.points):  # points before corroborating notes
        counted = fit(brief_of(0), layout)
        if len(counted[0].points) > len(brief.points):
            brief, html, document = counted
    return Rendered(brief, html, document.write_pdf(pdf_variant="pdf/ua-1"), warnings)


def fit(brief_of, layout):
    """The brief (``brief_of(leave_out)``) with as many points as one A4 page holds, its HTML
    and its laid-out document; ``layout(brief, measure)`` renders one."""
    leave_out: list[tuple[str, int]] = []
    while True:  # content taller than even the measuring page: leave out the lower half and measure again
        full = brief_of(leave_out)
        _, tall = layout(full, measure=True)
        if len(tall.pages) == 1:
            break
        _no_room(full)
        ranked = sorted(full.points, key=lambda p: p.rank)
        leave_out += [p.key for p in ranked[(len(ranked) + 1) // 2 :]]
    leave_out += _cut(full, tall.pages[0].anchors)
    while True:  # every pass leaves out one more point, so this ends
        brief = brief_of(leave_out)
        html, document = layout(brief, measure=False)
        if len(document.pages) == 1:
            break
        _no_room(brief)
        leave_out.append(max(brief.points, key=lambda p: p.rank).key)
    if brief.left_out:  # the estimate errs on the safe side: try the best point left out, once
        best = min(brief.left_out, key=lambda p: p.rank).key
        fuller = brief_of(set(leave_out) - {best})
        fuller_html, fuller_document = layout(fuller, measure=False)
        if len(fuller_document.pages) == 1:
            brief, html, document = fuller, fuller_html, fuller_document
    return brief, html, document


def digest_page(digest: Digest, templates: Path = TEMPLATES) -> bytes:
    """A digest's index page as a one-page PDF. When the topics' quoted points do not all fit, the
    lowest topics show only their line (title, size, file), never a cut sentence; when even the
    lines do not fit, the topics are named in one paragraph, as many as fit, the rest counted. Each
    topic's title links to its brief, a PDF in the same folder."""
    render = _renderer(templates, relative_links=True)

    def page(shown: int, compact: bool = False, limit: int | None = None):
        document = render(render_digest_html(digest, shown, compact=compact, limit=limit, templates=templates))
        return document if len(document.pages) == 1 else None

    document = page(len(digest.briefs))
    if document is None:
        document = _most(lambda shown: page(shown), len(digest.briefs) - 1)
    if document is None:
        document = _most(lambda limit: page(0, compact=True, limit=limit), len(digest.briefs) + len(digest.nothing_new))
    if document is None:
        raise RenderError(f"the digest index ({len(digest.briefs) + len(digest.nothing_new)} topics) does not fit on one page")
    return document.write_pdf(pdf_variant="pdf/ua-1")


def _most(layout, most: int):
    """The layout of the largest n in 0..most that fits one page (``layout`` gives None when it does
    not), found by bisection: fewer items never take more room."""
    low, high, best = 0, most, None
    while low <= high:
        middle = (low + high) // 2
        tried = layout(middle)
        if tried is None:
            high = middle - 1
        else:
            best, low = tried, middle + 1
    return best


def _no_room(brief: Brief) -> None:
    if len(brief.points) <= 1:
        raise RenderError("even a single point does not fit on one page: are its sentences or sources enormous?")


def _cut(brief: Brief, anchors: dict[str, tuple[float, float, float, float]]) -> list[tuple[str, int]]:
    """Points to leave out, lowest rank first, measured on the tall page; then, best rank first,
    those that fit back in the room left (a page is not left a fifth blank because one long
    point did not fit).

    The page needs the flow down to the end marker plus the footnote area. Leaving a point
    out saves its box and the gap after it, the notes no remaining point cites, and its
    section's box (heading, padding, gap) once the section is empty.
    """
    notes = _slots(anchors, ("note-",))
    footnotes = sum(notes.values()) + FOOTNOTE_AREA if notes else 0.0
    overflow = anchors["end"][1] + footnotes - (A4_HEIGHT - PAGE_MARGINS) + SAFETY
    if overflow <= 0:
        return []

    def height(name: str) -> float:
        return anchors[name][3] - anchors[name][1]

    cost = {p.key: height(f"point-{p.rank}") + POINT_GAP for p in brief.points}
    cites: dict[int, set[tuple[str, int]]] = {}
    for point in brief.points:
        for n in (*point.notes, *point.also):
            cites.setdefault(n, set()).add(point.key)
    remaining = {p.key for p in brief.points}
    placed = sorted(((s, p) for s in brief.sections for p in s.points), key=lambda sp: sp[1].rank)

    def saving(section, point) -> float:
        """What leaving ``point`` out saves, the others in ``remaining`` staying."""
        others = remaining - {point.key}
        saved = cost[point.key]
        saved += sum(notes.get(f"note-{n}", 0.0) for n in (*point.notes, *point.also) if not cites[n] & others)
        if not {p.key for p in section.points} & others:
            saved += height(f"section-{section.key}") + SECTION_GAP - sum(cost[p.key] for p in section.points)
        return saved

    left: list[tuple[str, int]] = []
    for section, point in reversed(placed):
        if overflow <= 0 or len(remaining) == 1:
            break
        overflow -= saving(section, point)
        remaining.discard(point.key)
        left.append(point.key)
    for section, point in placed:  # fill the room a long point left: shorter ones below it may fit
        if point.key in left and (need := saving(section, point)) <= -overflow:
            remaining.add(point.key)
            left.remove(point.key)
            overflow += need
    return left


def _slots(anchors: dict[str, tuple[float, float, float, float]], kinds: tuple[str, ...]) -> dict[str, float]:
    """The vertical room each anchored box takes: down to the next box of these kinds, or its own bottom."""
    names = sorted((n for n in anchors if n.startswith(kinds)), key=lambda n: (anchors[n][1], n))
    return {
        name: (anchors[names[k + 1]][1] if k + 1 < len(names) else anchors[name][3]) - anchors[name][1]
        for k, name in enumerate(names)
    }
