"""Agent search: a Whoosh index of the knowledge base, behind our own small interface.

Building (what `kb index` and `kb build` call)::

    from search import build_index, default_index_dir
    report = build_index(kb)                      # -> BuildReport(documents, seconds, size, generation...)
    report = build_index(kb, Path("/srv/kb-index"), content=content, history=history)

Every published page of both audiences is indexed with its audience, and public pages (agent-only text
left out) again in the generation's `public/` index for anonymous searches; `index_dir` defaults to
`<kb root>/var/search/`. A build writes a new generation beside the live one and switches a pointer file
atomically, so readers never see a half-built index.

Querying::

    from search import Searcher
    searcher = Searcher(default_index_dir(kb))    # long-lived; follows rebuilds; one per thread
    results = searcher.query(
        "carte refusée",
        audience="public",      # who is asking: "public" (default) or "internal" (the agent wiki)
        lang="fr",              # the site's language; None searches every language
        type="macro", category="cards", tag="refund", case_reason="card/declined",  # str or list of str
        page=1, per_page=10,
    )
    results.total, results.pages, results.suggestion, results.corrected
    for hit in results.hits:  # Hit: id, lang, title, type, category, audience, tags, case_reason, url,
        hit.snippet           #      path, version, score, snippet
    results.to_dict()         # JSON-ready

    from search import query  # the same with one cached Searcher per thread and folder
    query("card refused", index_dir=default_index_dir(kb), audience="internal")

    searcher.count("card refused", lang="en")  # pages found without filters (count_matches: per thread)
    searcher.answers("kbis", lang="en", missing_in="fr")  # English pages holding every word, as typed,
                                                          # that the French site does not show in French

English results are also ordered by meaning when the encoder's weights are installed (search.semantic): the
best pages by words are re-ordered by the closeness of page and query vectors; `hit.score` stays the words'.

A query is plain words, never Whoosh query syntax: `title:*` searches for the word "title"; text with no
word at all (punctuation, a lone accent) finds nothing. Text is folded to Unicode compatibility forms (NFKC)
before anything else, so "ﬁnance" finds "finance".

A public query only ever sees pages the public help center shows, never text from agent-only blocks, and
suggests only words of public content; its URLs point to the public site. It runs against the generation's
public index (built from public documents only), so its scores, snippets and corrections do not depend on
internal content at all. An internal query also searches
internal pages and agent notes (`hit.snippet.agent` says a passage comes from one) and links to the wiki.
A `case_reason` filter of "card" matches every "card/..." sub-reason. Unknown filter values find nothing;
an unknown audience or language, or a page out of range, raises kbtools.model.errors.UsageError; a missing
index raises IndexNotFoundError (a KbError).

Technical tokens (`outlook.exe.log`, `16.0`, `0x800ccc80`, `AADSTS50105`) are indexed and queried whole and by
their parts, by one tokenizer (search.analysis). Words of `content/synonyms.yml` also find their replacements
(kbtools.model.synonyms). "Did you mean" never corrects a stop word or a known word of the reader's language
(search.lexicon), and only offers words a page this reader sees holds.

Evaluation of relevance (`kb search --eval`): search.evaluation.

Suggestions for a whole ticket (the auto-reply), only when the match is strong: search.suggestions::

    from search.suggestions import suggest
    found = suggest(ticket_text, lambda query, depth: searcher.query(query, audience="public", per_page=depth))
    found.hits, found.confidence  # no hit unless the confidence reaches the threshold
"""

from search.indexer import BuildReport, build_index
from search.results import Hit, SearchResults, Snippet
from search.searcher import Searcher, count_matches, query
from search.store import IndexNotFoundError, default_index_dir

__all__ = [
    "BuildReport",
    "Hit",
    "IndexNotFoundError",
    "SearchResults",
    "Searcher",
    "Snippet",
    "build_index",
    "count_matches",
    "default_index_dir",
    "query",
]
