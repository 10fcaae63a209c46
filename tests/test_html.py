"""Web pages: trafilatura's marked-up article, link-dense blocks out, the page's own words kept."""

from __future__ import annotations

from pathlib import Path

from briefing import ingest
from briefing.ingest.html import _title, article
from briefing.ingest.verbatim import Original, page_text

PARAGRAPHS = [
    "Kazakhstan and Uzbekistan signed a water-sharing agreement on Tuesday after two years of talks.",
    "The agreement runs for ten years and sets up a joint commission to settle disputes over reservoir releases.",
    "Farmers in the south of both countries have long complained that summer releases come too late.",
    "The commission will meet twice a year, alternating between Tashkent and Astana, the ministries said.",
]
STYLED = "Officials said the deal was the first of its kind in the region and could be extended to Kyrgyzstan."


def page(**overrides: str) -> str:
    parts = {
        "title": "Water deal signed | Steppe Times",
        "author": "No Author",
        "teasers": "".join(f'<li><a href="/t{n}">Teaser story number {n} about sport</a></li>' for n in range(6)),
    } | overrides
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    body += '<p>Read more: <a href="/other">Glacier melt worries planners in Almaty this summer</a></p>'
    body += f"<h2>{STYLED}</h2>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    return (
        f"<html><head><title>{parts['title']}</title>"
        '<meta property="og:site_name" content="Steppe Times">'
        f'<meta name="author" content="{parts["author"]}"></head><body>'
        '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        f"<article><h1>Water deal signed</h1>{body}"
        "<p>Copyright 2024 Steppe Times. All rights reserved. This material may not be published.</p></article>"
        f"<aside><ul>{parts['teasers']}</ul></aside></body></html>"
    )


def sentences_of(html: str, tmp_path: Path) -> list[tuple[str, bool]]:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    return [(s.text, s.heading) for s in ingest.extract(ingest.document(ingest.read(path), "p", "page.html")).sentences]


def test_the_article_and_only_the_article(tmp_path):
    kept = sentences_of(page(), tmp_path)
    assert kept[0] == ("Water deal signed", True)  # the headline, kept as a heading: never quoted
    assert [text for text, heading in kept[1:] if not heading] == [*PARAGRAPHS[:2], STYLED, *PARAGRAPHS[2:]]


def test_every_kept_sentence_is_in_the_page(tmp_path):
    html = page()
    own = Original(page_text(html))
    assert all(own.holds(text) for text, _ in sentences_of(html, tmp_path))


def test_headings_and_items_keep_their_marks():
    found = article(page())
    assert found is not None
    assert "Read more" not in found.body and "Teaser story" not in found.body


def test_the_site_name_comes_off_the_headline_and_no_author_is_none():
    found = dict(article(page()).found)
    assert found["title"] == "Water deal signed" and found["outlet"] == "Steppe Times"
    assert "author" not in found
    assert "date" not in found  # not guessed from the copyright line
    assert dict(article(page(author="Art Edwards says")).found).get("author") is None


def test_a_cms_name_is_no_headline_and_only_the_site_name_comes_off():
    assert _title("escenic", None, None) is None
    assert _title("Yellow Vests and I — Pamela Anderson", None, "https://www.pamelaandersonfoundation.org/x") == (
        "Yellow Vests and I"
    )
    assert _title("Russia - Ukraine talks resume", "Steppe Times", None) == "Russia - Ukraine talks resume"
    assert _title("Talks with Russia - Part 2", None, "https://departures.example/x") == "Talks with Russia - Part 2"
    assert _title("Floods hit the north - UK", "BBC News", "https://www.bbc.co.uk/news/1") == "Floods hit the north - UK"


def test_text_around_a_labelled_link_is_not_glued_to_its_headline(tmp_path):
    html = page(teasers="").replace(
        f"<p>{PARAGRAPHS[1]}</p>",
        f"<p>{PARAGRAPHS[1]} <span><a href='/x'>READ MORE: Oil exports hit a record high in March as a pipeline opens"
        "</a></span> Farmers in the north said the deal came too late for this year's sowing.</p>",
    )
    kept = [text for text, _ in sentences_of(html, tmp_path)]
    assert "Farmers in the north said the deal came too late for this year's sowing." in kept
    assert not any("READ MORE" in text or "Oil exports" in text for text in kept)


def test_nested_items_keep_their_own_text_and_linked_prose_stays(tmp_path):
    html = page(teasers="").replace(
        f"<p>{PARAGRAPHS[3]}</p>",
        "<ul><li>A ban on reloading Russian LNG in European ports was agreed by the ministers on Friday."
        "<ul><li>It takes effect in nine months.</li></ul></li></ul>"
        "<p><a href='/a'>Hungary had blocked the package for weeks</a>, <a href='/b'>demanding exemptions for its oil"
        " imports</a> and <a href='/c'>guarantees for the Paks nuclear project</a>.</p>",
    )
    kept = [text for text, _ in sentences_of(html, tmp_path)]
    assert "A ban on reloading Russian LNG in European ports was agreed by the ministers on Friday." in kept
    assert "It takes effect in nine months." in kept
    assert any(text.startswith("Hungary had blocked the package for weeks") for text in kept)
