"""What makes a sentence worth a line: specific, self-contained, not meta, not generic (seed failures),
and the feature rows the learned model reads."""

from __future__ import annotations

import numpy as np
import pytest

from briefing.index import Index
from briefing.rank.features import (
    SENTENCE_FEATURES,
    aside,
    background,
    dangling,
    first_person,
    generic,
    glued_heading,
    informative,
    meta,
    says_nothing,
    sentence_features,
    specificity,
    stands_alone,
)
from briefing.select import candidates

SPECIFIC = "Trade with the EU reached 39.8 billion dollars in 2022, up 23 percent."


@pytest.mark.parametrize(
    "text",
    [
        "That is why we have not joined the sanctions against Russia.",
        "At the same time, we have made our decision clear.",
        "It has good relations with all its neighbours.",
    ],
)
def test_a_sentence_that_leans_on_the_one_before_is_dangling(text):
    assert dangling(text) and informative(text) < informative(SPECIFIC)


def test_a_sentence_about_the_interview_itself_is_meta():
    text = "On the occasion of the Astana International Forum, Roman Vassilenko gave an exclusive interview to X."
    assert meta(text) and informative(text) == 0.0
    assert not meta("Roman Vassilenko said Kazakhstan would not help Russia evade sanctions.")


def test_praise_with_nothing_concrete_is_generic_but_a_figure_rescues_it():
    assert generic("Kazakhstan remains committed to fostering understanding and unity across the region.")
    assert not generic("In the spirit of friendship, the two states signed 14 agreements worth $2.1 billion in May 2024.")


def test_figures_dates_and_names_are_specific():
    assert specificity(SPECIFIC) > specificity("Trade with Europe has grown a great deal lately.")
    assert specificity("The Middle Corridor cuts the distance between China and Europe by 2,000 km.") >= 0.5


def test_first_person_answers_are_recognised():
    assert first_person("We will not allow our territory to be used.") and not first_person(SPECIFIC)


def test_a_heading_run_into_a_sentence_is_recognised():
    assert glued_heading(
        "Enhancing Transport and Transit Connectivity: Strengthening the Trans-Caspian International Transport "
        "Route remains a primary objective."
    )
    assert not glued_heading("Kazakhstan’s position is clear: it will not help Russia evade sanctions.")


def test_says_nothing_is_meta_or_generic():
    assert says_nothing("Roman Vassilenko sat down with Derya Soysal for an exclusive interview.")
    assert says_nothing("Kazakhstan remains committed to fostering understanding and unity across the region.")
    assert not says_nothing(SPECIFIC)


def test_a_sentence_stands_alone_only_with_a_lead_in_that_does(seed_index, topics):
    with Index(seed_index) as index:
        found = candidates(index, topics["china"])
    by_start = {c.sentence.text[:24]: c for c in found}
    assert stands_alone(by_start["For Kazakhstan, cooperat"])
    # "It has good relations…" comes with its lead-in, "In principle, Kazakhstan is opposed…"
    assert stands_alone(by_start["It has good relations wi"])
    # "It sees the European Union’s…" comes with "It has good relations…", which points back
    # again, and so with "In principle, Kazakhstan is opposed…" too
    sees = by_start["It sees the European Uni"]
    assert [s.text[:24] for s in sees.lead_in] == ["In principle, Kazakhstan", "It has good relations wi"]
    assert stands_alone(sees)


def test_sentence_features_are_one_named_column_each(seed_index, topics):
    with Index(seed_index) as index:
        found = candidates(index, topics["trade"])
    rows = sentence_features(found, np.linspace(1.0, 2.0, len(found)))
    assert rows.shape == (len(found), len(SENTENCE_FEATURES))
    column = dict(zip(SENTENCE_FEATURES, rows.T))
    assert column["centrality"].max() == 1.0 and column["bm25"].max() == 1.0
    fifty = next(k for k, c in enumerate(found) if "$50 billion in 2024" in c.sentence.text)
    assert column["specificity"][fifty] == 1.0 and column["first_person"][fifty] == 0.0
    indeed = next(k for k, c in enumerate(found) if c.sentence.text.startswith("Indeed, our trade"))
    assert column["first_person"][indeed] == 1.0
    assert column["dangling"][indeed] == (not found[indeed].lead_in)


def test_a_start_that_points_to_an_earlier_time_is_dangling():
    assert dangling("In the same period the President attended the Eurasian Economic Union Summit in Moscow.")
    assert dangling("At that time the border was still open.") and not dangling("In 2024 the border was open.")


def test_a_start_that_answers_or_follows_on_is_dangling():
    # the media brief quoted "In response, President Tokayev proposed the creation of this forum…" alone
    assert dangling("In response, President Tokayev proposed the creation of this forum.")
    assert dangling("Nevertheless, trade grew by 17% in 2024.") and dangling("To this end, a hub was set up in Aktau.")
    assert not dangling("Responding to sanctions, Kazakhstan set up a tracking system on April 1.")
    # the trade brief's figures showed "Not all had succeeded but $500 million in exports had been generated…"
    assert dangling("Not all had succeeded but $500 million in exports had been generated by the success stories.")
    assert dangling("Not just because Kazakhstan has no tense relations but also in the economic sense.")
    assert dangling("Most of them are small firms.")
    assert dangling("Nor was he able to maintain the percentage of the overall vote his party had in 1994.")
    # regional-cooperation quoted "For Kazakhstan, it reinforced the importance of President Tokayev’s regional vision"
    assert dangling("For Kazakhstan, it reinforced the importance of President Tokayev’s regional vision.")
    assert not dangling("For Kazakhstan, cooperation with China is a given.")
    assert not dangling("In Astana, it is expected that the summit will sign a water accord.") and not dangling("Most start-ups in Astana are small firms.")


def test_history_and_asides_are_not_what_a_reader_needs_first():
    soviet = "Hundreds of thousand ethnic Russians, Belarussians, Ukrainians were sent by the Soviet Union to our land."
    assert background(soviet) and not background(SPECIFIC)
    talk = "When I talk about economic impact, primarily I am referring to the destruction of the supply chain."
    assert aside(talk) and not aside("I met the minister in Astana on 4 May.")
