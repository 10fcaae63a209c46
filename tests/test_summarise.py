"""Select and rank as one path: the background words are weighed against, bounded on a large corpus."""

from __future__ import annotations

from briefing.index import Index
from briefing.select import SelectSettings
from briefing.summarise import SummarySettings, decide, prepare


def test_the_background_reads_the_most_relevant_documents_whole_and_takes_only_the_others_candidates(
    seed_index, topics
):
    bounded_settings = SummarySettings(select=SelectSettings(background=1))
    with Index(seed_index) as index:
        whole = prepare(index, topics["sanctions"])
        bounded = prepare(index, topics["sanctions"], bounded_settings)
        every = {doc_id: sentences for doc_id, sentences in index.stems_by_document(sorted(whole.documents)).items()}
    first = whole.candidates[0].sentence.document_id  # the most relevant candidate's document
    assert len(whole.documents) > 1 and whole.documents == every
    assert list(bounded.documents) == list(whole.documents) and bounded.documents[first] == every[first]
    for doc_id in set(whole.documents) - {first}:
        lent = [c.stems for c in sorted(whole.candidates, key=lambda c: c.id) if c.sentence.document_id == doc_id]
        assert bounded.documents[doc_id] == lent and len(lent) < len(every[doc_id])
    assert decide(bounded, bounded_settings.rank).chosen
