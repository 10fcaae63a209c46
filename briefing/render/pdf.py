"""The brief as a one-page, tagged PDF (WeasyPrint).

One page, always, in two layouts when points must go: the brief is laid out once on a very tall
page, where the boxes of every point and note are measured (the notes as a plain list), and, when
some points cite other sources as notes, the same points with those sources counted instead; the
lowest-ranked points are left out until the rest fits an A4 page, shorter ones below them are taken
back into the room that leaves, and the A4 render of that cut is the page (leaving out one more only
if a line broke differently, trying one back only if the page shows room for it). A brief that fits
(estimated from its length) is laid out once, on A4, and not measured. WeasyPrint fetches whatever URL
it meets, so the fetcher serves files of the template folder and nothing else: corpus text can name
``file:///etc/passwd`` all it likes.
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
SAFETY = 0.01  # px: the tall page measures what A4 lays out to a hundredth of a pixel


# How far (px) a brief's content runs past an A4 page, estimated without laying it out: a least-squares
# fit over 60 briefs (the seed corpus and a 1k news corpus; largest error 57 px) on the characters of
# its points and of its notes, and how many points, notes and sections it has. It only chooses which
# layout comes first, never what the page holds: a brief estimated to fit is laid out on A4 at once
# (one that then runs over costs one A4 layout more, its notes being one footnote), anything else is
# measured first.
OVERFLOW_ESTIMATE = (0.125, 0.111, 20.5, 1.98, 55.1, -848.0)


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
    a fit that counts the other sources of each fact instead of giving each a note is measured in
    the same layout, and kept if it shows more points: notes must not crowd out the points they support."""
    render = _renderer(templates)
    warnings = tuple(f"font missing, using DejaVu instead: {m}" for m in missing_fonts())

    def layout(brief: Brief, measure: bool = False, counted: Brief | None = None):
        html = render_html(brief, measure=measure, templates=templates, counted=counted)
        return html, render(html)

    def brief_of(also_notes: int):
        return lambda leave_out: compose(
            selection, issued, subject, frozenset(leave_out), edition, stale_after, also_notes
        )

    whole = brief_of(ALSO_NOTES)(())
    if _estimated_overflow(whole) < 0:  # one A4 layout, nothing to measure
        html, document = layout(whole)
        if len(document.pages) == 1:
            return Rendered(whole, html, document.write_pdf(pdf_variant="pdf/ua-1"), warnings)
    listed, counted = _measure(brief_of(ALSO_NOTES), layout, brief_of(0))
    if counted is not None and counted.kept > listed.kept:
        brief, html, document = _finish(counted, brief_of(0), layout)
    else:
        brief, html, document = _finish(listed, brief_of(ALSO_NOTES), layout)
    return Rendered(brief, html, document.write_pdf(pdf_variant="pdf/ua-1"), warnings)


@dataclass(frozen=True)
class Sizes:
    """What each part of a brief takes on the page (px), measured on the tall page: the box of each
    point (by rank) and section, each note's slot (by document) and where the flow ends."""

    points: dict[int, float]
    sections: dict[str, float]
    notes: dict[str, float]
    end: float


@dataclass(frozen=True)
class Measured:
    """A brief measured on the tall page: what is left out before it (when even that page was too
    short), its sizes, and the points it leaves out to fit A4."""

    full: Brief
    before: tuple[tuple[str, int], ...]
    sizes: Sizes
    cut: tuple[tuple[str, int], ...]

    @property
    def kept(self) -> int:
        return len(self.full.points) - len(self.cut)


def fit(brief_of, layout):
    """The brief (``brief_of(leave_out)``) with as many points as one A4 page holds, its HTML
    and its laid-out document; ``layout(brief, measure, counted)`` renders one."""
    return _finish(_measure(brief_of, layout)[0], brief_of, layout)


def _measure(brief_of, layout, counted_of=None) -> tuple[Measured, Measured | None]:
    """Lay the brief out on the tall page (cheap: its notes are a plain list there) and find the cut;
    with ``counted_of``, the heading, the points that list other sources and the method line are
    laid out there a second time with those sources counted, so the same layout measures that
    variant too (fewer sources can shift the period in the title or make the material old)."""
    leave_out: list[tuple[str, int]] = []
    while True:  # content taller than even the measuring page: leave out the lower half and measure again
        full = brief_of(leave_out)
        counted = counted_of(leave_out) if counted_of is not None and any(p.also for p in full.points) else None
        _, tall = layout(full, measure=True, counted=counted)
        if len(tall.pages) == 1:
            break
        _no_room(full)
        ranked = sorted(full.points, key=lambda p: p.rank)
        leave_out += [p.key for p in ranked[(len(ranked) + 1) // 2 :]]
    anchors = tall.pages[0].anchors
    sizes = _sizes(full, anchors)
    listed = Measured(full, tuple(leave_out), sizes, tuple(_cut(full, sizes)))
    if counted is None or not listed.cut:
        return listed, None
    grown = {
        p.rank: _height(anchors, f"counted-{p.rank}") - sizes.points[p.rank] for p in counted.points if p.also or p.more
    }
    first = full.sections[0].key
    counted_head, listed_head = (anchors[f"{k}section-{first}"][1] - anchors[f"{k}title"][1] for k in ("counted-", ""))
    method = _height(anchors, "counted-method") - _height(anchors, "method")
    other = Sizes(
        {rank: height + grown.get(rank, 0.0) for rank, height in sizes.points.items()},
        {s.key: sizes.sections[s.key] + sum(grown.get(p.rank, 0.0) for p in s.points) for s in counted.sections},
        sizes.notes,
        sizes.end + sum(grown.values()) + method + counted_head - listed_head,
    )
    return listed, Measured(counted, tuple(leave_out), other, tuple(_cut(counted, other)))


def _height(anchors: dict[str, tuple[float, float, float, float]], name: str) -> float:
    return anchors[name][3] - anchors[name][1]


def _sizes(brief: Brief, anchors: dict[str, tuple[float, float, float, float]]) -> Sizes:
    slots = _slots(anchors, ("note-",))
    return Sizes(
        {p.rank: _height(anchors, f"point-{p.rank}") for p in brief.points},
        {s.key: _height(anchors, f"section-{s.key}") for s in brief.sections},
        {n.document_id: slots[f"note-{n.number}"] for n in brief.notes},
        anchors["end"][1],
    )


def _finish(measured: Measured, brief_of, layout):
    """Render the measured cut on A4, leaving out one more point while it runs over (a section a
    point moved into, a renumbered note: what the sizes do not add up to); then, should the room
    left show a point left out fits after all, try the best such point once."""
    leave_out = [*measured.before, *measured.cut]
    while True:  # every pass leaves out one more point, so this ends
        brief = brief_of(leave_out)
        html, document = layout(brief)
        if len(document.pages) == 1:
            break
        _no_room(brief)
        leave_out.append(max(brief.points, key=lambda p: p.rank).key)
    best = _fits_back(measured, brief, document.pages[0].anchors)
    if best is not None:
        fuller = brief_of(set(leave_out) - {best})
        fuller_html, fuller_document = layout(fuller)
        if len(fuller_document.pages) == 1:
            brief, html, document = fuller, fuller_html, fuller_document
    return brief, html, document


def _fits_back(measured: Measured, brief: Brief, page: dict) -> tuple[str, int] | None:
    """The best-ranked point left out of ``brief`` whose measured box, gap and notes not yet on the
    page fit the room the A4 page leaves between the end of its flow and its notes."""
    notes = _slots(page, ("note-",))
    room = A4_HEIGHT - PAGE_MARGINS - page["end"][1] - _footnotes(list(notes.values()))
    shown = {n.document_id for n in brief.notes}
    documents = {n.number: n.document_id for n in measured.full.notes}
    points = {p.key: p for p in measured.full.points}
    for left in sorted(brief.left_out, key=lambda p: p.rank):
        point = points.get(left.key)
        if point is None:
            continue
        new = {documents[n] for n in (*point.notes, *point.also)} - shown
        need = measured.sizes.points[point.rank] + POINT_GAP + sum(measured.sizes.notes[d] for d in new)
        need += 0.0 if notes or not new else FOOTNOTE_AREA
        if need + SAFETY <= room:
            return left.key
    return None


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


def _footnotes(heights: list[float]) -> float:
    """The room notes of these heights take at the foot of the page, with the area above them."""
    return sum(heights) + FOOTNOTE_AREA if heights else 0.0


def _no_room(brief: Brief) -> None:
    if len(brief.points) <= 1:
        raise RenderError("even a single point does not fit on one page: are its sentences or sources enormous?")


def _cut(brief: Brief, sizes: Sizes) -> list[tuple[str, int]]:
    """Points to leave out, lowest rank first, measured on the tall page; then, best rank first,
    those that fit back in the room left (a page is not left a fifth blank because one long
    point did not fit).

    The page needs the flow down to the end marker plus the footnote area. Leaving a point
    out saves its box and the gap after it, the notes no remaining point cites, and its
    section's box (heading, padding, gap) once the section is empty.
    """
    notes = {n.number: sizes.notes[n.document_id] for n in brief.notes}
    footnotes = _footnotes(list(notes.values()))
    overflow = sizes.end + footnotes - (A4_HEIGHT - PAGE_MARGINS) + SAFETY
    if overflow <= 0:
        return []

    cost = {p.key: sizes.points[p.rank] + POINT_GAP for p in brief.points}
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
        saved += sum(notes.get(n, 0.0) for n in (*point.notes, *point.also) if not cites[n] & others)
        if not {p.key for p in section.points} & others:
            saved += sizes.sections[section.key] + SECTION_GAP - sum(cost[p.key] for p in section.points)
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
