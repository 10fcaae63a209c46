"""The brief as Markdown (to paste anywhere) and JSON (for other tools: every sentence,
score and source). Corpus text is escaped for Markdown so it can never become markup."""

from __future__ import annotations

import json
import re

from ..compose import month_year, period, plural
from ..models import Brief, Pick, Point, Selection, Sentence, Source
from .html import long_date, source_date, web_url

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown(brief: Brief) -> str:
    lines = [
        f"# {escape(brief.title)}",
        "",
        f"Issued {long_date(brief.issued)} · sources dated {period(*brief.coverage)} · "
        f"{plural(len(brief.notes), 'source')} · {plural(brief.outlets, 'outlet')} · "
        f"{plural(len(brief.points), 'point')}",
    ]
    if brief.age:
        lines += ["", f"**Old material: {escape(brief.age)}.**"]
    for section in brief.sections:
        lines += ["", f"## {section.title}", ""]
        for point in section.points:
            notes = "".join(f"[^{n}]" for n in point.notes)
            also = "".join(f"[^{n}]" for n in point.also)
            if section.key == "in-their-words":
                who = f"— {escape(point.speaker or '')}" + (f", {escape(point.role)}" if point.role else "")
                lines += [f"> {escape(point.text)}{notes}", f"> {who} · {month_year(point.date)}{_also(point, also)}", ""]
            else:
                said = f"**{escape(point.speaker or '')}:** " if point.attributed else ""
                lines.append(f"- {said}{escape(point.text)}{notes} ({_meta(point)}{_also(point, also)})")
    lines += ["", f"*{escape(brief.method)}*", ""]
    lines += [f"[^{n.number}]: {_note(n.source)}" for n in brief.notes]
    return "\n".join(lines).rstrip() + "\n"


def _meta(point: Point) -> str:
    parts = [escape(point.speaker)] if point.speaker and not point.attributed else []
    parts.append(month_year(point.date))
    if point.outlets > 1:
        parts.append(f"{point.outlets} outlets")
    return " · ".join(parts)


def _also(point: Point, markers: str) -> str:
    text = f" · also reported in {markers}" if markers else ""
    more = (" and " if markers else " · also reported by ") + plural(point.more, "more source")
    return text + (more if point.more else "")


def _note(source: Source) -> str:
    parts = [f"**{escape(source.outlet or 'Unknown outlet')}**"]
    byline = ", ".join(p for p in (escape(source.author or ""), f"“{escape(source.title)}”" if source.title else "") if p)
    text = " · ".join(parts + [", ".join(p for p in (byline, source_date(source.date)) if p) + "."])
    if web_url(source.url):
        text += f" <{source.url}>"
    elif source.url:
        text += f" {escape(source.url)}"
    return text


def json_document(brief: Brief, selection: Selection) -> str:
    """Everything a brief is made of, in a fixed order: same input, same bytes."""
    data = {
        "title": brief.title,
        "topic": {"name": brief.topic.name, "title": brief.topic.title, "keywords": list(brief.topic.keywords)},
        "subject": brief.subject,
        "issued": brief.issued.isoformat(),
        "coverage": [None if d is None else str(d) for d in brief.coverage],
        "age": brief.age,
        "ranker": brief.ranker,
        "sections": [
            {"key": s.key, "title": s.title, "points": [_point_json(p) for p in s.points]} for s in brief.sections
        ],
        "left_out": [_point_json(p) for p in brief.left_out],
        "notes": [{"number": n.number, "document": n.document_id, **n.source.as_json()} for n in brief.notes],
        "method": brief.method,
        "candidates": [_pick_json(p) for p in (*selection.chosen, *selection.rejected)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _point_json(point: Point) -> dict:
    return {
        "rank": point.rank,
        "score": round(point.score, 6),
        "text": point.text,
        "speaker": point.speaker,
        "attributed": point.attributed,
        "role": point.role,
        "date": None if point.date is None else str(point.date),
        "outlets": point.outlets,
        "notes": list(point.notes),
        "also": list(point.also),
        "more": point.more,
        "sentences": [_sentence_json(s) for s in point.sentences],
    }


def _sentence_json(sentence: Sentence) -> dict:
    return {"document": sentence.document_id, **sentence.as_json()}


def _pick_json(pick: Pick) -> dict:
    c = pick.candidate
    return {
        **_sentence_json(c.sentence),
        "lead_in": [_sentence_json(s) for s in pick.lead_in],
        "relevance": round(c.relevance, 6),
        "bm25": round(c.bm25, 6),
        "density": round(c.density, 6),
        "centrality": round(pick.centrality, 6),
        "redundancy": round(pick.redundancy, 6),
        "score": round(pick.score, 6),
        "rank": pick.rank or None,
        "verdict": pick.reason,
        "matched": list(c.matched),
        "sources": [doc_id for doc_id, _ in pick.cited],
    }
