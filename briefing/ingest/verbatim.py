"""The verbatim promise: every sentence the index keeps occurs in its source's own text.

A sentence is compared with the source's text with whitespace and typographic quotes
aside, and never across a paragraph break: a heading glued to a sentence, or a sentence
whose link text an extractor dropped, does not occur there and is re-taken from the source
(the span between its first and last words, when that span holds no paragraph break) or
dropped. For a web page the source's text is the page's own text; for Markdown and plain
text it is the file's text with Markdown's marks read as Markdown reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

BREAK = "\u2029"  # a paragraph break in a source's text; never inside a sentence
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"})
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(rf"[^\S{BREAK}]+")
_BREAKS = re.compile(rf"\s*{BREAK}[\s{BREAK}]*")
_ANCHOR = 24  # characters at each end of a sentence that must match when it is re-taken
_BLOCKS = frozenset(
    """address article aside blockquote body caption center dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table tbody
    td tfoot th thead title tr ul""".split()
)
_SKIPPED = frozenset({"script", "style", "template", "svg", "math", "head"})


def normalise(text: str) -> str:
    """Text as compared: whitespace runs as one space, typographic quotes as ASCII ones."""
    return _collapse(text).translate(_QUOTES)


def _collapse(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    return _BREAKS.sub(BREAK, _SPACES.sub(" ", text)).strip(f" {BREAK}")


class Original:
    """A source's own text, to check sentences against and re-take them from.

    Sentences are checked in the order the source prints them, so each is looked for from where
    the one before it was found, and only then anywhere: a document of many sentences costs
    one pass over its text, not one per sentence."""

    def __init__(self, text: str) -> None:
        self.text = _collapse(text)
        self._compared = self.text.translate(_QUOTES)  # one character for one: indexes agree
        self._cursor = 0  # where the sentence found last begins

    def holds(self, sentence: str) -> bool:
        key = normalise(sentence)
        for start in self._from_cursor(key):
            self._cursor = start
            return True
        return False

    def retake(self, sentence: str) -> str | None:
        """The source's own words for a sentence that lost some (or None when they cannot be
        found): its first and last words, and all between them inside one paragraph."""
        key = normalise(sentence)
        if len(key) < 2 * _ANCHOR:
            return None
        head, tail = key[:_ANCHOR], key[-_ANCHOR:]
        longest = 2 * len(key) + 200
        for start in self._from_cursor(head):
            stop = self._compared.find(BREAK, start)
            window = self._compared[start : start + longest if stop < 0 else min(stop, start + longest)]
            end = window.find(tail, len(head))
            if end >= 0:
                self._cursor = start
                return self.text[start : start + end + len(tail)]
        return None

    def _from_cursor(self, key: str) -> Iterator[int]:
        """Where ``key`` occurs: from the cursor on, then before it."""
        for first, last in ((self._cursor, len(self._compared)), (0, self._cursor + len(key) - 1)):
            start = self._compared.find(key, first, last)
            while start >= 0:
                yield start
                start = self._compared.find(key, start + 1, last)


def page_text(html: str) -> str:
    """A web page's own text as a reader sees it: block elements are paragraphs, inline ones
    run on, scripts and styles are not text."""
    import lxml.html

    root = lxml.html.fromstring(html) if html.strip() else None
    parts: list[str] = []
    if root is not None:
        _walk(root, parts)
    return _collapse("".join(parts))


def _walk(element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.lower() not in _SKIPPED and isinstance(element.tag, str):
        block = tag.lower() in _BLOCKS
        if block:
            parts.append(BREAK)
        elif tag.lower() == "br":
            parts.append(" ")
        parts.append(element.text or "")
        for child in element:
            _walk(child, parts)
        if block:
            parts.append(BREAK)
    parts.append(element.tail or "")


_MD_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)*(?:(?:[-*+•·▪◦●–]|\d{1,2}[.)])\s+)?")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]+\)")
_MD_STRONG = re.compile(r"(\*\*|__)(.+?)\1")


def markdown_text(body: str) -> str:
    """A Markdown or plain-text body as a reader sees it: marks off, blank lines as breaks.

    A soft-wrapped line runs on into the next (newswire is wrapped at 70 characters); a
    heading or list item stands apart, so what cleaning glues onto one is not in the source.
    """
    lines = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        prefix = _MD_PREFIX.match(line)
        marked = prefix is not None and bool(prefix.group(0).strip())
        text = _MD_STRONG.sub(r"\2", _MD_LINK.sub(r"\1", line[prefix.end() if prefix else 0 :]))
        lines.append(f"{BREAK}{text}{BREAK}" if marked or not text.strip() else text)
    return "\n".join(lines)
