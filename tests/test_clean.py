"""Cleaning: every trap of the raw seeds is removed, and the rules work on other sites' lines too."""

from __future__ import annotations

import pytest

from briefing.dates import PartialDate
from briefing.ingest.clean import BODY, HEADING, clean, lines

from .conftest import DIPLOMAT_TIMES, EU_REPORTER, POLITICO, SPECIAL_EURASIA, UN_JOURNAL, texts


def all_text(extracted) -> str:
    return "\n".join(s.text for result in extracted.values() for s in result.sentences)


@pytest.mark.parametrize(
    "trap",
    [
        "Connect with us",  # site chrome
        "what are you looking for",  # search box prompt
        "RELATED NEWS",
        "Chevron CEO",  # the related link's headline
        "Share this article",
        "You May Also Like",
        "Zaporizhzhia",  # the teasers after it
        "lobbyists",
        "stone dealer",
        "Soft Power used by the Kremlin",
        "Related Posts",
        "Follow Us",
        "Instagram",
        "SOURCE :",
        "(Credits",
        "An image of the Astana International Forum",
        "info@specialeurasia.com",
        "please contact us",
        "Author: Silvia Boltuc",
        "Interview by Derya Soysal",
        "Location: Astana",
        "By UN Journal",
        "-- Ed.",
    ],
)
def test_no_trap_reaches_the_index(extracted, trap):
    assert trap not in all_text(extracted)


def test_each_trap_is_dropped_for_its_reason(raw_text):
    reasons = {d.text: d.reason for doc in raw_text.values() for d in clean(doc).dropped}
    assert reasons["Connect with us"] == "page chrome"
    assert reasons["Hi, what are you looking for?"] == "page chrome"
    assert reasons["UN members"] == "page chrome"  # a section label above the headline
    assert reasons["Share this article:"] == "end of article"
    assert reasons["You May Also Like"] == "after the end of the article"
    assert reasons["Related Posts"] == "end of article"
    assert reasons["RELATED NEWS : Kazakh President Meets Chevron CEO to Discuss Expanding Energy Cooperation"] == (
        "link line"
    )
    assert reasons["SOURCE : DS | Follow Us: Facebook | Instagram | Twitter | Youtube"] == "source line"
    assert reasons["Author: Silvia Boltuc"] == "byline"
    assert reasons["By UN Journal Lee Kap-soo"] == "byline"
    assert reasons["Location: Astana, Kazakhstan | April 16, 2025"] == "dateline"
    assert reasons["Astana, Kazakhstan –"] == "dateline"  # the lede's dateline, cut off the first sentence
    caption = next(t for t in reasons if t.startswith("An image of the Astana International Forum"))
    assert reasons[caption] == "caption"
    assert reasons["Roman Vassilenko, Deputy Minister of Foreign Affairs of the Republic of Kazakhstan"] == (
        "repeated line"
    )
    contact = next(t for t in reasons if "please contact us" in t)
    assert reasons[contact] == "contact line"
    note = next(t for t in reasons if t.endswith("-- Ed."))
    assert reasons[note] == "editor's note"


def test_the_article_after_the_teasers_is_gone_but_the_article_is_whole(extracted):
    sentences = texts(extracted[EU_REPORTER])
    assert sentences[-1] == "“Ministers can no longer run away, they must answer questions at the rostrum”, he said."
    assert sentences[0].startswith("The foreign ministers of the five Central Asian republics")


def test_bylines_and_datelines_become_metadata(raw_text):
    found = clean(raw_text[DIPLOMAT_TIMES]).found
    assert found.author == "Derya Soysal"
    assert found.date == PartialDate(2025, 4, 16)
    assert found.place == "Astana, Kazakhstan"
    assert clean(raw_text[SPECIAL_EURASIA]).found.author == "Silvia Boltuc"


def test_the_lede_keeps_its_sentence_without_the_dateline(extracted):
    first = texts(extracted[DIPLOMAT_TIMES])[0]
    assert first.startswith("At the Central Asia Media Forum held in Astana, Roman Vassilenko")


def test_headline_found_when_the_page_shows_it(raw_text):
    assert clean(raw_text[EU_REPORTER]).found.title == "Kazakhstan looks for further and faster progress in EU relations"
    assert clean(raw_text[POLITICO]).found.title is None  # no headline in the text: none invented


@pytest.mark.parametrize("doc_id", [DIPLOMAT_TIMES, UN_JOURNAL, EU_REPORTER, SPECIAL_EURASIA, POLITICO])
def test_no_sentence_glues_a_heading_to_text(raw_text, extracted, doc_id):
    headings = [p.text for p in clean(raw_text[doc_id]).paragraphs if p.role == HEADING]
    for sentence in texts(extracted[doc_id]):
        for heading in headings:
            assert not sentence.startswith(heading + " "), (heading, sentence)
    if doc_id == DIPLOMAT_TIMES:
        assert "Strengthening Bilateral Relations with the EU" in headings
        assert "Bolstering Bilateral Trade and New Opportunities" in headings


def test_run_in_list_labels_are_headings_not_sentences(raw_text, extracted):
    headings = [p.text for p in clean(raw_text[UN_JOURNAL]).paragraphs if p.role == HEADING]
    assert "Promoting Green Transition and Climate Resilience." in headings
    assert "Promoting Green Transition and Climate Resilience." not in texts(extracted[UN_JOURNAL])


def test_rules_generalise_to_other_sites():
    page = "\n".join(
        [
            "Skip to content",
            "Menu",
            "Water deal signed in Tashkent",
            "By Jane Doe",
            "Published: 3 March 2024",
            "TASHKENT (Reuters) — Uzbekistan and Kazakhstan signed a water-sharing deal on Monday, officials said.",
            "Photo: Uzbek officials at the signing. REUTERS/John Smith",
            "The deal covers the Syr Darya basin and runs for ten years.",
            "Read more: Central Asia's shrinking glaciers",
            "Follow us on Twitter and Facebook for more.",
            "Home | World | Asia | Business",
            "Newsletter: sign up for our daily briefing",
            "Most read",
            "Celebrity chef opens a new restaurant.",
        ]
    )
    result = clean(page)
    assert result.body == (
        "Uzbekistan and Kazakhstan signed a water-sharing deal on Monday, officials said.",
        "The deal covers the Syr Darya basin and runs for ten years.",
    )
    assert result.found.author == "Jane Doe"
    assert result.found.date == PartialDate(2024, 3, 3)
    assert result.found.place == "TASHKENT"
    assert result.found.title == "Water deal signed in Tashkent"


def test_a_line_that_repeats_is_chrome_wherever_it_stands():
    page = "Intro sentence of the article is here.\nSubscribe to Asia Weekly today\nBody text goes on here.\n" * 2
    assert "Subscribe to Asia Weekly today" not in [p.text for p in clean(page).paragraphs]


def test_soft_wrapped_lines_are_joined_and_markdown_marks_removed():
    text = (
        "## A heading\n\n"
        "Of the five Central Asian countries, Kazakhstan has the closest\n"
        "relationship with the EU, through an Enhanced Partnership and\n"
        "Cooperation Agreement. The meeting was followed by a Council.\n\n"
        "- A **list** item with a [link](https://example.org).\n"
        "A scraped line cut in the middle of its\n"
        "sentence goes on here.\n"
    )
    result = lines(text)
    assert [ln.text for ln in result] == [
        "A heading",
        "Of the five Central Asian countries, Kazakhstan has the closest relationship with the EU, through an "
        "Enhanced Partnership and Cooperation Agreement. The meeting was followed by a Council.",
        "A list item with a link.",
        "A scraped line cut in the middle of its sentence goes on here.",
    ]
    assert result[0].heading and result[2].bullet
    assert [p.role for p in clean(text).paragraphs] == [HEADING, BODY, BODY, BODY]


LEAD = "Kazakhstan's parliament met on Monday to debate the budget for the coming year, officials said."


@pytest.mark.parametrize(
    "sentence",
    [
        "By Tuesday, the government had withdrawn the proposal.",
        "By contrast, exports to China fell sharply.",
        "Tokayev — Kazakhstan's president since 2019 — said on Friday that talks would go on.",
        "Pictured alongside the president were three regional governors, who declined to comment.",
        "The footage was distributed by the news agencies AFP/Reuters.",
        "The minister posted the statement on Twitter and later on Facebook, drawing criticism.",
        "Copyright disputes are rising.",
        "The newsletter was banned in 2019.",
        "Journalists can write to the ministry, but replies from press@gov.kz rarely come within a month.",
        "The economy grew by 5% last year (source: IMF), faster than its neighbours.",
    ],
)
def test_ordinary_news_sentences_are_kept(sentence):
    assert clean(f"{LEAD}\n{sentence}\nThe debate goes on tomorrow, with a vote expected by Friday.\n").body[1] == sentence


@pytest.mark.parametrize(
    "heading", ["Comments from Moscow", "More on sanctions", "Related risks", "Tags and tariffs"]
)
def test_a_subheading_does_not_end_the_article(heading):
    text = f"{LEAD}\n{heading}\nThe vote is expected by Friday, the speaker said.\n"
    assert clean(text).body[-1] == "The vote is expected by Friday, the speaker said."


def test_a_headline_with_a_date_is_a_heading_not_a_dateline():
    result = clean(f"Kazakhstan to hold nuclear referendum on October 6, 2024\n{LEAD}\n")
    assert result.found.title == "Kazakhstan to hold nuclear referendum on October 6, 2024"
    assert result.found.date is None


def test_a_question_lede_is_not_page_chrome():
    assert clean(f"Can Kazakhstan stay neutral?\n{LEAD}\n").body[0] == "Can Kazakhstan stay neutral?"


def test_a_pull_quote_keeps_its_first_copy():
    quote = "“We will not allow our territory to be used to circumvent sanctions,” the minister said."
    assert clean(f"{LEAD}\n{quote}\nMore text follows here about the budget.\n{quote}\n").body.count(quote) == 1


@pytest.mark.parametrize(
    ("lede", "place"),
    [
        ("BERLIN (AP) _ Germany's second doping trial opened on Tuesday in the city court.", "BERLIN"),
        ("NEW YORK _ The shootings have led school officials to reassess their security plans.", "NEW YORK"),
        ("(AP) - After confirming the virus in birds, officials said it was present statewide.", None),
        ("PINE RIDGE, S.D. (AP) -- President Clinton turned his poverty tour to American Indians.", "PINE RIDGE, S.D."),
    ],
)
def test_newswire_datelines_come_off_the_lede(lede, place):
    result = clean(lede + "\n")
    assert result.body[0][0].isupper() and not result.body[0].startswith(("BERLIN", "NEW YORK", "(AP)", "PINE"))
    assert result.found.place == place


def test_a_dash_after_an_ordinary_word_is_not_a_dateline():
    text = "Kazakhstan - the largest country in Central Asia - held talks with the European Union today.\n"
    assert clean(text).body[0] == text.strip()


PROSE = [
    "The committee will publish its findings next month, after hearing from regional governors. "
    "Twelve of them have been summoned so far.",
    "Its chair said the hearings had been the longest in the committee's history. "
    "They ran for six weeks and heard from more than forty witnesses.",
    "Opposition members called for the report to be debated before the summer recess.",
]


@pytest.mark.parametrize("marker", ["Related Coverage", "Read more", "READ MORE:"])
def test_a_mid_article_link_line_drops_its_teasers_but_not_the_rest_of_the_article(marker):
    teasers = ["Budget talks stall in Astana", "Governors meet over water quotas"]
    result = clean("\n".join([LEAD, marker, *teasers, *PROSE]) + "\n")
    assert list(result.body) == [LEAD, *PROSE]
    assert {d.reason for d in result.dropped if d.text in teasers} == {"teaser"}


def test_teasers_with_blurbs_after_an_end_marker_stay_out():
    blurb = "A court in Almaty has jailed a former minister for taking bribes, his lawyer said on Monday."
    result = clean("\n".join([LEAD, "You May Also Like", "Politics", blurb, "Energy", blurb.replace("Almaty", "Aktau")]))
    assert list(result.body) == [LEAD]


@pytest.mark.parametrize(
    "paragraph",
    [
        "The ministry will open talks with the three neighbouring states on the new water quotas this spring ❖",
        "The decree on grain exports takes effect on Monday, the agriculture ministry said in a statement (BA)",
        "Правительство утвердило новый план развития транспортных коридоров до 2030 года и выделило средства",
    ],
)
def test_prose_without_a_final_full_stop_is_not_a_heading(paragraph):
    assert clean(f"{LEAD}\n\n{paragraph}\n").body == (LEAD, paragraph)


@pytest.mark.parametrize(
    "footer",
    [
        "Copyright 2023 The Associated Press. All rights reserved. This material may not be published, broadcast,"
        " rewritten or redistributed.",
        "Reprinted by permission of the author. All rights reserved.",
        "© 2022, Example News. This article is the copyrighted property of Example News. Written permission must be"
        " obtained before reprint in online or print media.",
        "Subscribe now to our digital edition for the full story.",
        "For the latest stories download the Example News apps for iOS and Android.",
        "This post contains references to products from one or more of our advertisers.",
    ],
)
def test_fine_print_is_dropped_in_any_position(footer):
    result = clean(f"{LEAD}\n\n{footer}\n\n{PROSE[0]}\n")
    assert result.body == (LEAD, PROSE[0])


def test_boilerplate_sentences_inside_a_paragraph_never_reach_the_index():
    from briefing import ingest
    from briefing.models import Document, Source

    body = f"{LEAD} We want to hear what you think about this article. {PROSE[2]}\n"
    kept = [s.text for s in ingest.extract(Document("d", "d.md", Source(), body, "h")).sentences]
    assert kept == [LEAD, PROSE[2]]


def test_the_boilerplate_words_are_looked_for_as_the_pattern_matches_case():
    """Its words are looked for before the pattern is run: every character the pattern's IGNORECASE
    takes for an ASCII letter must fold to that letter, or a sentence it catches would be let through."""
    import re
    import sys

    from briefing.ingest.clean import _BOILERPLATE, _FOLDED, boilerplate_sentence

    matching = re.findall("[a-z]", "".join(map(chr, range(sys.maxunicode + 1))), re.IGNORECASE)
    for char in matching:  # "K" (Kelvin sign), "İ", "ı", "ſ" besides the ASCII letters
        (ascii,) = [a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(a, char, re.IGNORECASE)]
        assert char.translate(_FOLDED).lower() == ascii, char
    for sentence in ("Subſcribe now for more.", "SUBSCRİBE NOW", "Never mıss a story.", "All Rights Reserved.",
                     "© 2024 Example Media", "We may earn a commission when you buy.", "The talks resumed."):
        assert boilerplate_sentence(sentence) == bool(_BOILERPLATE.search(sentence)), sentence
    assert boilerplate_sentence("Subſcribe now for more.") and not boilerplate_sentence("The talks resumed.")


def test_a_contact_line_in_look_alike_letters_is_dropped():
    disguised = "Соntасt uѕ аt marketing@example.com оr саll uѕ аt 501-601-0315 fоr аdvеrtіѕіng расkаgеѕ tоdау."
    result = clean(f"{LEAD}\n\n{disguised}\n")
    assert result.body == (LEAD,) and result.dropped[0].reason == "disguised text"
    assert clean(f"{LEAD}\n\nМинистр сказал, что переговоры продолжатся в Астане.\n").body[-1].startswith("Министр")


def test_a_long_sentence_marked_as_a_heading_is_a_paragraph():
    styled = "## Officials said the deal was the first of its kind in the region and could be extended further."
    assert clean(f"{LEAD}\n\n{styled}\n").body == (LEAD, styled.removeprefix("## "))
    assert clean(f"{LEAD}\n\n## Water and energy\n").body == (LEAD,)


def test_a_caption_that_ends_in_its_credit_is_dropped_and_a_credit_after_a_sentence_comes_off():
    caption = "Officers found 475 pounds of cocaine inside a vessel in Las Croabas. By U.S. CUSTOMS AND BORDER PROTECTION"
    result = clean(f"{caption}\n\n{LEAD}\n\n{PROSE[0]}\n")
    assert result.body == (LEAD, PROSE[0]) and result.dropped[0].reason == "caption"
    credited = clean(f"{LEAD}\n\nOil prices fell again in Asian trading on Monday. By CNBC\n")
    assert credited.body[-1] == "Oil prices fell again in Asian trading on Monday."
    assert clean(f"{LEAD}\n\nThe plan was drawn up by NATO. By Friday, it was law.\n").body[-1].endswith("law.")


@pytest.mark.parametrize(
    "sentence",
    [
        "The sanctions package has not been approved by Hungary, which demands exemptions for oil.",
        "The finance minister said the country would never miss a debt payment.",
        "The judge ruled that the photographs may not be published until the trial ends.",
        "The song was used with permission of the estate, the producers said.",
        "Citizens must download the eGov mobile app to apply for the new payments.",
        "Meta said it would advertise with more restraint during the election campaign.",
        "The site contains links to extremist material, prosecutors said.",
        "Publishers accuse the company of training its models on copyrighted material without permission.",
    ],
)
def test_news_about_permissions_apps_and_copyright_is_not_fine_print(sentence):
    assert clean(f"{LEAD}\n\n{sentence}\n").body == (LEAD, sentence)


@pytest.mark.parametrize("marker", ["## Comments", "Leave a reply", "Tags"])
def test_reader_comments_never_come_back_as_the_article(marker):
    comments = [
        "I have lived in Almaty for twenty years and the water has never been this bad. Shame on them.",
        "This is exactly what the government promised last year and nothing happened at all, as usual.",
        "Great reporting, but you forgot to mention the governors who blocked the reform in the first place.",
    ]
    assert clean("\n\n".join([LEAD, marker, *comments]) + "\n").body == (LEAD,)


def test_teaser_blurbs_after_related_stories_stay_out():
    blurbs = [
        "A court in Almaty has jailed a former minister for taking bribes, his lawyer said on Monday.",
        "Kazakhstan and Uzbekistan signed a water deal after two years of talks over the Syr Darya basin.",
        "Drought has cut the wheat harvest in the north by a fifth this year, farmers say in a survey…",
    ]
    assert clean("\n\n".join([LEAD, "Related Stories", *blurbs]) + "\n").body == (LEAD,)


@pytest.mark.parametrize(
    "paragraph",
    [
        "In the trial the drug cleared Aβ plaques in 68 percent of patients, the company said.",
        "Each tablet holds 50 μg of the hormone, regulators said.",
        "Мемлекет басшысы шетелдік инвесторлар өкiлдерiмен кездестi.",
    ],
)
def test_real_writing_in_mixed_scripts_is_not_disguised(paragraph):
    assert clean(f"{LEAD}\n\n{paragraph}\n").body == (LEAD, paragraph)


def test_a_headline_above_a_hard_wrapped_lede_is_not_glued_to_it():
    text = (
        "Kazakhstan Seeks Closer EU Ties as Trade With Russia Falters Again\n"
        "ASTANA, Kazakhstan (AP) -- Kazakhstan's president said on Tuesday that\n"
        "his country would deepen ties with the European Union as trade with\n"
        "Russia fell for a third month running, officials in the capital said.\n"
    )
    result = clean(text)
    assert result.found.title == "Kazakhstan Seeks Closer EU Ties as Trade With Russia Falters Again"
    assert result.body[0].startswith("Kazakhstan's president said on Tuesday that his country")
