"""The verbatim promise: every sentence the index keeps occurs in its source's own text.

A sentence is compared with the source's text with whitespace and typographic quotes
aside, and never across a paragraph break: a heading glued to a sentence, or a sentence
whose link text an extractor dropped, does not occur there and is re-taken from the source
(the span between its first and last words, when that span holds no paragraph break) or
dropped. For a web page the source's text is the page's own text; for Markdown and plain
text it is the file's text with Markdown's marks read as Markdown reads them.
"""

from __future__ import annotations

import bisect
import re

from ..nlp import sentences
from .clean import LINE_MARK, strip_inline

BREAK = "\u2029"  # a paragraph break in a source's text; never inside a sentence
_QUOTES = tuple((c, "'") for c in "‘’‚‛′`´") + tuple((c, '"') for c in "“”„‟″«»")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_ANCHOR = 24  # characters at each end of a sentence that must match when it is re-taken
_TRIES = 50  # places a sentence's last words are looked for when it is re-taken
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_HEADING_LINE = re.compile(r"^\s{0,3}(?:>\s?)*#{1,6}\s")
_BLOCKS = frozenset(
    """address article aside blockquote body caption center dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table tbody
    td tfoot th thead title tr ul""".split()
)
_SKIPPED = frozenset({"script", "style", "template", "svg", "math", "head"})


def normalise(text: str) -> str:
    """Text as compared: whitespace runs as one space, typographic quotes as ASCII ones."""
    return _plain_quotes(_collapse(text))


def _collapse(text: str) -> str:
    """Text without invisible characters, each run of whitespace one space, or one break where it holds
    a break, none at either end. (``str.split`` and the ``\\s`` of patterns know the same whitespace;
    splitting cost a fifth of what substituting every space with a pattern did.)"""
    pieces = _INVISIBLE.sub("", text).split(BREAK)
    return BREAK.join(" ".join(words) for piece in pieces if (words := piece.split()))


def _plain_quotes(text: str) -> str:
    """Typographic quotes as ASCII ones, one character for one (indexes agree), a mark at a time:
    ``str.translate`` looks up every character of a text, which cost ten times as much."""
    for mark, plain in _QUOTES:
        if mark in text:
            text = text.replace(mark, plain)
    return text


class Original:
    """A source's own text, to check sentences against and re-take them from.

    Sentences are checked in the order the source prints them, so each is looked for from where
    the one before it was found, and only then anywhere: a document of many sentences costs
    one pass over its text, not one per sentence."""

    def __init__(self, text: str) -> None:
        self.text = _collapse(text)
        self._compared = _plain_quotes(self.text)
        self._cursor = 0  # where the sentence found last begins
        self._breaks = [m.start() for m in re.finditer(BREAK, self._compared)]

    def holds(self, sentence: str) -> bool:
        key = normalise(sentence)
        at = self._compared.find(key, self._cursor)
        if at < 0:  # out of order: anywhere before
            at = self._compared.find(key, 0, self._cursor + len(key) - 1)
        if at < 0:
            return False
        self._cursor = at
        return True

    def own_words(self, sentence: str) -> str | None:
        """The sentence as the source prints it: itself when it holds, else re-taken, else None."""
        return sentence if self.holds(sentence) else self.retake(sentence)

    def retake(self, sentence: str) -> str | None:
        """The source's own words for a sentence that lost some (or None when they cannot be
        found): the shortest span inside one paragraph that opens with its first words, ends
        with its last, is no shorter than it and holds no more sentences. Each place its last words occur is tried
        once, up to ``_TRIES`` of them, so a page of repeats costs no more than that."""
        key = normalise(sentence)
        if len(key) < 2 * _ANCHOR:
            return None
        head, tail = key[:_ANCHOR], key[-_ANCHOR:]
        end = self._compared.find(tail)
        for _ in range(_TRIES):
            if end < 0:
                return None
            stop = end + len(tail)
            opening = max(stop - 2 * len(key) - 200, self._paragraph_start(end))
            start = self._compared.rfind(head, opening, stop - len(key) + len(head))
            if start >= 0 and len(sentences(self.text[start:stop])) <= len(sentences(sentence)):
                self._cursor = start
                return self.text[start:stop]
            end = self._compared.find(tail, end + 1)
        return None

    def _paragraph_start(self, at: int) -> int:
        before = bisect.bisect_left(self._breaks, at)
        return self._breaks[before - 1] + 1 if before else 0


def page_text(html: str) -> str:
    """A web page's own text as a reader sees it: block elements are paragraphs, inline ones
    run on, scripts and styles are not text. Walked without recursion: pages nest deeply."""
    import lxml.etree
    import lxml.html

    try:
        data = _XML_DECLARATION.sub("", html, count=1).encode("utf-8")
        root = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (lxml.etree.ParserError, ValueError):
        return ""
    parts: list[str] = []
    hidden = 0  # depth inside a script, style or other element whose text is not shown
    for event, element in lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event in ("comment", "pi"):
            if not hidden:
                parts.append(element.tail or "")
            continue
        if event == "start":
            if hidden or tag in _SKIPPED:
                hidden += 1
            elif tag:
                parts.append(BREAK if tag in _BLOCKS else " " if tag == "br" else "")
                parts.append(element.text or "")
            continue
        if hidden:
            hidden -= 1
            if hidden:
                continue
        elif tag in _BLOCKS:
            parts.append(BREAK)
        parts.append(element.tail or "")
    return _collapse("".join(parts))


def markdown_text(body: str) -> str:
    """A Markdown or plain-text body as a reader sees it: marks off, blank lines as breaks.

    Lines of one block run on (newswire is wrapped at 70 characters, and a wrapped line may
    start with "- "), links and emphasis are read across them; a heading stands apart, so
    what cleaning glues onto one is not in the source.
    """
    blocks = []
    for block in _BLANK_LINE.split(body.replace("\r\n", "\n").replace("\r", "\n")):
        lines = []
        for line in block.split("\n"):
            heading = _HEADING_LINE.match(line)
            text = LINE_MARK.sub("", line)
            lines.append(f"{BREAK}{text}{BREAK}" if heading else text)
        blocks.append(strip_inline("\n".join(lines)))
    return BREAK.join(blocks)
