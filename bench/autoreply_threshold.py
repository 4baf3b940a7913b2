"""Choosing the auto-reply's confidence threshold: precision and share of tickets answered per threshold.

For every public query of the relevance sets (the real Outlook troubleshooting corpus with
bench/outlook_queries.tsv and its held-out queries, and the sample help center with tests/relevance/queries.tsv),
the auto-reply's own selection (search.suggestions) runs at each threshold. Printed per set and threshold:
- answered: share of queries given at least one article;
- precision: of the answered queries, share whose suggestions hold the expected page;
- precision@1: of the answered queries, share whose first suggestion is the expected page;
- articles: mean number of articles suggested when answered.
The chosen threshold is search.suggestions.MIN_CONFIDENCE (marked with *).

Run: KB_SHARED_DIR=/path/to/shared python bench/autoreply_threshold.py
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from outlook_import import corpus_dir, import_outlook

from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index
from search.evaluation import Case, read_cases
from search.suggestions import MIN_CONFIDENCE, confidence, suggest, ticket_query

REPO = Path(__file__).resolve().parent.parent
# Tickets no page of the sample help center answers (requests for a person, other products, small talk): a good
# threshold sends these nothing. Written before the threshold was chosen.
UNANSWERABLE = (
    "Hi, can someone call me back tomorrow morning? I prefer to discuss this by phone. Thanks, Paul",
    "I would like to speak to your sales team about a partnership with our travel agency",
    "Do you have offices in Lisbon? We are looking to hire people there and want to visit",
    "Please update the postal address on our contract, we moved to 12 rue de la Paix, Paris",
    "Thank you so much for your help last week, everything works now. Have a nice day!",
    "Is Brightspend available on the Apple Watch? My manager asked me to check",
    "Our CFO wants a copy of your SOC 2 report and your data processing agreement",
    "Bonjour, pouvez-vous me rappeler demain matin ? Je préfère en parler au téléphone.",
    "Nous souhaitons organiser une démonstration pour notre équipe de direction la semaine prochaine",
    "Merci beaucoup pour votre aide, tout fonctionne maintenant. Bonne journée !",
    "What is the weather like in your office today? Just curious, we are planning a visit in spring",
    "Can I get a discount if we pay for three years in advance? We are a nonprofit organisation",
)
THRESHOLDS = (0.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 15.0, 20.0)
# A ticket is rarely the bare question: each query is also measured inside a greeting, a line of context and a
# signature, as customers write (English or French by the query's language)
WRAP = {
    "en": (
        "Hello team, I hope you are well. {query}. We have used Brightspend for a year and this is quite urgent "
        "for our month-end closing. Thanks in advance for your help, best regards, Marie Dupont, Finance Manager"
    ),
    "fr": (
        "Bonjour, j'espère que vous allez bien. {query}. Nous utilisons Brightspend depuis un an et c'est assez "
        "urgent pour notre clôture mensuelle. Merci d'avance pour votre aide, cordialement, Marie Dupont, "
        "responsable financière"
    ),
}


def as_ticket(query: str, lang: str | None) -> str:
    return WRAP.get(lang or "en", WRAP["en"]).format(query=query.rstrip(".?! "))


def measure(root: Path, cases: list[Case], index: Path, wrap: bool) -> list[tuple[float, float, float, float, float]]:
    """(threshold, answered, precision, precision@1, articles) per threshold; `wrap`: the queries as tickets."""
    if not index.exists():
        build_index(KnowledgeBase.at(root), index)
    public = [case for case in cases if case.audience in (None, "public")]
    if wrap:
        public = [replace(case, query=as_ticket(case.query, case.lang)) for case in public]
    rows = []
    with Searcher(index) as searcher:
        results = {
            case.query: searcher.query(
                ticket_query(case.query, case.lang), lang=case.lang, audience="public", per_page=10
            )
            for case in public
        }
        for threshold in THRESHOLDS:
            answered = right = first = articles = 0
            for case in public:
                found = suggest(case.query, lambda _, __, case=case: results[case.query], threshold, lang=case.lang)
                if not found.hits:
                    continue
                answered += 1
                articles += len(found.hits)
                matches = [case.found_by(hit.id, hit.path) for hit in found.hits]
                right += any(matches)
                first += matches[0]
            rows.append(
                (
                    threshold,
                    answered / len(public),
                    right / answered if answered else 0.0,
                    first / answered if answered else 0.0,
                    articles / answered if answered else 0.0,
                )
            )
        if root == REPO:
            texts = [as_ticket(text, "fr" if "Bonjour" in text or "Merci" in text else "en") if wrap else text
                     for text in UNANSWERABLE]  # fmt: skip
            langs = {text: "fr" if "Bonjour" in text or "Merci" in text or "Nous" in text else "en" for text in texts}
            off_topic = {
                text: searcher.query(ticket_query(text, langs[text]), audience="public", per_page=10) for text in texts
            }
            print("  unanswerable tickets given articles, per threshold:")
            for threshold in THRESHOLDS:
                given = sum(
                    bool(suggest(t, lambda _, __, r=r: r, threshold, lang=langs[t]).hits) for t, r in off_topic.items()
                )
                print(f"    {threshold:.1f}: {given}/{len(off_topic)}")
        spread = sorted(
            confidence(ticket_query(case.query, case.lang), list(results[case.query].hits), case.lang)
            for case in public
        )
        print(f"  confidence of the {len(spread)} queries: median {spread[len(spread) // 2]:.2f}")
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kb-autoreply-") as folder:
        work = Path(folder)
        sets: list[tuple[str, Path, list[Case]]] = []
        corpus = corpus_dir()
        if corpus is None:
            print("no Outlook corpus on this machine (set KB_SHARED_DIR): the sample set only")
        else:
            import_outlook(corpus, work / "outlook")
            cases = read_cases(REPO / "bench" / "outlook_queries.tsv") + read_cases(
                REPO / "bench" / "outlook_heldout.tsv"
            )
            sets.append(("Outlook troubleshooting (334 articles)", work / "outlook", cases))
        sets.append(("Sample help center", REPO, read_cases(REPO / "tests" / "relevance" / "queries.tsv")))
        for number, (name, root, cases) in enumerate(sets):
            for wrap in (False, True):
                print(f"{name}, {'as tickets (greeting, context, signature)' if wrap else 'queries as typed'}")
                rows = measure(root, cases, work / f"index-{number}", wrap)
                print("| threshold | answered | precision | precision@1 | articles |")
                print("|---|---|---|---|---|")
                for threshold, answered, precision, first, articles in rows:
                    mark = " *" if threshold == MIN_CONFIDENCE else ""
                    print(
                        f"| {threshold:.1f}{mark} | {answered:.3f} | {precision:.3f} | {first:.3f} | {articles:.2f} |"
                    )
                print()


if __name__ == "__main__":
    main()
