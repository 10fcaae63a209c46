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

from importlib import import_module

# Where each name of the API lives: imported when first asked for, so that the command, which
# needs a few of them, does not pay for all (the index and ingestion alone cost ~0.1 s).
_EXPORTS = {
    "BriefFormat": "make",
    "BriefRequest": "make",
    "BriefingError": "errors",
    "BuildReport": "models",
    "CorpusError": "errors",
    "Document": "models",
    "DocumentSummary": "models",
    "Index": "index",
    "IndexDatabaseError": "errors",
    "MadeBrief": "make",
    "Sentence": "models",
    "Settings": "config",
    "Source": "models",
    "UsageError": "errors",
    "add_to_corpus": "corpus",
    "load_settings": "config",
    "make_briefs": "make",
}


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("briefing")
        except PackageNotFoundError:  # running from a source tree that was not installed
            found = "0+unknown"
    elif name in _EXPORTS:
        found = getattr(import_module(f".{_EXPORTS[name]}", __name__), "add" if name == "add_to_corpus" else name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = found
    return found


__all__ = sorted(_EXPORTS)
