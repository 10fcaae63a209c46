"""Properties of cleaning and sentence splitting on any text (hypothesis): no crash, no invented
words, cleaning a cleaned text changes nothing, and time that grows with the text, not faster.

The texts are made of the pieces hostile and broken pages are made of: Markdown marks, bylines,
end-of-article markers, quotations, interview tags, look-alike letters, CJK full stops, control
characters, every kind of line break and space.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from briefing import ingest
from briefing.ingest.clean import HEADING, clean
from briefing.ingest.verbatim import markdown_text, normalise
from briefing.models import Document, Source
from briefing.nlp import sentence_spans

PIECES = [
    "Kazakhstan", "said", "the", "minister", "on", "Monday", "trade", "by", "John", "Smith", "Share this", "Read more:",
    "Photo:", "©", "2024", "“We", "will,”", "he", "added", "Q:", "A:", "Mr.", "U.S.", "e.g.", "www.example.com",
    "info@example.org", "|", "#", "##", "**bold**", "[link](http://x.example)", "-", "*", "1.", ">", "Соntасt", "。",
    "！", "?", "!", ".", ",", ":", ";", "…", "(", ")", '"', "'", "—", "–", "ASTANA", "(Reuters)", "\x1b[31m", "\x00",
]
SPACES = [" ", " ", " ", "\n", "\n\n", "\r\n", "\r", "\t", "\u00a0", "\u2028", "\u2029", "  "]
piece = st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=6))
texts = st.lists(st.tuples(piece, st.sampled_from(SPACES)), max_size=80).map(lambda pairs: "".join(a + b for a, b in pairs))

# Text whose lines begin with a word: there cleaning is a fixed point. (A line that begins with
# marks is not: "- - item" loses one list mark a pass, as Markdown reads it.)
line = st.tuples(
    st.sampled_from(["Kazakhstan", "The", "Officials", "ASTANA", "He", "we", "trade", "Mr.", "Share"]),
    st.lists(st.tuples(st.sampled_from([" ", "  ", "\t"]), st.one_of(st.sampled_from(PIECES[:40]), st.text(
        st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=6))), max_size=20),
).map(lambda t: t[0] + "".join(a + b for a, b in t[1]))
prose = st.lists(st.tuples(line, st.sampled_from(["\n", "\n\n", "\r\n"])), max_size=12).map(
    lambda pairs: "".join(a + b for a, b in pairs)
)

thorough = settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def document(body: str) -> Document:
    return Document("d", "d.md", Source(), body, "")


@thorough
@given(texts)
def test_every_kept_sentence_is_in_the_text_and_nothing_crashes(body):
    source = normalise(markdown_text(body))
    for sentence in ingest.extract(document(body)).sentences:
        assert normalise(sentence.text) in source, sentence.text


@thorough
@given(texts)
def test_sentence_spans_are_in_order_inside_the_text_and_hold_words(text):
    last = 0
    for start, end in sentence_spans(text):
        assert last <= start < end <= len(text)
        assert text[start:end].strip()
        last = end


@thorough
@given(prose)
def test_cleaning_a_cleaned_text_changes_nothing(body):
    cleaned = clean(body)
    again = clean("\n\n".join(f"# {p.text}" if p.role == HEADING else p.text for p in cleaned.paragraphs))
    assert again.paragraphs == cleaned.paragraphs


def cost(function: Callable[[str], object], text: str, tries: int = 3) -> float:
    """Seconds of this process's CPU for one call, the least of ``tries`` (no garbage collection meanwhile)."""
    gc.disable()
    try:
        best = float("inf")
        for _ in range(tries):
            started = time.process_time()
            function(text)
            best = min(best, time.process_time() - started)
        return best
    finally:
        gc.enable()


def grows_linearly(function: Callable[[str], object], unit: str) -> None:
    """Eight times the text costs at most sixteen times as much (a quadratic step costs sixty-four).
    The smaller text is made long enough to cost 10 ms, so that what grows faster than the text shows."""
    size = 1_000
    while True:
        small = unit * (size // len(unit) + 1)
        if cost(function, small, tries=1) >= 0.01 or size >= 128_000:
            break
        size *= 2
    small_cost, large_cost = cost(function, small), cost(function, unit * (8 * len(small) // len(unit)))
    assert large_cost <= 16 * max(small_cost, 0.002), (function.__name__, len(small), small_cost, large_cost)


@settings(max_examples=2, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(texts)
@example("word and more words\n")  # lines that go on in lower case, joined into one paragraph
@example("Heading of a section\n")  # headings and no article
@example("wow! ")  # spans that Punkt cuts and we join back
def test_cleaning_and_splitting_take_time_in_proportion_to_the_text(unit):
    assume(len(unit.strip()) >= 4)
    for function in (clean, sentence_spans):
        grows_linearly(function, unit)
