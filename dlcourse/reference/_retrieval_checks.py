"""Argument checks of :mod:`dlcourse.reference.retrieval` (Chapter 5), kept out of the
cores.

Each validator receives a core's arguments by name, raises ``TypeError`` or
``ValueError`` naming the parameter, what was expected and what was given, and returns
the arguments converted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcourse._checks import check_array, check_float, check_int, check_str, describe

#: Most terms in a vocabulary (columns of a count matrix).
MAX_TERMS = 1_000_000


def _counts(name: str, value: Any) -> np.ndarray:
    counts = check_array(name, value, ndim=2).astype(np.float64, copy=False)
    if counts.shape[1] > MAX_TERMS:
        raise ValueError(
            f"`{name}` must have at most {MAX_TERMS:,} columns (terms), got "
            f"{counts.shape[1]:,}"
        )
    if np.any(counts < 0):
        raise ValueError(f"`{name}` must hold counts (no negative entries)")
    return counts


def _query_and_documents(
    query_counts: Any, document_counts: Any
) -> tuple[np.ndarray, np.ndarray]:
    queries = _counts("query_counts", query_counts)
    documents = _counts("document_counts", document_counts)
    if queries.shape[1] != documents.shape[1]:
        raise ValueError(
            "`query_counts` and `document_counts` must count the same terms (columns); "
            f"got {queries.shape[1]} and {documents.shape[1]}"
        )
    return queries, documents


def tokens(text: Any) -> dict[str, Any]:
    """Checks of ``tokens``."""
    return {"text": check_str("text", text)}


def term_counts(texts: Any, vocabulary: Any) -> dict[str, Any]:
    """Checks of ``term_counts``."""
    if not isinstance(texts, list | tuple) or not texts:
        raise TypeError(
            f"`texts` must be a non-empty list of strings, got {describe(texts)}"
        )
    for index, text in enumerate(texts):
        check_str(f"texts[{index}]", text)
    if not isinstance(vocabulary, dict) or not vocabulary:
        raise TypeError(
            f"`vocabulary` must be a non-empty dict from term to column, got "
            f"{describe(vocabulary)}"
        )
    for term, column in vocabulary.items():
        if (
            not isinstance(term, str)
            or isinstance(column, bool)
            or not isinstance(column, int)
        ):
            raise TypeError(
                "`vocabulary` must map strings to integer columns, got "
                f"{describe(term)} -> {describe(column)}"
            )
    columns = sorted(vocabulary.values())
    if columns != list(range(len(vocabulary))):
        raise ValueError("`vocabulary` must map its terms to the columns 0 .. n-1")
    if len(vocabulary) > MAX_TERMS:
        raise ValueError(f"`vocabulary` must hold at most {MAX_TERMS:,} terms")
    return {"texts": list(texts), "vocabulary": vocabulary}


def bm25_scores(
    query_counts: Any, document_counts: Any, k1: Any, b: Any
) -> dict[str, Any]:
    """Checks of ``bm25_scores``."""
    queries, documents = _query_and_documents(query_counts, document_counts)
    if np.any(documents.sum(axis=1) == 0):
        raise ValueError("`document_counts` must have at least one term in every row")
    return {
        "query_counts": queries,
        "document_counts": documents,
        "k1": check_float("k1", k1, minimum=0.0),
        "b": check_float("b", b, minimum=0.0, maximum=1.0),
    }


def tfidf_cosine(query_counts: Any, document_counts: Any) -> dict[str, Any]:
    """Checks of ``tfidf_cosine``."""
    queries, documents = _query_and_documents(query_counts, document_counts)
    return {"query_counts": queries, "document_counts": documents}


def _ranking(scores: Any, relevant: Any) -> tuple[np.ndarray, np.ndarray]:
    scores = check_array("scores", scores, ndim=1)
    relevant = check_array("relevant", relevant, ndim=1, dtype="number")
    if relevant.shape != scores.shape:
        raise ValueError(
            f"`relevant` must have one entry per score ({scores.shape[0]}), got "
            f"{relevant.shape[0]}"
        )
    if not np.all(np.isin(relevant, (0, 1))):
        raise ValueError("`relevant` must hold 0/1 (or False/True) relevance labels")
    return scores, relevant.astype(bool)


def average_precision(scores: Any, relevant: Any) -> dict[str, Any]:
    """Checks of ``average_precision``."""
    scores, relevant = _ranking(scores, relevant)
    if not relevant.any():
        raise ValueError("`relevant` must mark at least one relevant document")
    return {"scores": scores, "relevant": relevant}


def ndcg_at_k(scores: Any, relevant: Any, k: Any) -> dict[str, Any]:
    """Checks of ``ndcg_at_k``."""
    scores, relevant = _ranking(scores, relevant)
    if not relevant.any():
        raise ValueError("`relevant` must mark at least one relevant document")
    k = check_int("k", k, minimum=1, maximum=len(scores))  # at most every document
    return {"scores": scores, "relevant": relevant, "k": k}
