"""A small text classifier in numpy: hashed word n-gram features + logistic regression.

The stand-in for fastText quality and toxicity classifiers (datatrove ``FastTextClassifierFilter``,
DCLM, GPT-3's quality filter) that needs no download: lowercase tokens (``text.tokens``), word
n-grams for n in ``ngram_range``, hashed with CRC32 into ``n_features`` buckets (stable across
processes, unlike ``hash()``), counts scaled by ``log1p`` and L2-normalized per document. Trained by
full-batch Adam on the mean logistic loss plus ``l2 * |w|^2 / 2``. Saved as ``.npz``.

Examples:
    >>> clf = HashedLogReg(n_features=2**12).fit(["good clean text"] * 5 + ["buy cheap pills"] * 5,
    ...                                           [1] * 5 + [0] * 5)
    >>> bool(clf.predict_proba(["clean text"])[0] > 0.5), bool(clf.predict_proba(["pills"])[0] < 0.5)
    (True, True)
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from pretrainlab.data.curate.text import tokens


class HashedLogReg:
    """Logistic regression over hashed word n-gram counts; label 1 is the positive class."""

    def __init__(self, n_features: int = 2**18, ngram_range: tuple[int, int] = (1, 2)):
        if n_features < 2 or ngram_range[0] < 1 or ngram_range[1] < ngram_range[0]:
            raise ValueError(f"bad classifier shape: n_features={n_features}, "
                             f"ngram_range={ngram_range}")
        self.n_features = int(n_features)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.w = np.zeros(self.n_features, dtype=np.float64)
        self.b = 0.0

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(bucket indices, values) of one text."""
        toks = [t.lower() for t in tokens(text)]
        counts: Counter[int] = Counter()
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            for i in range(len(toks) - n + 1):
                gram = " ".join(toks[i:i + n]).encode("utf-8")
                counts[zlib.crc32(gram) % self.n_features] += 1
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        val = np.log1p(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        norm = np.sqrt((val * val).sum())
        return idx, (val / norm if norm > 0 else val)

    def _batch(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        feats = [self.features(t) for t in texts]
        doc = np.repeat(np.arange(len(feats)), [len(i) for i, _ in feats])
        idx = np.concatenate([i for i, _ in feats]) if feats else np.zeros(0, np.int64)
        val = np.concatenate([v for _, v in feats]) if feats else np.zeros(0)
        return doc, idx, val

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Logits of ``texts``."""
        doc, idx, val = self._batch(texts)
        return np.bincount(doc, weights=self.w[idx] * val, minlength=len(texts)) + self.b

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of label 1 for each text."""
        return _sigmoid(self.decision(texts))

    def fit(self, texts: Sequence[str], labels: Sequence[int], epochs: int = 200, lr: float = 0.1,
            l2: float = 1e-4) -> HashedLogReg:
        """Train on ``texts`` with 0/1 ``labels``; returns self."""
        y = np.asarray(labels, dtype=np.float64)
        if len(texts) != len(y) or len(y) == 0 or not set(np.unique(y)) <= {0.0, 1.0}:
            raise ValueError("fit needs as many 0/1 labels as texts (and at least one text)")
        doc, idx, val = self._batch(texts)
        params = [self.w, np.zeros(1)]
        params[1][0] = self.b
        moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
        for t in range(1, epochs + 1):
            z = np.bincount(doc, weights=self.w[idx] * val, minlength=len(y)) + params[1][0]
            err = (_sigmoid(z) - y) / len(y)
            grads = [np.bincount(idx, weights=val * err[doc], minlength=self.n_features)
                     + l2 * self.w, np.array([err.sum()])]
            for p, g, (m, v) in zip(params, grads, moments):
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                p -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        self.b = float(params[1][0])
        return self

    def save(self, path: str | os.PathLike) -> None:
        np.savez_compressed(path, w=self.w, b=np.array(self.b), n_features=np.array(self.n_features),
                            ngram_range=np.array(self.ngram_range))

    @classmethod
    def load(cls, path: str | os.PathLike) -> HashedLogReg:
        with np.load(path) as data:
            clf = cls(int(data["n_features"]), tuple(int(n) for n in data["ngram_range"]))
            clf.w = data["w"].astype(np.float64)
            clf.b = float(data["b"])
        return clf


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
