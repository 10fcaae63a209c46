"""Selection: candidates from FTS5 BM25 and keyword density, the context window, lead-ins."""

from __future__ import annotations

import pytest

from briefing.index import Index
from briefing.models import Term, Topic
from briefing.select import candidates, count_matches, density, fts_query, opens_dependently
from briefing.topics import term, topic_from_keywords

from .conftest import SPECIAL_EURASIA


@pytest.fixture(scope="module")
def sanctions(seed_index, topics):
    with Index(seed_index) as index:
        return candidates(index, topics["sanctions"])


def texts(found) -> list[str]:
    return [c.sentence.text for c in found]


def test_fts_query_quotes_stems_and_excludes():
    topic = Topic("t", "T", (term("sanctions"), term("Middle Corridor")), (term("honey"),))
    assert fts_query(topic) == '("sanction" OR "middl corridor") NOT ("honey")'


@pytest.mark.parametrize(
    "expected",
    [
        "That is why we have not joined the sanctions against Russia.",  # refusal to join
        "will not allow its territory to be used for intentional circumvention of sanctions",  # the pledge
        "Brussels’ sanctions envoy, David O’Sullivan, is in Kazakhstan this week",  # the envoy's visit
        "On April 1st, we introduced a tracking on imported goods to monitor the situation.",  # via context
    ],
)
def test_sanctions_candidates_hold_what_an_analyst_needs(sanctions, expected):
    assert any(expected in text for text in texts(sanctions))


def test_sanctions_candidates_say_nothing_of_honey(sanctions):
    assert not any("honey" in c.text.lower() for c in sanctions)


def test_the_tracking_sentence_joins_through_the_context_window(sanctions):
    tracking = next(c for c in sanctions if c.sentence.text.startswith("On April 1st"))
    assert tracking.follows == (SPECIAL_EURASIA, tracking.sentence.position - 1)
    assert tracking.bm25 == 0.0  # it never mentions the keywords itself


def test_questions_are_never_candidates(seed_index, topics):
    with Index(seed_index) as index:
        for topic in topics.values():
            assert not any(c.sentence.is_question for c in candidates(index, topic))


def test_a_sentence_about_the_topic_beats_a_passing_mention(seed_index, topics):
    with Index(seed_index) as index:
        found = {c.sentence.text: c for c in candidates(index, topics["russia"])}
    about = found["Russia is our biggest neighbour and we share 7500 km borders."]
    passing = found["There are other big investors, China, Russia, the United Kingdom, Japan, South Korea and Turkey."]
    assert about.relevance > passing.relevance


def test_a_lead_in_that_points_back_brings_what_it_points_to(seed_index, topics):
    """"All our trading partners know this position" leans on "At the same time, we have made our
    decision clear…", which leans on "Of course, we are a member of the EAEU…": a reader gets all three."""
    with Index(seed_index) as index:
        found = {c.sentence.text[:30]: c for c in candidates(index, topics["sanctions"])}
    known = found["All our trading partners know "]
    assert [s.text[:30] for s in known.lead_in] == ["Of course, we are a member of ", "At the same time, we have made"]
    assert [s.position for s in known.lead_in] == [known.sentence.position - 2, known.sentence.position - 1]


def test_a_lead_in_never_reaches_into_a_question(seed_index, topics):
    with Index(seed_index) as index:
        for topic in topics.values():
            for c in candidates(index, topic):
                assert not any(s.is_question or s.heading for s in c.lead_in), c.text


def test_density_counts_each_word_once_at_its_heaviest_weight():
    terms = [Term("trade", ("trade",), 2.0), Term("trading partner", ("trade", "partner"), 1.0)]
    share, matched = density(("our", "trade", "partner"), "our trading partners", terms)
    assert matched == ("trade", "trading partner")
    assert share == pytest.approx((2.0 + 1.0) / 12)


def test_pointing_back_is_recognised():
    assert opens_dependently("That is why we have not joined the sanctions against Russia.")
    assert opens_dependently("However, there is a regular dialogue with the European Union.")
    assert opens_dependently("All our trading partners know this position, including the EU.")
    assert not opens_dependently("Brussels’ sanctions envoy is in Kazakhstan this week.")
    assert not opens_dependently("Thatcher visited Astana.")


def test_a_dependent_candidate_carries_its_lead_in(sanctions):
    why = next(c for c in sanctions if c.sentence.text.startswith("That is why"))
    assert [s.position for s in why.lead_in] == [why.sentence.position - 1]
    assert why.lead_in[0].text.startswith("As far as sanctions and G7 decisions")


def test_candidates_are_deterministic(seed_index, topics):
    with Index(seed_index) as index:
        assert candidates(index, topics["trade"]) == candidates(index, topics["trade"])


def test_counts_and_no_match(seed_index, topics):
    with Index(seed_index) as index:
        direct = [c for c in candidates(index, topics["sanctions"]) if c.bm25]
        assert count_matches(index, topics["sanctions"]) >= len(direct) > 0
        assert candidates(index, topic_from_keywords("penguins")) == []
