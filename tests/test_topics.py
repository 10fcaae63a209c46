"""Topics: the shipped file, stem matching, ad-hoc keywords, and clear errors."""

from __future__ import annotations

import pytest

from briefing.errors import UsageError
from briefing.topics import find_topic, load_topics, term, topic_from_keywords


REQUIRED = [
    "sanctions",
    "trade",
    "transport",
    "critical-raw-materials",
    "eu-relations",
    "china",
    "russia",
    "regional-cooperation",
    "investment",
    "media",
]


def test_the_shipped_topics_cover_the_seed_corpus(topics):
    assert len(topics) >= 10
    assert set(REQUIRED) <= set(topics)
    assert topics["transport"].title == "Transport and the Middle Corridor"
    assert "Middle Corridor" in topics["transport"].keywords


def test_word_forms_share_one_stem():
    assert term("sanctioned").stems == term("sanctions").stems == term("sanctioning").stems == ("sanction",)
    assert term("Middle Corridor").stems == ("middl", "corridor") and term("Middle Corridor").is_phrase


def test_weights_and_exclusions(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text(
        '[water]\ntitle = "Water"\nkeywords = ["water", "glaciers"]\nphrases = ["water management"]\n'
        'weights = { water = 2.0 }\nexclude = ["honey"]\n',
        encoding="utf-8",
    )
    water = load_topics(path)["water"]
    assert [(t.text, t.weight) for t in water.terms] == [("water", 2.0), ("glaciers", 1.0), ("water management", 1.0)]
    assert [t.text for t in water.exclude] == ["honey"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[a]\nkeywords = []\n", "has no keywords"),
        ("[a]\nkeywords = 'trade'\n", "must be a list of strings"),
        ("[a]\nkeywords = ['trade']\nweights = { tariffs = 2 }\n", "not one of its keywords"),
        ("[a]\nkeywords = ['the']\n", "has no word to match"),
        ("[a]\nkeywords = ['trade']\nweights = { trade = -1 }\n", "weight must be positive"),
        ("[a]\nkeyword = ['trade']\n", "unknown field 'keyword'"),
        ("[a]\nkeywords = ['trade']\nweights = { trade = true }\n", "weights must be a table of numbers"),
        ("[a]\ntitle = true\nkeywords = ['trade']\n", "title must be text in quotes"),
        ("[a\n", "not valid TOML"),
    ],
)
def test_bad_topics_files_are_usage_errors(tmp_path, content, message):
    path = tmp_path / "topics.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_topics(path)


def test_missing_topics_file(tmp_path):
    with pytest.raises(UsageError, match="no topics file"):
        load_topics(tmp_path / "topics.toml")


def test_unknown_topic_names_the_closest(topics):
    with pytest.raises(UsageError, match=r"unknown topic 'sanction'; did you mean sanctions"):
        find_topic("sanction", topics)
    with pytest.raises(UsageError, match="known topics: sanctions, trade"):
        find_topic("zzzz", topics)


def test_keywords_as_a_list():
    topic = topic_from_keywords("water, glaciers, Syr Darya")
    assert topic.keywords == ("water", "glaciers", "Syr Darya")
    assert topic.name == "water-glaciers-syr-darya"
    assert topic.terms[2].is_phrase


def test_keywords_from_a_question_keep_content_words():
    topic = topic_from_keywords("What is Kazakhstan doing about the circumvention of sanctions on Russia?")
    assert topic.keywords == ("kazakhstan", "circumvention", "sanctions", "russia")  # "doing" is a stopword


def test_keywords_with_nothing_to_match():
    with pytest.raises(UsageError, match="no word to match"):
        topic_from_keywords(" , the ,")


def test_a_keyword_brief_is_titled_by_its_first_keyword():
    assert topic_from_keywords("Russia, Russian, Moscow, Kremlin, Putin").title == "Russia"
    assert topic_from_keywords("water, glaciers").title == "Water"
    assert topic_from_keywords("water", title="Water security").title == "Water security"


def test_topic_names_are_found_whatever_their_case(topics):
    assert find_topic("Sanctions", topics) is topics["sanctions"]
    assert find_topic("EU-RELATIONS", topics) is topics["eu-relations"]
