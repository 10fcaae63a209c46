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

_NAME = r"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}"
_TAG = re.compile(rf"^(?P<name>{_NAME})\s*:\s*(?P<rest>.*)$")
_QUESTION_MARK = re.compile(r"^(?:Q\s*:|Question\s*[:.])\s*(?P<rest>.*)$")
_ANSWER_MARK = re.compile(rf"^(?:A\s*:|Answer\s*[:.])\s*(?:(?P<name>{_NAME})\s*:\s*)?(?P<rest>.*)$")
_PERSON = re.compile(r"\b[A-Z][a-z]+(?:[-’'][A-Za-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Za-z]+)?){1,2}\b")
_MET_WITH = re.compile(
    r"\b(?:interview with|interviewed|met(?: with)?|meeting with|conversation with|(?:spoke|talked) (?:with|to))\s+$",
    re.IGNORECASE,
)
_TOLD = re.compile(r"^\s+(?:told|gave an? (?:exclusive )?interview)\b")
_SPEECH_VERB = r"(?:said|says|told|added|stated|noted|explained|stressed|argued|warned|observed|insisted)"
_CLOSING = "\"'”’»)]* "


@dataclass(frozen=True)
class Turn:
    """One paragraph with its speaker tag taken off."""

    text: str
    speaker: str | None
    asks: bool


def is_question(sentence: str) -> bool:
    return sentence.rstrip(_CLOSING).endswith("?")


def turns(paragraphs: Sequence[str], source: Source, names: Names) -> list[Turn]:
    """The paragraphs as turns: narration (no speaker), questions, answers."""
    tags = [m for p in paragraphs if (m := _TAG.match(p)) and not _QUESTION_MARK.match(p) and not _ANSWER_MARK.match(p)]
    tag_counts = Counter(m["name"] for m in tags)
    untagged = "\n".join(p[m.end("name") :] if (m := _TAG.match(p)) else p for p in paragraphs)
    interview = source.kind == "interview" or "interview" in " ".join(
        filter(None, (source.title, *paragraphs[:3]))
    ).lower()

    def is_tag(match: re.Match | None) -> bool:
        """A name before a colon is a speaker when it recurs as a tag, or is named in an interview's text."""
        if not match or _QUESTION_MARK.match(match.string) or _ANSWER_MARK.match(match.string):
            return False
        return tag_counts[match["name"]] >= 2 or (interview and match["name"] in untagged)

    askers = _interviewers(paragraphs, is_tag)
    out: list[Turn] = []
    speaker: str | None = None
    asks = False
    for paragraph in paragraphs:
        if match := _QUESTION_MARK.match(paragraph):
            speaker, asks, text = (next(iter(askers)) if len(askers) == 1 else None), True, match["rest"]
        elif match := _ANSWER_MARK.match(paragraph):
            speaker, asks, text = names.resolve(match["name"]) or names.interviewee, False, match["rest"]
        elif is_tag(match := _TAG.match(paragraph)):
            speaker, asks, text = names.resolve(match["name"]), match["name"] in askers, match["rest"]
        elif interview and is_question(paragraph):
            speaker, asks, text = (next(iter(askers)) if len(askers) == 1 else None), True, paragraph
        else:
            if asks and out and is_question(out[-1].text):
                speaker, asks = names.interviewee, False
            text = paragraph
        if text.strip():
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
        self.people = Counter(m.group(0) for m in _PERSON.finditer(text))
        self.interviewee = self._interviewee(text)

    def resolve(self, name: str | None) -> str | None:
        if not name:
            return None
        name = name.strip()
        longer = [p for p in self.people if p != name and p.endswith(" " + name)]
        return max(longer, key=lambda p: (self.people[p], p)) if longer else name

    def _interviewee(self, text: str) -> str | None:
        """The person the text says was interviewed, met or told something; None when it never says."""
        hits: Counter[str] = Counter()
        for match in _PERSON.finditer(text):
            before = text[max(0, match.start() - 30) : match.start()]
            after = text[match.end() : match.end() + 40]
            hits[match.group(0)] += bool(_MET_WITH.search(before)) + bool(_TOLD.match(after))
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


def quoted_share(span: tuple[int, int], quotes: Sequence[tuple[int, int]]) -> float:
    """How much of a sentence's span lies inside quotation marks."""
    start, end = span
    inside = sum(max(0, min(end, q_end) - max(start, q_start)) for q_start, q_end in quotes)
    return inside / max(1, end - start)


def quote_speaker(text: str, quote: tuple[int, int], resolve) -> str | None:
    """The named person a quotation is attributed to next to it ("..., Roman Vassilenko told X")."""
    after = text[quote[1] : quote[1] + 120]
    before = text[max(0, quote[0] - 120) : quote[0]]
    patterns = (
        (after, rf"^[,\s]*(?P<name>{_PERSON.pattern})\s+{_SPEECH_VERB}\b"),
        (after, rf"^[,\s]*{_SPEECH_VERB}\s+(?P<name>{_PERSON.pattern})"),
        (before, rf"(?P<name>{_PERSON.pattern})\s+{_SPEECH_VERB}(?:\s+\w+)?[,:]?\s*$"),
    )
    for window, pattern in patterns:
        if match := re.search(pattern, window):
            return resolve(match["name"])
    return None
