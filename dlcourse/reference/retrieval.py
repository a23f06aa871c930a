"""Ranking documents for a query, in NumPy: the baselines and the measures of Chapter 5.

Texts become rows of term counts (:func:`term_counts`); a query's score for a document
is BM25 (Robertson & Zaragoza 2009) or the cosine of their TF-IDF vectors; a ranking is
measured by average precision (mean average precision, MAP, over queries) and by NDCG
at ``k``. The functions are cores; their checks live in
:mod:`dlcourse.reference._retrieval_checks`.
"""

from __future__ import annotations

import re

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _retrieval_checks as checks

__all__ = [
    "average_precision",
    "bm25_scores",
    "ndcg_at_k",
    "term_counts",
    "tfidf_cosine",
    "tokens",
]

_WORD = re.compile(r"[a-z][a-z0-9_]*")


@checked(checks.tokens)
def tokens(text: str) -> list[str]:
    """The lower-cased words of ``text`` (letters, digits and underscores)."""
    return _WORD.findall(text.lower())


@checked(checks.term_counts)
def term_counts(texts: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    """How often each vocabulary term occurs in each text, ``(texts, terms)``."""
    counts = np.zeros((len(texts), len(vocabulary)))
    for row, text in enumerate(texts):
        for word in tokens(text):
            if word in vocabulary:
                counts[row, vocabulary[word]] += 1
    return counts


@checked(checks.bm25_scores)
def bm25_scores(
    query_counts: np.ndarray,
    document_counts: np.ndarray,
    k1: float = 1.2,
    b: float = 0.75,
) -> np.ndarray:
    """BM25 score of every document for every query, ``(queries, documents)``.

    ``score(q, d) = sum over the terms t of q of idf(t) f (k1 + 1) / (f + k1 (1 - b + b
    len_d / avg_len))``, with ``f`` the count of ``t`` in ``d``, ``len_d`` the length of
    ``d``, ``avg_len`` the mean length and ``idf(t) = log(1 + (N - n_t + 0.5) / (n_t +
    0.5))`` for ``n_t`` of the ``N`` documents containing ``t``.
    """
    documents = len(document_counts)
    containing = (document_counts > 0).sum(axis=0)  # n_t
    idf = np.log(1.0 + (documents - containing + 0.5) / (containing + 0.5))
    length = document_counts.sum(axis=1, keepdims=True)  # |d|
    norm = k1 * (1.0 - b + b * length / length.mean())
    saturated = document_counts * (k1 + 1.0) / (document_counts + norm)
    return (query_counts > 0) @ (saturated * idf).T


@checked(checks.tfidf_cosine)
def tfidf_cosine(query_counts: np.ndarray, document_counts: np.ndarray) -> np.ndarray:
    """Cosine of TF-IDF vectors, idf(t) = log(N / n_t) + 1, ``(queries, documents)``."""
    containing = np.maximum((document_counts > 0).sum(axis=0), 1)
    idf = np.log(len(document_counts) / containing) + 1.0

    def unit_rows(counts: np.ndarray) -> np.ndarray:
        weighted = counts * idf
        norms = np.linalg.norm(weighted, axis=1, keepdims=True)
        return weighted / np.maximum(norms, 1e-12)

    return unit_rows(query_counts) @ unit_rows(document_counts).T


@checked(checks.average_precision)
def average_precision(scores: np.ndarray, relevant: np.ndarray) -> float:
    """The mean, over the relevant documents, of the precision at each one's rank."""
    ranked = relevant[np.argsort(-scores, kind="stable")]
    hits = np.cumsum(ranked)
    ranks = np.arange(1, len(ranked) + 1)
    return float(np.sum((hits / ranks)[ranked]) / ranked.sum())


@checked(checks.ndcg_at_k)
def ndcg_at_k(scores: np.ndarray, relevant: np.ndarray, k: int = 10) -> float:
    """DCG of the top ``k`` (gain 1 per relevant document, discount log2(rank + 1)),
    divided by the best possible DCG."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ranked = relevant[np.argsort(-scores, kind="stable")][:k]
    ideal = np.sort(relevant)[::-1][:k]
    return float(
        np.sum(ranked * discounts[: len(ranked)])
        / np.sum(ideal * discounts[: len(ideal)])
    )
