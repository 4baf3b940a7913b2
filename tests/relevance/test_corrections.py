"""'Did you mean' on the sample help center: corrections are offered for typos, never for correct words.

Labelled set: corrections.tsv (typos of content words and correct words the content does not hold,
English and French). Precision: of the corrections offered, the share that are the labelled word.
Recall: of the typos, the share corrected to the labelled word. Reached when set: see MIN_PRECISION.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index
from search.analysis import fold, terms

CASES = Path(__file__).with_name("corrections.tsv")
MIN_PRECISION = 0.9
MIN_RECALL = 0.8


@dataclass(frozen=True)
class Case:
    lang: str
    query: str
    expected: str | None  # the word the typo must become; None: no correction

    def right(self, correction: str) -> bool:
        """A correction is right when it is the labelled word, or a form of it ('integrations')."""
        return self.expected is not None and terms(self.lang, correction) == terms(self.lang, self.expected)


def read_corrections(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, query, expected = line.split("\t")
        cases.append(Case(lang, query, None if expected == "-" else expected))
    return cases


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    index_dir = tmp_path_factory.mktemp("corrections") / "index"
    build_index(KnowledgeBase.at(REPO_ROOT), index_dir)
    with Searcher(index_dir) as opened:
        yield opened


def test_the_labelled_set_has_enough_of_each_kind() -> None:
    cases = read_corrections(CASES)
    for lang in ("en", "fr"):
        assert sum(case.lang == lang and case.expected is not None for case in cases) >= 30
        assert sum(case.lang == lang and case.expected is None for case in cases) >= 15
        assert sum(case.lang == lang for case in cases) >= 30


def test_precision_and_recall_of_corrections(searcher: Searcher) -> None:
    offered = right = typos = fixed = 0
    wrong = []
    for case in read_corrections(CASES):
        corrected = {fold(word): fold(to) for word, to in searcher.query(case.query, lang=case.lang).corrected.items()}
        offered += len(corrected)
        good = [to for to in corrected.values() if case.right(to)]
        right += len(good)
        wrong += [f"{case.lang} {case.query!r}: {word} -> {to}" for word, to in corrected.items() if not case.right(to)]
        if case.expected is not None:
            typos += 1
            fixed += bool(good)
            if not good:
                wrong.append(f"{case.lang} {case.query!r}: not corrected to {case.expected}")
    precision = right / offered if offered else 1.0
    recall = fixed / typos
    summary = f"precision {precision:.3f} ({right}/{offered}), recall {recall:.3f} ({fixed}/{typos})"
    report = "\n".join([summary, *wrong])
    print(report)
    assert precision >= MIN_PRECISION, report
    assert recall >= MIN_RECALL, report


@pytest.mark.parametrize(
    ("lang", "query"),
    [
        ("en", "card declined at uber"),  # the unknown word last
        ("en", "uber receipt missing"),  # first
        ("en", "refund for uber ride"),  # between known words
        ("en", "saas subscription invoice"),  # near a stop word of the content (says)
        ("fr", "carte refusée uber"),
        ("fr", "facture saas"),
    ],
)
def test_no_did_you_mean_when_the_correction_finds_nothing_markedly_better(
    searcher: Searcher, lang: str, query: str
) -> None:
    """The other words already find the pages; the nearest content word would hardly change them."""
    found = searcher.query(query, lang=lang)
    assert found.hits, query
    assert found.suggestion is None and not found.corrected, (query, found.suggestion)


@pytest.mark.parametrize(
    ("lang", "query", "suggestion"),
    [
        ("en", "card declied", "card declined"),
        ("en", "paymnet failed", "payment failed"),
        ("en", "reciept missing", "receipt missing"),
        ("fr", "paiemnet refusé", "paiement refusé"),
        ("en", "refnud", "refund"),  # the words as typed find nothing
        ("fr", "virment", "virement"),
    ],
)
def test_did_you_mean_when_the_correction_finds_markedly_better_pages(
    searcher: Searcher, lang: str, query: str, suggestion: str
) -> None:
    assert searcher.query(query, lang=lang).suggestion == suggestion
