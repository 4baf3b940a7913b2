"""A hit as the reader gets it: the page's stored facts, its URL, and the passage that matched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kbtools.model.urls import page_url
from search.analysis import segment_of
from search.documents import INTERNAL
from search.results import Hit, Snippet
from search.schema import agent_field, text_field
from search.snippets import best_passage, highlight

if TYPE_CHECKING:
    from search.planning import QueryPlan


def hit(plan: QueryPlan, docnum: int, score: float) -> Hit:
    """The result for `docnum`: its stored facts, its URL on the reader's site, its best passage."""
    stored = plan.searcher.stored_fields(docnum)
    facts = stored["facts"]
    lang = stored["lang"]
    site_lang = plan.lang or lang
    url = page_url(plan.audience, site_lang, facts["rel"], plan.index.default_language)
    return Hit(
        id=stored["id"],
        lang=lang,
        title=facts["title"],
        type=stored["type"],
        category=stored["category"],
        audience=stored["audience"],
        tags=facts["tags"],
        case_reason=facts["case_reason"],
        url=url,
        path=f"{lang}/{facts['rel']}",
        version=facts["version"],
        score=score,
        snippet=snippet(plan, docnum, lang, facts, url),
    )


def snippet(plan: QueryPlan, docnum: int, lang: str, facts: dict[str, Any], url: str) -> Snippet:
    """The section whose matches weigh most (by IDF), its words of the query highlighted."""
    terms = plan.terms(lang)
    sections = facts["sections"]
    owners = facts["text_sections"]
    matches: list[tuple[str, int, bool]] = []
    idf: dict[str, float] = {}
    for term in terms:
        idf[term] = plan.idf(text_field(lang), term)
        for position in plan.positions(text_field(lang), term, [docnum]).get(docnum, []):
            segment = segment_of(position)
            if segment < len(owners):
                matches.append((term, owners[segment], False))
        if plan.audience == INTERNAL:
            for position in plan.positions(agent_field(lang), term, [docnum]).get(docnum, []):
                matches.append((term, segment_of(position), True))
    passage = best_passage(matches, idf, len(sections), include_agent=plan.audience == INTERNAL)
    if not sections:
        return Snippet("", "", url, ((facts["summary"], False),) if facts["summary"] else ())
    if passage is None:
        number = next((n for n, section in enumerate(sections) if section["text"]), 0)
        agent = False
    else:
        number, agent = passage.section, passage.agent
    section = sections[number]
    text = section["agent"] if agent else section["text"]
    anchor = section["anchor"]
    return Snippet(
        heading=section["heading"],
        anchor=anchor,
        url=f"{url}#{anchor}" if anchor else url,
        fragments=highlight(lang, text, set(terms)) if text else (),
        agent=agent,
    )
