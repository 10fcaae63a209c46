"""RSS and Atom feeds into the corpus: each new entry becomes a corpus file with its metadata.

We fetch every byte ourselves (http and https only, a size cap, a deadline no server can
stretch, no address on this machine or the local network unless the feed is there too) and
hand feedparser bytes, never a URL: feedparser would otherwise follow any scheme, without limits.
An entry whose link the corpus holds is known before anything else is fetched, so a
re-run downloads the feeds and nothing more.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import http.client
import io
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit
from xml.sax import SAXParseException

import feedparser

from .corpus import Added, Holdings
from .dates import PartialDate, parse_date
from .errors import FileError
from .files import read_limited
from .ingest import loaders
from .models import Skipped, Source

SCHEMES = ("http", "https")
FULL_TEXT = 500  # characters: feed text shorter than this is a teaser, and the linked page is read
_ADDRESS_AND_NAME = re.compile(r"^\s*\S+@\S+\s+\((.+)\)\s*$")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 64 * 1024
_SIGNATURES = (  # XML 1.0 appendix F: a byte order mark, or the opening "<" in UTF-16 or UTF-32
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16's mark, which it begins with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"<\0\0\0", "utf-32-le"),
    (b"\0\0\0<", "utf-32-be"),
    (b"<\0", "utf-16-le"),
    (b"\0<", "utf-16-be"),
)
_XML_ENCODING = re.compile(r"""<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
_STRAY = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as decoded with surrogateescape
_WIDE = re.compile("[^\x00-\x7f]")
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # XML forbids them; a lenient parse lets them in


@dataclass(frozen=True)
class FeedResult:
    """What became of one feed: ``unread`` says why it could not be used at all, ``notes`` what was
    wrong with it that did not stop it. ``known`` are the entries (by link) the corpus already holds."""

    feed: str
    added: tuple[Added, ...] = ()
    known: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    teasers: tuple[Skipped, ...] = ()  # added with the feed's short text only, as their page failed: why
    notes: tuple[str, ...] = ()
    unread: str | None = None

    @property
    def summary(self) -> str:
        """The feed's line: its entries by outcome, or that it had none, then its notes."""
        counts = (
            (len(self.added), "added"),
            (len(self.known), "already in the corpus"),
            (len(self.skipped), "skipped"),
        )
        done = ", ".join(f"{count} {what}" for count, what in counts if count) or "no entries"
        return "; ".join((done, *self.notes))


@dataclass(frozen=True)
class FetchReport:
    """The feeds in the order given; the entries of all of them, in order, for totals and exit codes."""

    feeds: tuple[FeedResult, ...]

    @property
    def added(self) -> tuple[Added, ...]:
        return tuple(item for feed in self.feeds for item in feed.added)

    @property
    def known(self) -> tuple[str, ...]:
        return tuple(item for feed in self.feeds for item in feed.known)

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """Feeds that could not be used, and entries that could not."""
        return tuple(
            item
            for feed in self.feeds
            for item in ((Skipped(feed.feed, feed.unread),) if feed.unread else feed.skipped)
        )

    @property
    def teasers(self) -> tuple[Skipped, ...]:
        return tuple(item for feed in self.feeds for item in feed.teasers)


def fetch(
    feeds: Sequence[str], corpus: Path, *, limit: int = loaders.MAX_FILE_BYTES, timeout: float = 20.0
) -> FetchReport:
    """Add the new entries of each feed (a URL or a file) to ``corpus``, feeds and entries in order.

    A feed or entry that cannot be used is skipped with its reason and the run goes on.
    """
    holdings = Holdings(corpus, limit)
    return FetchReport(tuple(_fetch_one(feed, holdings, limit, timeout) for feed in feeds))


def _fetch_one(feed: str, holdings: Holdings, limit: int, timeout: float) -> FeedResult:
    web = _Web(limit, timeout, home=None if "://" in feed else THIS_MACHINE)
    try:
        parsed, notes = _read_feed(feed, web)
    except FileError as exc:
        return FeedResult(feed, unread=exc.reason)
    added: list[Added] = []
    known: list[str] = []
    skipped: list[Skipped] = []
    teasers: list[Skipped] = []
    outlet = _field(parsed.feed, "title")
    for number, entry in enumerate(parsed.entries, 1):
        source = _source(entry, outlet)
        origin = source.url or f"{feed} entry {number}"
        if holdings.by_url(source.url):
            known.append(origin)
            continue
        page_problem = ""
        try:
            source, body, page_problem = _article(entry, source, origin, web)
            if holdings.by_text(body):
                known.append(origin)
                continue
            added.append(holdings.put(source, body, origin, f"entry-{number}"))
            if page_problem:
                teasers.append(Skipped(origin, page_problem.strip().removeprefix("(").removesuffix(")")))
        except FileError as exc:
            skipped.append(Skipped(exc.path, exc.reason + page_problem))
    return FeedResult(feed, tuple(added), tuple(known), tuple(skipped), tuple(teasers), notes)


def _read_feed(feed: str, web: _Web) -> tuple[feedparser.FeedParserDict, tuple[str, ...]]:
    """The feed parsed, and what was wrong with it that feedparser read past."""
    if "://" in feed:
        response = web.get(feed)
        data, served, headers = response.data, response.charset, {"content-location": response.url}
    else:
        data, served, headers = read_limited(Path(feed), web.limit), None, {}
    if not data.strip():
        raise FileError(feed, "not an RSS or Atom feed (empty)")
    encoded = _encoding(data, served)
    if encoded is None:
        raise FileError(feed, "not an RSS or Atom feed (its bytes are text in no encoding we know)")
    # feedparser gets the bytes and the encoding to read them in, on a type for which it follows the charset
    headers["content-type"] = f"application/xml; charset={encoded.name}"
    try:
        parsed = feedparser.parse(io.BytesIO(encoded.data), response_headers=headers)
    except ValueError as exc:  # its lenient parser fails on a reference to a surrogate or past U+10FFFF
        raise FileError(feed, f"feedparser cannot read it ({exc})") from None
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise FileError(feed, "not an RSS or Atom feed" + _parse_error(parsed.get("bozo_exception")))
    notes = (encoded.note,) if encoded.note else ()
    if parsed.bozo:
        notes += ("not well-formed, read as far as it goes" + _parse_error(parsed.bozo_exception),)
    return parsed, notes


@dataclass(frozen=True)
class _Encoded:
    """A feed's bytes and the encoding to read them in; ``note`` when that is not the declared one."""

    data: bytes
    name: str
    note: str | None = None


def _encoding(data: bytes, served: str | None) -> _Encoded | None:
    """The encoding of a feed's bytes by RFC 7303: a byte order mark, else the HTTP charset, else the XML
    declaration, else UTF-8; when the bytes are not valid in that one, the next; then UTF-8 with a few
    stray bytes, and at last a guess.

    Not left to feedparser: it follows RFC 3023 (text/xml without a charset is US-ASCII, a charset
    outranks a byte order mark) and, without chardet, reads undeclared legacy text as windows-1252.
    """
    signature = next((name for mark, name in _SIGNATURES if data.startswith(mark)), None)
    written = _XML_ENCODING.match(data[:1024].decode(signature or "latin-1", "ignore").lstrip("\ufeff"))
    declared = served or (written.group(1) if written else None)
    candidates = (signature, served, written.group(1) if written else None, "utf-8")
    name = next((c for c in candidates if c and _decodes(data, c)), None)
    if name is not None:
        name = codecs.lookup(name).name
        if not declared or _same(declared, name):
            return _Encoded(data, name)
        return _Encoded(data, name, f"encoding declared as {declared}, read as {_label(name)}")
    said = f"declared as {declared}" if declared else "not declared"
    repaired = _utf8_with_strays(data)
    if repaired is not None:
        text, strays = repaired
        note = f"encoding {said}, read as utf-8 with {strays} stray byte{'s' if strays > 1 else ''} as windows-1252"
        return _Encoded(text.encode(), "utf-8", note)
    name = _guess(data)
    if name is None:
        return None
    return _Encoded(data, name, f"encoding {said}, read as {_label(codecs.lookup(name).name)} (a guess)")


def _utf8_with_strays(data: bytes) -> tuple[str, int] | None:
    """UTF-8 with a few bytes that are not (a windows-1252 quote pasted in), those read as windows-1252,
    and how many; text in a legacy encoding has more bytes that are not UTF-8 than characters that are."""
    text = data.decode("utf-8", "surrogateescape")
    strays = len(_STRAY.findall(text))
    if strays >= len(_WIDE.findall(text)) - strays:
        return None
    return _STRAY.sub(lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", "replace"), text), strays


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def _same(declared: str, name: str) -> bool:
    """Whether the declared encoding is the one read: "utf-16" covers both of its byte orders."""
    try:
        said = codecs.lookup(declared).name
    except LookupError:
        return False
    return name == said or said in ("utf-16", "utf-32") and name.startswith(said)


def _guess(data: bytes) -> str | None:
    """The likeliest encoding of text that says none (or the wrong one); among equally good
    guesses windows-1252, the commonest on the web (short Latin text fits several code pages)."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    tied = {m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)}
    return "cp1252" if "cp1252" in tied else best.encoding


def _label(name: str) -> str:
    """An encoding by its usual name: Python's for windows-1251 and euc-jp are cp1251 and euc_jp."""
    return re.sub(r"^cp(125\d)$", r"windows-\1", name).replace("_", "-")


def _parse_error(problem: Exception | None) -> str:
    if isinstance(problem, SAXParseException):
        return f" (line {problem.getLineNumber()}: {problem.getMessage()})"
    first = str(problem or "").strip().split("\n")[0]
    return f" ({first})" if first else ""


def _source(entry: feedparser.FeedParserDict, outlet: str | None) -> Source:
    return Source(
        outlet=outlet,
        title=_field(entry, "title"),
        author=_author(entry),
        date=_date(entry),
        url=_web_link(entry.get("link")),
    )


def _web_link(link: str | None) -> str | None:
    """Only an http(s) link is kept as an article's URL: a ``javascript:`` or ``file:`` one is not a source."""
    return link if link and urlsplit(link).scheme.lower() in SCHEMES and urlsplit(link).netloc else None


def _author(entry: feedparser.FeedParserDict) -> str | None:
    """A name, never an address; feedparser misreads RSS's "desk@outlet.example (Name)" when the domain is long."""
    written = entry.get("author") or ""
    rss = _ADDRESS_AND_NAME.match(written)
    if rss:
        name = rss.group(1)
    else:
        name = entry.get("author_detail", {}).get("name") or ("" if "@" in written else written)
    return " ".join(_text(name).split()) or None


def _field(element: feedparser.FeedParserDict, key: str) -> str | None:
    """A text field as plain text: feeds may mark titles up as HTML."""
    value = _text(element.get(key) or "")
    if not value:
        return None
    if element.get(f"{key}_detail", {}).get("type") in _HTML_TYPES:
        value = _plain(value)
    return " ".join(value.split()) or None


def _date(entry: feedparser.FeedParserDict) -> PartialDate | None:
    """The day the publisher printed, in its own time zone: feedparser's UTC time can move it a day.

    Publication first, then creation, then the last change; feedparser files Atom 0.3's issued and
    modified, and dc:date, under these names."""
    for key in ("published", "created", "updated"):
        if written := entry.get(key):
            for read in (email.utils.parsedate_to_datetime, dt.datetime.fromisoformat):
                try:
                    return parse_date(read(written).date())
                except (TypeError, ValueError, IndexError):
                    continue
        if parsed := entry.get(f"{key}_parsed"):
            return parse_date(dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday))
    return None


def _article(entry: feedparser.FeedParserDict, source: Source, origin: str, web: _Web) -> tuple[Source, str, str]:
    """The entry's own text when it is the whole article, else the linked page's main text
    (when longer), else what text the feed gives; and why the page was not used, if it failed."""
    given = _given_text(entry)
    if len(given) >= FULL_TEXT:
        return source, given, ""
    if source.url:
        try:
            page = _page(source.url, web)
        except FileError as exc:
            if not given:
                raise FileError(origin, f"the feed gives no article text and the page cannot be used: {exc.reason}")
            return source, given, f" (the feed gives only a teaser; its page: {exc.reason})"
        if len(page.body) > len(given):
            return source.filled_from(page.source), page.body, ""
    if not given:
        raise FileError(origin, "the feed gives no article text and no link to it")
    return source, given, ""


def _given_text(entry: feedparser.FeedParserDict) -> str:
    """The entry's content as main text (by the rules for .html files), else its summary as plain text."""
    contents = [c for c in entry.get("content", []) if c.get("value", "").strip()]
    if contents:
        content = max(contents, key=lambda c: len(c["value"]))
        value = _text(content["value"])
        if content.get("type") not in _HTML_TYPES:
            return value.strip()
        try:  # a page for trafilatura: it fails on a fragment whose root is not HTML (an <svg>)
            return _main_text(f"<html><body>{value}</body></html>".encode()).body
        except FileError:
            return _plain(value)
    summary = _text(entry.get("summary", ""))
    if entry.get("summary_detail", {}).get("type") in _HTML_TYPES:
        return _plain(summary)
    return summary.strip()


def _text(value: str) -> str:
    """Text fit for a corpus file: a feed read leniently can carry control characters, and a NUL
    would make the file look binary."""
    return _NOT_TEXT.sub("", value)


def _page(url: str, web: _Web) -> loaders.Loaded:
    response = web.get(url)
    media = response.content_type.split(";")[0].strip().lower()
    if media not in _HTML_TYPES:
        raise FileError(url, f"not a web page ({media or 'no content type'})")
    data = response.data
    if response.charset:
        try:
            data = data.decode(response.charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass  # loaders.decode tries UTF-8 and the legacy encodings itself
    return _main_text(data)


def _main_text(html: bytes) -> loaders.Loaded:
    """Main text and metadata by the same rules as an .html file added to the corpus."""
    return loaders.parse(loaders.Raw(Path("page.html"), html, (), ""))


class _Text(HTMLParser):
    """Text of an HTML fragment, one line per block: feedparser has already removed scripts and styles."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class _Response:
    url: str  # after redirects
    data: bytes
    content_type: str
    charset: str | None


THIS_MACHINE = "this machine"
_INTERNET = "the internet"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 10


def _where(address: str) -> str:
    """Where an IP address is: this machine, the local network, a link-local network, or the internet."""
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 scope ("fe80::1%eth0") is no part of it
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return THIS_MACHINE
    if ip.is_link_local:
        return "a link-local network"
    if ip.is_private or not ip.is_global:
        return "the local network"
    return _INTERNET


class _Deadline:
    """One request's wall clock: when it runs out, every socket of the request is shut, so no server
    (one that trickles a byte every few seconds, in its headers or its body) keeps us past it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self.answered = False  # the status line and headers came
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise TimeoutError
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                raise TimeoutError
            self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                try:  # the plain socket's shutdown, not TLS's: this thread must not touch the TLS state
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass


class _Web:
    """The web as one feed may use it: http(s) only, a size cap, and each request (name lookup,
    connection, headers, body, redirects) under one deadline whatever the server does.

    A feed may lead only to addresses on the internet and to those where it lives itself: a feed
    on the internet cannot make us fetch (and store in the corpus) a page on this machine or the
    local network, such as another local port. ``home`` is where the feed lives; a feed file
    lives on this machine, and a URL's home is where its first request went. A host that did not
    answer in time is not asked again for this feed, so a feed of many stalling links costs one
    deadline, not one per link.
    """

    def __init__(self, limit: int, timeout: float, home: str | None = None) -> None:
        self.limit = limit
        self.timeout = timeout
        self.home = home
        self._stalled: set[str] = set()

    def get(self, url: str) -> _Response:
        """The body of an http(s) URL, refused past ``limit`` bytes or ``timeout`` seconds in all."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 (raises ValueError for a port that is not one)
        except ValueError as exc:
            raise FileError(url, f"not a URL ({exc})") from None
        if parts.netloc in self._stalled:
            raise FileError(url, f"{parts.netloc} did not answer within {self.timeout:g} s before; not asked again")
        deadline = _Deadline(self.timeout)
        try:
            with deadline:
                return self._follow(url, deadline)
        except FileError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if deadline.expired or isinstance(exc, TimeoutError):
                self._stalled.add(parts.netloc)
                what = "not received" if deadline.answered else "no answer"
                raise FileError(url, f"{what} within {self.timeout:g} s") from None
            if isinstance(exc, OSError) and not deadline.answered:
                raise FileError(url, f"cannot connect ({_why(exc)})") from None
            raise FileError(url, f"cannot fetch ({_why(exc)})") from None

    def _follow(self, url: str, deadline: _Deadline) -> _Response:
        given = url
        for _ in range(_MAX_REDIRECTS + 1):
            connection, response = self._request(given, url, deadline)
            try:
                location = response.getheader("Location")
                if response.status in _REDIRECTS and location:
                    target = urljoin(url, location.strip())
                    if urlsplit(target).scheme.lower() not in SCHEMES:
                        raise FileError(given, f"HTTP {response.status} redirects to {target}, not an http or https URL")
                    url, deadline.answered = target, False
                    continue
                if not 200 <= response.status < 300:
                    raise FileError(given, f"HTTP {response.status} {response.reason}")
                return _Response(url, self._body(given, response, deadline), response.getheader("Content-Type", ""),
                                 response.msg.get_content_charset())
            finally:
                connection.close()
        raise FileError(given, f"more than {_MAX_REDIRECTS} redirects")

    def _request(self, given: str, url: str, deadline: _Deadline) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        from . import __version__

        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise FileError(given, "only http and https URLs are fetched" + (f", not {scheme}:" if scheme else ""))
        if not parts.hostname:
            raise FileError(given, "not a URL (no host name)")
        port = parts.port or (443 if scheme == "https" else 80)
        sock, place = self._connect(given, parts.hostname, port, deadline)
        if scheme == "https":
            sock = _tls().wrap_socket(sock, server_hostname=parts.hostname)
            deadline.watch(sock)
        if self.home is None:
            self.home = place
        connection = http.client.HTTPConnection(parts.hostname, port)
        connection.sock = sock  # connected here, to the address that was checked: never looked up again
        try:
            path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
            host = parts.netloc.rpartition("@")[2]
            connection.request("GET", path, headers={"Host": host, "User-Agent": f"briefing/{__version__} (corpus fetch)"})
            response = connection.getresponse()
            if deadline.expired:  # the socket shut mid-header reads as headers that ended there
                raise TimeoutError
        except BaseException:
            connection.close()
            raise
        deadline.answered = True
        return connection, response

    def _connect(self, given: str, host: str, port: int, deadline: _Deadline) -> tuple[socket.socket, str]:
        """A socket connected to an address of ``host`` this feed may use, and where that address is."""
        found: list = []

        def look_up() -> None:
            try:
                found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except OSError as exc:
                found.append(exc)

        thread = threading.Thread(target=look_up, daemon=True)  # a stalled name server is no exception
        thread.start()
        thread.join(deadline.left())
        if not found:
            raise TimeoutError
        if isinstance(found[0], OSError):
            raise found[0]
        usable = [(info, _where(info[4][0])) for info in found[0]]
        allowed = [(info, place) for info, place in usable if self.home in (None, place) or place == _INTERNET]
        if not allowed:
            address, place = usable[0][0][4][0], usable[0][1]
            at = host if host == address else f"{host} ({address})"
            raise FileError(given, f"{at} is on {place}, and the feed is not: not fetched")
        problem: OSError = OSError("no address")
        for (family, kind, protocol, _, address), place in allowed:
            sock = socket.socket(family, kind, protocol)
            try:
                deadline.watch(sock)
                sock.settimeout(deadline.left())
                sock.connect(address)
                return sock, place
            except OSError as exc:
                sock.close()
                problem = exc
        raise problem

    def _body(self, given: str, response: http.client.HTTPResponse, deadline: _Deadline) -> bytes:
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise FileError(given, f"{int(declared):,} bytes, over the {self.limit:,}-byte limit")
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > self.limit:
                raise FileError(given, f"more than {self.limit:,} bytes, over the limit")
            chunks.append(chunk)
        if deadline.expired:  # a socket shut at the deadline reads as the end of a body without a length
            raise TimeoutError
        return b"".join(chunks)


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _why(reason: object) -> str:
    return getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
