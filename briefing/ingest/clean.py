"""What counts as the article in a raw scrape.

A scraped page is the article plus page chrome, teasers, captions, bylines and contact
lines. The rules here look at one line (paragraph) at a time, using features that hold
across sites rather than one site's exact strings: length, terminal punctuation, label
words before a colon, link-like words (share, related, follow), e-mail addresses,
repeated lines, and where the line stands (before the first paragraph of prose, or
after an end-of-article marker, where only chrome follows).

Bylines and datelines are not thrown away: they become metadata (``Cleaned.found``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..dates import find_date
from ..models import Source
from ..nlp import stopwords

HEADING = "heading"
BODY = "body"

_TERMINAL = ".!?…:;"
_CLOSERS = "\"'”’»)]*_ "

_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_QUOTE = re.compile(r"^>\s?")
_BULLET = re.compile(r"^(?:[-*+•·▪◦●–]|\d{1,2}[.)])\s+")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]+\)")
_MD_STRONG = re.compile(r"(\*\*|__)(.+?)\1")

_END_MARKER = re.compile(
    r"^(?:share (?:this|the)(?: \w+)?|you (?:may|might) (?:also )?(?:like|enjoy)|related"
    r"(?: \w+)?|read (?:more|next|also)|also read|more (?:from|on|stories)|recommended(?: \w+){0,2}"
    r"|most (?:read|popular|viewed)|trending(?: now)?|popular posts|latest (?:news|posts)"
    r"|leave a (?:comment|reply)|comments?|tags?|filed under)\b[^.!?]*$",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?P<label>related(?: \w+)?|read (?:more|also)|see also|also read|source|photo|image|picture"
    r"|credits?|tags?|advertisement|sponsored)\s*:",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"\((?:photo|image|picture|credits?|courtesy|source)\s*:|^(?:photo|image|picture|pictured|file photo)\b"
    r"|^an? (?:image|photo|photograph|picture|screenshot) (?:of|from|shows)\b"
    r"|/\s*(?:AFP|Reuters|AP|Getty Images|EPA)\b|©",
    re.IGNORECASE,
)
_SOCIAL = re.compile(
    r"\b(?:facebook|instagram|twitter|youtube|linkedin|telegram|whatsapp|tiktok|pinterest|reddit)\b",
    re.IGNORECASE,
)
_FOLLOW = re.compile(r"\bfollow us\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTACT = re.compile(
    r"\b(?:contact us|subscribe|newsletter|sign up|all rights reserved|copyright)\b", re.IGNORECASE
)
_URL_ONLY = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_BYLINE = re.compile(
    r"^(?:(?:interview|written|reporting|words|text|story|photos?)\s+by|by|author)\b\s*:?\s*"
    r"(?P<name>[A-Z][^|]*?)\s*(?:\|.*)?$",
    re.IGNORECASE,
)
_DATELINE_LABEL = re.compile(
    r"^(?:location|dateline|date|published(?: on)?|posted(?: on)?|updated(?: on)?|last updated)\s*:\s*",
    re.IGNORECASE,
)
_EDITOR_NOTE = re.compile(r"(?:--|—|–)\s*ed\.?\s*$|^editor['’]?s note\b", re.IGNORECASE)
_LEDE_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w.'’-]*(?:,? [A-Z][\w.'’-]*){0,3})(?: \([^)]{1,30}\))?\s*(?:–|—|--)\s+(?=[A-Z“\"])"
)


@dataclass(frozen=True)
class Paragraph:
    text: str
    role: str


@dataclass(frozen=True)
class Dropped:
    text: str
    reason: str


@dataclass(frozen=True)
class Cleaned:
    paragraphs: tuple[Paragraph, ...]
    dropped: tuple[Dropped, ...]
    found: Source

    @property
    def body(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.paragraphs if p.role == BODY)


@dataclass(frozen=True)
class _Line:
    text: str
    heading: bool = False
    bullet: bool = False


def lines(text: str) -> list[_Line]:
    """Paragraph lines of raw text: one per line, soft-wrapped lines joined, Markdown marks removed.

    Scrapes put one paragraph on a line, and headings sit on lines of their own without
    a full stop: splitting here keeps them from gluing onto the next sentence.
    """
    out: list[_Line] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        for raw in _unwrap([ln for ln in block.split("\n") if ln.strip(" \t\u00a0")]):
            out.append(_markdown_line(raw))
    return [ln for ln in out if ln.text]


def _unwrap(raw: list[str]) -> list[str]:
    """Undo hard wrapping: a block whose lines share one width is one paragraph, and a line
    that starts in lower case continues the one before it.

    Scrapes put one paragraph on each line, so lines of varied length stay apart.
    """
    widths = [len(line.strip()) for line in raw[:-1]]
    if len(raw) >= 3 and all(50 <= w <= 100 for w in widths) and max(widths) - min(widths) <= 30:
        return [" ".join(line.strip() for line in raw)]
    joined: list[str] = []
    for line in raw:
        text = line.strip()
        if joined and text[:1].islower() and not _ends_sentence(joined[-1]):
            joined[-1] = joined[-1].rstrip() + " " + text
        else:
            joined.append(line)
    return joined


def _markdown_line(raw: str) -> _Line:
    text = " ".join(raw.replace("\u00a0", " ").split())
    heading = bool(_MD_HEADING.match(text))
    text = _MD_QUOTE.sub("", _MD_HEADING.sub("", text))
    bullet = bool(_BULLET.match(text))
    text = _BULLET.sub("", text)
    text = _MD_STRONG.sub(r"\2", _MD_LINK.sub(r"\1", text))
    return _Line(text.strip(), heading, bullet)


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _word_count(text: str) -> int:
    return len(text.split())


def _title_case(text: str) -> bool:
    """Every content word capitalised: a label or heading even when it ends with a full stop."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if w.lower() not in stopwords()]
    return len(words) >= 2 and all(w[0].isupper() for w in words)


def clean(text: str) -> Cleaned:
    """Keep the article's own paragraphs; say why every other line went."""
    all_lines = lines(text)
    counts = Counter(ln.text for ln in all_lines)
    kept: list[Paragraph] = []
    dropped: list[Dropped] = []
    found: dict[str, object] = {}
    ended = False

    def drop(line: _Line, reason: str) -> None:
        dropped.append(Dropped(line.text, reason))

    for line in all_lines:
        value = line.text
        started = any(p.role == BODY for p in kept)
        short = _word_count(value) <= 14 and not (_ends_sentence(value) and _word_count(value) > 8)
        if ended:
            drop(line, "after the end of the article")
        elif not re.search(r"[^\W\d_]", value):
            drop(line, "no words")
        elif _END_MARKER.match(value) and _word_count(value) <= 6:
            ended = started
            drop(line, "end of article" if started else "page chrome")
        elif match := _LABEL.match(value):
            drop(line, _label_reason(match["label"].lower()))
        elif len(_SOCIAL.findall(value)) >= 2 or _FOLLOW.search(value):
            drop(line, "social links")
        elif _EMAIL.search(value) or _URL_ONLY.match(value) or (short and _CONTACT.search(value)):
            drop(line, "contact line")
        elif _CAPTION.search(value):
            drop(line, "caption")
        elif short and (match := _BYLINE.match(value)) and not _ends_sentence(match["name"].rstrip(".")):
            found.setdefault("author", match["name"].strip())
            drop(line, "byline")
        elif short and (_DATELINE_LABEL.match(value) or (not _ends_sentence(value) and find_date(value))):
            _read_dateline(value, found)
            drop(line, "dateline")
        elif _EDITOR_NOTE.search(value):
            drop(line, "editor's note")
        elif value.count("|") >= 2 and not _ends_sentence(value):
            drop(line, "navigation")
        elif counts[value] > 1 and _word_count(value) >= 3 and not value.endswith(":"):
            drop(line, "repeated line")
        elif not started and not kept and not line.heading and (_word_count(value) <= 3 or value.endswith("?")) and short:
            drop(line, "page chrome")
        elif line.heading or not _ends_sentence(value) or (line.bullet and short and _title_case(value)):
            if not started and not kept:
                found.setdefault("title", value)
            kept.append(Paragraph(value, HEADING))
        else:
            if not started and (match := _LEDE_DATELINE.match(value)):
                found.setdefault("place", match["place"])
                dropped.append(Dropped(value[: match.end()].strip(), "dateline"))
                value = value[match.end() :]
            kept.append(Paragraph(value, BODY))
    return Cleaned(tuple(kept), tuple(dropped), Source(**found))


def _label_reason(label: str) -> str:
    if label.startswith(("photo", "image", "picture", "credit")):
        return "caption"
    if label == "source":
        return "source line"
    if label.startswith(("related", "read", "see", "also")):
        return "link line"
    return "page chrome"


def _read_dateline(value: str, found: dict[str, object]) -> None:
    date = find_date(value)
    if date is not None:
        found.setdefault("date", date)
    rest = _DATELINE_LABEL.sub("", value)
    if _DATELINE_LABEL.match(value) and value.lower().startswith(("location", "dateline")):
        place = rest.split("|")[0].strip()
        if place and find_date(place) is None:
            found.setdefault("place", place)
