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
from .clean import Dropped, clean
from .interview import Names, is_question, quote_speaker, quote_spans, quoted_share, turns

SUFFIXES = loaders.SUFFIXES
QUOTED = 0.5  # share of a sentence inside quotation marks that makes it a quotation


@dataclass(frozen=True)
class Extracted:
    """A document's sentences, its metadata completed from the text, and what cleaning removed."""

    source: Source
    sentences: tuple[Sentence, ...]
    dropped: tuple[Dropped, ...]


__all__ = ["SUFFIXES", "Extracted", "Raw", "document", "extract", "read"]


def document(raw: Raw, doc_id: str, relative: str) -> Document:
    loaded = loaders.parse(raw)
    return Document(doc_id, relative, loaded.source, loaded.body, raw.digest)


def extract(document: Document) -> Extracted:
    cleaned = clean(document.body)
    source = document.source.filled_from(cleaned.found)
    names = Names(cleaned.body, source)
    sentences: list[Sentence] = []
    for paragraph, turn in enumerate(turns(cleaned.body, source, names)):
        quotes = quote_spans(turn.text)
        for start, end in sentence_spans(turn.text):
            text = turn.text[start:end].strip()
            in_quote = quoted_share((start, end), quotes) >= QUOTED
            speaker = turn.speaker
            if speaker is None and in_quote:
                quote = max(quotes, key=lambda q: quoted_share(q, [(start, end)]) * (q[1] - q[0]))
                speaker = quote_speaker(turn.text, quote, names.resolve)
            sentences.append(
                Sentence(
                    document_id=document.id,
                    paragraph=paragraph,
                    position=len(sentences),
                    text=text,
                    speaker=speaker,
                    is_question=turn.asks or is_question(text),
                    in_quote=in_quote,
                )
            )
    return Extracted(source, tuple(sentences), cleaned.dropped)
