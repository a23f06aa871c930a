"""The retrieval baselines and measures of Chapter 5, against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.metrics import average_precision_score, ndcg_score

from dlcourse.reference import retrieval

pytestmark = pytest.mark.dsn

TEXTS = ["the cat sat", "the dog sat on the mat", "a cat and a dog", "birds fly"]


def _counts():
    vocabulary = {}
    for text in TEXTS:
        for word in retrieval.tokens(text):
            vocabulary.setdefault(word, len(vocabulary))
    documents = retrieval.term_counts(TEXTS, vocabulary)
    queries = retrieval.term_counts(["cat dog", "mat"], vocabulary)
    return vocabulary, queries, documents


def test_tokens_and_counts():
    assert retrieval.tokens('The "assert" statement, x_1!') == [
        "the",
        "assert",
        "statement",
        "x_1",
    ]
    vocabulary, _, documents = _counts()
    assert documents.shape == (4, len(vocabulary))
    assert documents[1, vocabulary["the"]] == 2 and documents.sum() == 16


def test_bm25_equals_the_formula_term_by_term():
    vocabulary, queries, documents = _counts()
    k1, b = 1.2, 0.75
    scores = retrieval.bm25_scores(queries, documents, k1, b)
    lengths = documents.sum(axis=1)
    expected = 0.0
    for term in ("cat", "dog"):
        column = documents[:, vocabulary[term]]
        n_t = np.count_nonzero(column)
        idf = np.log(1 + (4 - n_t + 0.5) / (n_t + 0.5))
        expected = expected + idf * column * (k1 + 1) / (
            column + k1 * (1 - b + b * lengths / lengths.mean())
        )
    np.testing.assert_allclose(scores[0], expected)
    assert scores[1].argmax() == 1 and scores[1, 3] == 0.0


def test_tfidf_cosine_equals_scikit_learn():
    _, queries, documents = _counts()
    transformer = TfidfTransformer(smooth_idf=False).fit(documents)
    expected = (
        transformer.transform(queries).toarray()
        @ transformer.transform(documents).toarray().T
    )
    np.testing.assert_allclose(retrieval.tfidf_cosine(queries, documents), expected)


def test_average_precision_and_ndcg_equal_scikit_learn():
    rng = np.random.default_rng(0)
    for _ in range(20):
        scores = rng.normal(size=30)
        relevant = rng.random(30) < 0.3
        relevant[0] = True
        assert retrieval.average_precision(scores, relevant) == pytest.approx(
            average_precision_score(relevant, scores)
        )
        assert retrieval.ndcg_at_k(scores, relevant, 10) == pytest.approx(
            ndcg_score(relevant[None].astype(float), scores[None], k=10)
        )


def test_a_perfect_ranking_scores_one():
    relevant = np.array([1, 1, 0, 0, 0])
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    assert retrieval.average_precision(scores, relevant) == 1.0
    assert retrieval.ndcg_at_k(scores, relevant, 3) == 1.0
    assert retrieval.average_precision(-scores, relevant) < 0.5


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: retrieval.tokens(3), TypeError, "`text`"),
        (lambda: retrieval.term_counts([], {"a": 0}), TypeError, "`texts`"),
        (lambda: retrieval.term_counts(["a"], {"a": 1}), ValueError, "`vocabulary`"),
        (
            lambda: retrieval.bm25_scores(np.ones((1, 2)), np.ones((3, 4))),
            ValueError,
            "same terms",
        ),
        (
            lambda: retrieval.bm25_scores(np.ones((1, 2)), -np.ones((3, 2))),
            ValueError,
            "`document_counts` must hold counts",
        ),
        (
            lambda: retrieval.bm25_scores(np.ones((1, 2)), np.ones((3, 2)), b=2.0),
            ValueError,
            "`b`",
        ),
        (
            lambda: retrieval.average_precision(np.ones(3), np.zeros(3)),
            ValueError,
            "at least one relevant",
        ),
        (
            lambda: retrieval.average_precision(np.ones(3), np.array([1, 2, 0])),
            ValueError,
            "0/1",
        ),
        (
            lambda: retrieval.ndcg_at_k(np.ones(3), np.ones(2), 2),
            ValueError,
            "one entry per score",
        ),
        (
            lambda: retrieval.ndcg_at_k(np.ones(3), np.ones(3), 0),
            ValueError,
            "`k`",
        ),
    ],
)
def test_bad_inputs_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()
