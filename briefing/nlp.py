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

_GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[。！？])(?![」』）”’。！？\s])|(?<=[。！？][」』）”’])")
_RUNS_ON = re.compile(r"[\W_]*[a-z]+\b(?![’'\w]*[A-Z])")  # a span that starts in lower case continues a sentence
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


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of one paragraph.

    Also splits where a scrape lost the space after a full stop ("meeting.They"),
    which Punkt leaves glued, and after Chinese and Japanese full stops, which it does not
    know; and joins back what Punkt cut too soon: a span that goes on in lower case after an
    exclamation inside a quotation, or one of only punctuation (". . ."). Each character is
    looked at a bounded number of times, so a paragraph twice as long takes twice as long.
    """
    spans: list[tuple[int, int]] = []
    for start, end in _punkt_spans(text):
        scan = start
        if spans and (_RUNS_ON.match(text, start, end) or not _WORDY.search(text, start, end)):
            start, before = spans.pop()  # "an “a-ha!” moment", ". . ." and "!" are not sentences
            scan = max(start, before - 2)  # where it was glued was settled when that span was cut
        cut = start
        for match in _GLUED_SENTENCE.finditer(text, scan, end):
            if match.start() > cut and _VISIBLE.search(text, match.start(), end):
                spans.append((cut, match.start()))
                cut = match.start()
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
