"""A character n-gram language model with Witten-Bell smoothing (from the LSTM and GRU
chapter), the baseline a neural language model should beat.

The probability of the next character ``c`` after the context ``h`` of the last ``k``
characters interpolates the counts of order ``k`` with the model of order ``k - 1``:

    P_k(c | h) = (C(h, c) + T(h) P_{k-1}(c | h')) / (C(h) + T(h))

where ``C(h, c)`` counts ``c`` after ``h`` in the training text, ``C(h)`` counts ``h``,
``T(h)`` is the number of distinct characters seen after ``h`` and ``h'`` is ``h``
without its oldest character (Witten & Bell 1991). Below order 0 every character of the
alphabet is equally likely. The argument checks live in
:mod:`dlcourse.reference._ngram_checks`.
"""

from __future__ import annotations

import numpy as np

from dlcourse._checks import checked
from dlcourse.reference import _ngram_checks as checks


def _context_ids(codes: np.ndarray, order: int, alphabet_size: int) -> np.ndarray:
    """For each position from ``order`` on, the ``order`` codes before it as one id."""
    ids = np.zeros(len(codes) - order, dtype=np.int64)
    for back in range(order, 0, -1):
        ids = ids * alphabet_size + codes[order - back : len(codes) - back]
    return ids


def _lookup(keys: np.ndarray, counts: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """The count of each query among ``keys`` (sorted, unique); 0 when unseen."""
    where = np.clip(np.searchsorted(keys, queries), 0, len(keys) - 1)
    return np.where(keys[where] == queries, counts[where], 0)


@checked(checks.ngram_bits_per_character)
def ngram_surprise_bits(
    train_codes: np.ndarray, test_codes: np.ndarray, order: int, alphabet_size: int
) -> np.ndarray:
    """-log2 P_k(c | h) of every held-out character after the first ``order``.

    Args:
        train_codes: the training text as integer codes in ``[0, alphabet_size)``.
        test_codes: the held-out text, coded the same way.
        order: ``k``, the number of characters of context (0: single-character counts).
        alphabet_size: ``V``, the number of distinct codes.

    Returns:
        ``(len(test_codes) - order,)`` bits, one per predicted character.
    """
    targets = test_codes[order:]
    probability = np.full(len(targets), 1.0 / alphabet_size)  # below order 0
    for k in range(order + 1):
        train_h = _context_ids(train_codes, k, alphabet_size)
        train_pairs = train_h * alphabet_size + train_codes[k:]
        pair_keys, pair_counts = np.unique(train_pairs, return_counts=True)
        h_keys, h_counts = np.unique(train_h, return_counts=True)
        t_keys, t_counts = np.unique(pair_keys // alphabet_size, return_counts=True)
        test_h = _context_ids(test_codes, k, alphabet_size)[order - k :]
        c_hc = _lookup(pair_keys, pair_counts, test_h * alphabet_size + targets)
        c_h = _lookup(h_keys, h_counts, test_h)
        t_h = _lookup(t_keys, t_counts, test_h)
        seen = c_h > 0  # an unseen context keeps the lower order's probability
        probability = np.where(
            seen,
            (c_hc + t_h * probability) / np.maximum(c_h + t_h, 1),
            probability,
        )
    return -np.log2(probability)


@checked(checks.ngram_bits_per_character)
def ngram_bits_per_character(
    train_codes: np.ndarray, test_codes: np.ndarray, order: int, alphabet_size: int
) -> float:
    """Held-out cross-entropy, in bits per character, of the Witten-Bell n-gram model:
    the mean of :func:`ngram_surprise_bits`.

    The first ``order`` characters of ``test_codes`` only serve as context.

    Args:
        train_codes: the training text as integer codes in ``[0, alphabet_size)``.
        test_codes: the held-out text, coded the same way.
        order: ``k``, the number of characters of context (0: single-character counts).
        alphabet_size: ``V``, the number of distinct codes.
    """
    return float(
        np.mean(ngram_surprise_bits(train_codes, test_codes, order, alphabet_size))
    )
