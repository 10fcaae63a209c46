"""The brief as a one-page, tagged PDF (WeasyPrint).

One page, always: the brief is laid out once on a very tall page, where the boxes of every
point and note can be measured (the notes as a plain list: as footnotes, WeasyPrint lays the
note area out again with every note, which made measuring cost as much as a page); the
lowest-ranked points are left out until the rest fits an A4 page, shorter ones below them are
taken back into the room that leaves, and one A4 render checks it (dropping one more if a line
broke differently). The estimate errs on the safe side, so when points were left out, one last
render tries the best of them back, unless the room left on the page shows it cannot fit. A
brief that clearly fits (estimated from its length) is laid out once, on A4, and not measured. WeasyPrint fetches whatever URL it meets, so the fetcher serves files of the
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


# How far (px) a brief's content runs past an A4 page, estimated without laying it out: a least-squares
# fit over 60 briefs (the seed corpus and a 1k news corpus; largest error 57 px) on the characters of
# its points and of its notes, and how many points, notes and sections it has. It only chooses which
# layout comes first, never what the page holds: a brief estimated to fit with CLEAR_ROOM to spare is
# laid out on A4 at once, anything else is measured first.
OVERFLOW_ESTIMATE = (0.125, 0.111, 20.5, 1.98, 55.1, -848.0)
CLEAR_ROOM = 100.0


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

    whole = brief_of(ALSO_NOTES)(())
    if _estimated_overflow(whole) < -CLEAR_ROOM:  # the common case: one A4 layout, nothing to measure
        html, document = layout(whole, measure=False)
        if len(document.pages) == 1:
            return Rendered(whole, html, document.write_pdf(pdf_variant="pdf/ua-1"), warnings)
    listed = _measure(brief_of(ALSO_NOTES), layout)
    counted = _measure(brief_of(0), layout) if listed.cut and listed.cites_also() else None
    gain = counted.kept - listed.kept if counted is not None else 0
    if counted is None or gain < 2:
        brief, html, document = _finish(listed, brief_of(ALSO_NOTES), layout)
    if counted is not None and (gain >= 2 or (gain >= 0 and brief.left_out and any(p.also for p in brief.points))):
        other = _finish(counted, brief_of(0), layout)
        if gain >= 2 or len(other[0].points) > len(brief.points):
            brief, html, document = other
    return Rendered(brief, html, document.write_pdf(pdf_variant="pdf/ua-1"), warnings)


@dataclass(frozen=True)
class Measured:
    """A brief laid out on the tall page: what is left out before it (when even that page was too
    short), its anchors, and what the estimate leaves out to fit A4."""

    full: Brief
    before: tuple[tuple[str, int], ...]
    anchors: dict[str, tuple[float, float, float, float]]
    cut: tuple[tuple[str, int], ...]

    @property
    def kept(self) -> int:
        return len(self.full.points) - len(self.cut)

    def cites_also(self) -> bool:
        """Whether a point the estimate keeps cites other sources as "also reported in" notes."""
        return any(p.also for p in self.full.points if p.key not in self.cut)


def fit(brief_of, layout):
    """The brief (``brief_of(leave_out)``) with as many points as one A4 page holds, its HTML
    and its laid-out document; ``layout(brief, measure)`` renders one."""
    return _finish(_measure(brief_of, layout), brief_of, layout)


def _measure(brief_of, layout) -> Measured:
    """Lay the brief out on the tall page (cheap: its notes are a plain list there) and estimate the cut."""
    leave_out: list[tuple[str, int]] = []
    while True:  # content taller than even the measuring page: leave out the lower half and measure again
        full = brief_of(leave_out)
        _, tall = layout(full, measure=True)
        if len(tall.pages) == 1:
            break
        _no_room(full)
        ranked = sorted(full.points, key=lambda p: p.rank)
        leave_out += [p.key for p in ranked[(len(ranked) + 1) // 2 :]]
    anchors = tall.pages[0].anchors
    return Measured(full, tuple(leave_out), anchors, tuple(_cut(full, anchors)))


def _finish(measured: Measured, brief_of, layout):
    """Render the estimated cut on A4, leaving out one more point while it runs over; then, as the
    estimate errs on the safe side, try the best point left out once more, unless the page's room
    shows it cannot fit."""
    leave_out = [*measured.before, *measured.cut]
    while True:  # every pass leaves out one more point, so this ends
        brief = brief_of(leave_out)
        html, document = layout(brief, measure=False)
        if len(document.pages) == 1:
            break
        _no_room(brief)
        leave_out.append(max(brief.points, key=lambda p: p.rank).key)
    if brief.left_out:
        best = min(brief.left_out, key=lambda p: p.rank)
        if _may_fit(best.rank, measured.anchors, document.pages[0].anchors):
            fuller = brief_of(set(leave_out) - {best.key})
            fuller_html, fuller_document = layout(fuller, measure=False)
            if len(fuller_document.pages) == 1:
                brief, html, document = fuller, fuller_html, fuller_document
    return brief, html, document


def _may_fit(rank: int, tall: dict, page: dict) -> bool:
    """Whether the point of ``rank`` (its box measured on the tall page) may fit in the room the
    A4 page leaves between the end of its flow and its notes; unmeasured, it may."""
    box = tall.get(f"point-{rank}")
    if box is None or "end" not in page:
        return True
    notes = _slots(page, ("note-",))
    room = A4_HEIGHT - PAGE_MARGINS - page["end"][1] - (sum(notes.values()) + FOOTNOTE_AREA if notes else 0.0)
    return box[3] - box[1] + POINT_GAP <= room + 2 * SAFETY


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


def _estimated_overflow(brief: Brief) -> float:
    note_chars = sum(
        len(n.source.outlet or "") + len(n.source.title or "") + len(n.source.author or "") + len(n.source.url or "") + 20
        for n in brief.notes
    )
    counts = (sum(len(p.text) for p in brief.points), note_chars, len(brief.points), len(brief.notes), len(brief.sections))
    return sum(w * c for w, c in zip(OVERFLOW_ESTIMATE, (*counts, 1)))


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
