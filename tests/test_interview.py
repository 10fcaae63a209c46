"""Interviews: questions flagged, speakers attributed in all three styles, tags off the text, quotations."""

from __future__ import annotations

import re

import pytest

from briefing.ingest.interview import quote_spans

from .conftest import DIPLOMAT_TIMES, EU_REPORTER, POLITICO, SPECIAL_EURASIA, UN_JOURNAL, texts

VASSILENKO = "Roman Vassilenko"


def question_lines(raw: str, doc_id: str) -> list[str]:
    """The interviewer's turns as the raw page prints them, found by each page's own convention."""
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    if doc_id == DIPLOMAT_TIMES:
        return [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("Derya Soysal :")]
    if doc_id == UN_JOURNAL:
        return [re.sub(r"^(Question|Q):\s*", "", ln) for ln in lines if re.match(r"^(Question|Q):", ln)]
    return [ln for ln in lines if ln.endswith("?") and len(ln.split()) > 8]


@pytest.mark.parametrize("doc_id", [DIPLOMAT_TIMES, UN_JOURNAL, SPECIAL_EURASIA])
def test_every_interview_question_is_flagged(raw_text, extracted, doc_id):
    questions = question_lines(raw_text[doc_id], doc_id)
    assert len(questions) >= 4
    for question in questions:
        inside = [s for s in extracted[doc_id].sentences if s.text in question]
        assert inside, question
        assert all(s.is_question for s in inside), question
    flagged = [s.text for s in extracted[doc_id].sentences if s.is_question]
    assert all(any(text in q for q in questions) for text in flagged)


@pytest.mark.parametrize("doc_id", [DIPLOMAT_TIMES, UN_JOURNAL, SPECIAL_EURASIA])
def test_answers_belong_to_the_interviewee_and_are_not_questions(extracted, doc_id):
    answers = [s for s in extracted[doc_id].sentences if s.speaker == VASSILENKO]
    assert len(answers) >= 20
    assert not any(s.is_question for s in answers)


def test_tagged_style_keeps_both_speakers(extracted):
    sentences = extracted[DIPLOMAT_TIMES].sentences
    asked = next(s for s in sentences if s.text.startswith("Mr. Vassilenko, what steps"))
    assert asked.speaker == "Derya Soysal" and asked.is_question
    answer = next(s for s in sentences if s.text.startswith("Indeed, our trade with the EU reached a record $50 billion"))
    assert answer.speaker == VASSILENKO and not answer.is_question
    narration = next(s for s in sentences if s.text.startswith("Kazakhstan is actively enhancing trade"))
    assert narration.speaker is None


def test_question_answer_blocks_resolve_the_short_name(extracted):
    answer = next(
        s for s in extracted[UN_JOURNAL].sentences if s.text.startswith("Kazakhstan welcomes the Global Gateway")
    )
    assert answer.speaker == VASSILENKO  # tagged "A: Vassilenko:", the full name is in the intro


def test_untagged_answers_go_to_the_person_met(extracted):
    answer = next(s for s in extracted[SPECIAL_EURASIA].sentences if s.text.startswith("That is why we have not joined"))
    assert answer.speaker == VASSILENKO and not answer.is_question
    intro = extracted[SPECIAL_EURASIA].sentences[0]
    assert intro.speaker is None and not intro.is_question


@pytest.mark.parametrize("doc_id", [DIPLOMAT_TIMES, UN_JOURNAL, SPECIAL_EURASIA])
def test_speaker_tags_are_taken_off_the_text(extracted, doc_id):
    for text in texts(extracted[doc_id]):
        assert not re.match(r"^(Q|A|Question|Answer|Roman Vassilenko|Derya Soysal|Vassilenko)\s*:", text), text


def test_reports_have_no_interview_speakers(extracted):
    assert not any(s.is_question for s in extracted[EU_REPORTER].sentences)
    assert not any(s.speaker for s in extracted[EU_REPORTER].sentences if not s.in_quote)


def test_direct_quotations_are_marked_and_attributed(extracted):
    sentences = extracted[POLITICO].sentences
    quoted = [s for s in sentences if s.in_quote]
    assert [s.text[:20] for s in quoted] == ["“The fact the EU, th", "At the same time, he", "“The EU now has an o"]
    assert quoted[0].speaker == VASSILENKO  # "..., Roman Vassilenko told POLITICO"
    assert quoted[2].speaker is None  # "the committee said": not a person
    reported = next(s for s in sentences if s.text.startswith("Brussels’ sanctions envoy"))
    assert not reported.in_quote


def test_a_short_quoted_phrase_does_not_make_a_quotation(extracted):
    hub = next(s for s in extracted[EU_REPORTER].sentences if s.text.startswith("“We are the hub of Central Asia”"))
    assert not hub.in_quote  # most of the sentence is the reporter's words


def test_quote_spans_handle_open_quotes_and_newswire_marks():
    assert quote_spans("He said “one. Two”. Then “three") == [(8, 18), (25, 31)]
    assert quote_spans("``The land is held in trust,'' Cuomo said.") == [(0, 30)]


def extract_text(body: str, kind: str | None = None):
    from briefing.ingest import extract
    from briefing.models import Document, Source

    return extract(Document("doc", "doc.md", Source(kind=kind), body, "")).sentences


def test_a_label_used_twice_is_not_a_speaker():
    sentences = extract_text(
        "Kazakhstan's central bank held its rate on Friday, analysts said in Almaty.\n"
        "Background: The bank raised its rate twice last year.\n"
        "Inflation reached 9.8% in March, the statistics office said.\n"
        "Background: The tenge has lost a tenth of its value since January.\n"
    )
    assert all(s.speaker is None for s in sentences)
    assert sentences[1].text == "Background: The bank raised its rate twice last year."


def test_titles_come_off_the_interviewee():
    sentences = extract_text(
        "Foreign Minister Murat Nurtleu told reporters in Astana about the summit plans this week.\n"
        "Q: Will the summit take place in June?\n"
        "A: It will, and all five presidents have confirmed they will attend.\n",
        kind="interview",
    )
    assert sentences[-1].speaker == "Murat Nurtleu" and not sentences[-1].is_question


def test_a_quote_goes_on_in_the_voice_before_it():
    sentences = extract_text(
        "“We were not consulted,” said Anna Petrova, who heads the farmers’ union. “It is unfair.” "
        "The ministry did not reply to requests for comment on the complaint.\n"
    )
    # the first sentence is mostly the reporter's words; the second is all Anna Petrova's
    assert [s.in_quote for s in sentences] == [False, True, False]
    assert [s.speaker for s in sentences] == [None, "Anna Petrova", None]


def test_a_long_paragraph_of_quotes_is_attributed_sentence_by_sentence():
    sentences = extract_text("“The talks went well,” Anna Smith said. " * 300 + "\n")
    assert len(sentences) == 300
    assert all(s.speaker == "Anna Smith" and s.in_quote for s in sentences)


@pytest.mark.parametrize("tag", ["Mr Malone", "Mr. Malone", "Dr Malone"])
def test_honorific_speaker_tags_credit_the_speaker_not_the_interviewer(tag):
    from briefing import ingest
    from briefing.models import Document, Source

    body = (
        "Radio host Jane Doe spoke to farm leader Tom Malone about the trade deal.\n\n"
        "Jane Doe: How do you see the deal affecting beef farmers?\n\n"
        f"{tag}: We see it as a serious threat. Beef exports could fall by a fifth.\n\n"
        "Ms. Lee: I disagree with that entirely.\n"
    )
    result = ingest.extract(Document("d", "d.md", Source(kind="interview"), body, "h"))
    by_text = {s.text: s for s in result.sentences}
    for answer in ("We see it as a serious threat.", "Beef exports could fall by a fifth."):
        assert by_text[answer].speaker == "Tom Malone" and not by_text[answer].is_question
    assert by_text["I disagree with that entirely."].speaker == "Ms. Lee"
    assert by_text["How do you see the deal affecting beef farmers?"].is_question


def test_a_title_and_surname_two_people_share_stays_as_printed():
    from briefing import ingest
    from briefing.models import Document, Source

    body = (
        "Jane Doe met the farmers Tom Malone and his wife, Anne Malone, on their farm.\n\n"
        "Jane Doe: Who keeps the books?\n\n"
        "Mrs Malone: I keep the accounts, and we lost money last year.\n\n"
        "Mr Malone: The beef price fell by a fifth.\n"
    )
    by_text = {s.text: s for s in ingest.extract(Document("d", "d.md", Source(kind="interview"), body, "h")).sentences}
    assert by_text["I keep the accounts, and we lost money last year."].speaker == "Mrs Malone"
    assert by_text["The beef price fell by a fifth."].speaker == "Mr Malone"
