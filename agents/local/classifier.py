"""A small learned intent classifier for what no template matched: multinomial logistic regression on
hashed, TF-IDF-weighted character and word n-grams (``agents.local.features``), trained with numpy
(full-batch Adam, L2) on the sentences the templates spell out and the example requests
(``agents.local.corpus``), with a class ``NONE`` for requests that need a model.

Training takes some 5 s on a shared two-core machine (60 epochs; fewer lost accuracy and, worse,
precision at high confidence), too slow for a first request, so the weights are precomputed
(``python -m agents.local.train_intents`` writes ``intent_model.npz``, float16, about 1 MB) together
with a fingerprint of the templates, the examples and the feature settings. When the fingerprint no
longer fits (a template was changed and the file not written again), the model is trained in-process
on first use instead: never stale, only slower once. ``predict`` takes some 0.1 ms.

``Prediction.confidence`` is the softmax probability of the best class; on the examples it tracks how
often that class is right (logistic regression is calibrated by its loss; L2 keeps it from being
over-sure on sentences seen in training)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

import numpy as np

from agents.local.corpus import NONE as NONE
from agents.local.corpus import fingerprint, training_examples
from agents.local.features import hashed_counts, weighted
from agents.local.normalize import normalize

EPOCHS = 60
LEARNING_RATE = 0.05
L2 = 1e-5


@dataclass(frozen=True)
class Prediction:
    intent: str  # an intent name, or NONE
    confidence: float
    runner_up: str
    runner_up_confidence: float


@dataclass
class IntentModel:
    classes: list[str]
    columns: dict[int, int]  # hashed bucket -> row of ``weights``
    idf: dict[int, float]
    default_idf: float
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)
    trained_in_s: float = 0.0
    examples: int = 0

    def probabilities(self, text: str) -> np.ndarray:
        keys, vals = weighted(hashed_counts(normalize(text)), self.idf, self.default_idf)
        rows = [self.columns[k] for k in keys if k in self.columns]
        ws = np.array([v for k, v in zip(keys, vals, strict=True) if k in self.columns], dtype=np.float32)
        z = self.bias + (ws @ self.weights[rows] if rows else 0.0)
        z = z - z.max()
        p = np.exp(z)
        return np.asarray(p / p.sum())

    def predict(self, text: str) -> Prediction:
        p = self.probabilities(text)
        order = np.argsort(-p)
        a, b = int(order[0]), int(order[1])
        return Prediction(self.classes[a], float(p[a]), self.classes[b], float(p[b]))


def train(examples: Sequence[tuple[str, str]], epochs: int = EPOCHS) -> IntentModel:
    """Fit the model to (text, intent or NONE) pairs."""
    t0 = time.perf_counter()
    classes = sorted({c for _, c in examples})
    class_id = {c: i for i, c in enumerate(classes)}
    counted = [hashed_counts(normalize(t)) for t, _ in examples]
    df: dict[int, int] = {}
    for c in counted:
        for k in c:
            df[k] = df.get(k, 0) + 1
    n = len(examples)
    idf = {k: math.log((1 + n) / (1 + v)) + 1.0 for k, v in df.items()}
    default_idf = math.log(1 + n) + 1.0
    columns = {k: i for i, k in enumerate(df)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, c in enumerate(counted):
        keys, ws = weighted(c, idf, default_idf)
        rows += [r] * len(keys)
        cols += [columns[k] for k in keys]
        vals += ws
    weights, bias = _fit(np.array(rows), np.array(cols), np.array(vals, dtype=np.float32),
                         np.array([class_id[c] for _, c in examples]), n, len(columns), len(classes), epochs)
    return IntentModel(classes, columns, idf, default_idf, weights, bias,
                       trained_in_s=time.perf_counter() - t0, examples=n)


def _fit(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, y: np.ndarray, n: int, f: int, k: int,
         epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression, full batch, Adam. The sparse products go through ``np.add.reduceat`` over the
    entries sorted by row (forward) and by column (gradient)."""
    row_starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    by_col = np.argsort(cols, kind="stable")
    cols_sorted = cols[by_col]
    col_starts = np.flatnonzero(np.r_[True, cols_sorted[1:] != cols_sorted[:-1]])
    col_ids = cols_sorted[col_starts]
    rows_by_col, vals_by_col = rows[by_col], vals[by_col][:, None]
    w = np.zeros((f, k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), y] = 1.0
    mw, vw = np.zeros_like(w), np.zeros_like(w)
    mb, vb = np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, epochs + 1):
        z = np.add.reduceat(w[cols] * vals[:, None], row_starts, axis=0) + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        gw = np.zeros_like(w)
        gw[col_ids] = np.add.reduceat(g[rows_by_col] * vals_by_col, col_starts, axis=0)
        gw += L2 * w
        gb = g.sum(axis=0)
        for param, grad, m, v in ((w, gw, mw, vw), (b, gb, mb, vb)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            mhat = m / (1 - beta1**step)
            vhat = v / (1 - beta2**step)
            param -= LEARNING_RATE * mhat / (np.sqrt(vhat) + eps)
    return w, b


# ---------------------------------------------------------------- saved weights

SAVED = Path(__file__).with_name("intent_model.npz")


def save(m: IntentModel, path: Path, fingerprint: str) -> None:
    """The weights (float16) of the features seen in training, their idf and the corpus fingerprint."""
    buckets = np.array(sorted(m.columns, key=m.columns.__getitem__), dtype=np.int64)
    np.savez_compressed(
        path, classes=np.array(m.classes), buckets=buckets, idf=np.array([m.idf[int(k)] for k in buckets]),
        default_idf=np.array(m.default_idf), weights=m.weights.astype(np.float16), bias=m.bias,
        fingerprint=np.array(fingerprint), examples=np.array(m.examples), trained_in_s=np.array(m.trained_in_s))


def load(path: Path, fingerprint: str) -> IntentModel | None:
    """The saved model, or None when there is none or it was trained on another corpus."""
    if not path.exists():
        return None
    with np.load(path) as z:
        if str(z["fingerprint"]) != fingerprint:
            return None
        buckets = [int(k) for k in z["buckets"]]
        return IntentModel(
            classes=[str(c) for c in z["classes"]], columns={k: i for i, k in enumerate(buckets)},
            idf=dict(zip(buckets, (float(v) for v in z["idf"]), strict=True)),
            default_idf=float(z["default_idf"]), weights=z["weights"].astype(np.float32),
            bias=z["bias"].astype(np.float32), trained_in_s=float(z["trained_in_s"]), examples=int(z["examples"]))


# ---------------------------------------------------------------- the model in use

_model: IntentModel | None = None
_lock = Lock()


def train_default(exclude: Iterable[str] = ()) -> IntentModel:
    """The model trained on the template sentences and the examples (less the texts in ``exclude``)."""
    return train(training_examples(exclude=set(exclude)))


def model() -> IntentModel:
    """The model in use: the saved one if it was trained on today's templates and examples, else one
    trained now (a few seconds; ``python -m agents.local.train_intents`` saves it again)."""
    global _model
    with _lock:
        if _model is None:
            _model = load(SAVED, fingerprint()) or train_default()
        return _model


def use_model(m: IntentModel | None) -> None:
    """Replace the model in use (evaluation, tests); None loads or trains the default one on next use."""
    global _model
    with _lock:
        _model = m


def classify(text: str) -> Prediction:
    return model().predict(text)
