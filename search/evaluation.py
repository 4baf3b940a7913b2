"""Measuring relevance: a file of queries with the page each must find, scored as MRR@10 and recall@3.

The queries file is tab-separated, one query a line; `#` starts a comment line:

    query <TAB> expected page <TAB> language (optional) <TAB> audience (optional)

The expected page is its id (`card-payment-declined`) or its path (`cards/card-payment-declined.md`,
`fr/cards/card-payment-declined.md`, or `content/fr/...`). Without a language the query searches every
language; without an audience it uses the evaluation's default.

The evaluation takes any search function, so the same file scores our index and the FTS5 baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kbtools.model.content import ContentSet
from kbtools.model.errors import ContentError
from kbtools.model.vocabulary import Audience
from search.documents import AUDIENCES

DEPTH = 10  # MRR is computed over the first 10 hits
RECALL_AT = 3


@dataclass(frozen=True)
class Case:
    query: str
    expected: str
    lang: str | None
    audience: str | None
    line: int

    def found_by(self, hit_id: str, hit_path: str) -> bool:
        """Whether a hit (its id and `<lang>/<rel>` path) is the expected page."""
        expected = self.expected.removeprefix("content/")
        if not expected.endswith(".md"):
            return hit_id == expected
        return hit_path == expected or hit_path.partition("/")[2] == expected


@dataclass(frozen=True)
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the expected page in the first DEPTH hits
    top: list[str]  # paths of the first hits, for reports


@dataclass(frozen=True)
class Evaluation:
    outcomes: list[Outcome]

    @property
    def mrr(self) -> float:
        return sum(1 / o.rank for o in self.outcomes if o.rank) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def recall(self) -> float:
        """Share of queries whose expected page is in the first RECALL_AT hits."""
        hits = sum(1 for o in self.outcomes if o.rank and o.rank <= RECALL_AT)
        return hits / len(self.outcomes) if self.outcomes else 0.0

    @property
    def misses(self) -> list[Outcome]:
        """Queries whose page is not in the first RECALL_AT hits."""
        return [o for o in self.outcomes if not o.rank or o.rank > RECALL_AT]

    @property
    def not_first(self) -> list[Outcome]:
        """Queries whose page is not the first hit: what to look at to improve the ranking."""
        return [o for o in self.outcomes if o.rank != 1]

    def summary(self) -> str:
        return f"{len(self.outcomes)} queries: MRR@{DEPTH} {self.mrr:.3f}, recall@{RECALL_AT} {self.recall:.3f}"


# A search function: (query, language or None, audience, depth) -> [(id, "<lang>/<rel>"), ...] best first.
SearchFunction = Callable[[str, str | None, str, int], Sequence[tuple[str, str]]]


def read_cases(path: Path) -> list[Case]:
    """The queries of a queries file; raises ContentError naming the line of a malformed one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, "no such queries file") from None
    except UnicodeDecodeError:
        raise ContentError(path, "not UTF-8 text") from None
    cases = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [column.strip() for column in line.split("\t")]
        if len(columns) < 2 or not columns[0] or not columns[1] or len(columns) > 4:
            raise ContentError(path, "expected: query<TAB>expected id or path[<TAB>language[<TAB>audience]]", number)
        lang = columns[2] if len(columns) > 2 and columns[2] else None
        audience = columns[3] if len(columns) > 3 and columns[3] else None
        if audience is not None and audience not in AUDIENCES:
            raise ContentError(path, f"audience is {' or '.join(AUDIENCES)}, not {audience!r}", number)
        cases.append(Case(columns[0], columns[1], lang, audience, number))
    if not cases:
        raise ContentError(path, "no queries in the file")
    return cases


def check_expected(cases: Sequence[Case], content: ContentSet, path: Path) -> None:
    """Raise ContentError for a case whose expected page is in no language: it could never be found."""
    for case in cases:
        expected = case.expected.removeprefix("content/")
        languages = [case.lang] if case.lang else content.languages
        if not any(content.find(expected, lang) for lang in languages) and content.find(expected) is None:
            raise ContentError(path, f"expected page {case.expected!r} is not in the knowledge base", case.line)


def evaluate(cases: Sequence[Case], search: SearchFunction, default_audience: str = Audience.INTERNAL) -> Evaluation:
    outcomes = []
    for case in cases:
        found = list(search(case.query, case.lang, case.audience or default_audience, DEPTH))[:DEPTH]
        rank = next((n for n, (hit_id, path) in enumerate(found, 1) if case.found_by(hit_id, path)), None)
        outcomes.append(Outcome(case, rank, [path for _, path in found[:RECALL_AT]]))
    return Evaluation(outcomes)
