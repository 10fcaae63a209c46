"""Sentences, words and stems without any download."""

from __future__ import annotations

from briefing import nlp

from .conftest import EU_REPORTER, texts


def test_news_abbreviations_do_not_end_sentences():
    text = (
        "Mr. Vassilenko met U.S. and E.U. officials on Jan. 5 at No. 10 Main St. in the morning. "
        "Dr. Smith and Prof. Jones came too. Germans, Poles, Armenians, etc. are present."
    )
    assert nlp.sentences(text) == [
        "Mr. Vassilenko met U.S. and E.U. officials on Jan. 5 at No. 10 Main St. in the morning.",
        "Dr. Smith and Prof. Jones came too.",
        "Germans, Poles, Armenians, etc. are present.",
    ]


def test_sentences_end_at_full_stops_questions_and_quotes():
    text = "Is it? “Yes,” he said. It is. “We will,” she added."
    assert nlp.sentences(text) == ["Is it?", "“Yes,” he said.", "It is.", "“We will,” she added."]


def test_a_lost_space_after_a_full_stop_still_splits(extracted):
    assert "The foreign ministers of the five Central Asian republics and of the 27 EU member states have held " \
        "their first-ever joint meeting." in texts(extracted[EU_REPORTER])


def test_spans_cover_the_text_verbatim():
    text = "First one here. Second one.Third one."
    spans = nlp.sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one here.", "Second one.", "Third one."]


def test_stems_join_word_forms():
    assert len({nlp.stem(w) for w in ("sanctioned", "sanctions", "sanctioning", "sanction")}) == 1
    assert nlp.stems("Kazakhstan’s railways") == ["kazakhstan", "railway"]


def test_stopwords_ship_with_the_package():
    words = nlp.stopwords()
    assert {"the", "and", "of"} <= words
    assert "sanction" not in words and "kazakhstan" not in words


def test_no_fragments_from_exclamations_in_quotes_or_spaced_ellipses():
    assert nlp.sentences("It was an “a-ha!” moment for me. Did this moment occur? Yes.") == [
        "It was an “a-ha!” moment for me.",
        "Did this moment occur?",
        "Yes.",
    ]
    assert nlp.sentences("He paused . . . and then he left. Then he came back.") == [
        "He paused . . . and then he left.",
        "Then he came back.",
    ]
    assert nlp.sentences("“Stop!” he shouted. iPhone sales fell.") == ["“Stop!” he shouted.", "iPhone sales fell."]


def test_chinese_and_japanese_full_stops_end_sentences():
    assert nlp.sentences("東京は晴れ。「大阪は雨。」Then English.") == ["東京は晴れ。", "「大阪は雨。」", "Then English."]


def test_sentences_that_start_in_lower_case_after_a_full_stop_stay_apart():
    assert nlp.sentences("The attack killed 12 people. al-Qaeda claimed responsibility on Sunday.") == [
        "The attack killed 12 people.",
        "al-Qaeda claimed responsibility on Sunday.",
    ]
    assert nlp.sentences("EU leaders met in Brussels. von der Leyen said a deal was close.")[1].startswith("von der")


def test_a_japanese_quotation_and_its_speech_verb_are_one_sentence():
    assert nlp.sentences("「経済は回復している。雇用も増えた。」と首相は述べた。次の文。") == [
        "「経済は回復している。雇用も増えた。」と首相は述べた。",
        "次の文。",
    ]
