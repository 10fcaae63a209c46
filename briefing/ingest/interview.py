"""Who is speaking, who is asking, and what is quoted.

Interviews come in three shapes, all in the seeds: speaker tags ("Derya Soysal : ..."
or "Roman Vassilenko:" on a line of its own), "Q:" / "A: Vassilenko:" blocks, and
untagged questions ending in "?" followed by the answer. A question is the
interviewer's turn and never a fact for a brief; an answer belongs to its speaker.
Tags are taken off the text and kept as the speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import Source

_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lord|Lady)\.?\s+"
_NAME = rf"(?:{_HONORIFIC})?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){{0,3}}"
_HONORED = re.compile(rf"^{_HONORIFIC}(?=[A-Z])")
_TAG = re.compile(rf"^(?P<name>{_NAME})\s*:\s*(?P<rest>.*)$")
_QUESTION_MARK = re.compile(r"^(?:Q\s*:|Question\s*[:.])\s*(?P<rest>.*)$")
_ANSWER_MARK = re.compile(rf"^(?:A\s*:|Answer\s*[:.])\s*(?:(?P<name>{_NAME})\s*:\s*)?(?P<rest>.*)$")
_PERSON = re.compile(r"\b[A-Z][a-z]+(?:[-’'][A-Za-z]+)?(?:\s+[A-Z][a-z]+(?:[-’'][A-Za-z]+)?){1,5}\b")
_TITLES = frozenset(
    """mr mrs ms dr prof president vice prime deputy foreign minister ministers secretary general ambassador
    chancellor senator governor mayor chairman chairwoman chair director envoy commissioner adviser advisor
    spokesman spokeswoman spokesperson king queen prince colonel captain first lady sir""".split()
)
_MET_WITH = re.compile(
    r"\b(?:interview with|interviewed|met(?: with)?|meeting with|conversation with|(?:spoke|talked) (?:with|to))\s+$",
    re.IGNORECASE,
)
_TOLD = re.compile(r"^\s+(?:told|gave an? (?:exclusive )?interview)\b")
_SPEECH_VERB = r"(?:said|says|told|added|stated|noted|explained|stressed|argued|warned|observed|insisted)"
_CLOSING = "\"'”’»)]* "


def person(words: str) -> str | None:
    """A person's name from capitalised words, titles taken off ("Foreign Minister Murat Nurtleu"
    → "Murat Nurtleu"); None unless at least a first name and a surname remain."""
    tokens = words.split()
    while tokens and tokens[0].lower().strip(".") in _TITLES:
        tokens.pop(0)
    return " ".join(tokens) if len(tokens) >= 2 else None


def people(text: str) -> list[tuple[str, int, int]]:
    """Every person's name in a text, with where it stands."""
    found = []
    for match in _PERSON.finditer(text):
        name = person(match.group(0))
        if name:
            found.append((name, match.end() - len(name), match.end()))
    return found


@dataclass(frozen=True)
class Turn:
    """One paragraph with its speaker tag taken off."""

    text: str
    speaker: str | None
    asks: bool


def is_question(sentence: str) -> bool:
    return sentence.rstrip(_CLOSING).endswith("?")


def turns(paragraphs: Sequence[str], source: Source, names: Names) -> list[Turn]:
    """The paragraphs as turns, one each: narration (no speaker), questions, answers (a
    paragraph that was only a speaker tag gives an empty turn)."""
    tags = [m for p in paragraphs if (m := _TAG.match(p)) and not _QUESTION_MARK.match(p) and not _ANSWER_MARK.match(p)]
    tag_counts = Counter(m["name"] for m in tags)
    untagged = "\n".join(p[m.end("name") :] if (m := _TAG.match(p)) else p for p in paragraphs)
    interview = source.kind == "interview" or "interview" in " ".join(
        filter(None, (source.title, *paragraphs[:3]))
    ).lower()

    def is_tag(match: re.Match | None) -> bool:
        """A name before a colon is a speaker when it names a person and recurs as a tag, or is
        named in an interview's text; "Background:" or "Update:" never are."""
        if not match or _QUESTION_MARK.match(match.string) or _ANSWER_MARK.match(match.string):
            return False
        name = match["name"]
        if _HONORED.match(name):
            return True  # "Mr Malone:", "Dr. Ahmed:" open a turn wherever they stand
        if person(name) is None and names.resolve(name) == name:
            return False
        return tag_counts[name] >= 2 or (interview and name in untagged)

    askers = _interviewers(paragraphs, is_tag)
    out: list[Turn] = []
    speaker: str | None = None
    asks = False
    carry = interview  # do untagged paragraphs go on in the last speaker's voice?
    for paragraph in paragraphs:
        if match := _QUESTION_MARK.match(paragraph):
            speaker, asks, text = (next(iter(askers)) if len(askers) == 1 else None), True, match["rest"]
            carry = True
        elif match := _ANSWER_MARK.match(paragraph):
            speaker, asks, text = names.resolve(match["name"]) or names.interviewee, False, match["rest"]
            carry = True
        elif is_tag(match := _TAG.match(paragraph)):
            speaker, asks, text = names.resolve(match["name"]), match["name"] in askers, match["rest"]
            carry = interview or not text.strip()
        elif interview and is_question(paragraph):
            speaker, asks, text = (next(iter(askers)) if len(askers) == 1 else None), True, paragraph
        else:
            if asks and out and is_question(out[-1].text):
                speaker, asks = names.interviewee, False
            elif not carry:
                speaker, asks = None, False
            text = paragraph
        out.append(Turn(text.strip(), speaker, asks))
    return out


def _interviewers(paragraphs: Sequence[str], is_tag) -> set[str]:
    """Tagged speakers whose turns end in questions."""
    asked: Counter[str] = Counter()
    spoke: Counter[str] = Counter()
    for paragraph in paragraphs:
        match = _TAG.match(paragraph)
        if is_tag(match) and match["rest"]:
            spoke[match["name"]] += 1
            asked[match["name"]] += is_question(match["rest"])
    return {name for name, n in spoke.items() if asked[name] * 2 > n}


class Names:
    """The people a document names: full names for the short forms tags use
    ("Vassilenko" → "Roman Vassilenko"), and who was interviewed."""

    def __init__(self, paragraphs: Sequence[str], source: Source) -> None:
        text = "\n".join(filter(None, (source.title, *paragraphs)))
        self.found = people(text)
        self.people = Counter(name for name, _, _ in self.found)
        self.interviewee = self._interviewee(text)

    def resolve(self, name: str | None) -> str | None:
        """The fullest form of a name the document gives ("Mr Malone" → "Tom Malone"); a title and
        surname two people share ("Mrs Malone" beside Tom and Anne Malone) stay as printed."""
        if not name:
            return None
        name = name.strip()
        if honored := _HONORED.match(name):
            bare = name[honored.end() :]
            fuller = [p for p in self.people if p.endswith(" " + bare)]
            return fuller[0] if len(fuller) == 1 else name
        longer = [p for p in self.people if p != name and p.endswith(" " + name)]
        return max(longer, key=lambda p: (self.people[p], p)) if longer else name

    def _interviewee(self, text: str) -> str | None:
        """The person the text says was interviewed, met or told something; None when it never says."""
        hits: Counter[str] = Counter()
        for name, start, end in self.found:
            before = text[max(0, start - 30) : start]
            hits[name] += bool(_MET_WITH.search(before)) + bool(_TOLD.match(text[end : end + 40]))
        ranked = sorted((name for name in hits if hits[name]), key=lambda n: (-hits[n], -self.people[n], n))
        return ranked[0] if ranked else None


_QUOTE_MARK = re.compile(r"``|''|[“”\"]")


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside double quotation marks (“…”, "…", newswire ``…''); a quote left open runs
    to the end of the paragraph, as news style reopens a quote that goes on."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for match in _QUOTE_MARK.finditer(text):
        mark = match.group(0)
        if start is None and mark in ("“", '"', "``"):
            start = match.start()
        elif start is not None and mark in ("”", '"', "''"):
            spans.append((start, match.end()))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    speaker: str | None


def quotations(text: str, resolve) -> list[Quote]:
    """The quotations of a paragraph, in order, each with the person it is attributed to.

    A quotation with no attribution of its own goes on in the voice of the one before it
    in the same paragraph ("…,” said Anna Petrova. “It is unfair.”), as news style reads.
    """
    found: list[Quote] = []
    for start, end in quote_spans(text):
        speaker = _attribution(text, start, end, resolve) or (found[-1].speaker if found else None)
        found.append(Quote(start, end, speaker))
    return found


def _attribution(text: str, start: int, end: int, resolve) -> str | None:
    """The named person a quotation is attributed to next to it ("..., Roman Vassilenko told X")."""
    after = text[end : end + 120]
    before = text[max(0, start - 120) : start]
    patterns = (
        (after, rf"^[,\s]*(?P<name>{_PERSON.pattern})\s+{_SPEECH_VERB}\b"),
        (after, rf"^[,\s]*{_SPEECH_VERB}\s+(?P<name>{_PERSON.pattern})"),
        (before, rf"(?P<name>{_PERSON.pattern})\s+{_SPEECH_VERB}(?:\s+\w+)?[,:]?\s*$"),
    )
    for window, pattern in patterns:
        if (match := re.search(pattern, window)) and (name := person(match["name"])):
            return resolve(name)
    return None


def voice(span: tuple[int, int], quotes: Sequence[Quote], first: int) -> tuple[float, str | None, int]:
    """How much of a sentence lies inside quotation marks, whose words they are, and the index
    of the first quotation that can still reach later sentences (so a paragraph is walked once)."""
    start, end = span
    while first < len(quotes) and quotes[first].end <= start:
        first += 1
    inside, speaker, most = 0, None, 0
    for quote in quotes[first:]:
        if quote.start >= end:
            break
        overlap = min(end, quote.end) - max(start, quote.start)
        inside += overlap
        if overlap > most:
            speaker, most = quote.speaker, overlap
    return inside / max(1, end - start), speaker, first


_ROLE_WORDS = re.compile(
    r"\b(?:minister|president|secretary|ambassador|envoy|director|chair(?:man|woman)?|head|spokes\w+|governor"
    r"|mayor|senator|commissioner|adviser|advisor|chief|editor|member|leader|general|deputy)\b",
    re.IGNORECASE,
)


def role_of(name: str, texts: Sequence[str]) -> str | None:
    """What the texts call a person, from appositions: "Roman Vassilenko, Deputy Minister of
    Foreign Affairs of Kazakhstan, said …". The most frequent wins, then the shortest."""
    pattern = re.compile(
        rf"{re.escape(name)},\s+(?:the\s+)?(?P<role>[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|of|the|for|and|on)){{0,9}})"
    )
    roles: Counter[str] = Counter()
    for text in texts:
        for match in pattern.finditer(text):
            role = re.sub(r"\s+(?:of|the|for|and|on)$", "", match["role"])
            if _ROLE_WORDS.search(role):
                roles[role] += 1
    if not roles:
        return None
    return min(roles, key=lambda r: (-roles[r], len(r), r))
