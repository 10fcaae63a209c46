"""Raw article files to clean, attributed sentences.

``read`` takes a file's bytes (cheap: enough to see whether it changed), ``document``
parses them into a ``Document``, and ``extract`` cleans its text, finds who speaks,
and splits it into ``Sentence`` rows for the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from ..models import Document, Sentence, Source
from ..nlp import sentence_spans
from . import loaders
from .loaders import Raw, read
from .clean import HEADING, Dropped, boilerplate_sentence, clean
from .interview import Names, is_question, quotations, turns, voice
from .verbatim import Original, markdown_text

SUFFIXES = loaders.SUFFIXES
QUOTED = 0.5  # share of a sentence inside quotation marks that makes it a quotation


@dataclass(frozen=True)
class Extracted:
    """A document's sentences, its metadata completed from the text, and what cleaning removed."""

    source: Source
    sentences: tuple[Sentence, ...]  # headings among them, in the order printed
    dropped: tuple[Dropped, ...]

    @property
    def has_text(self) -> bool:
        """Whether any sentence is left: headings alone are no article."""
        return any(not s.heading for s in self.sentences)


__all__ = ["SUFFIXES", "Extracted", "Raw", "document", "extract", "read"]


def document(raw: Raw, doc_id: str, relative: str) -> Document:
    loaded = loaders.parse(raw)
    return Document(doc_id, relative, loaded.source, loaded.body, raw.digest)


def extract(document: Document) -> Extracted:
    """The document's sentences and headings in order, each one verbatim in its text: a
    sentence that cleaning left with a hole is re-taken from the text or dropped, never kept."""
    cleaned = clean(document.body)
    source = document.source.filled_from(cleaned.found)
    names = Names(cleaned.body, source)
    own = Original(markdown_text(document.body))
    sentences: list[Sentence] = []
    dropped = list(cleaned.dropped)
    spoken = iter(turns(cleaned.body, source, names))
    for paragraph, part in enumerate(cleaned.paragraphs):
        if part.role == HEADING:
            if own.holds(part.text):
                sentences.append(Sentence(document.id, paragraph, len(sentences), part.text, heading=True))
            else:
                dropped.append(Dropped(part.text, "not verbatim in the source"))
            continue
        turn = next(spoken)
        quotes = quotations(turn.text, names.resolve)
        first = 0
        for start, end in sentence_spans(turn.text):
            text = turn.text[start:end].strip()
            if boilerplate_sentence(text):
                dropped.append(Dropped(text, "boilerplate"))
                continue
            if (printed := own.own_words(text)) is None:
                dropped.append(Dropped(text, "not verbatim in the source"))
                continue
            text = printed
            share, quoted_by, first = voice((start, end), quotes, first)
            in_quote = share >= QUOTED
            sentences.append(
                Sentence(
                    document_id=document.id,
                    paragraph=paragraph,
                    position=len(sentences),
                    text=text,
                    speaker=turn.speaker or (quoted_by if in_quote else None),
                    is_question=turn.asks or is_question(text),
                    in_quote=in_quote,
                )
            )
    return Extracted(source, tuple(sentences), tuple(dropped))
