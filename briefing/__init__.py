"""briefing: one-page policy briefs from a corpus of news articles.

The library API; the ``briefing`` command is a thin layer over it::

    from briefing import BriefRequest, Index, add_to_corpus, load_settings, make_briefs
    report = Index.build(Path("corpus"), Path("out/index.sqlite"))
    with Index(Path("out/index.sqlite")) as index:
        document, sentences = index.document(index.documents()[0].id)
    for made in make_briefs(BriefRequest(topics=("sanctions",)), load_settings()):
        print(made.target, len(made.brief.points))
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .config import Settings, load_settings
from .corpus import add as add_to_corpus
from .errors import BriefingError, CorpusError, IndexDatabaseError, UsageError
from .index import Index
from .make import BriefFormat, BriefRequest, MadeBrief, make_briefs
from .models import BuildReport, Document, DocumentSummary, Sentence, Source

try:
    __version__ = version("briefing")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "BriefFormat",
    "BriefRequest",
    "BriefingError",
    "BuildReport",
    "CorpusError",
    "Document",
    "DocumentSummary",
    "Index",
    "IndexDatabaseError",
    "MadeBrief",
    "Sentence",
    "Settings",
    "Source",
    "UsageError",
    "add_to_corpus",
    "load_settings",
    "make_briefs",
]
