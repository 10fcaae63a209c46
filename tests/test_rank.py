"""Ranking: rankers behind one interface, topic-biased LexRank, clusters of the same fact, the learned
model, concept coverage, and what may come first."""

from __future__ import annotations

import runpy

import numpy as np
import pytest
import scipy.sparse as sp

from briefing.errors import UsageError
from briefing.index import Index
from briefing.rank.base import RankSettings, Space, get_ranker
from briefing.rank.concepts import CONCEPT_FEATURES, concept_features
from briefing.rank.features import SENTENCE_FEATURES, generic, meta, says_nothing, specificity, stands_alone
from briefing.rank.fitted import FITTED
from briefing.rank.lexrank import stationary
from briefing.rank.model import FLOOR, Linear, Model
from briefing.rank.redundancy import figures
from briefing.select import candidates
from briefing.summarise import NothingFound, SummarySettings, summarise
from briefing.topics import topic_from_keywords

FIFTY_BILLION = (
    "Kazakhstan is actively enhancing trade with the EU, its key partner, with bilateral trade soaring to a record "
    "$50 billion in 2024—a 17% increase from 2023, accounting for 80% of EU-Central Asia trade."
)


@pytest.fixture(scope="module")
def trade(seed_index, topics):
    with Index(seed_index) as index:
        return summarise(index, topics["trade"])


def test_registry_names_the_rankers():
    assert get_ranker("lexrank").name == "lexrank"
    assert get_ranker("textrank").name == "textrank"
    with pytest.raises(UsageError, match="unknown ranker 'pagerank'; choose one of lexrank, relevance, textrank"):
        get_ranker("pagerank")


def test_stationary_distribution_of_a_biased_walk():
    graph = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    p = stationary(graph, np.array([1.0, 1.0, 1.0]), bias=0.15)
    assert p.sum() == pytest.approx(1.0)
    assert p[1] > p[0] == pytest.approx(p[2])  # the hub is most central
    biased = stationary(graph, np.array([1.0, 0.0, 0.0]), bias=1.0)
    assert biased == pytest.approx([1.0, 0.0, 0.0])  # all bias: relevance alone


def test_an_isolated_sentence_keeps_its_relevance_share():
    graph = sp.csr_matrix((3, 3))
    p = stationary(graph, np.array([2.0, 1.0, 1.0]), bias=0.5)
    assert p == pytest.approx([0.5, 0.25, 0.25])


@pytest.mark.parametrize("name", ["lexrank", "textrank", "relevance"])
def test_every_ranker_scores_every_candidate(seed_index, topics, name):
    with Index(seed_index) as index:
        found = candidates(index, topics["china"])
        background = [s for ss in index.stems_by_document(sorted({c.sentence.document_id for c in found})).values() for s in ss]
    space = Space(found, background)
    scores = get_ranker(name).centrality(found, space, RankSettings())
    assert scores.shape == (len(found),) and (scores >= 0).all() and scores.max() > 0


def test_figures_are_normalised():
    assert figures("an EU investment potential of €12 billion") == figures("worth of 12 billion euros")
    assert figures("a 17% increase from 2023") == {"percent:17", "year:2023"}
    assert figures("over 3,000 EU companies") == {"number:3000"}


def test_specific_sentences_score_higher():
    assert specificity(FIFTY_BILLION) > specificity("For Kazakhstan, cooperation with China is a given.")


def test_the_fifty_billion_figure_appears_once_citing_both_reports(trade):
    carrying = [p for p in trade.chosen if "$50 billion" in p.candidate.text]
    assert len(carrying) == 1
    [fact] = carrying
    members = {c.sentence.text for c in fact.cluster}
    assert FIFTY_BILLION in members
    assert any(t.startswith("Indeed, our trade with the EU reached a record $50 billion") for t in members)
    assert {s.outlet for s in fact.sources} == {"Diplomat Times Europe"}  # both sentences are in that interview
    assert not any("$50 billion" in p.candidate.text for p in trade.rejected if p.reason.startswith("below the cut"))


def test_the_paraphrase_is_caught_by_figures_not_cosine(seed_index, topics):
    with Index(seed_index) as index:
        found = candidates(index, topics["trade"])
        background = [s for ss in index.stems_by_document(sorted({c.sentence.document_id for c in found})).values() for s in ss]
    space = Space(found, background)
    i = next(k for k, c in enumerate(found) if c.sentence.text == FIFTY_BILLION)
    j = next(k for k, c in enumerate(found) if c.sentence.text.startswith("Indeed, our trade with the EU reached"))
    assert space.similarity[i, j] < RankSettings().duplicate


def test_nothing_is_said_twice(seed_index, topics):
    settings = RankSettings()
    with Index(seed_index) as index:
        for topic in topics.values():
            selection = summarise(index, topic)
            chosen = [p.candidate for p in selection.chosen]
            background = [s for ss in index.stems_by_document(sorted({c.sentence.document_id for c in chosen})).values() for s in ss]
            space = Space(chosen, background)
            assert space.similarity.max() < settings.duplicate, topic.name
            shown = [p.candidate.sentence.text for p in selection.chosen] + [
                s.text for p in selection.chosen for s in p.lead_in
            ]
            assert len(shown) == len(set(shown)), topic.name


def test_a_sentence_that_continues_another_stands_right_after_it(seed_index, topics):
    with Index(seed_index) as index:
        selection = summarise(index, topics["sanctions"])
    ids = [p.candidate.id for p in selection.chosen]
    for k, pick in enumerate(selection.chosen):
        anchor = pick.candidate.follows
        if anchor in ids:
            assert ids.index(anchor) == k - 1


def test_same_input_same_selection(seed_index, topics):
    with Index(seed_index) as index:
        first = summarise(index, topics["russia"])
        second = summarise(index, topics["russia"])
    assert first == second


def test_explanations_cover_every_candidate(seed_index, topics):
    with Index(seed_index) as index:
        found = candidates(index, topics["sanctions"])
        selection = summarise(index, topics["sanctions"])
    assert len(selection.chosen) + len(selection.rejected) == len(found)
    assert all(p.reason.startswith("chosen") for p in selection.chosen)
    assert {p.reason.split(" ")[0] for p in selection.rejected} <= {"below", "same", "already", "its", "says"}


def test_sentence_budget_is_respected(seed_index, topics):
    with Index(seed_index) as index:
        selection = summarise(index, topics["eu-relations"], SummarySettings(rank=RankSettings(sentences=4)))
    assert len(selection.chosen) == 4


def test_no_match_is_an_error(seed_index):
    with Index(seed_index) as index, pytest.raises(NothingFound, match="no sentence in the corpus matches"):
        summarise(index, topic_from_keywords("penguins"))


KEYWORD_BRIEFS = ["Russia, sanctions", "Middle Corridor, transport", "China", "EU, Global Gateway", "water, glaciers"]


@pytest.fixture(scope="module")
def briefs(seed_index, topics):
    """A selection for every shipped topic and for ad-hoc keyword sets, as `make` makes them."""
    chosen = {name: topic for name, topic in topics.items()}
    chosen.update({keywords: topic_from_keywords(keywords) for keywords in KEYWORD_BRIEFS})
    with Index(seed_index) as index:
        return {name: summarise(index, topic) for name, topic in chosen.items()}


def test_the_first_point_stands_alone_and_says_something(briefs):
    for name, selection in briefs.items():
        first = min(selection.chosen, key=lambda p: p.rank).candidate
        assert stands_alone(first), (name, first.text)
        assert not meta(first.text) and not generic(first.sentence.text), (name, first.text)


def test_no_chosen_point_is_about_the_interview_itself_or_praise(briefs):
    for name, selection in briefs.items():
        assert not [p.candidate.text for p in selection.chosen if says_nothing(p.candidate.text)], name
    [occasion] = [p for p in briefs["media"].rejected if p.candidate.text.startswith("On the occasion of the Central")]
    assert occasion.reason.startswith("says nothing a brief needs")


def test_what_cannot_stand_alone_comes_after_what_can(briefs):
    for name, selection in briefs.items():
        alone = [stands_alone(p.candidate) for p in sorted(selection.chosen, key=lambda p: p.rank)]
        assert alone == sorted(alone, reverse=True), name


def test_concept_features_read_documents_query_names_and_numbers(seed_index, topics):
    with Index(seed_index) as index:
        found = candidates(index, topics["trade"])
        documents = index.stems_by_document(sorted({c.sentence.document_id for c in found}))
    keys, rows = concept_features(found, documents.values(), {"trade"})
    column = {name: dict(zip(keys, values)) for name, values in zip(CONCEPT_FEATURES, rows.T)}
    assert rows.shape == (len(keys), len(CONCEPT_FEATURES))
    assert column["document_share"][("bilater", "trade")] == pytest.approx(1 / len(documents))
    assert column["query_one"][("bilater", "trade")] == 1.0 and column["query_both"][("bilater", "trade")] == 0.0
    assert column["number"][("50", "billion")] == 1.0 and column["number"][("bilater", "trade")] == 0.0
    assert column["capitalised"][("the", "eu")] > 0.5 > column["capitalised"][("bilater", "trade")]


def test_a_linear_model_is_fitted_read_by_name_and_written_as_code(tmp_path):
    rng = np.random.default_rng(0)
    features = rng.random((200, 3))
    model = Linear.fit(features, 0.5 + 2 * features[:, 0] - features[:, 2], ["a", "b", "c"], ["c", "a"])
    assert model.names == ("c", "a") and model.coefficients == pytest.approx((-1.0, 2.0)) and model.intercept == 0.5
    assert model.predict(np.array([[1.0, 5.0, 1.0]]), ["a", "b", "c"]) == pytest.approx([1.5])
    both = Model(model, Linear.of({"b": 1.0}, intercept=-0.5))
    assert both.concept_weights(["x", "y"], np.array([[0.0, 0.2, 0.0], [0.0, 0.9, 0.0]]), "abc") == {"y": 0.4}
    assert both.importance(np.array([[0.0, 0.0, 1.0]]), "abc") == pytest.approx([FLOOR])
    module = tmp_path / "fitted.py"
    module.write_text(both.source("A test model.").replace("from .model", "from briefing.rank.model"), encoding="utf-8")
    assert runpy.run_path(str(module))["FITTED"] == both


def test_the_shipped_model_weighs_what_duc_2006_says_matters():
    """Signs the cross-validated ablation supports (bench/fit_rank.py); a refit that flips one needs a look."""
    sentence = dict(zip(FITTED.sentence.names, FITTED.sentence.coefficients))
    concept = dict(zip(FITTED.concept.names, FITTED.concept.coefficients))
    assert set(sentence) == set(SENTENCE_FEATURES) and set(concept) == set(CONCEPT_FEATURES)
    assert sentence["density"] > 0 and sentence["centrality"] > 0 and sentence["specificity"] > 0
    assert sentence["dangling"] < 0 and sentence["first_person"] < 0
    assert concept["document_share"] > 0 and concept["query_both"] > concept["query_one"] > 0


def test_tfidf_is_sublinear_smoothed_and_unit_length():
    """The weights scikit-learn's TfidfVectorizer(sublinear_tf=True) gives, worked by hand: idf is
    ln((1 + n) / (1 + df)) + 1, tf is 1 + ln(count), each row of length one; stopwords count for nothing."""
    from briefing.rank.base import tfidf

    fitted = [("oil", "price"), ("oil", "oil", "export", "the"), ("grain",)]
    vectors = tfidf(fitted, fitted[1:2]).toarray()[0]
    idf_oil, idf_export = np.log(4 / 3) + 1, np.log(4 / 2) + 1
    raw = np.array([idf_export, (1 + np.log(2)) * idf_oil])  # columns in term order: export, grain, oil, price
    assert vectors[[0, 2]] == pytest.approx(raw / np.linalg.norm(raw))
    assert vectors[[1, 3]].tolist() == [0.0, 0.0]


def test_a_lead_in_two_outlets_printed_is_shown_once(tmp_path):
    """Two wire stories open on the same sentence, each followed by a different one that leans on it:
    the shared sentence is printed once."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shared = "The ministry announced the figures at a press briefing on Tuesday morning."
    stories = {
        "b": ("Beta Wire", "These figures show uranium output reached twenty-one thousand tonnes in 2024."),
        "c": ("Gamma Daily", "These figures confirm uranium shipments to China grew by forty percent over two years."),
    }
    for name, (outlet, lead_on) in stories.items():
        (corpus / f"{name}.md").write_text(
            f'+++\noutlet = "{outlet}"\ndate = "2025-03-02"\nkind = "report"\n+++\n\n{shared} {lead_on}\n', encoding="utf-8"
        )
    Index.build(corpus, tmp_path / "index.sqlite")
    with Index(tmp_path / "index.sqlite") as index:
        selection = summarise(index, topic_from_keywords("uranium"))
    shown = [s.text for p in selection.chosen for s in (*p.lead_in, p.candidate.sentence)]
    assert shown.count(shared) == 1, shown
    assert any(p.reason == "it or its lead-in repeats a sentence already shown" for p in selection.rejected)


def test_a_sequel_is_not_refused_for_a_lead_in_already_shown_before_it(briefs):
    """'Therefore, we maintain very close contacts…' leans on 'This decision is because…', which is chosen:
    it shows no lead-in of its own, so nothing of it repeats."""
    therefore = [p for p in (*briefs["sanctions"].chosen, *briefs["sanctions"].rejected)
                 if p.candidate.sentence.text.startswith("Therefore, we maintain very close contacts")]
    assert therefore and not therefore[0].reason.startswith("its lead-in repeats"), therefore[0].reason
