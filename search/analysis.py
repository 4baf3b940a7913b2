"""Text analysis per language: how words become index terms, for indexing, querying and highlighting.

Every language first folds Unicode compatibility forms (NFKC: the ligature "ﬁ" is "fi", a full-width
"Ａ" is "A"). English: Snowball (Porter2) stemming; French: Snowball French stemming. Both fold accents *before*
stemming, so a word typed without accents ("bloquee") meets the accented one ("bloquée"), and both drop
their language's stop words. French also drops elided articles (l', d', qu'...) and a final mute "e" left
by the stemmer, so remboursement / rembourser / Remboursements / remboursé / remboursée meet.

A languages Whoosh has no stemmer for is still tokenized, lower-cased and folded.

Weighted text for the BM25F field is passed to Whoosh as one string of segments (see `weighted`): each
segment carries the weight its tokens count for (a title word counts more than a body word), and segment
k starts at position k * SEGMENT_STRIDE, so a phrase never spans two segments and a term's positions
tell which segment (title, a heading, a section's text...) it was found in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Tokenizer,
)
from whoosh.lang import has_stemmer, stopwords_for_language
from whoosh.support.charset import accent_map

_SEGMENT = "\x1d"  # starts a segment: "\x1d<weight>\x1e<text>"
_WEIGHT_END = "\x1e"
_CONTROL = re.compile(f"[{_SEGMENT}{_WEIGHT_END}]")
SEGMENT_STRIDE = 10_000  # segment k starts at position k * SEGMENT_STRIDE: positions tell the segment

# Query words that carry no meaning in a support search, beyond Snowball's lists.
_EXTRA_STOP_WORDS = {
    "en": {"can", "please", "get"},
    "fr": {"les", "où", "si", "cette", "cet", "ça", "quand", "pourquoi", "comment", "quoi", "veux", "peux", "dois"},
    "es": {"cómo", "dónde", "cuándo", "puedo", "quiero", "debo", "hacer"},
}
# Negation carries meaning in a symptom ("not responding", "won't open", "doesn't sync"): it is kept, and
# every English form of it is one term, so "can't open", "cannot open" and "not opening" meet.
_NEGATIONS = {
    "en": {
        "not",
        "no",
        "cannot",
        "isn",
        "aren",
        "doesn",
        "didn",
        "wasn",
        "weren",
        "won",
        "wouldn",
        "couldn",
        "shouldn",
        "haven",
        "hasn",
        "hadn",
        "don",
        "never",
    },
    # Spanish negation is one word before the verb ("no funciona", "nunca llega"); Snowball lists "no" as a stop word
    "es": {"no", "nunca"},
}
_MIN_SIZE = 2
# Whoosh's default token expression (\w+(\.?\w+)*), with combining marks inside a word: "re\u0301silier"
# (an accent typed as a mark) is one token, which NFKC then composes into "résilier".
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
TOKEN_PATTERN = rf"\w[\w{_MARKS}]*(\.?\w[\w{_MARKS}]*)*"


def compatible(text: str) -> str:
    """Unicode compatibility normalisation (NFKC): 'ﬁnance' -> 'finance', 'e' + a combining accent -> 'é'."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """Lower case without accents: 'Remboursé' -> 'rembourse' (the form words are compared in)."""
    return compatible(text).lower().translate(_FOLD_TABLE)


_FOLD_TABLE = {code: accent_map[code] for code in accent_map}
# Folding that keeps every character in place (œ stays œ), so offsets in the folded text are the text's.
_SAME_LENGTH_FOLD = {code: folded for code, folded in _FOLD_TABLE.items() if len(folded) == 1}


class _SegmentTokenizer(Tokenizer):
    """Splits weighted segments (see `weighted`) and tokenizes each with a regex tokenizer.

    Plain text (a query, a passage to highlight) is one segment of weight 1.
    """

    def __init__(self) -> None:
        self.words = RegexTokenizer(TOKEN_PATTERN)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        start_pos: int = 0,
        start_char: int = 0,
        **kwargs: object,
    ) -> Iterator[object]:
        if _SEGMENT not in value:
            yield from self.words(value, positions=positions, chars=chars, start_pos=start_pos, **kwargs)
            return
        last_position = SEGMENT_STRIDE - 1
        for number, segment in enumerate(value.split(_SEGMENT)[1:]):
            weight_text, _, text = segment.partition(_WEIGHT_END)
            weight = float(weight_text)
            start = start_pos + number * SEGMENT_STRIDE
            for token in self.words(text, positions=positions, chars=False, start_pos=start, **kwargs):
                token.boost = weight
                if positions and token.pos - start > last_position:
                    token.pos = start + last_position  # an absurdly long segment: keep it in its own range
                yield token


class _Compatible(Filter):
    """NFKC on each token (offsets stay those of the text): ligatures and full-width letters fold."""

    def __call__(self, tokens: Iterable[object]) -> Iterator[object]:
        for token in tokens:
            token.text = compatible(token.text)  # type: ignore[attr-defined]
            yield token


# The parts of a technical token: dotted pieces, and letters and digits apart ("aadsts50105" -> aadsts, 50105).
_PART = re.compile(r"[^\W\d_]+|\d+")


def parts(word: str) -> list[str]:
    """The parts a technical token is also found by: 'outlook.exe.log' -> outlook, exe, log;
    'AADSTS50105' -> AADSTS, 50105; '16.0' -> 16, 0. A plain word has no parts ([])."""
    found = [match.group(0) for match in _PART.finditer(word)]
    return found if len(found) > 1 else []


class _Compounds(Filter):
    """A technical token (`outlook.exe.log`, `5.7.520`, `AADSTS50105`, `0x800ccc80`) is indexed and queried
    whole and by its parts, all at the token's position: the whole token finds exactly it, a part finds it
    too ("olm" finds "outlook.olm", "AADSTS" finds "AADSTS50105"). The same filter runs on both sides."""

    def __call__(self, tokens: Iterable[object]) -> Iterator[object]:
        for token in tokens:
            text = token.text  # type: ignore[attr-defined]
            pieces = parts(text)
            # Later filters change the token in place once it is yielded: copy it first.
            whole = token.copy() if pieces else None  # type: ignore[attr-defined]
            yield token
            if whole is None:
                continue
            chars = getattr(whole, "startchar", None) is not None and whole.endchar - whole.startchar == len(text)
            offset = 0
            for piece in pieces:
                part = whole.copy()
                at = text.find(piece, offset)
                offset = at + len(piece)
                part.text = piece
                if chars:
                    part.startchar = whole.startchar + at
                    part.endchar = part.startchar + len(piece)
                yield part


class _DropFinalE(Filter):
    """French: the stemmer leaves a final 'e' on some folded forms ('remboursee' -> 'rembourse')."""

    def __call__(self, tokens: Iterable[object]) -> Iterator[object]:
        for token in tokens:
            text = token.text  # type: ignore[attr-defined]
            while len(text) > 3 and text.endswith("e"):
                text = text[:-1]
            token.text = text  # type: ignore[attr-defined]
            yield token


class _Negation(Filter):
    """Every negation of the language becomes the term "not" (see _NEGATIONS)."""

    def __init__(self, words: frozenset[str]):
        self.words = words

    def __call__(self, tokens: Iterable[object]) -> Iterator[object]:
        for token in tokens:
            if token.text in self.words:  # type: ignore[attr-defined]
                token.text = "not"  # type: ignore[attr-defined]
            yield token


def stop_words(lang: str) -> frozenset[str]:
    try:
        words = set(stopwords_for_language(lang))
    except (KeyError, ValueError):
        words = set()
    words |= _EXTRA_STOP_WORDS.get(lang, set())
    words -= _NEGATIONS.get(lang, set())
    return frozenset(fold(word) for word in words)


@cache
def analyzer(lang: str) -> Analyzer:
    """The analyzer of a language's text fields (also used for its queries and snippets)."""
    chain = _SegmentTokenizer() | _Compatible() | LowercaseFilter() | CharsetFilter(accent_map) | _Compounds()
    if lang in _NEGATIONS:
        chain = chain | _Negation(frozenset(_NEGATIONS[lang]))
    chain = chain | StopFilter(stoplist=stop_words(lang), minsize=_MIN_SIZE, renumber=False)
    if has_stemmer(lang):
        chain = chain | StemFilter(lang=lang, cachesize=50000)
        if lang == "fr":
            chain = chain | _DropFinalE()
    return chain


_WORD = re.compile(r"[^\W\d_]{3,}")  # words of 3 letters or more: what a typo correction can be


@cache
def word_analyzer() -> Analyzer:
    """Folded words, unstemmed: the vocabulary that typo corrections are drawn from."""
    return RegexTokenizer(_WORD) | _Compatible() | LowercaseFilter() | CharsetFilter(accent_map)


def weighted(segments: Iterable[tuple[str, float]]) -> str:
    """Text for a BM25F field: each (text, weight) becomes a segment whose tokens count `weight` times.

    Empty segments are kept, so segment numbers stay those of the list.
    """
    return "".join(f"{_SEGMENT}{weight:g}{_WEIGHT_END}{_CONTROL.sub(' ', text)}" for text, weight in segments)


def segment_of(position: int) -> int:
    return position // SEGMENT_STRIDE


def terms(lang: str, text: str) -> list[str]:
    """Index terms of `text` in `lang`, in order (stop words removed)."""
    return [token.text for token in analyzer(lang)(text)]


@dataclass(frozen=True)
class TermSpan:
    term: str
    position: int
    start: int
    end: int


def term_spans(lang: str, text: str) -> list[TermSpan]:
    """Index terms of `text` with their positions and character ranges (for phrases and highlighting)."""
    return [
        TermSpan(token.text, token.pos, token.startchar, token.endchar)
        for token in analyzer(lang)(text, positions=True, chars=True)
    ]


_TOKEN = re.compile(TOKEN_PATTERN)  # the same tokens as the analyzer


def query_words(text: str) -> list[str]:
    """The words of a query, cut as the index cuts its text (a dotted token such as '16.0' stays one word)."""
    return [match.group(0) for match in _TOKEN.finditer(compatible(text))]


def matching_spans(lang: str, text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Character ranges of the words of `text` whose index term is in `wanted` (for highlighting).

    Only words that start like a wanted term are analyzed (a stem keeps its word's first letters),
    found with one regular expression over the folded text, so a long passage costs little.
    """
    prefixes = sorted({term[:3] for term in wanted if term}, key=len, reverse=True)
    folded = text.lower().translate(_SAME_LENGTH_FOLD)
    if not prefixes or len(folded) != len(text):
        return []
    starts = re.compile(rf"(?<![\w.])(?:{'|'.join(map(re.escape, prefixes))})\w*(?:\.\w+)*")
    chain = analyzer(lang)
    found = []
    for match in starts.finditer(folded):
        start, end = match.span()
        if any(token.text in wanted for token in chain(text[start:end])):
            found.append((start, end))
    return found


def words(text: str) -> list[str]:
    """Lower-case words of `text` that the correction vocabulary holds (folded, see `fold`)."""
    return [match.group(0).lower() for match in _WORD.finditer(compatible(text))]
