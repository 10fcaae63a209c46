"""A web page to its article's text, structure kept, every word the page's own.

trafilatura finds the article and marks what it found as XML: headings (``head``), list
items, quotations, line breaks and links (``ref``). We keep that structure as Markdown
lines (``#`` headings, ``-`` items) so cleaning never has to guess a heading from plain
text, and we drop blocks that are mostly link text (teasers, "Read more: …" lines) by
what the page marks as links rather than by one site's wording. Every block is then
checked against the page's own text (``verbatim``): an extractor that dropped a link's
words leaves a hole, and such a block is re-taken from the page or dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..nlp import sentences
from .clean import HEADING_WORDS
from .verbatim import Original, page_text

LINK_SHARE = 0.6  # a block with more of its text in links than this is navigation, not article
_BLOCKS = {"p": "", "head": "# ", "item": "- ", "quote": "> ", "cell": ""}
_LINK_LABEL = re.compile(r"\s*(?:read (?:more|next|also)|also read|related(?: \w+)?|see also|more on this)\s*[:|–—-]", re.I)
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+(?P<site>[^|–—]{2,60})$")
_NO_AUTHOR = re.compile(r"^(?:no author|anonymous|unknown|admin(?:istrator)?|author|none)$|\bsays$", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    """The article's text as Markdown lines and what the page says of itself (``Source`` fields)."""

    body: str
    found: tuple[tuple[str, str], ...]


def article(html: str) -> Page | None:
    """The article of a page, or None when trafilatura finds none whose text the page holds.

    trafilatura's default settings keep most of the article (what they let through is
    cleaned after); when all they found is a jumble of the page's blocks, its precise mode
    often still finds the article. Dates: the first publication, from the page's markup,
    never a guess from the text ("Copyright 2024" is no date of the article)."""
    import trafilatura

    page = Original(page_text(html))
    for precise in (False, True):
        extracted = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_links=True,
            include_formatting=False,
            favor_precision=precise,
            date_extraction_params={"original_date": True, "extensive_search": False},
        )
        if extracted is None or extracted.body is None:
            return None
        blocks = [text for text in (_block(element, page) for element in _blocks(extracted.body)) if text]
        if blocks:
            break
    found = {
        "outlet": extracted.sitename,
        "title": _title(extracted.title, extracted.sitename, extracted.url),
        "author": _author(extracted.author),
        "date": extracted.date,
        "url": extracted.url,
    }
    return Page("\n\n".join(blocks), tuple((key, value) for key, value in found.items() if value))


def _letters(text: str | None) -> str:
    return re.sub(r"[\W\d_]+", "", (text or "").lower())


def _title(title: str | None, sitename: str | None, url: str | None) -> str | None:
    """The headline without the site's name that pages append ("… | Harper's Magazine"); a
    single lower-case word (a CMS's name, "escenic") is no headline."""
    if not title or re.fullmatch(r"[a-z][\w-]*", title.strip()):
        return None
    labels = [_letters(label) for label in (urlsplit(url or "").hostname or "").split(".")[:-1]]
    while (match := _SITE_SUFFIX.search(title)) and (site := _letters(match["site"])) and (
        site == _letters(sitename)
        or (len(site) >= 4 and site in _letters(sitename))
        or any(label == site or (len(site) >= 8 and label.startswith(site)) for label in labels)
    ):
        title = title[: match.start()]
    return title.strip() or None


def _author(author: str | None) -> str | None:
    """Names only: "No Author" is none, and "Art Edwards says" is a commenter, not the author."""
    names = [name.strip() for name in (author or "").split(";") if name.strip() and not _NO_AUTHOR.search(name.strip())]
    return "; ".join(names) or None


def _blocks(body) -> list:
    """Every text block in reading order: paragraphs, headings, list items, quotations, cells;
    a block that holds others (an item with a nested list) keeps its own text too."""
    return list(body.iter(*_BLOCKS))


def _block(element, page: Original) -> str | None:
    lines, linked = _lines(element)
    text = " ".join(" ".join(lines).split())
    if not text:
        return None
    prose = text.rstrip("\"'”’)»").endswith((".", "!", "?")) and len(text.split()) > HEADING_WORDS
    if linked > LINK_SHARE * len(text) and element.tag != "head" and not prose:
        return None
    kept = [line for line in (_verbatim(line, page) for line in lines) if line]
    if not kept:
        return None
    mark = _BLOCKS[element.tag]
    return "\n".join(mark + line for line in kept) if mark else "\n".join(kept)


def _lines(element) -> tuple[list[str], int]:
    """The block's own text, one entry per line the page breaks it into (``<br>``, or a block
    nested in it, whose text is its own block), and how many of its characters are link text.
    A link labelled as one ("READ MORE: …") inside a paragraph is left out and breaks the line,
    so the sentences around it are not glued to its headline."""
    lines: list[list[str]] = [[]]
    linked = 0

    def walk(node, in_link: bool) -> None:
        nonlocal linked
        lines[-1].append(node.text or "")
        if in_link:
            linked += len((node.text or "").strip())
        for child in node:
            if child.tag == "lb" or child.tag in _BLOCKS:
                lines.append([])
            elif child.tag == "ref" and _LINK_LABEL.match("".join(child.itertext())):
                lines.append([])
            else:
                walk(child, in_link or child.tag == "ref")
            lines[-1].append(child.tail or "")
            if in_link:
                linked += len((child.tail or "").strip())

    walk(element, False)
    return [text for text in (" ".join("".join(parts).split()) for parts in lines) if text], linked


def _verbatim(line: str, page: Original) -> str | None:
    """The line as the page prints it: whole, re-taken, or only its sentences that hold."""
    if (whole := page.own_words(line)) is not None:
        return whole
    return " ".join(s for s in map(page.own_words, sentences(line)) if s) or None
