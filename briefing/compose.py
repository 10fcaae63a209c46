"""Selection → Brief: sections, attribution, footnote numbers.

Laid out the way analysts' briefing standards ask for: the bottom line up front, a source
for every item, a date on everything, corroboration visible ("3 outlets"), and no words of
the tool's own beyond labels, so nothing in a brief is a judgement it cannot back.
The same selection always gives the same brief: points follow rank, notes are numbered
by first appearance, ties fall to ids.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from .dates import PartialDate
from .models import Brief, Note, Pick, Point, Section, Selection, Sentence, Source
from .rank.features import aside, background, dangling, first_person, generic, glued_heading, informative, meta
from .rank.redundancy import key_figures
from .select import opens_dependently

STALE_AFTER_DAYS = 90  # a brief whose newest source is older than this says how old its material is
BOTTOM_LINE = 2  # points in the bottom line
BOTTOM_LINE_SHORT = 45  # words: when the first two points are shorter, a third joins them
BOTTOM_LINE_POOL = 6  # the bottom line is chosen among this many best-ranked points
IN_THEIR_WORDS = 3
QUOTE_WORDS = 60  # longer words stay a key point, attributed there
FIGURES = 4
ALSO_NOTES = 3  # notes for other sources that report a point's fact; more are counted, not listed
SECTION_TITLES = {
    "bottom-line": "Bottom line",
    "key-points": "Key points",
    "in-their-words": "In their words",
    "figures": "Figures",
}
RANKERS = {"lexrank": "topic-biased LexRank", "textrank": "TextRank", "relevance": "relevance alone"}
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass
class _Draft:
    """A point before its notes are numbered."""

    picks: list[Pick] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    cited: dict[str, Source] = field(default_factory=dict)
    head: bool = False  # the main sentence of one of the top points: the bottom line

    @property
    def key(self) -> tuple[str, int]:
        return self.picks[0].candidate.id

    @property
    def rank(self) -> int:
        return min(p.rank for p in self.picks)

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.sentences)

    @property
    def own(self) -> list[str]:
        """The documents that printed these sentences."""
        return list(dict.fromkeys(s.document_id for s in self.sentences))

    @property
    def also(self) -> list[str]:
        """The other documents that report the same fact in their own words."""
        return [d for d in self.cited if d not in self.own]


def age(newest: PartialDate | None, issued: dt.date, stale_after: int) -> str | None:
    """"Newest source Oct 2023, 3 years before issue" once the material is older than
    ``stale_after`` days, counted from the last day the source's date can mean."""
    if newest is None:
        return None
    month = newest.month or 12
    last = newest.day or calendar.monthrange(newest.year, month)[1]
    days = (issued - dt.date(newest.year, month, last)).days
    if days <= stale_after:
        return None
    months = (issued.year - newest.year) * 12 + issued.month - month
    gap = plural(months // 12, "year") if months >= 24 else plural(max(months, 1), "month") if months else plural(days, "day")
    return f"Newest source {month_year(newest)}, {gap} before issue"


def month_year(date: PartialDate | None) -> str:
    if date is None:
        return "undated"
    return str(date.year) if date.month is None else f"{_MONTHS[date.month - 1]} {date.year}"


def period(first: PartialDate | None, last: PartialDate | None) -> str:
    if first is None or last is None:
        return month_year(first or last)
    start, end = month_year(first), month_year(last)
    return start if start == end else f"{start} – {end}"


def compose(
    selection: Selection,
    issued: dt.date,
    subject: str | None = None,
    leave_out: frozenset[tuple[str, int]] = frozenset(),
    edition: str | None = None,
    stale_after: int = STALE_AFTER_DAYS,
    also_notes: int = ALSO_NOTES,
) -> Brief:
    """The brief of a selection; ``leave_out`` names points (by main sentence id) dropped to fit a
    page; ``edition`` names the series it is part of (a digest); past ``stale_after`` days
    between its newest source and its issue, it says how old its material is; ``also_notes``
    other sources of a point's fact get a note each, the rest are counted."""
    units = _units(selection)
    kept = [u for u in units if u.key not in leave_out]
    sections = _sections(kept)
    numbers: dict[str, int] = {}
    for _, drafts in sections:
        for draft in drafts:
            for doc_id in draft.own + draft.also[:also_notes]:
                numbers.setdefault(doc_id, len(numbers) + 1)
    roles = dict(selection.roles)
    sources = {doc_id: source for d in kept for doc_id, source in d.cited.items()}
    notes = tuple(Note(n, doc_id, sources[doc_id]) for doc_id, n in numbers.items())
    dates = sorted((sources[d].date for d in numbers if sources[d].date), key=lambda d: d.sort_key)
    coverage = (dates[0], dates[-1]) if dates else (None, None)
    outlets = len({sources[d].outlet or d for d in numbers})
    title = selection.topic.title + (f" — {subject}" if subject else "")
    title += f", {period(*coverage)}" if dates else ""
    method = (
        f"Drawn from {plural(len(notes), 'article')} by {plural(outlets, 'outlet')} matching "
        f"{', '.join(selection.topic.keywords)}. Every line is a verbatim extract from its source, "
        f"chosen by {RANKERS.get(selection.ranker, selection.ranker)} and weights learned from human summaries, "
        "with repeated facts merged."
    )
    return Brief(
        topic=selection.topic,
        title=title,
        subject=subject,
        issued=issued,
        coverage=coverage,
        sections=tuple(
            Section(key, SECTION_TITLES[key], tuple(_point(d, numbers, roles) for d in ds)) for key, ds in sections if ds
        ),
        notes=notes,
        outlets=outlets,
        method=method,
        ranker=selection.ranker,
        left_out=tuple(_point(u, numbers, roles) for u in units if u.key in leave_out),
        edition=edition,
        age=age(coverage[1], issued, stale_after),
    )


def _units(selection: Selection) -> list[_Draft]:
    """The points a brief can show, by rank: chosen picks grouped with what leans on them, the
    top points' own sentences apart (the bottom line) from what continues them."""
    chosen = {p.candidate.id for p in selection.chosen}
    groups: list[list[Pick]] = []
    for pick in selection.chosen:
        c = pick.candidate
        if groups and chosen.intersection(c.leans_on):
            groups[-1].append(pick)
        else:
            groups.append([pick])
    groups.sort(key=lambda g: (min(p.rank for p in g), g[0].candidate.id))
    bottom = _bottom_line(groups)
    units = []
    for k, group in enumerate(groups):
        if k in bottom:
            n = _head_length(group)
            units.append(_regroup(group[:n], head=True))
            if group[n:]:
                units.append(_regroup(group[n:]))
        else:
            units.append(_regroup(group))
    return sorted(units, key=lambda u: (u.rank, u.key))


def _bottom_line(groups: list[list[Pick]]) -> set[int]:
    """Which groups open the brief: the two (three when short) most informative claims that
    stand on their own, among the best-ranked: not about the interview itself, not generic
    praise, no heading glued to a sentence, nothing that leans on what it does not bring, no
    history told for context, no speaker's aside about their own words. Only when fewer than
    two qualify do others (never one about the interview itself) fill in."""
    heads = [_regroup(g[: _head_length(g)]) for g in groups[:BOTTOM_LINE_POOL]]
    usable = [k for k, head in enumerate(heads) if _stands_alone(head)]
    if len(usable) < BOTTOM_LINE:
        usable += [k for k, head in enumerate(heads) if k not in usable and not _about_itself(head)]
    best = sorted(usable, key=lambda k: (-informative(" ".join(s.text for s in heads[k].sentences)), k))
    chosen = sorted(best[:BOTTOM_LINE])
    if len(best) > BOTTOM_LINE and sum(heads[k].words for k in chosen) < BOTTOM_LINE_SHORT:
        chosen = sorted(best[: BOTTOM_LINE + 1])
    return set(chosen)


def _stands_alone(head: _Draft) -> bool:
    first, main = head.sentences[0].text, head.picks[0].candidate.sentence.text
    said = " ".join(s.text for s in head.sentences)
    return not (_about_itself(head) or dangling(first) or generic(main) or glued_heading(first) or background(said) or aside(said))


def _about_itself(head: _Draft) -> bool:
    return any(meta(s.text) for s in head.sentences)


def _head_length(group: list[Pick]) -> int:
    """The main pick, the group's most important pick, and what cannot stand without them."""
    best = min(range(len(group)), key=lambda k: group[k].rank)
    n = best + 1
    while n < len(group) and opens_dependently(group[n].candidate.sentence.text):
        n += 1
    return n


def _regroup(picks: list[Pick], head: bool = False) -> _Draft:
    draft = _Draft(head=head)
    for pick in picks:
        draft.picks.append(pick)
        draft.sentences.extend(pick.lead_in)
        draft.sentences.append(pick.candidate.sentence)
        for doc_id, source in pick.cited:
            draft.cited.setdefault(doc_id, source)
    return draft


def _sections(units: list[_Draft]) -> list[tuple[str, list[_Draft]]]:
    """Bottom line first; then figures, direct words and key points, each in rank order."""
    bottom = [u for u in units if u.head]
    rest = [u for u in units if not u.head]
    numbers = [d for d in rest if _has_figures(d)][:FIGURES]
    rest = [d for d in rest if d not in numbers]
    words = [d for d in rest if _quotable(d) and d.words <= QUOTE_WORDS][:IN_THEIR_WORDS]
    key_points = [d for d in rest if d not in words]
    return [("bottom-line", bottom), ("key-points", key_points), ("in-their-words", words), ("figures", numbers)]


def _has_figures(draft: _Draft) -> bool:
    return any(key_figures(s.text) for s in draft.sentences)


def _quotable(draft: _Draft) -> bool:
    """All of it in one named person's own words: a direct quotation or an interview answer."""
    speakers = {s.speaker for s in draft.sentences}
    return len(speakers) == 1 and None not in speakers and not any(s.is_question for s in draft.sentences)


def _point(draft: _Draft, numbers: dict[str, int], roles: dict[str, str]) -> Point:
    speakers = {s.speaker for s in draft.sentences}
    speaker = speakers.pop() if len(speakers) == 1 else None
    dates = [s.date for s in draft.cited.values() if s.date]
    also = [d for d in draft.also if d in numbers]
    return Point(
        key=draft.key,
        sentences=tuple(draft.sentences),
        notes=tuple(numbers[d] for d in draft.own if d in numbers),
        also=tuple(numbers[d] for d in also),
        more=len(draft.also) - len(also),
        date=max(dates, key=lambda d: d.sort_key) if dates else None,
        outlets=len({s.outlet or doc_id for doc_id, s in draft.cited.items()}),
        speaker=speaker,
        role=roles.get(speaker) if speaker else None,
        rank=draft.rank,
        score=max(p.score for p in draft.picks),
        attributed=draft.head and speaker is not None and first_person(" ".join(s.text for s in draft.sentences)),
    )


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
