"""The verbatim promise: every sentence the index keeps occurs in its source's own text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import ingest
from briefing.ingest.loaders import decode
from briefing.ingest.verbatim import Original, markdown_text, normalise, page_text
from briefing.models import Document, Source

from .conftest import PROJECT

INGEST_DEV = PROJECT.parent / "shared" / "ingest-dev"

PAGE = """<html><head><title>Not text</title><style>p { color: red }</style></head><body>
<h2>Transport and transit</h2>
<p>The NFL decided to play the game in <a href="/pit">Pittsburgh</a> from a 4:25 kickoff on Sunday.</p>
<p>He said &ldquo;we&rsquo;re ready&rdquo;
   and left.</p>
<script>var s = "A sentence hidden in a script.";</script>
<noscript><p>Text for readers without scripts.</p></noscript>
</body></html>"""


def test_whitespace_and_typographic_quotes_aside():
    assert normalise(" He said\n“we’re  ready”\u00a0and left. ") == "He said \"we're ready\" and left."
    assert Original(page_text(PAGE)).holds('He said "we\'re ready" and left.')


def test_a_sentence_whose_link_text_was_dropped_is_re_taken_from_the_page():
    page = Original(page_text(PAGE))
    holed = "The NFL decided to play the game in from a 4:25 kickoff on Sunday."
    assert not page.holds(holed)
    assert page.retake(holed) == "The NFL decided to play the game in Pittsburgh from a 4:25 kickoff on Sunday."


def test_a_heading_glued_to_a_sentence_is_not_in_the_page():
    page = Original(page_text(PAGE))
    assert not page.holds("Transport and transit The NFL decided to play the game")
    assert page.retake("Transport and transit The NFL decided to play the game in Pittsburgh.") is None


def test_scripts_and_styles_are_not_the_page_text_but_noscript_is():
    text = page_text(PAGE)
    assert "hidden in a script" not in text and "color: red" not in text and "Not text" not in text
    assert "Text for readers without scripts." in text


def test_markdown_is_read_as_markdown():
    own = Original(markdown_text("## Trade\nSee [the report](https://x.example) for **all** figures.\n\nNext one."))
    assert own.holds("See the report for all figures.")
    assert not own.holds("Trade See the report")  # a heading stands apart
    assert not own.holds("figures. Next one.")  # a blank line is a paragraph break


def test_hard_wrapped_newswire_runs_on():
    own = Original(markdown_text("The council voted on Tuesday to\nraise the levy by 5 percent.\n"))
    assert own.holds("The council voted on Tuesday to raise the levy by 5 percent.")


def test_extract_never_keeps_a_sentence_with_a_hole():
    body = "Officials said the plan is ready. It was approved by\n\nparliament on Monday, the ministry said.\n"
    result = ingest.extract(Document("d", "d.md", Source(), body, "h"))
    own = Original(markdown_text(body))
    assert result.sentences and all(own.holds(s.text) for s in result.sentences)


def test_every_sentence_of_the_shipped_corpus_is_verbatim(extracted, raw_text):
    for doc_id, result in extracted.items():
        own = Original(markdown_text(raw_text[doc_id]))
        assert [s.text for s in result.sentences if not own.holds(s.text)] == []
        assert not [d for d in result.dropped if d.reason == "not verbatim in the source"]


@pytest.mark.skipif(not INGEST_DEV.is_dir(), reason=f"the development pages are not beside the project ({INGEST_DEV})")
def test_every_sentence_kept_from_real_pages_is_in_the_page():
    names = sorted(json.loads((INGEST_DEV / "expected.json").read_text(encoding="utf-8")))
    holes, kept = [], 0
    for name in names:
        path = INGEST_DEV / "pages" / name
        page = Original(page_text(decode(path.read_bytes(), name)))
        try:
            result = ingest.extract(ingest.document(ingest.read(path), name, name))
        except ingest.loaders.FileError:
            continue
        kept += len(result.sentences)
        holes += [(name, s.text) for s in result.sentences if not page.holds(s.text)]
    assert kept > 2000 and holes == []


def test_page_text_reads_unicode_xhtml_and_empty_pages():
    assert page_text("<p>“Quote” – naïve café</p>") == "“Quote” – naïve café"
    xhtml = '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hello.</p></body></html>'
    assert page_text(xhtml) == "Hello."
    assert page_text("<!-- nothing -->") == page_text("") == page_text("<!DOCTYPE html>") == ""
    assert page_text("<p>a <!-- c --> b</p>") == "a b"


def test_a_retaken_sentence_is_the_nearest_span_and_never_two_sentences():
    own = Original(markdown_text(
        "Officials in Astana said the tariffs would rise. Officials in Astana said the [new customs\n"
        "rules](https://example.org/rules) would take effect in January next year, the ministry said.\n"
    ))
    assert own.holds("Officials in Astana said the new customs rules would take effect in January next year, the ministry said.")
    garbled = "Officials in Astana said the [new customs rules](https://x.example) would take effect in January next year, the ministry said."
    assert own.retake(garbled) is None  # longer than anything the source holds there: never two sentences glued


def test_a_sentence_among_many_like_it_is_re_taken_from_its_own_place():
    own = Original(" ".join(f"The minister said that the plan would work well in the end, officials said in {i}." for i in range(2000)))
    retaken = own.retake("The minister said that the plan would work in the end, officials said in 1999.")
    assert retaken == "The minister said that the plan would work well in the end, officials said in 1999."


def test_whitespace_is_collapsed_as_the_patterns_did():
    """``_collapse`` splits on whitespace where it once substituted patterns: the same text for any mix
    of spaces, breaks, invisible characters and words."""
    import random
    import re
    import sys

    from briefing.ingest.verbatim import BREAK, _collapse

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    spaces = re.findall(r"\s", every)
    assert spaces == [char for char in every if char.isspace()]

    def by_patterns(text: str) -> str:
        text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
        text = re.sub(rf"\s*{BREAK}[\s{BREAK}]*", BREAK, re.sub(rf"[^\S{BREAK}]+", " ", text))
        return text.strip(f" {BREAK}")

    alphabet = [*spaces, *[BREAK, "\u00ad", "\u200b", "a", "’", "b"] * 4]
    chance = random.Random(14)
    for _ in range(20_000):
        text = "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 10)))
        assert _collapse(text) == by_patterns(text), repr(text)
