"""`corpus fetch`: real feeds and pages served on 127.0.0.1, read into a corpus once."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from briefing.dates import PartialDate
from briefing.errors import CorpusError
from briefing.feeds import fetch
from briefing.ingest import loaders

from .conftest import POLITICO

WATER = [
    "Kazakhstan and Uzbekistan signed a water-sharing agreement on Monday covering the Syr Darya basin, "
    "officials in both capitals said, after two years of negotiations over summer irrigation quotas.",
    "The agreement runs for ten years and sets up a joint commission to settle disputes over reservoir "
    "releases, the Kazakh foreign ministry said in a statement on its website.",
    "Farmers in southern Kazakhstan have complained for years that upstream releases arrive too late for "
    "the cotton and rice harvests, and the deal promises a fixed schedule from April to September.",
    "“We have waited a long time for a date we can plan around,” said Aibek Nurlanov, who farms near Shymkent.",
    "Uzbek officials said the commission would publish its release schedule each March, and that both "
    "countries would share gauge readings from the basin in real time for the first time.",
    "Analysts in Almaty said the test of the deal would come in a dry year, when both governments face "
    "pressure to keep water for their own farmers.",
]
GLACIERS = [
    "City planners in Almaty warned on Wednesday that the glaciers feeding the city's rivers have lost a "
    "third of their mass since the 1950s, and that summer flows will fall within two decades.",
    "The city council asked the national government for funds to build two new reservoirs in the foothills "
    "and to repair canals that lose up to forty percent of their water before it reaches homes.",
    "“The glaciers are our savings account, and we are spending it,” said Gulnara Sadykova, who heads the "
    "council's water committee.",
    "Hydrologists at the Institute of Geography said the loss had accelerated since 2000, with the Tuyuksu "
    "glacier retreating by more than a kilometre in half a century.",
    "The ministry of ecology said it would publish a national adaptation plan for mountain water by the end "
    "of the year, with targets for each river basin.",
]
PORTS = [
    "Ports on the Caspian Sea are expanding as traders look for routes between China and Europe that avoid "
    "Russia, the port authority in Aktau said on Tuesday.",
    "Cargo through Aktau and Kuryk rose by a quarter last year, and the two ports plan new container "
    "terminals that would double their capacity by 2027.",
    "“Every shipping line we talk to wants a second route,” said Yerlan Bekov, the port's commercial "
    "director, at a conference in Astana.",
    "Shipping companies say the ferry crossing to Baku remains the bottleneck, with waits of up to two weeks "
    "in winter when storms close the ports.",
]
RAIL = [
    "A new rail link between the Chinese border and the Caspian coast opened on Wednesday, cutting the "
    "journey for container trains by almost a day, Kazakhstan's railway company said.",
    "The line runs for 830 kilometres across the steppe and was built in three years at a cost of "
    "about 1.2 billion dollars, partly financed by the Asian Development Bank.",
    "Officials expect the route to carry five million tonnes of freight a year by 2030, mostly containers "
    "bound for Turkey and southern Europe.",
]
PIPELINE_SUMMARY = (
    "<p>Talks on a trans-Caspian gas pipeline resumed in Baku on Tuesday, officials from both countries said.</p>"
    "<p>Both sides expect to sign a framework agreement by the end of the year.</p>"
)


def rss(base: str) -> bytes:
    items = [
        ("Kazakhstan and Uzbekistan sign water deal", "news/water-deal", "<dc:creator>Jane Doe</dc:creator>",
         "Tue, 15 Apr 2025 23:30:00 -0500", WATER),
        ("Glacier melt worries Almaty planners", "news/glaciers",
         "<author>desk@steppe.example (Aidos Serikbayev)</author>", "Wed, 16 Apr 2025 08:00:00 +0500", GLACIERS),
    ]
    body = "".join(
        f"<item><title>{title}</title><link>{base}/{path}</link>{author}<pubDate>{date}</pubDate>"
        f"<description>{escape(paras[0][:80])}…</description>"
        f"<content:encoded><![CDATA[{''.join(f'<p>{p}</p>' for p in paras)}<p>Share this: Facebook Twitter</p>]]>"
        "</content:encoded></item>"
        for title, path, author, date, paras in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Steppe Times</title><link>{base}/</link><description>News from the steppe</description>"
        f"{body}</channel></rss>"
    ).encode()


def atom(base: str, entries: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>Caspian Review</title><id>{base}/atom.xml</id><updated>2025-03-06T00:00:00Z</updated>'
        f'{"".join(entries)}</feed>'
    ).encode()


def entry(base: str, title: str, path: str, published: str, extra: str = "") -> str:
    return (
        f'<entry><title>{title}</title><link rel="alternate" href="{base}/{path}"/><id>{base}/{path}</id>'
        f"<published>{published}</published><updated>{published}</updated>{extra}</entry>"
    )


def page(title: str, paras: list[str], meta: str = "") -> bytes:
    """An article page as outlets publish them: the story inside navigation, teasers and footer."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Caspian Review</title>
<meta property="og:site_name" content="Caspian Review">{meta}</head>
<body>
<header><a href="/">Caspian Review</a>
<nav><ul><li><a href="/politics">Politics</a></li><li><a href="/energy">Energy</a></li>
<li><a href="/subscribe">Subscribe</a></li><li><a href="/login">Log in</a></li></ul></nav></header>
<main><article><h1>{title}</h1><p class="byline">By our correspondent</p>
{''.join(f'<p>{p}</p>' for p in paras)}
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Ten things to see in Baku</a></li>
<li><a href="/b">Oil price slides again</a></li></ul></aside></main>
<footer><p>Copyright 2025 Caspian Review. All rights reserved.</p>
<p>Follow us on Facebook and Twitter. Sign up for our newsletter.</p></footer>
</body></html>""".encode()


@dataclass
class Site:
    """What the local server serves, and every request it got (path, User-Agent)."""

    base: str = ""
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    agents: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def pages_hit(self) -> int:
        return sum(n for path, n in self.hits.items() if path.startswith(("/news/", "/articles/")))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        site: Site = self.server.site  # type: ignore[attr-defined]
        site.hits[self.path] += 1
        site.agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/slow.xml":
            time.sleep(1.0)
        status, headers, body = site.routes.get(self.path, (404, {"Content-Type": "text/html"}, b"<p>Not found</p>"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers and not headers.get("X-Stream"):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (the timeout test) is expected, not an error to print."""


XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def site() -> Iterator[Site]:
    server = Server(("127.0.0.1", 0), Handler)
    served = Site(base=f"http://127.0.0.1:{server.server_port}")
    server.site = served  # type: ignore[attr-defined]
    base = served.base
    summaries = [  # teasers only: the article is on the linked page
        entry(base, "Caspian ports expand as trade shifts", "articles/caspian-ports.html",
              "2025-03-04T09:00:00+05:00",
              "<author><name>Marat Akhmetov</name></author><summary>Ports on the Caspian are growing.</summary>"),
        entry(base, "Rail link to China opens new route", "articles/rail-link.html", "2025-03-05T23:00:00-02:00",
              "<summary>A new line across the steppe.</summary>"),
        entry(base, "Pipeline talks resume", "articles/pipeline.html", "2025-03-06T10:00:00Z",
              f'<summary type="html">{escape(PIPELINE_SUMMARY)}</summary>'),
    ]
    gone = entry(base, "Removed story", "articles/removed.html", "2025-03-06T11:00:00Z")
    served.routes = {
        "/rss.xml": (200, XML, rss(base)),
        "/atom.xml": (200, ATOM, atom(base, summaries)),
        "/gone.xml": (200, ATOM, atom(base, [gone])),
        "/articles/caspian-ports.html": (200, HTML, page("Caspian ports expand as trade shifts", PORTS)),
        "/articles/rail-link.html": (
            200, HTML, page("Rail link to China opens new route", RAIL, '<meta name="author" content="Dana Ospanova">')
        ),
        "/broken.xml": (200, XML, b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Oops</channel></rss>'),
        "/big.xml": (200, XML, b"<!-- padding -->" * 10_000),
        "/big-stream.xml": (200, {**XML, "X-Stream": "1"}, b"<!-- padding -->" * 10_000),
        "/moved.xml": (302, {"Location": "ftp://127.0.0.1/rss.xml"}, b""),
        "/slow.xml": (200, XML, rss(base)),
    }
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


def read_back(path: Path) -> loaders.Loaded:
    return loaders.parse(loaders.read(path))


def test_full_content_entries_are_added_with_their_metadata_and_no_page_is_fetched(site, corpus):
    report = fetch([site.url("rss.xml")], corpus)
    assert not report.skipped and not report.known
    assert [a.origin for a in report.added] == [site.url("news/water-deal"), site.url("news/glaciers")]
    assert [a.path.name for a in report.added] == [
        "2025-04-15-kazakhstan-and-uzbekistan-sign-water-deal.md",
        "2025-04-16-glacier-melt-worries-almaty-planners.md",
    ]
    water, glaciers = (read_back(a.path) for a in report.added)
    assert water.source.outlet == "Steppe Times"
    assert water.source.title == "Kazakhstan and Uzbekistan sign water deal"
    assert water.source.author == "Jane Doe"
    assert water.source.date == PartialDate(2025, 4, 15)  # the publisher's day, not UTC's 16th
    assert water.source.url == site.url("news/water-deal")
    assert glaciers.source.author == "Aidos Serikbayev"  # not the e-mail address
    assert [line for line in water.body.strip().split("\n") if line][:6] == WATER  # the full content:encoded, as text, in order
    assert site.pages_hit() == 0
    assert all(agent.startswith("briefing/") for agent in site.agents)


def test_summary_entries_take_the_linked_pages_main_text(site, corpus):
    report = fetch([site.url("atom.xml")], corpus)
    assert not report.skipped
    ports, rail, pipeline = (read_back(a.path) for a in report.added)
    assert ports.source.outlet == "Caspian Review"
    assert ports.source.author == "Marat Akhmetov"
    assert ports.source.date == PartialDate(2025, 3, 4)
    assert all(p in ports.body for p in PORTS)
    for chrome in ("Subscribe", "Most read", "Ten things to see", "All rights reserved", "newsletter"):
        assert chrome not in ports.body
    assert rail.source.author == "Dana Ospanova"  # the feed has none; the page does
    assert rail.source.date == PartialDate(2025, 3, 5)
    assert pipeline.body.strip() == (
        "Talks on a trans-Caspian gas pipeline resumed in Baku on Tuesday, officials from both countries said.\n"
        "Both sides expect to sign a framework agreement by the end of the year."
    )  # its page is gone, and the summary has the article's text
    assert site.hits["/articles/pipeline.html"] == 1


def test_a_second_run_fetches_only_the_feeds_and_adds_nothing(site, corpus):
    feeds = [site.url("rss.xml"), site.url("atom.xml")]
    first = fetch(feeds, corpus)
    assert len(first.added) == 5
    files = sorted(corpus.iterdir())
    pages = site.pages_hit()
    second = fetch(feeds, corpus)
    assert not second.added and not second.skipped
    assert second.known == tuple(a.origin for a in first.added)
    assert site.pages_hit() == pages
    assert site.hits["/rss.xml"] == site.hits["/atom.xml"] == 2
    assert sorted(corpus.iterdir()) == files


def test_the_same_feed_makes_the_same_files(site, tmp_path):
    made = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        fetch([site.url("rss.xml"), site.url("atom.xml")], tmp_path / name)
        made.append({p.name: p.read_bytes() for p in (tmp_path / name).iterdir()})
    assert made[0] == made[1] and len(made[0]) == 5


def test_an_entry_whose_text_is_in_the_corpus_is_known_not_added(site, corpus_copy, raw_text):
    body = raw_text[POLITICO]
    site.routes["/copy.xml"] = (200, ATOM, atom(site.base, [
        entry(site.base, "Syndicated copy", "elsewhere/copy.html", "2022-10-20T10:00:00Z",
              f'<content type="text">{escape(body)}</content>'),
    ]))
    before = sorted(corpus_copy.iterdir())
    report = fetch([site.url("copy.xml")], corpus_copy)
    assert report.known == (site.url("elsewhere/copy.html"),)
    assert not report.added and not report.skipped
    assert sorted(corpus_copy.iterdir()) == before


def test_a_local_feed_file_works_and_a_missing_one_is_skipped(site, corpus, tmp_path):
    local = tmp_path / "feed.xml"
    local.write_bytes(rss(site.base))
    report = fetch([str(tmp_path / "missing.xml"), str(local)], corpus)
    assert [(s.path, s.reason) for s in report.skipped] == [
        (str(tmp_path / "missing.xml"), "cannot read (No such file or directory)")
    ]
    assert [read_back(a.path).source.outlet for a in report.added] == ["Steppe Times", "Steppe Times"]


def test_an_entry_without_text_whose_page_is_gone_is_skipped(site, corpus):
    report = fetch([site.url("gone.xml"), site.url("rss.xml")], corpus)
    assert [(s.path, s.reason) for s in report.skipped] == [
        (
            site.url("articles/removed.html"),
            "the feed gives no article text and the page cannot be used: HTTP 404 Not Found",
        )
    ]
    assert len(report.added) == 2  # the run went on


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("broken.xml", "not an RSS or Atom feed (line 2: mismatched tag)"),
        ("articles/caspian-ports.html", "not an RSS or Atom feed"),
        ("nothing-here.xml", "HTTP 404 Not Found"),
        ("moved.xml", "HTTP 302 redirects to ftp://127.0.0.1/rss.xml, not an http or https URL"),
    ],
)
def test_feeds_that_cannot_be_used_are_skipped_with_the_reason(site, corpus, path, reason):
    report = fetch([site.url(path), site.url("rss.xml")], corpus)
    assert [s.path for s in report.skipped] == [site.url(path)]
    assert report.skipped[0].reason.startswith(reason)
    assert len(report.added) == 2


def test_unreachable_feed(corpus):
    url = f"http://127.0.0.1:{unused_port()}/feed.xml"
    [skipped] = fetch([url], corpus).skipped
    assert skipped.reason.startswith("cannot connect (") and "refused" in skipped.reason.lower()


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/rss.xml", "file:///etc/hostname", "feed://127.0.0.1/rss.xml"])
def test_only_http_and_https_are_fetched(corpus, url):
    [skipped] = fetch([url], corpus).skipped
    assert skipped.reason == f"only http and https URLs are fetched, not {url.split(':')[0]}:"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("big.xml", "160,000 bytes, over the 100,000-byte limit"),
        ("big-stream.xml", "more than 100,000 bytes, over the limit"),
    ],
)
def test_oversize_responses_are_refused(site, corpus, path, reason):
    [skipped] = fetch([site.url(path)], corpus, limit=100_000).skipped
    assert skipped.reason == reason


def test_a_feed_that_does_not_answer_in_time(site, corpus):
    started = time.monotonic()
    [skipped] = fetch([site.url("slow.xml")], corpus, timeout=0.2).skipped
    assert skipped.reason == "no answer within 0.2 s"
    assert time.monotonic() - started < 1.0


def test_missing_corpus_folder_is_an_error_before_any_fetch(site, tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        fetch([site.url("rss.xml")], tmp_path / "nope")
    assert not site.hits


def test_a_link_that_is_not_http_is_not_kept_as_the_articles_url(tmp_path, corpus):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss("http://127.0.0.1:9").replace(b"<link>http://127.0.0.1:9/news/water-deal", b"<link>javascript:alert(1)"))
    report = fetch([str(feed)], corpus)
    water = read_back(report.added[0].path)
    assert water.source.url is None and "javascript" not in report.added[0].path.read_text(encoding="utf-8")
    assert report.added[0].origin == f"{feed} entry 1"


def test_a_teaser_whose_page_fails_says_why_the_page_was_not_used(site, corpus):
    teaser = entry(site.base, "Short note", "articles/missing.html", "2025-03-06T11:00:00Z", "<summary>Ports.</summary>")
    site.routes["/teaser.xml"] = (200, ATOM, atom(site.base, [teaser]))
    report = fetch([site.url("teaser.xml")], corpus)
    (skipped,) = report.skipped
    assert "no article text" in skipped.reason and "its page: HTTP 404" in skipped.reason


def test_a_teaser_kept_because_its_page_failed_is_reported(site, corpus):
    long_teaser = "<summary>" + " ".join(PORTS[:2]) + "</summary>"  # under FULL_TEXT: the page is tried
    kept = entry(site.base, "Ports note", "articles/missing.html", "2025-03-06T11:00:00Z", long_teaser)
    site.routes["/kept.xml"] = (200, ATOM, atom(site.base, [kept]))
    report = fetch([site.url("kept.xml")], corpus)
    assert len(report.added) == 1 and not report.skipped
    (teaser,) = report.teasers
    assert teaser.path == site.url("articles/missing.html") and "its page: HTTP 404" in teaser.reason


def test_an_empty_feed_file_and_a_url_that_is_not_one_are_skipped_and_the_run_goes_on(site, corpus, tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    site.routes["/empty.xml"] = (200, XML, b"\n")
    report = fetch([str(empty), "http://[::1", site.url("empty.xml"), site.url("rss.xml")], corpus)
    assert [(s.path, s.reason) for s in report.skipped] == [
        (str(empty), "not an RSS or Atom feed (empty)"),
        ("http://[::1", "not a URL (Invalid IPv6 URL)"),
        (site.url("empty.xml"), "not an RSS or Atom feed (empty)"),
    ]
    assert len(report.added) == 2


def test_a_feed_that_feedparser_fails_on_is_skipped(site, corpus):
    broken = b'<rss version="2.0"><channel><title>T</title><item><title>a &#xD800; b</title></item></channel></rss>'
    site.routes["/surrogate.xml"] = (200, XML, broken)
    report = fetch([site.url("surrogate.xml"), site.url("rss.xml")], corpus)
    [skipped] = report.skipped
    assert skipped.path == site.url("surrogate.xml") and skipped.reason.startswith("feedparser cannot read it (")
    assert len(report.added) == 2


def test_content_that_is_an_svg_image_is_read_as_text(site, corpus):
    """trafilatura fails on a page whose root is not HTML: the entry's content is given to it inside a page."""
    chart = entry(site.base, "Chart of cargo", "articles/chart.html", "2025-03-06T12:00:00Z",
                  '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><svg xmlns="http://www.w3.org/2000/svg">'
                  f"<desc><abbr>{' '.join(RAIL)}</abbr></desc><circle r=\"50\"/></svg></div></content>")
    site.routes["/chart.xml"] = (200, ATOM, atom(site.base, [chart]))
    report = fetch([site.url("chart.xml")], corpus)
    assert not report.skipped
    assert read_back(report.added[0].path).body.strip() == " ".join(RAIL)


def test_each_feed_has_its_own_record(site, corpus):
    site.routes["/quiet.xml"] = (200, XML, b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    feeds = [site.url("quiet.xml"), site.url("gone.xml"), site.url("nothing.xml"), site.url("rss.xml")]
    fetch([site.url("rss.xml")], corpus)
    report = fetch(feeds, corpus)
    quiet, gone, nothing, again = report.feeds
    assert [f.feed for f in report.feeds] == feeds
    assert (quiet.summary, quiet.unread) == ("no entries", None)
    assert gone.summary == "1 skipped" and gone.skipped[0].path == site.url("articles/removed.html")
    assert nothing.unread == "HTTP 404 Not Found"
    assert again.summary == "2 already in the corpus" and len(again.known) == 2
    assert [s.path for s in report.skipped] == [site.url("articles/removed.html"), site.url("nothing.xml")]


def test_a_feed_that_is_not_well_formed_is_read_as_far_as_it_goes_and_says_so(site, corpus):
    body = rss(site.base).replace(b"Glacier melt", b"Glacier&nbsp;melt")  # an HTML entity XML does not know
    site.routes["/loose.xml"] = (200, XML, body)
    [result] = fetch([site.url("loose.xml")], corpus).feeds
    assert len(result.added) == 2
    assert result.notes == ("not well-formed, read as far as it goes (line 2: undefined entity)",)
    assert result.summary == "2 added; not well-formed, read as far as it goes (line 2: undefined entity)"


NEWS_RU = [  # three short stories, written in the test: a feed from a Russian outlet
    ("Москва готовится к зиме", (
        "Городские службы начали подготовку к зимнему сезону. На улицы выйдут две тысячи единиц техники, "
        "сообщили в мэрии. Запасы соли и песка уже на складах."
    )),
    ("Новый мост через Волгу", (
        "Строительство моста в Твери завершится в следующем году. Об этом сообщили в администрации области. "
        "Мост свяжет два района города."
    )),
    ("Цены на хлеб выросли", (
        "За месяц хлеб подорожал на три процента. Это следует из данных статистической службы. Сильнее всего "
        "выросли цены в Сибири."
    )),
]


def russian_rss(declaration: str = "") -> str:
    items = "".join(
        f"<item><title>{title}</title><description>{text}</description><pubDate>Tue, 15 Apr 2025 10:00:00 +0300"
        "</pubDate></item>"
        for title, text in NEWS_RU
    )
    return f'{declaration}<rss version="2.0"><channel><title>Вести дня</title>{items}</channel></rss>'


def test_an_undeclared_koi8_r_feed_is_read_as_koi8_r_and_the_guess_is_said(tmp_path, corpus):
    feed = tmp_path / "koi8.xml"
    feed.write_bytes(russian_rss().encode("koi8-r"))
    [result] = fetch([str(feed)], corpus).feeds
    assert [read_back(a.path).source.title for a in result.added] == [title for title, _ in NEWS_RU]
    assert [read_back(a.path).body.strip() for a in result.added] == [text for _, text in NEWS_RU]
    assert read_back(result.added[0].path).source.outlet == "Вести дня"
    assert result.summary == "3 added; encoding not declared, read as koi8-r (a guess)"


@pytest.mark.parametrize(
    ("declaration", "content_type", "note"),
    [
        ('<?xml version="1.0" encoding="koi8-r"?>\n', "text/xml", None),  # RFC 7303: no US-ASCII default
        ('<?xml version="1.0" encoding="koi8-r"?>\n', "application/rss+xml; charset=utf-8",
         "encoding declared as utf-8, read as koi8-r"),
        ("", "application/rss+xml; charset=koi8-r", None),
    ],
)
def test_a_declared_koi8_r_feed_is_read_as_koi8_r(site, corpus, declaration, content_type, note):
    site.routes["/koi8.xml"] = (200, {"Content-Type": content_type}, russian_rss(declaration).encode("koi8-r"))
    [result] = fetch([site.url("koi8.xml")], corpus).feeds
    assert [read_back(a.path).source.title for a in result.added] == [title for title, _ in NEWS_RU]
    assert result.notes == ((note,) if note else ())


def utf16_atom(base: str, encoding: str, bom: bool) -> bytes:
    paras = [p.replace("Kazakhstan", "Qazaqstan — Қазақстан") for p in WATER]
    content = f'<content type="text">{escape(" ".join(paras))}</content>'
    text = atom(base, [entry(base, "Су келісімі — water deal", "news/water", "2025-04-15T10:00:00+05:00", content)])
    text = text.decode().replace('encoding="utf-8"', f'encoding="{encoding[:6]}"')
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "bom", "content_type", "note"),
    [
        ("utf-16-le", True, "application/atom+xml; charset=utf-8", "encoding declared as utf-8, read as utf-16-le"),
        ("utf-16-be", True, "text/xml", None),
        ("utf-16-le", False, "application/atom+xml", None),
        ("utf-32-be", True, "application/atom+xml; charset=utf-16", "encoding declared as utf-16, read as utf-32-be"),
        ("utf-32-le", False, "text/xml; charset=utf-32", None),
    ],
)
def test_utf_16_and_32_feeds_are_read_over_http_whatever_the_server_says(site, corpus, encoding, bom, content_type, note):
    site.routes["/wide.xml"] = (200, {"Content-Type": content_type}, utf16_atom(site.base, encoding, bom))
    [result] = fetch([site.url("wide.xml")], corpus).feeds
    [water] = (read_back(a.path) for a in result.added)
    assert water.source.title == "Су келісімі — water deal"
    assert "Qazaqstan — Қазақстан and Uzbekistan signed" in water.body
    assert result.notes == ((note,) if note else ())


def test_control_characters_from_a_leniently_read_feed_stay_out_of_the_corpus(site, corpus):
    text = escape(" ".join(PORTS)).replace("Ports on", "Ports&#0; on")
    odd = entry(site.base, "Caspian&#1; ports", "x", "2025-03-06T12:00:00Z", f'<content type="text">{text}</content>')
    site.routes["/controls.xml"] = (200, ATOM, atom(site.base, [odd]))
    [result] = fetch([site.url("controls.xml")], corpus).feeds
    assert result.notes[0].startswith("not well-formed, read as far as it goes")
    ports = read_back(result.added[0].path)  # a NUL in the file would make it "binary"
    assert ports.source.title == "Caspian ports"
    assert ports.body.strip() == " ".join(PORTS)


def test_a_utf_8_feed_with_a_stray_windows_1252_byte_is_read_as_utf_8(site, corpus):
    body = rss(site.base).replace(b"city's", b"city\x92s")  # a quote pasted from windows-1252 text (twice: story and teaser)
    site.routes["/stray.xml"] = (200, XML, body)
    [result] = fetch([site.url("stray.xml")], corpus).feeds
    water, glaciers = (read_back(a.path) for a in result.added)
    assert [line for line in water.body.split("\n") if line][:6] == WATER  # its “quotes” are UTF-8
    assert "glaciers feeding the city’s rivers" in glaciers.body
    assert result.notes == ("encoding declared as utf-8, read as utf-8 with 2 stray bytes as windows-1252",)


def atom03(dates: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed version="0.3" xmlns="http://purl.org/atom/ns#">'
        "<title>Caspian Weekly</title><modified>2025-03-09T00:00:00Z</modified>"
        f'<entry><title>Caspian ports expand</title><id>tag:caspian.example,2025:1</id>{dates}'
        f'<content type="text/plain" mode="escaped">{escape(" ".join(PORTS))}</content></entry></feed>'
    ).encode()


def rss_dated(dates: str) -> bytes:
    return (
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
        f"<channel><title>Steppe Times</title><item><title>Caspian ports expand</title>{dates}"
        f"<description>{escape(' '.join(PORTS))}</description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("feed", "day"),
    [
        (atom03("<created>2025-03-05T23:30:00-05:00</created>"), PartialDate(2025, 3, 5)),  # UTC's day is the 6th
        (atom03("<issued>2025-03-04T10:00:00+05:00</issued><modified>2025-03-07T10:00:00+05:00</modified>"),
         PartialDate(2025, 3, 4)),
        (atom03("<modified>2025-03-07T01:00:00+05:00</modified><created>2025-03-03T10:00:00Z</created>"),
         PartialDate(2025, 3, 3)),
        (rss_dated("<dc:date>2025-03-05T23:30:00-05:00</dc:date>"), PartialDate(2025, 3, 5)),
        (rss_dated("<dcterms:created>Wed, 05 Mar 2025 23:30:00 -0500</dcterms:created>"), PartialDate(2025, 3, 5)),
    ],
)
def test_every_date_feedparser_reads_dates_the_entry_on_the_publishers_day(tmp_path, corpus, feed, day):
    path = tmp_path / "feed.xml"
    path.write_bytes(feed)
    [added] = fetch([str(path)], corpus).added
    assert read_back(added.path).source.date == day


@pytest.mark.parametrize(
    ("address", "where"),
    [
        ("127.0.0.1", "this machine"),
        ("127.8.9.10", "this machine"),
        ("::1", "this machine"),
        ("::ffff:127.0.0.1", "this machine"),  # IPv4 written as IPv6 is still this machine
        ("0.0.0.0", "this machine"),  # Linux connects it to this machine
        ("10.1.2.3", "the local network"),
        ("192.168.1.1", "the local network"),
        ("100.64.0.1", "the local network"),  # carrier-grade NAT: not the internet either
        ("fd00::2", "the local network"),
        ("169.254.169.254", "a link-local network"),  # the cloud's metadata service
        ("fe80::1%eth0", "a link-local network"),
        ("93.184.216.34", "the internet"),
        ("2606:4700::1111", "the internet"),
    ],
)
def test_where_an_address_is(address, where):
    from briefing.feeds import _where

    assert _where(address) == where


def test_a_teasers_page_problem_is_reported_whole(site, corpus):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    long_teaser = "<summary>" + " ".join(PORTS[:2]) + "</summary>"
    kept = entry(f"http://127.0.0.1:{closed}", "Ports note", "gone.html", "2025-03-06T11:00:00Z", long_teaser)
    site.routes["/refused.xml"] = (200, ATOM, atom(site.base, [kept]))
    (teaser,) = fetch([site.url("refused.xml")], corpus).teasers
    assert teaser.reason.startswith("the feed gives only a teaser; its page: cannot connect (")
    assert teaser.reason.endswith(")")  # the closing bracket of the reason is not eaten
