"""Sentences, words and stems with nothing downloaded at run time.

``nltk.sent_tokenize`` needs the ``punkt_tab`` data, which cannot be fetched here, so
the Punkt tokenizer runs untrained with the abbreviations news text needs. Stems are the
Snowball English stemmer from the Snowball project's own ``snowballstemmer`` package
(pure code, no data): importing NLTK's copy loads all of NLTK and scipy.stats, 0.9 s that
every ``briefing make`` would pay for a handful of query words. The stopword list ships
with the package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

# Lower case, without the final period, as Punkt stores them.
NEWS_ABBREVIATIONS = frozenset(
    """
    u.s u.k u.n e.u u.a.e u.s.s.r p.r.c d.c
    mr mrs ms dr prof rev fr sr jr st
    gen col lt maj capt cmdr adm sgt cpl
    sen rep gov pres amb sec dep
    inc corp co ltd plc llc bros
    jan feb mar apr jun jul aug sep sept oct nov dec
    no nos vol vols p pp para art fig ed eds
    vs etc approx est dept univ assn govt
    a.m p.m e.g i.e cf al
    """.split()
)

_GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_RUNS_ON = re.compile(r"[\W_]*[a-z]+\b(?![’'\w]*[A-Z])")  # a span that starts in lower case...
_CUT_TOO_SOON = re.compile(r"(?:[!?][”’\"']|\.\s\.\s\.|…)\s*$")  # ...after "a-ha!”" or ". . ."
_CJK_STOPS, _CJK_OPEN, _CJK_CLOSE = "。！？", "「『（", "」』）"
_CJK_MARK = re.compile(f"[{_CJK_STOPS}{_CJK_OPEN}{_CJK_CLOSE}]")
_WORDY = re.compile(r"\w")
_VISIBLE = re.compile(r"\S")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’»)\]」』）]*\s+")
_PIECE = 20_000  # characters of a paragraph Punkt reads at once
_WORD = re.compile(r"\w+(?:['’]\w+)*")


@cache
def _punkt():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(NEWS_ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def preload() -> None:
    """Load the sentence splitter and the stemmer now, so that processes forked after share them:
    each would otherwise import NLTK itself (with scipy.stats, a second of CPU in every worker)."""
    _punkt()
    _stemmer()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of one paragraph.

    Also splits where a scrape lost the space after a full stop ("meeting.They"),
    which Punkt leaves glued, and after Chinese and Japanese full stops, which it does not
    know; and joins back what Punkt cut too soon: a span that goes on in lower case after an
    exclamation or question inside a quotation or after ". . .", or one of only punctuation.
    Each character is looked at a bounded number of times, so a paragraph twice as long takes
    twice as long.
    """
    spans: list[tuple[int, int]] = []
    depth = 0  # how deep in 「…」 the scan of the last span ended
    for start, end in _punkt_spans(text):
        scan, carried = start, 0
        if spans and (
            not _WORDY.search(text, start, end)
            or (_RUNS_ON.match(text, start, end) and _CUT_TOO_SOON.search(text, max(spans[-1][0], spans[-1][1] - 64), spans[-1][1]))
        ):
            start, before = spans.pop()  # "an “a-ha!” moment", ". . . and then" and "!" are not sentences
            scan, carried = max(start, before - 1), depth  # where it could be cut before was settled then
        cut = start
        found, depth = _cjk_cuts(text, scan, end, carried)
        cuts = [m.start() for m in _GLUED_SENTENCE.finditer(text, scan, end)] + found
        for at in sorted(cuts):
            if at > cut and _VISIBLE.search(text, at, end):
                spans.append((cut, at))
                cut = at
        spans.append((cut, end))
    return spans


def _punkt_spans(text: str) -> Iterator[tuple[int, int]]:
    """Punkt's sentence spans, Punkt given at most ``_PIECE`` characters at a time, cut after a
    sentence end: NLTK stops its regular expressions after 5 seconds, which a paragraph of
    megabytes (never an article's) takes, and would fail the whole file."""
    start = 0
    while start < len(text):
        stop = len(text) if len(text) - start <= _PIECE else _cut(text, start, start + _PIECE)
        for first, last in _punkt().span_tokenize(text[start:stop]):
            yield start + first, start + last
        start = stop


def _cut(text: str, start: int, stop: int) -> int:
    """Where to cut ``text[start:stop]``: after its last sentence end, else its last space, else at ``stop``."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text, start + _PIECE // 2, stop)]
    if ends:
        return ends[-1]
    space = max(text.rfind(" ", start + 1, stop), text.rfind("\n", start + 1, stop))
    return space + 1 if space > start else stop


def _cjk_cuts(text: str, start: int, end: int, depth: int = 0) -> tuple[list[int], int]:
    """Where Chinese and Japanese sentences end: after 。！？ outside 「…」, or after a closing
    bracket that ends a sentence, unless a particle follows (「…。」と述べた is one sentence).
    ``depth`` is how deep in brackets ``start`` is; returned too, where the scan ended. Text
    without those marks (nearly all) is passed at once, not looked at a character at a time."""
    if not _CJK_MARK.search(text, start, end - 1):
        return [], depth
    cuts = []
    for at in range(start, end - 1):
        mark, following = text[at], text[at + 1]
        if mark in _CJK_OPEN:
            depth += 1
        elif mark in _CJK_CLOSE:
            depth = max(0, depth - 1)
            if not depth and text[at - 1] in _CJK_STOPS and not ("\u3040" <= following <= "\u309f" or following == "、"):
                cuts.append(at + 1)
        elif mark in _CJK_STOPS and not depth and following not in _CJK_CLOSE + _CJK_STOPS + "”’":
            cuts.append(at + 1)
    return cuts, depth


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def words(text: str) -> list[str]:
    """Lower-cased word tokens; apostrophes stay inside words ("Kazakhstan’s")."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def stems(text: str) -> list[str]:
    """Snowball stems of every word, stopwords kept so phrase positions stay exact."""
    return [stem(w) for w in words(text)]


@cache
def stopwords() -> frozenset[str]:
    data = resources.files("briefing").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in data.splitlines() if line.strip() and not line.startswith("#"))


@cache
def stopword_stems() -> frozenset[str]:
    """The stopwords as the stems column stores them, to leave them out of stem comparisons."""
    return frozenset(stem(w) for w in stopwords())
