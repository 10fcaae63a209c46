"""``briefing eval``: the summariser's quality, measured by ROUGE on material nobody here wrote.

A dataset in DUC layout holds one folder per topic: ``topic.txt`` (a title, a blank line,
the analyst's question), ``docs/*.txt`` (articles, one paragraph a line), ``docs_meta.tsv``
(docno, date, headline) and ``refs/*.txt`` (summaries written by people). Each topic goes
through the product's own path: its articles become a corpus folder with metadata and an
index built by the same ingestion, its question becomes keywords through the code behind
``--keywords``, and ``summarise`` chooses the sentences. Scores follow NIST's settings as the
dataset README gives them: recall, Porter stems, stopwords kept, summaries cut at 250 words,
averaged over the references; ROUGE-SU4 (unigrams and skip-bigrams with up to four words
between) is computed here, as ``rouge-score`` has none.

The references are also training data: ``cross_validate`` fits the ranking model (rank/
model.py) on one half of the topics and scores the other half, both ways, so what it reports
was never seen in fitting.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .dates import parse_date
from .errors import FileError, UsageError
from .files import read_limited
from .index import Index
from .ingest.loaders import MAX_FILE_BYTES
from .models import Skipped
from .nlp import sentences as split_sentences
from .nlp import stems as split_stems
from .nlp import words as split_words
from .rank.base import RankSettings
from .rank.concepts import CONCEPT_FEATURES, concept_features, concepts
from .rank.features import SENTENCE_FEATURES, sentence_features
from .rank.model import Linear, Model
from .summarise import NothingFound, Prepared, SummarySettings, decide, prepare, summarise
from .topics import topic_from_keywords

WORDS = 250
SYSTEMS = ("ours", "lead", "sumy-lexrank", "sumy-textrank")
SCORES = ("rouge_1", "rouge_2", "rouge_su4")


@dataclass(frozen=True)
class EvalTopic:
    id: str
    title: str
    narrative: str
    folder: Path
    references: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    topic: str
    system: str
    rouge_1: float
    rouge_2: float
    rouge_su4: float
    seconds: float
    summary: tuple[str, ...] = field(repr=False, default=())


@dataclass(frozen=True)
class Report:
    dataset: str  # a hash of every file of the dataset
    results: tuple[Result, ...]
    skipped: tuple[Skipped, ...] = ()  # articles no system could use (all syndication notes, say)

    def systems(self) -> list[str]:
        return list(dict.fromkeys(r.system for r in self.results))

    def means(self, system: str) -> dict[str, float]:
        rows = [r for r in self.results if r.system == system]
        if not rows:
            raise UsageError(f"no results for {system!r}")
        return {
            name: sum(getattr(r, name) for r in rows) / len(rows)
            for name in (*SCORES, "seconds")
        }


def load_dataset(root: Path) -> list[EvalTopic]:
    """The topics of a DUC-layout folder, in name order."""
    if not root.is_dir():
        raise UsageError(f"no dataset at {root}")
    topics = []
    for folder in sorted(p for p in root.iterdir() if (p / "topic.txt").is_file() and (p / "docs").is_dir()):
        title, _, narrative = _read(folder / "topic.txt").strip().partition("\n")
        references = tuple(_read(p) for p in sorted((folder / "refs").glob("*.txt")))
        if not references:
            raise UsageError(f"{folder}: no reference summaries in refs/")
        if not all(r.strip() for r in references):
            raise UsageError(f"{folder}: an empty reference summary in refs/")
        topics.append(EvalTopic(folder.name, title.strip(), " ".join(narrative.split()), folder, references))
    if not topics:
        raise UsageError(f"{root} has no topic folders (each with topic.txt, docs/ and refs/)")
    return topics


def _read(path: Path) -> str:
    try:
        return _bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8") from exc


def _bytes(path: Path) -> bytes:
    """A dataset file's bytes: a regular file under the corpus size cap (a link is followed, as
    datasets are often assembled from links; a FIFO or device is refused, never opened)."""
    try:
        return read_limited(path, MAX_FILE_BYTES)
    except FileError as exc:
        raise UsageError(str(exc)) from exc


def fingerprint(topics: Sequence[EvalTopic]) -> str:
    """A hash of the topics' files (names and bytes), to know which data a stored score is for."""
    digest = hashlib.sha256()
    for topic in topics:
        for path in sorted(p for p in topic.folder.rglob("*") if not p.is_dir()):
            digest.update(f"{topic.id}/{path.relative_to(topic.folder).as_posix()}".encode() + b"\0" + _bytes(path))
    return digest.hexdigest()


def query(topic: EvalTopic) -> str:
    return f"{topic.title}\n{topic.narrative}"


def _corpus(topic: EvalTopic, folder: Path) -> Path:
    """The topic's articles as a corpus folder, with what docs_meta.tsv knows as sidecar metadata."""
    import tomli_w

    corpus = folder / "corpus"
    corpus.mkdir()
    known: dict[str, dict[str, str]] = {}
    meta = topic.folder / "docs_meta.tsv"
    if meta.is_file():
        for line in _read(meta).splitlines()[1:]:
            docno, date, headline = (line.split("\t") + ["", ""])[:3]
            known[f"{docno}.txt"] = {"outlet": docno[:3], "date": _valid_date(date[:10]), "title": headline}
    for doc in sorted((topic.folder / "docs").glob("*.txt")):
        (corpus / doc.name).write_bytes(_bytes(doc))
    entries = {name: {k: v for k, v in fields.items() if v} for name, fields in known.items()}
    if entries:
        (corpus / "sources.toml").write_text(tomli_w.dumps(entries), encoding="utf-8")
    return corpus


def _valid_date(text: str) -> str:
    """The date if it is one: the data has impossible ones ("1998-30-06"), which are left out, not guessed."""
    try:
        return str(parse_date(text)) if text else ""
    except UsageError:
        return ""


def extract(sentences: Sequence[str], words: int = WORDS) -> list[str]:
    """Whole sentences, in order, until the word budget is reached (the scorer cuts the last)."""
    chosen, count = [], 0
    for sentence in sentences:
        if count >= words:
            break
        chosen.append(sentence)
        count += len(sentence.split())
    return chosen


def _budget(settings: RankSettings) -> RankSettings:
    return replace(settings, words=WORDS, sentences=max(settings.sentences, WORDS // 5))


def _topic(topic: EvalTopic):
    return topic_from_keywords(query(topic), title=topic.title)


def ours(index: Index, topic: EvalTopic, settings: SummarySettings) -> list[str]:
    """The product's own choice under the task's word budget, most important first, lead-ins
    before what leans on them."""
    return _lines(summarise(index, _topic(topic), replace(settings, rank=_budget(settings.rank))))


def _lines(selection) -> list[str]:
    lines: list[str] = []
    for pick in sorted(selection.chosen, key=lambda p: p.rank):
        lines.extend(s.text for s in pick.lead_in if s.text not in lines)
        lines.append(pick.candidate.sentence.text)
    return lines


def lead(index: Index, topic: EvalTopic) -> list[str]:
    """First sentences of the newest articles: the baseline every summariser must beat."""
    documents = sorted(index.documents(), key=lambda d: (d.source.date.sort_key if d.source.date else (0, 0, 0), d.id))
    firsts = (next((s.text for s in index.document(d.id)[1] if not s.heading), None) for d in reversed(documents))
    return [text for text in firsts if text]


class _NoDownloadTokenizer:
    """sumy's tokenizer interface over our Punkt splitting: sumy's own needs NLTK data."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return split_words(sentence)


def sumy_system(name: str, topic: EvalTopic) -> list[str]:
    """sumy's LexRank or TextRank over the raw articles (an optional extra: pip install sumy)."""
    try:
        from sumy.nlp.stemmers import Stemmer
        from sumy.parsers.plaintext import PlaintextParser
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words
    except ImportError as exc:
        raise UsageError("the sumy baselines need sumy: pip install -e '.[eval]'") from exc
    text = "\n\n".join(
        _bytes(p).decode("utf-8", errors="replace") for p in sorted((topic.folder / "docs").glob("*.txt"))
    )
    document = PlaintextParser.from_string(text, _NoDownloadTokenizer()).document
    summarizer = (LexRankSummarizer if name == "sumy-lexrank" else TextRankSummarizer)(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return [str(s) for s in summarizer(document, 30)]


class Scorer:
    """ROUGE-1, ROUGE-2 (rouge-score, Porter stems) and ROUGE-SU4 recall, averaged over references."""

    def __init__(self) -> None:
        try:
            from rouge_score import rouge_scorer, tokenizers
        except ImportError as exc:  # an optional extra: an evaluation tool, not needed to make briefs
            raise UsageError(f"briefing eval scores with rouge-score: pip install '{__package__}[eval]'") from exc

        self._rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
        self._tokens = tokenizers.DefaultTokenizer(use_stemmer=True).tokenize

    def score(self, summary: Sequence[str], references: Sequence[str]) -> tuple[float, float, float]:
        text = " ".join(" ".join(summary).split()[:WORDS])
        units = _su4_units(self._tokens(text))
        r1 = r2 = su4 = 0.0
        for reference in references:
            scores = self._rouge.score(reference, text)
            r1 += scores["rouge1"].recall
            r2 += scores["rouge2"].recall
            su4 += _su4_recall(units, _su4_units(self._tokens(reference)))
        n = len(references)
        return r1 / n, r2 / n, su4 / n


def _su4_units(tokens: Sequence[str]) -> Counter:
    units: Counter = Counter(tokens)
    for i, first in enumerate(tokens):
        for second in tokens[i + 1 : i + 6]:
            units[(first, second)] += 1
    return units


def _su4_recall(summary: Counter, reference: Counter) -> float:
    """Share of the reference's units (with their counts) that the summary has."""
    total = sum(reference.values())
    return sum((summary & reference).values()) / total if total else 0.0


def check_systems(systems: Sequence[str]) -> None:
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise UsageError(f"unknown system {unknown[0]!r}; choose from {', '.join(SYSTEMS)}")


def evaluate(
    topics: Sequence[EvalTopic],
    systems: Sequence[str] = ("ours",),
    settings: SummarySettings = SummarySettings(),
    advance: Callable[[EvalTopic], None] = lambda topic: None,
) -> Report:
    """Run each system on each topic and score it; ``advance`` is called after every topic."""
    check_systems(systems)
    scorer = Scorer()
    results: list[Result] = []
    skipped: list[Skipped] = []
    for topic in topics:
        for system, summary, seconds in _run(topic, systems, settings, skipped):
            r1, r2, su4 = scorer.score(summary, topic.references)
            results.append(Result(topic.id, system, r1, r2, su4, seconds, tuple(summary)))
        advance(topic)
    return Report(fingerprint(topics), tuple(results), tuple(skipped))


def _run(
    topic: EvalTopic, systems: Sequence[str], settings: SummarySettings, skipped: list[Skipped]
) -> Iterator[tuple[str, list[str], float]]:
    """Each system's summary of one topic; an article nothing can be read from is skipped and
    counted, as a real corpus has such articles; a topic left with none is an error."""
    with tempfile.TemporaryDirectory(prefix="briefing-eval-") as temp:
        started = time.perf_counter()
        path = _build(topic, Path(temp), skipped)
        indexed = time.perf_counter() - started
        with Index(path) as index:
            for system in systems:
                started = time.perf_counter()
                if system == "ours":
                    try:
                        summary = extract(ours(index, topic, settings))
                    except NothingFound as exc:
                        raise UsageError(f"{topic.folder}: {exc}") from exc
                    yield system, summary, indexed + time.perf_counter() - started
                elif system == "lead":
                    summary = extract(lead(index, topic))
                    yield system, summary, time.perf_counter() - started
                else:
                    summary = extract(sumy_system(system, topic))
                    yield system, summary, time.perf_counter() - started


def _build(topic: EvalTopic, folder: Path, skipped: list[Skipped]) -> Path:
    """The topic's index, in ``folder``; an article nothing can be read from is counted in ``skipped``."""
    built = Index.build(_corpus(topic, folder), folder / "index.sqlite")
    skipped += [Skipped(f"{topic.id}/{Path(s.path).name}", s.reason) for s in built.skipped]
    if not built.added:
        why = f" ({built.skipped[0].reason})" if built.skipped else ""
        raise UsageError(f"{topic.folder}: no article can be read{why}")
    return folder / "index.sqlite"


@dataclass(frozen=True)
class Training:
    """One topic as fitting material: what choosing starts from, and for each candidate and
    concept its features and what the references make of it."""

    topic: EvalTopic
    prepared: Prepared
    sentences: np.ndarray  # SENTENCE_FEATURES columns
    sentence_targets: np.ndarray  # share of the sentence's bigrams the references use (ROUGE-2 precision)
    concepts: np.ndarray  # CONCEPT_FEATURES columns
    concept_targets: np.ndarray  # share of the references that use the concept


def training(
    topics: Sequence[EvalTopic],
    settings: SummarySettings = SummarySettings(),
    advance: Callable[[EvalTopic], None] = lambda topic: None,
) -> tuple[list[Training], list[Skipped]]:
    """Every topic through ingestion and selection once, with the targets its references give."""
    tokens = Scorer()._tokens
    material, skipped = [], []
    for topic in topics:
        with tempfile.TemporaryDirectory(prefix="briefing-fit-") as temp, Index(_build(topic, Path(temp), skipped)) as index:
            try:
                prepared = prepare(index, _topic(topic), settings)
            except NothingFound as exc:
                raise UsageError(f"{topic.folder}: {exc}") from exc
        references = [Counter(_bigrams(tokens(r))) for r in topic.references]
        shares = []
        for c in prepared.candidates:
            own = Counter(_bigrams(tokens(c.text)))
            total = sum(own.values()) or 1
            shares.append(sum(sum((own & r).values()) for r in references) / total / len(references))
        used = Counter(c for r in topic.references for c in concepts(split_stems(r)))
        query_stems = {s for t in prepared.topic.terms for s in t.stems}
        keys, rows = concept_features(prepared.candidates, prepared.documents.values(), query_stems)
        material.append(
            Training(
                topic,
                prepared,
                sentence_features(prepared.candidates, prepared.centrality),
                np.array(shares),
                rows,
                np.array([used[k] / len(topic.references) for k in keys]),
            )
        )
        advance(topic)
    return material, skipped


def _bigrams(tokens: Sequence[str]) -> list[tuple[str, str]]:
    return list(zip(tokens, tokens[1:]))


def fit(
    material: Sequence[Training],
    sentence_use: Sequence[str] = SENTENCE_FEATURES,
    concept_use: Sequence[str] = CONCEPT_FEATURES,
) -> Model:
    """The ranking model fitted on these topics, using only the features named."""
    return Model(
        Linear.fit(
            np.vstack([m.sentences for m in material]),
            np.concatenate([m.sentence_targets for m in material]),
            SENTENCE_FEATURES,
            sentence_use,
        ),
        Linear.fit(
            np.vstack([m.concepts for m in material]),
            np.concatenate([m.concept_targets for m in material]),
            CONCEPT_FEATURES,
            concept_use,
        ),
    )


def halves(topics: Sequence[EvalTopic]) -> tuple[list[EvalTopic], list[EvalTopic]]:
    """A fixed split in two: topics whose id holds an odd number (D0601A), and the rest."""
    odd = [t for t in topics if int("".join(ch for ch in t.id if ch.isdigit()) or 0) % 2 == 1]
    return odd, [t for t in topics if t not in odd]


def cross_validate(
    material: Sequence[Training],
    settings: SummarySettings = SummarySettings(),
    sentence_use: Sequence[str] = SENTENCE_FEATURES,
    concept_use: Sequence[str] = CONCEPT_FEATURES,
) -> list[tuple[str, Report]]:
    """Two-fold cross-validation: fit on one half's topics, score ours on the other half, both
    ways. Each fold's report holds only topics its model never saw."""
    scorer = Scorer()
    odd, even = halves([m.topic for m in material])
    folds = []
    for name, tested in (("odd", odd), ("even", even)):
        trained = [m for m in material if m.topic not in tested]
        if not trained or not tested:
            raise UsageError("cross-validation needs topics with odd and with even numbers in their ids")
        rank = _budget(replace(settings.rank, model=fit(trained, sentence_use, concept_use)))
        results = []
        for m in (m for m in material if m.topic in tested):
            started = time.perf_counter()
            summary = extract(_lines(decide(m.prepared, rank)))
            seconds = time.perf_counter() - started
            results.append(Result(m.topic.id, "ours", *scorer.score(summary, m.topic.references), seconds, tuple(summary)))
        folds.append((name, Report(fingerprint(tested), tuple(results))))
    return folds


def mean_of_folds(folds: Sequence[tuple[str, Report]]) -> dict[str, float]:
    """Our scores averaged over the folds, each fold weighing the same whatever its number of topics:
    the figure cross-validation is quoted by."""
    return {name: sum(r.means("ours")[name] for _, r in folds) / len(folds) for name in SCORES}


def write_summaries(report: Report, folder: Path) -> None:
    """Every summary as ``folder/<system>/<topic>.txt``, one sentence a line, to read beside the scores."""
    from .files import write_atomically

    for result in report.results:
        write_atomically(folder / result.system / f"{result.topic}.txt", "\n".join(result.summary) + "\n")


def baseline_record(report: Report, system: str = "ours") -> dict:
    means = report.means(system)
    return {
        "dataset": report.dataset,
        "topics": len({r.topic for r in report.results}),
        "system": system,
        **{name: round(means[name], 4) for name in SCORES},
    }


def save_baseline(report: Report, path: Path, allow_lower: bool = False) -> dict:
    """Store this run's means as the quality gate's baseline; lowering it must be asked for."""
    import json

    from .files import write_atomically

    record = baseline_record(report)
    if path.is_file() and not allow_lower:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
            raise UsageError(f"{path}: not a stored baseline ({exc})") from exc
        if stored.get("dataset") == record["dataset"] and record["rouge_2"] < stored.get("rouge_2", 0):
            raise UsageError(
                f"ROUGE-2 {record['rouge_2']:.4f} is below the stored {stored['rouge_2']:.4f}: "
                "pass --allow-lower to lower the baseline"
            )
    write_atomically(path, json.dumps(record, indent=2) + "\n")
    return record
