"""What makes a sentence worth an analyst's line, read off its text alone.

An analyst puts first what is specific (figures, dates, named people, places and bodies, a
stated decision or aim) and what stands on its own; a sentence about the interview or
event itself ("…gave an exclusive interview to…") or generic praise ("…remains committed
to fostering understanding…") says nothing a brief needs. These are cheap text tests,
shared by ranking (as features) and composing (the bottom line).

``sentence_features`` turns them, with relevance and centrality, into the columns of the
learned importance model (model.py). Meta and generic sentences are too rare in news
(0.1% of DUC 2006 candidates) for a weight to be learned, so ranking leaves them out by
rule; a sentence that does not stand alone is never put before one that does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..models import Candidate
from ..select import opens_dependently

_FIGURE = re.compile(
    r"(?:[$€£¥₸]\s?\d|\d[\d,.]*\s?(?:%|percent|per cent|million|billion|trillion|bn|mln|km|kilometres|kilometers"
    r"|miles|tonnes|tons|barrels|euros?|dollars|tenge|roubles|rubles|yuan)\b|\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\b)",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[-’'][A-Za-z]+)?(?:\s+(?:of\s+)?[A-Z][\w’'-]+)*|\b[A-Z]{2,}\b")
_DECISION = re.compile(
    r"\b(?:will|plans? to|planned|aims? to|intends? to|agreed|signed|decided|announced|approved|launched|adopted"
    r"|ratified|pledged|committed \d|target(?:s|ed)?|set up|established|opened|banned|imposed|lifted|joined"
    r"|refused|rejected|voted)\b",
    re.IGNORECASE,
)
_META = re.compile(
    r"\b(?:gave|granted|give|gives) an? (?:exclusive |extensive |wide-ranging )?interview\b"
    r"|\bon the occasion of\b|\bon the sidelines of\b|\bsat down with\b|\bin (?:this|an exclusive) interview\b"
    r"|\bin an interview (?:with|to) (?:the )?[A-Z]|\bspoke (?:exclusively )?(?:to|with) [A-Z][\w ]{2,40} about\b"
    r"|\b(?:this|the present) (?:article|interview|conversation|report) (?:explores|examines|looks at|discusses)",
    re.IGNORECASE,
)
_FLUFF = re.compile(
    r"\b(?:remains? committed to|fostering|mutual understanding|mutual respect|unity|friendship|friendly"
    r"|constructive|important role|great importance|of paramount importance|win-win|shared values|bright future"
    r"|common prosperity|deep respect|warm (?:ties|relations)|spirit of|reaffirmed (?:its|their) commitment)\b",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"\b(?:Soviet|USSR|tsarist|Cold War|for (?:decades|centuries)|historically|in the past|in ancient times"
    r"|in the (?:19|20)\d0s)\b",
    re.IGNORECASE,
)
_ASIDE = re.compile(
    r"\b(?:when I (?:talk|speak) about|I am referring to|I mean\b|as I (?:said|mentioned)|let me (?:say|stress|add)"
    r"|I would (?:say|like to (?:say|stress|add)))",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|we|We|our|Our|us|my|My|me)\b")
_GLUED_HEADING = re.compile(r"^[A-Z][\w’'-]*(?:\s+(?:(?:and|of|the|for|in|on|with|to|&)\s+)?[A-Z][\w’'-]*){2,}:\s")

SENTENCE_FEATURES = (
    "relevance",  # the selection's mix of BM25 and keyword density
    "bm25",  # BM25, as a share of the topic's best
    "density",  # keyword-covered share of the content words
    "centrality",  # the ranker's score, as a share of the topic's best
    "specificity",
    "dangling",  # leans on a sentence before it that is not brought along
    "lead_in",  # brings the sentence it leans on
    "context",  # joined as the continuation of a strong match
    "first_person",
    "quoted",  # inside quotation marks
)


def specificity(text: str) -> float:
    """Concrete facts per sentence, 0 to 1: figures and dates count most, then named people,
    places and bodies (beyond the first word), then a stated decision or aim."""
    figures = len(_FIGURE.findall(text))
    dates = len(_DATE.findall(text))
    names = len(_NAME.findall(text))
    decided = bool(_DECISION.search(text))
    return min(1.0, 0.3 * min(figures, 2) + 0.2 * min(dates, 2) + 0.1 * min(names, 3) + 0.2 * decided)


def dangling(text: str) -> bool:
    """It cannot stand alone: it opens on a pronoun or a connective that leans on what came before."""
    return opens_dependently(text)


def meta(text: str) -> bool:
    """About the interview or the event itself, not about the subject."""
    return bool(_META.search(text))


def generic(text: str) -> bool:
    """Praise or intent with nothing concrete in it."""
    return bool(_FLUFF.search(text)) and specificity(text) < 0.3


def first_person(text: str) -> bool:
    """Spoken in the first person: a brief must say whose words these are."""
    return bool(_FIRST_PERSON.search(text))


def glued_heading(text: str) -> bool:
    """It opens with a heading run into the sentence ("Enhancing Transport and Transit Connectivity: …")."""
    return bool(_GLUED_HEADING.match(text))


def says_nothing(text: str) -> bool:
    """About the interview or event itself, or praise with nothing concrete: never a point of a brief."""
    return meta(text) or generic(text)


def stands_alone(candidate: Candidate) -> bool:
    """A reader needs nothing else to understand it: no heading run in, and a sentence that
    points back brings what it points to, which itself does not point further back."""
    return not dangling(candidate.opening.text) and not glued_heading(candidate.text)


def sentence_features(candidates: Sequence[Candidate], centrality: np.ndarray) -> np.ndarray:
    """One row per candidate, one column per name in ``SENTENCE_FEATURES``."""
    top_bm25 = max((c.bm25 for c in candidates), default=0.0) or 1.0
    central = centrality / (centrality.max() or 1.0)
    rows = []
    for c, centre in zip(candidates, central):
        text = c.sentence.text
        rows.append(
            (
                c.relevance,
                c.bm25 / top_bm25,
                c.density,
                centre,
                specificity(text),
                dangling(c.opening.text),
                bool(c.lead_in),
                c.follows is not None,
                first_person(text),
                c.sentence.in_quote,
            )
        )
    return np.array(rows, dtype=float).reshape(len(candidates), len(SENTENCE_FEATURES))


def background(text: str) -> bool:
    """History told for context ("…sent by the Soviet Union to develop these virgin lands"): true,
    often specific, but not what the reader must know first."""
    return bool(_BACKGROUND.search(text))


def aside(text: str) -> bool:
    """A speaker talking about their own words ("When I talk about economic impact, I am referring to…")."""
    return bool(_ASIDE.search(text))


def informative(text: str) -> float:
    """One score for putting a sentence first: specific, self-contained, not meta, not generic."""
    if meta(text) or generic(text):
        return 0.0
    return specificity(text) * (0.5 if dangling(text) else 1.0)
