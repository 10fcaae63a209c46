"""What counts as the article in a raw scrape.

A scraped page is the article plus page chrome, teasers, captions, bylines and contact
lines. The rules here look at one line (paragraph) at a time, using features that hold
across sites rather than one site's exact strings: length, terminal punctuation, label
words before a colon, link-like words (share, related, follow), e-mail addresses,
repeated lines, and where the line stands (before the first paragraph of prose, or
after an end-of-article marker, where only chrome follows, unless the marker was a
mid-article "Read more" line and the article's prose goes on after its teasers).

Bylines and datelines are not thrown away: they become metadata (``Cleaned.found``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..dates import find_date
from ..models import Source
from ..nlp import sentences, stopwords

HEADING = "heading"
BODY = "body"
HEADING_WORDS = 12  # a line without final punctuation and longer than this is prose
RESUMING = 3  # paragraphs of prose in a row after a "Read more" line: the article goes on

_TERMINAL = ".!?…:;。！？"
_CLOSERS = "\"'”’»)]*_ 」』）"


class _Sought:
    """A pattern searched for in a line only when the line holds one of the characters that each of
    its unanchored alternatives needs, else tried at the line's start alone (where its ``^``
    alternatives match): most lines hold none of them, and searching every position of a line
    with such a pattern was a tenth of an article's processing."""

    def __init__(self, pattern: str, flags: int = 0, *, needs: str) -> None:
        self.pattern = re.compile(pattern, flags)
        self.needs = needs

    def search(self, text: str) -> re.Match | None:
        if any(mark in text for mark in self.needs):
            return self.pattern.search(text)
        return self.pattern.match(text)


_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_QUOTE = re.compile(r"^(?:>\s?)+")
_BULLET = re.compile(r"^(?:[-*+•·▪◦●–]|\d{1,2}[.)])\s+")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]+\)")
_MD_STRONG = re.compile(r"(\*\*|__)(.+?)\1", re.DOTALL)
# The marks a Markdown line opens with (quote, heading, list item), as cleaning takes them off.
LINE_MARK = re.compile(r"^\s{0,3}(?:>\s?)*(?:#{1,6}\s+)?(?:>\s?)*(?:(?:[-*+•·▪◦●–]|\d{1,2}[.)])\s+)?")

_END_MARKER = re.compile(
    r"^(?:share(?: this| the)?(?: article| story| post| page)?(?: on)?|you (?:may|might) (?:also )?(?:like|enjoy)"
    r"|related(?: posts| articles| stories| news| content| reading| coverage)|read (?:more|next|also)|also read"
    r"|more stories|recommended(?: for you| stories| articles| reading)?|most (?:read|popular|viewed)"
    r"|trending(?: now)?|popular posts|latest (?:news|posts|stories)|leave a (?:comment|reply)|comments|tags"
    r"|filed under)\s*:?$",
    re.IGNORECASE,
)
_LINK_MARKER = re.compile(
    r"^(?:read (?:more|next|also)|also read|see also|related(?: coverage| stories| articles| news| content| reading)?"
    r"|more stories|recommended(?: for you| stories| articles| reading)?)\s*:?$",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?P<label>related(?: \w+)?|read (?:more|also)|see also|also read|source|photo|image|picture"
    r"|credits?|tags?|advertisement|sponsored)\s*:",
    re.IGNORECASE,
)
_CREDIT = _Sought(
    r"\((?i:photo|image|picture|credits?|courtesy)\s*:|^(?i:photo|image|picture|pictured|file photo)\s*(?::|by\b)"
    r"|\b(?:AFP|REUTERS|Reuters|AP|EPA|Getty Images)\s*/\s*[A-Z][\w '’-]*$",
    needs="(/",
)
_TRAILING_CREDIT = re.compile(r"[.!?]\s+(?:(?i:photo|image|video)\s+)?By\s+[A-Z][A-Z.'’&/ -]{3,}$")
_CAPTION_OPENING = re.compile(r"^an? (?:image|photo|photograph|picture|screenshot) (?:of|from|shows)\b", re.IGNORECASE)
_SOCIAL = re.compile(
    r"\b(?:facebook|instagram|twitter|youtube|linkedin|telegram|whatsapp|tiktok|pinterest|reddit)\b",
    re.IGNORECASE,
)
_FOLLOW = re.compile(r"\bfollow us\b", re.IGNORECASE)
_EMAIL = _Sought(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", needs="@")
_CONTACT_WORDS = re.compile(
    r"\b(?:(?:please )?contact us|please contact|write to us|e-?mail us|reach us|send (?:us )?(?:your )?tips"
    r"|for (?:further|more) information)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"\b(?:contact us|subscribe to|sign up|all rights reserved|copyright (?:\d{4}|©))\b|©", re.I)
_URL_ONLY = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_BYLINE = re.compile(
    r"^(?i:(?:interview|written|reporting|words|text|story|photos?)\s+by|by|author)\s*:?\s*"
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})\s*(?:\|.*)?$"
)
_DATELINE_LABEL = re.compile(
    r"^(?:location|dateline|date|published(?: on)?|posted(?: on)?|updated(?: on)?|last updated)\s*:\s*",
    re.IGNORECASE,
)
_EDITOR_NOTE = _Sought(r"(?:--|—|–)\s*ed\.?\s*$|^editor['’]?s note\b", re.IGNORECASE, needs="-—–")
_PLACE = r"(?:[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)*(?:, [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)?)?|[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?, [A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)"
_LEDE_DATELINE = re.compile(
    rf"^(?:(?P<place>{_PLACE})(?: \((?P<agency>[^)]{{1,30}})\))?|\((?P<only>[A-Z][\w ]{{0,29}})\))"
    r"\s*(?:–|—|--|-|_)\s+(?=[A-Z“\"`'])"
)
_CHROME_QUESTION = re.compile(r"\byou(?:r)?\b", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"\ball rights reserved\b|\bis the copyrighted property of\b|^(?:©|\(c\)|copyright)\s*(?:©\s*)?\d{4}\b"
    r"|\b(?:this (?:material|article|content|story|report)|no part of this \w+) may not be (?:\w+ )?"
    r"(?:published|reproduced|broadcast|rewritten|redistributed|republished|copied)\b"
    r"|^(?:reprinted|republished|reproduced|used) (?:by|with) (?:kind )?permission\b"
    r"|\bwritten permission (?:must be obtained|is required)\b|\bwithout permission and/or payment\b"
    r"|\bsubscribe (?:now|today|here)\b|\bsubscribe to our (?:\w+ )?(?:newsletter|edition|channel|podcast)"
    r"|\bsign(?:ing)? up (?:for|to) our (?:\w+ )?newsletter|\bnever miss (?:a|the|an) (?:story|update|headline)s?\b"
    r"|\bdownload (?:the|our) (?:\w+ ){0,3}apps? (?:for|on) (?:ios|android|iphone)\b|\badvertise with us\b"
    r"|\bcontact us (?:at|on|via)\b|\bwe want to hear what you think\b"
    r"|^(?:this|the) (?:post|page|article) (?:contains|may contain) (?:references|affiliate links)"
    r"|\bwe (?:may )?(?:earn|receive) (?:a )?(?:small )?(?:commission|compensation) (?:when|if|from)\b",
    re.IGNORECASE,
)
_CONFUSABLES = str.maketrans(
    "АВЕКМНОРСТХаеорсухіјѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοντ",
    "ABEKMHOPCTXaeopcyxijsdqwABEZHIKMNOPTYXovt",
)
# Every alternative of _BOILERPLATE holds one of these words (a new alternative adds its own): a
# sentence without any (nearly all) is passed at a tenth of the cost of searching it with that
# case-blind pattern, which was a fifth of an article's processing. Looked for in the skeleton
# folded as the pattern's IGNORECASE matches: lower case, and "İ", "ı" and "ſ" as "i", "i" and "s",
# the only characters that match an ASCII letter there without lower-casing to it.
_BOILERPLATE_WORDS = (
    "rights", "copyright", "©", "(c)", "may not be", "permission", "subscribe", "newsletter", "never miss",
    "download", "advertise", "contact us", "hear what", "contain", "commission", "compensation",
)
_FOLDED = _CONFUSABLES | str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})
_FOLDABLE = re.compile(f"[{''.join(map(chr, _FOLDED))}]")  # translate looks up every character: 3 us a line
_LETTERS = re.compile(r"[^\W\d_]+")
_LOOK_ALIKE = re.compile(f"[{''.join(map(chr, _CONFUSABLES))}]")


def skeleton(text: str) -> str:
    """Text with look-alike letters of other scripts read as Latin, for matching chrome phrases."""
    return text.translate(_CONFUSABLES)


def _looks_latin(word: str) -> bool:
    """A word of Latin letters with look-alikes of other scripts mixed in; "Aβ", "μg" or a
    Cyrillic word typed with a Latin i are real writing, not disguise."""
    plain = skeleton(word)
    return plain.isascii() and plain != word and any(c.isascii() for c in word)


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
    """Undo hard wrapping: a block whose lines share one width and mostly break mid-sentence is
    one paragraph, and a line that starts in lower case continues the one before it.

    Scrapes put one paragraph on each line, so lines of varied length stay apart.
    """
    first = 0  # headlines above a wrapped lede stay apart (a loop: a block may have thousands)
    while len(raw) - first >= 4 and not _ends_sentence(raw[first]) and _title_case(raw[first]):
        first += 1
    if first:
        return [*raw[:first], *_unwrap(raw[first:])]
    widths = [len(line.strip()) for line in raw[:-1]]
    ends = sum(_ends_sentence(line) for line in raw[:-1])
    if len(raw) >= 3 and all(50 <= w <= 100 for w in widths) and max(widths) - min(widths) <= 30 and ends * 3 <= len(widths):
        return [" ".join(line.strip() for line in raw)]
    joined: list[list[str]] = []  # each paragraph's lines, joined once at the end: linear, however many
    for line in raw:
        text = line.strip()
        if joined and text[:1].islower() and not _ends_sentence(joined[-1][-1]):
            joined[-1].append(text)
        else:
            joined.append([line])
    return [parts[0] if len(parts) == 1 else " ".join([parts[0].rstrip(), *parts[1:]]) for parts in joined]


def _markdown_line(raw: str) -> _Line:
    text = " ".join(raw.replace("\u00a0", " ").split())
    heading = bool(_MD_HEADING.match(text))
    text = _MD_QUOTE.sub("", _MD_HEADING.sub("", text))
    bullet = bool(_BULLET.match(text))
    text = _BULLET.sub("", text)
    return _Line(strip_inline(text).strip(), heading, bullet)


def strip_inline(text: str) -> str:
    """Markdown's inline marks off: links to their text, strong emphasis to its words (each looked
    for only in text that holds its mark: most has none)."""
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    return _MD_STRONG.sub(r"\2", text) if "**" in text or "__" in text else text


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

    seen: set[str] = set()
    resume = -1
    started = False  # has the article's first paragraph of prose been kept?
    for number, line in enumerate(all_lines):
        value = line.text
        started = started or bool(kept and kept[-1].role == BODY)
        if number == resume:
            ended = False
        if started and not ended and (credit := _TRAILING_CREDIT.search(value)):
            dropped.append(Dropped(value[credit.start() + 1 :].strip(), "credit"))
            value = value[: credit.start() + 1]  # "… on Monday. By CNBC": the sentence stays
        prose = _ends_sentence(value) and _word_count(value) > 8
        short = _word_count(value) <= 14 and not prose
        if ended:
            drop(line, "teaser" if resume > number else "after the end of the article")
        elif _disguised(value):
            drop(line, "disguised text")
        elif not re.search(r"[^\W\d_]", value):
            drop(line, "no words")
        elif _END_MARKER.match(value):
            resume = _resumes(all_lines, number + 1) if started and _LINK_MARKER.match(value) else -1
            ended = started
            drop(line, ("link line" if resume > 0 else "end of article") if started else "page chrome")
        elif short and (match := _LABEL.match(value)):
            drop(line, _label_reason(match["label"].lower()))
        elif short and (len(_SOCIAL.findall(value)) >= 2 or _FOLLOW.search(value)):
            drop(line, "social links")
        elif _URL_ONLY.match(value) or (_EMAIL.search(value) and (short or _CONTACT_WORDS.search(value))):
            drop(line, "contact line")
        elif short and _CONTACT.search(value):
            drop(line, "contact line")
        elif _CREDIT.search(value) or _TRAILING_CREDIT.search(value) or (
            not _ends_sentence(value) and _CAPTION_OPENING.match(value)
        ):
            drop(line, "caption")
        elif short and (match := _BYLINE.match(value)):
            found.setdefault("author", match["name"].strip())
            drop(line, "byline")
        elif short and (_DATELINE_LABEL.match(value) or (not _ends_sentence(value) and _only_a_date(value))):
            _read_dateline(value, found)
            drop(line, "dateline")
        elif _EDITOR_NOTE.search(value):
            drop(line, "editor's note")
        elif _boilerplate(value):
            drop(line, "boilerplate")
        elif value.count("|") >= 2 and not _ends_sentence(value):
            drop(line, "navigation")
        elif counts[value] > 1 and _word_count(value) >= 3 and not value.endswith(":") and (not prose or value in seen):
            drop(line, "repeated line")
        elif not started and not kept and not line.heading and short and _chrome_before_the_article(value):
            drop(line, "page chrome")
        elif (line.heading and not _long_prose(value)) or _unpunctuated_heading(value) or (
            line.bullet and short and _title_case(value)
        ):
            if not started and not kept:
                found.setdefault("title", value)
            kept.append(Paragraph(value, HEADING))
        else:
            if not started and (match := _LEDE_DATELINE.match(value)):
                if match["place"]:
                    found.setdefault("place", match["place"])
                dropped.append(Dropped(value[: match.end()].strip(), "dateline"))
                value = value[match.end() :]
            kept.append(Paragraph(value, BODY))
        seen.add(line.text)
    return Cleaned(tuple(kept), tuple(dropped), Source(**found))


def _resumes(all_lines: list[_Line], start: int) -> int:
    """Where the article goes on after a "Related coverage" or "Read more" line (teaser headlines
    between), or -1: a run of ``RESUMING`` paragraphs of prose, one of them longer than a
    sentence, is the article; teasers alternate a headline or label with a one-line blurb
    (often cut with "…"). Comments, tags and share lines end the article for good."""
    run: list[str] = []
    for number in range(start, len(all_lines)):
        value = all_lines[number].text
        if _END_MARKER.match(value):
            return -1
        prose = _ends_sentence(value) and _word_count(value) > 8 and not all_lines[number].heading
        run = [*run, value] if prose and not value.rstrip(_CLOSERS).endswith(("…", "...")) else []
        if len(run) >= RESUMING and sum(map(_word_count, run)) >= 50 and any(len(sentences(v)) > 1 for v in run):
            return number - len(run) + 1
    return -1


def _long_prose(value: str) -> bool:
    """A heading mark on a long full sentence is a site's styling of a paragraph, not a heading."""
    return _ends_sentence(value) and _word_count(value) > HEADING_WORDS


def _unpunctuated_heading(value: str) -> bool:
    """A line without final punctuation is a heading when it is short; a long one is prose that
    ends in a symbol, an abbreviation in brackets or nothing (feeds often drop the full stop)."""
    return not _ends_sentence(value) and (_word_count(value) <= HEADING_WORDS or _title_case(value))


def boilerplate_sentence(sentence: str) -> bool:
    """A sentence of the page's fine print or a call to the reader, wherever it stands."""
    folded = (sentence.translate(_FOLDED) if _FOLDABLE.search(sentence) else sentence).lower()
    return any(word in folded for word in _BOILERPLATE_WORDS) and bool(_BOILERPLATE.search(skeleton(sentence)))


def _boilerplate(value: str) -> bool:
    """A paragraph of fine print: copyright and permission notices, sign-up and app prompts,
    advertiser disclosures. Taken whole when it is all such, or most of it and more than one
    sentence (the rest is the same notice in other words); one such sentence inside an
    article's paragraph goes alone."""
    if not boilerplate_sentence(value):
        return False
    parts = sentences(value)
    found = sum(map(boilerplate_sentence, parts))
    return found == len(parts) or found * 2 > len(parts) and found >= 2


def _disguised(value: str) -> bool:
    """Words written with look-alike letters of another script ("Соntасt" with Cyrillic о, а, с):
    spam hides from filters that way; an article never does. A line without any look-alike (nearly
    every one) is passed without taking it apart into words."""
    if not _LOOK_ALIKE.search(value):
        return False
    return any(_looks_latin(word) for word in _LETTERS.findall(value) if not word.isascii())


def _chrome_before_the_article(value: str) -> bool:
    """Section labels and search prompts above a headline: a few words, or a question to the reader."""
    return _word_count(value) <= 3 or (value.endswith("?") and bool(_CHROME_QUESTION.search(value)))


def _only_a_date(value: str) -> bool:
    """A dateline is a date and little else ("Astana, April 16, 2025"), not a headline with a date in it."""
    date = find_date(value)
    if date is None:
        return False
    rest = re.sub(r"\b\d{1,4}(?:st|nd|rd|th)?\b|[A-Z][a-z]{2,8}\.?(?=\s+\d)", " ", value)
    return _word_count(re.sub(r"[^\w\s]", " ", rest)) <= 4


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
